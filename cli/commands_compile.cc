// `paydomain compile DIR|--db FILE [--rev N] -o FILE.pdc`: one revision as
// the artifact an embedded evaluator loads (docs/artifact.md, client/).
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "domain_store/store_factory.h"
#include "domain_store/working_copy.h"
#include "dsl/checker.h"
#include "dsl/sources.h"
#include "evaluator/artifact.h"
#include "evaluator/check.h"
#include "evaluator/program.h"

namespace paydomain::cli {
namespace {

namespace st = paydomain::store;
namespace ev = paydomain::evaluator;

struct CompileOptions {
  std::string dir, db, rev = "head", out;
};

// The sources of the revision asked for, and its number (0 for a directory).
CliResult<std::pair<std::vector<dsl::SourceFile>, uint64_t>> sources(const CompileOptions& o, dsl::Diagnostics& diags) {
  if (o.db.empty()) {
    struct stat s {};
    if (o.dir.empty() || ::stat(o.dir.c_str(), &s) != 0 || !S_ISDIR(s.st_mode)) {
      std::cerr << "error: compile needs a directory, or --db FILE\n";
      return Reported{kExitUsage};
    }
    return std::pair{dsl::read_sources({o.dir}, diags), uint64_t{0}};
  }
  auto store = st::open_store(o.db);
  if (!store) {
    std::cerr << "error: " << store.error().message << "\n";
    return Reported{kExitFindings};
  }
  st::Rev rev = 0;
  if (o.rev == "head") {
    auto h = (*store)->head();
    if (!h) {
      std::cerr << "error: " << h.error().message << "\n";
      return Reported{kExitFindings};
    }
    rev = *h;
  } else {
    char* end = nullptr;
    long long v = std::strtoll(o.rev.c_str(), &end, 10);
    if (o.rev.empty() || *end != '\0' || v < 0) {
      std::cerr << "error: --rev " << o.rev << " is neither a revision number nor 'head'\n";
      return Reported{kExitUsage};
    }
    rev = st::Rev{v};
  }
  auto objects = (*store)->checkout(rev);
  if (!objects) {
    std::cerr << "error: " << objects.error().message << "\n";
    return Reported{kExitFindings};
  }
  return std::pair{st::working_copy_files(*objects), static_cast<uint64_t>(rev)};
}

int run_compile(const CompileOptions& o) {
  dsl::Diagnostics diags;
  auto src = sources(o, diags);
  if (!src) return src.error().code;
  auto& [files, rev] = *src;
  std::string hash = st::sources_hash(files);
  dsl::Domain domain;
  if (!diags.has_errors()) domain = dsl::load(files, diags);
  diags.sort();
  if (diags.has_errors()) {
    std::cerr << dsl::render_all(diags.items(), domain.files);
    return kExitFindings;
  }
  ev::CompileOptions opt;
  opt.revision = rev;
  opt.source_hash = hash;
  auto compiled = ev::compile(domain, opt);
  if (!compiled) {
    std::cerr << "error: " << compiled.error().text() << "\n";
    return kExitFindings;
  }
  std::string_view bytes = (*compiled)->program->bytes();
  // Written beside the target and renamed: a reader never sees half a file.
  std::string tmp = o.out + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f.flush()) {
      std::cerr << "error: cannot write " << tmp << "\n";
      std::remove(tmp.c_str());
      return kExitFindings;
    }
  }
  if (std::rename(tmp.c_str(), o.out.c_str()) != 0) {
    std::cerr << "error: cannot rename " << tmp << " to " << o.out << "\n";
    std::remove(tmp.c_str());
    return kExitFindings;
  }
  std::cout << "compiled revision " << rev << " (" << bytes.size() << " bytes, format " << ev::pdc::kFormatMajor << "."
            << ev::pdc::kFormatMinor << ", sources " << hash.substr(0, 12) << ") to " << o.out << "\n";
  return kExitOk;
}

}  // namespace

void register_compile_command(CLI::App& app) {
  auto o = std::make_shared<CompileOptions>();
  CLI::App* c = app.add_subcommand("compile", "Compile a revision into an artifact for embedded evaluators (.pdc)");
  c->add_option("dir", o->dir, "A directory of .pd files (or use --db)");
  c->add_option("--db", o->db, "The store: a SQLite file, or a postgresql:// URL");
  c->add_option("--rev", o->rev, "With --db: a revision number or 'head' (the default)");
  c->add_option("-o,--output", o->out, "The artifact file to write")->required();
  c->callback([o] { exit_code() = run_compile(*o); });
}

}  // namespace paydomain::cli
