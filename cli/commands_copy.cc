// `paydomain copy --from A --to B`: a whole store between SQLite files and
// PostgreSQL databases (either way), verified (domain_store/copy.h).
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "domain_store/copy.h"
#include "domain_store/json.h"
#include "domain_store/store_factory.h"
#include "server/compiled_revisions.h"

namespace paydomain::cli {
namespace {

struct CopyOptions {
  std::string from, to;
  bool json = false;
};

int run_copy(const CopyOptions& o) {
  const std::string from = store::store_display_name(o.from), to = store::store_display_name(o.to);
  auto report = store::copy_store(
      o.from, o.to,
      [&](store::Rev done, store::Rev head) {
        if (!o.json) std::cerr << "copied revisions 0.." << done << " of " << head << "\n";
      },
      server::artifact_verifier());
  if (!report) {
    if (o.json) {
      std::cout << store::to_json(report.error()).dump(2) << "\n";
    } else {
      std::cerr << "error: copy " << from << " -> " << to << ": " << report.error().message << "\n";
      if (report.error().code != store::ErrorCode::InvalidArgument && report.error().code != store::ErrorCode::NotAStore) {
        std::cerr << "the destination may hold a partial copy: remove it (the file, or the database's tables) before trying again\n";
      }
    }
    return report.error().code == store::ErrorCode::InvalidArgument ? kExitUsage : kExitFindings;
  }
  if (o.json) {
    nlohmann::json j = {{"from", from}, {"to", to}, {"head", report->head}, {"revisions", report->revisions},
                        {"tokens", report->tokens}, {"revisions_verified", report->revisions_verified},
                        {"artifacts", report->artifacts}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "copied " << from << " to " << to << ": " << report->revisions << " revisions (head " << report->head
              << "), " << report->tokens << " token(s), " << report->artifacts
              << " stored artifact(s); fsck clean, all " << report->revisions_verified
              << " revisions identical\n";
  }
  return kExitOk;
}

}  // namespace

void register_copy_command(CLI::App& app) {
  auto o = std::make_shared<CopyOptions>();
  CLI::App* c = app.add_subcommand(
      "copy", "Copy a whole store (history, authors, times, tokens) between SQLite and PostgreSQL, then verify it");
  c->add_option("--from", o->from, "The store to copy: a SQLite file or a postgresql:// URL")->required();
  c->add_option("--to", o->to, "A new SQLite file, or a PostgreSQL database without tables")->required();
  c->add_flag("--json", o->json, "Print the result as JSON");
  c->callback([o] { exit_code() = run_copy(*o); });
}

}  // namespace paydomain::cli
