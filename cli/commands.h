// The `paydomain` CLI: each file registers its subcommands on the app.
// Exit codes everywhere: 0 ok, 1 findings or failure, 2 usage error.
#pragma once

#include <CLI/CLI.hpp>

#include "base/result.h"

namespace paydomain::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

// Subcommands set this from their callback; main returns it.
int& exit_code();

// A failure a helper has already reported (on stderr, or as --json on
// stdout), carried as the exit code it calls for: helpers return
// CliResult<T>, and the command returns `r.error().code`.
struct Reported {
  int code = kExitFindings;
};
template <class T>
using CliResult = paydomain::Result<T, Reported>;

void register_dsl_commands(CLI::App& app);  // check, fmt, schema
void register_serve_commands(CLI::App& app);  // serve, token
void register_eval_commands(CLI::App& app);  // eval, test
void register_store_commands(CLI::App& app);  // init, commit, log, show, diff, checkout, revert, restore, fsck, backup, copy
void register_copy_command(CLI::App& app);    // copy (commands_copy.cc)
void register_impact_command(CLI::App& app);  // impact (commands_impact.cc)
void register_compile_command(CLI::App& app);  // compile (commands_compile.cc)

}  // namespace paydomain::cli
