// `paydomain check` and `paydomain fmt`.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "dsl/checker.h"
#include "dsl/json.h"
#include "dsl/parser.h"

namespace paydomain::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> paths;
  bool json = false;
};

int run_check(const CheckOptions& opt) {
  dsl::Diagnostics diags;
  auto files = dsl::read_sources(opt.paths, diags);
  dsl::Domain domain = diags.has_errors() ? dsl::Domain{} : dsl::load(files, diags);
  diags.sort();
  if (opt.json) {
    nlohmann::json out;
    out["ok"] = !diags.has_errors();
    out["errors"] = diags.error_count();
    out["warnings"] = diags.warning_count();
    out["objects"] = domain.objects.size();
    out["diagnostics"] = dsl::to_json(diags.items());
    std::cout << out.dump(2) << "\n";
  } else {
    std::cerr << dsl::render_all(diags.items(), files);
    if (!diags.has_errors()) {
      std::cout << "ok: " << domain.objects.size() << " objects in " << files.size() << " file"
                << (files.size() == 1 ? "" : "s");
      if (diags.warning_count()) std::cout << ", " << diags.warning_count() << " warning(s)";
      std::cout << "\n";
    } else {
      std::cerr << diags.error_count() << " error(s), " << diags.warning_count() << " warning(s)\n";
    }
  }
  return diags.has_errors() ? kExitFindings : kExitOk;
}

}  // namespace

void register_dsl_commands(CLI::App& app) {
  auto check_opt = std::make_shared<CheckOptions>();
  CLI::App* check = app.add_subcommand("check", "Parse and check a domain (a .pd file or a directory of them)");
  check->add_option("paths", check_opt->paths, "Files or directories")->required();
  check->add_flag("--json", check_opt->json, "Print diagnostics as JSON");
  check->callback([check_opt] { exit_code() = run_check(*check_opt); });
}

}  // namespace paydomain::cli
