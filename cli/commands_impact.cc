// `paydomain impact A B`: what a change does to payments (evaluator/impact.h),
// between two revisions of a store, a revision and a working copy, or two
// directories; with --contexts FILE.jsonl also the replay of that corpus.
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "domain_store/store_factory.h"
#include "domain_store/working_copy.h"
#include "dsl/checker.h"
#include "dsl/sources.h"
#include "evaluator/check.h"
#include "evaluator/impact_report.h"

namespace paydomain::cli {
namespace {

namespace st = paydomain::store;
namespace ev = paydomain::evaluator;

struct ImpactOptions {
  std::string db, a, b, contexts;
  bool json = false;
  size_t max_regions = 100;
};

bool is_directory(const std::string& p) {
  struct stat s {};
  return ::stat(p.c_str(), &s) == 0 && S_ISDIR(s.st_mode);
}

struct Side {
  std::string label;
  std::shared_ptr<const ev::CompiledDomain> compiled;
};

CliResult<Side> compile_files(std::vector<dsl::SourceFile> files, dsl::Diagnostics diags, const std::string& label) {
  ev::CheckReport r = ev::check_sources(std::move(files), std::move(diags), nullptr, ev::CheckUse::Evaluation);
  if (!r.compiled) {
    std::cerr << "error: " << label << " does not check\n" << dsl::render_all(r.diagnostics.items(), r.domain.files);
    return Reported{kExitFindings};
  }
  return Side{label, r.compiled};
}

// A directory, or (with --db) a revision number or `head`.
CliResult<Side> load_side(st::Store* store, const std::string& what) {
  if (is_directory(what) || !store) {
    if (!is_directory(what)) {
      std::cerr << "error: " << what << " is not a directory (revisions need --db)\n";
      return Reported{kExitUsage};
    }
    dsl::Diagnostics diags;
    auto files = dsl::read_sources({what}, diags);
    return compile_files(std::move(files), std::move(diags), what);
  }
  st::Rev rev = 0;
  if (what == "head") {
    auto h = store->head();
    if (!h) {
      std::cerr << "error: " << h.error().message << "\n";
      return Reported{kExitFindings};
    }
    rev = *h;
  } else {
    try {
      size_t used = 0;
      long long v = std::stoll(what, &used);
      if (used != what.size() || v < 0) throw std::invalid_argument(what);
      rev = st::Rev{v};
    } catch (...) {
      std::cerr << "error: " << what << " is neither a revision number, 'head', nor a directory\n";
      return Reported{kExitUsage};
    }
  }
  auto objects = store->checkout(rev);
  if (!objects) {
    std::cerr << "error: " << objects.error().message << "\n";
    return Reported{kExitFindings};
  }
  return compile_files(st::working_copy_files(*objects), dsl::Diagnostics(), "revision " + std::to_string(rev));
}

int run_impact(const ImpactOptions& o) {
  std::unique_ptr<st::Store> store;
  if (!o.db.empty()) {
    auto s = st::open_store(o.db);
    if (!s) {
      std::cerr << "error: " << s.error().message << "\n";
      return kExitFindings;
    }
    store = std::move(*s);
  }
  std::string a = o.a, b = o.b;
  if (b.empty()) {  // one argument: a working copy against head
    if (!store) {
      std::cerr << "error: impact needs two revisions or directories, or --db and a working copy\n";
      return kExitUsage;
    }
    b = a;
    a = "head";
  }
  auto before = load_side(store.get(), a);
  if (!before) return before.error().code;
  auto after = load_side(store.get(), b);
  if (!after) return after.error().code;
  ev::ImpactReport report;
  report.before = before->label;
  report.after = after->label;
  ev::ImpactOptions opt;
  opt.max_regions = o.max_regions;
  report.symbolic = ev::symbolic_impact(*before->compiled, *after->compiled, opt);
  if (!o.contexts.empty()) {
    std::ifstream in(o.contexts, std::ios::binary);
    if (!in) {
      std::cerr << "error: cannot read " << o.contexts << "\n";
      return kExitFindings;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto r = ev::replay(*before->compiled, *after->compiled, ss.str());
    if (!r) {
      std::cerr << "error: " << o.contexts << ": " << r.error().text() << "\n";
      return kExitFindings;
    }
    report.replay = std::move(*r);
  }
  if (o.json) {
    std::string out;
    ev::write_impact_json(report, out);
    std::cout << out << "\n";
  } else {
    std::cout << ev::impact_text(report);
  }
  return kExitOk;
}

}  // namespace

void register_impact_command(CLI::App& app) {
  auto o = std::make_shared<ImpactOptions>();
  CLI::App* c = app.add_subcommand("impact",
                                   "Which payments a change affects, and how (exact, from the decision DAGs)");
  c->add_option("a", o->a, "Before: a revision number or 'head' (with --db), or a directory")->required();
  c->add_option("b", o->b, "After: the same; omitted with --db, A is a working copy compared against head");
  c->add_option("--db", o->db, "The store: a SQLite file, or a postgresql:// URL");
  c->add_option("--contexts", o->contexts, "Replay these payments (JSON lines) at both sides");
  c->add_option("--max-regions", o->max_regions, "Regions listed; the rest are counted")->check(CLI::Range(1, 100000));
  c->add_flag("--json", o->json, "Print the report as JSON");
  c->callback([o] { exit_code() = run_impact(*o); });
}

}  // namespace paydomain::cli
