#include <iostream>

#include "cli/commands.h"

namespace paydomain::cli {
int& exit_code() {
  static int code = kExitOk;
  return code;
}
}  // namespace paydomain::cli

int main(int argc, char** argv) {
  using namespace paydomain::cli;
  CLI::App app{"paydomain: payment business rules as versioned code"};
  app.require_subcommand(1);
  register_dsl_commands(app);
  register_serve_commands(app);
  register_eval_commands(app);
  register_store_commands(app);
  register_impact_command(app);
  register_compile_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return exit_code();
}
