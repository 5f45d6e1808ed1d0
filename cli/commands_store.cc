// `paydomain init|commit|log|show|diff|checkout|revert|restore|fsck|backup`:
// the store's command line. Errors: 1 for refusals and failures, 2 for usage.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "domain_store/diff.h"
#include "domain_store/json.h"
#include "domain_store/operations.h"
#include "domain_store/store_factory.h"
#include "domain_store/working_copy.h"
#include "dsl/checker.h"
#include "dsl/json.h"
#include "dsl/parser.h"
#include "server/compiled_revisions.h"
#include "server/tests_gate.h"

namespace paydomain::cli {
namespace {

using nlohmann::json;
namespace st = paydomain::store;

struct Common {
  std::string db;
  bool json = false;
};

struct Colors {
  bool on = false;
  std::string paint(const std::string& s, const char* code) const { return on ? std::string("\033[") + code + "m" + s + "\033[0m" : s; }
};

// A usage problem found after CLI11 parsing (bad revision, bad KIND:ID).
int usage(const std::string& msg) {
  std::cerr << "error: " << msg << "\n";
  return kExitUsage;
}

int fail(const Common& c, const st::Error& e, const std::vector<dsl::SourceFile>* files = nullptr) {
  if (c.json) {
    std::cout << st::to_json(e).dump(2) << "\n";
    return kExitFindings;
  }
  std::cerr << "error: " << e.message << "\n";
  for (const auto& conflict : e.conflicts) {
    std::cerr << "  conflict: " << conflict.key.display() << " changed since the base by revision"
              << (conflict.revisions.size() == 1 ? "" : "s");
    for (size_t i = 0; i < conflict.revisions.size(); ++i) std::cerr << (i ? ", " : " ") << conflict.revisions[i];
    std::cerr << "\n";
  }
  if (!e.diagnostics.empty()) std::cerr << dsl::render_all(e.diagnostics, files ? *files : std::vector<dsl::SourceFile>{});
  for (const auto& t : e.failing_tests) {
    std::cerr << "  test \"" << t.name << "\" fails:\n";
    for (const auto& f : t.failures) std::cerr << "    " << f << "\n";
  }
  return kExitFindings;
}

// A revision named on the command line: a number or `head`. Anything else
// is a usage error (`usage_message`); head that cannot be read, a store error.
CliResult<st::Rev> parse_rev(const Common& c, const std::string& s, st::Store& store, const char* usage_message) {
  if (s == "head") {
    auto h = store.head();
    if (!h) return Reported{fail(c, h.error())};
    return *h;
  }
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used == s.size() && v >= 0) return st::Rev{v};
  } catch (...) {
  }
  return Reported{usage(usage_message)};
}

std::string default_author() {
  const char* u = std::getenv("USER");
  return u && *u ? u : "unknown";
}

st::Result<std::unique_ptr<st::Store>> open(const Common& c) { return st::open_store(c.db); }

// Every command that commits runs the domain's tests on the result and
// stores its compiled artifact with it (server/tests_gate.h commit_gating);
// --allow-failing-tests REASON lets failures through,
// recorded in the revision. The CLI works on the store's file or database
// directly, so its user holds the admin's power already.
struct Gated {
  std::string allow_failing_tests;
  bool allow_given = false;
  st::TestsGating gating() const {
    return server::commit_gating(allow_given ? std::optional<std::string>(allow_failing_tests) : std::nullopt);
  }
};

void add_allow_failing_tests(CLI::App* cmd, Gated& g) {
  cmd->add_option("--allow-failing-tests", g.allow_failing_tests,
                  "Commit even though the domain's tests fail; REASON is recorded in the revision")
      ->type_name("REASON")
      ->each([&g](const std::string&) { g.allow_given = true; });
}

// Reads a working copy; IO problems are reported.
CliResult<std::vector<dsl::SourceFile>> read_working_copy(const Common& c, const std::string& path) {
  dsl::Diagnostics diags;
  auto files = dsl::read_sources({path}, diags);
  if (diags.has_errors()) {
    st::Error e = st::make_error(st::ErrorCode::Io, "cannot read " + path);
    e.diagnostics = diags.items();
    return Reported{fail(c, e, &files)};
  }
  return files;
}

void print_revision_line(const st::RevisionInfo& r) {
  std::cout << r.rev << "  " << st::format_time(r.time_ms) << "  " << r.author << "  " << r.message;
  if (r.base != r.rev - 1 && r.rev > 0) std::cout << "  (made on " << r.base << ")";
  if (r.failing_tests_allowed) std::cout << "  [failing tests allowed: " << *r.failing_tests_allowed << "]";
  std::cout << "\n";
}

std::string diff_text(const st::RevisionDiff& d, bool text, const Colors& col) {
  std::string out;
  for (const auto& o : d.objects) {
    st::RevisionDiff one{d.from, d.to, {o}};
    std::string line = st::describe(one);
    const char* code = o.change == st::ObjectDiff::Change::Added ? "32" : o.change == st::ObjectDiff::Change::Removed ? "31" : "33";
    size_t nl = line.find('\n');
    out += col.paint(line.substr(0, nl), code) + line.substr(nl);
    if (text && !o.unified.empty()) {
      size_t start = 0;
      while (start < o.unified.size()) {
        size_t end = o.unified.find('\n', start);
        std::string l = o.unified.substr(start, end - start);
        const char* c = l.rfind("+++", 0) == 0 || l.rfind("---", 0) == 0 ? "1"
                        : l[0] == '+'                                   ? "32"
                        : l[0] == '-'                                   ? "31"
                        : l[0] == '@'                                   ? "36"
                                                                        : nullptr;
        out += (c ? col.paint(l, c) : l) + "\n";
        start = end + 1;
      }
    }
  }
  return out;
}

void add_common(CLI::App* cmd, Common& c, bool json) {
  cmd->add_option("--db", c.db, "The store: a SQLite file, or a postgresql:// URL")->required();
  if (json) cmd->add_flag("--json", c.json, "Print the result as JSON");
}

// ---- commands ---------------------------------------------------------------

struct InitOptions : Common, Gated {
  std::string from, message = "initial import", author = default_author();
};

int run_init(const InitOptions& o) {
  std::vector<dsl::SourceFile> files;
  dsl::Domain seed;
  if (!o.from.empty()) {
    auto read = read_working_copy(o, o.from);
    if (!read) return read.error().code;
    files = std::move(*read);
    // Check before creating anything: an invalid seed leaves no store behind
    // (and the commit takes the checked seed: it is not loaded again).
    dsl::Diagnostics diags;
    seed = dsl::load(files, diags);
    if (diags.has_errors()) {
      st::Error e = st::make_error(st::ErrorCode::Invalid, o.from + " does not check; no store created");
      diags.sort();
      for (const auto& d : diags.items()) {
        if (d.severity == dsl::Severity::Error) e.diagnostics.push_back(d);
      }
      return fail(o, e, &files);
    }
  }
  auto store = st::init_store(o.db);
  if (!store) return fail(o, store.error());
  json out{{"db", st::store_display_name(o.db)}, {"head", 0}};
  if (!o.from.empty()) {
    st::CommitRequest r{0, o.author, o.message, {}, std::nullopt, std::nullopt};
    auto done = st::commit_domain(**store, seed, st::working_copy_root(o.from), r, o.gating());
    if (!done) return fail(o, done.error(), &files);
    out["head"] = done->revision.rev;
    out["commit"] = st::to_json(*done);
  }
  if (o.json) {
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "created " << st::store_display_name(o.db) << " at revision " << out["head"].get<int64_t>() << "\n";
  }
  return kExitOk;
}

struct CommitOptions : Common, Gated {
  std::string path, message, author = default_author(), base, key;
};

int run_commit(const CommitOptions& o) {
  auto store = open(o);
  if (!store) return fail(o, store.error());
  st::CommitRequest r{0, o.author, o.message, {}, std::nullopt, std::nullopt};
  const std::string root = st::working_copy_root(o.path);
  // The base: --base, else the revision the working copy was checked out
  // from, else head (a directory that was never checked out).
  auto recorded = st::read_working_copy_base(root);
  if (!recorded && o.base.empty()) return fail(o, recorded.error());
  const bool tracked = recorded && recorded->has_value();
  if (!o.base.empty()) {
    auto base = parse_rev(o, o.base, **store, "--base must be a revision number or 'head'");
    if (!base) return base.error().code;
    r.base = *base;
  } else if (tracked) {
    r.base = **recorded;
  } else {
    auto head = (*store)->head();
    if (!head) return fail(o, head.error());
    r.base = *head;
    std::cerr << "note: " << root << " records no base revision (" << st::kWorkingCopyBaseFile
              << ", written by checkout): committing against head " << r.base
              << ", so whatever the working copy lacks of head is undone\n";
  }
  if (!o.key.empty()) r.idempotency_key = o.key;
  auto files = read_working_copy(o, o.path);
  if (!files) return files.error().code;
  auto done = st::commit_sources(**store, *files, root, r, o.gating());
  if (!done) return fail(o, done.error(), &*files);
  // The working copy is now the new revision, unless the commit was rebased
  // over others' revisions, which the working copy does not hold: its base
  // then stays, so a later commit from it cannot undo them either.
  std::string base_note;
  if (!recorded || tracked) {  // the directory has a base file (even an unreadable one, --base given)
    // After a rebase the base is the one committed against (--base may have
    // named another than the recorded one).
    const st::Rev now = done->rebased ? r.base : done->revision.rev;
    if (done->rebased) {
      base_note = root + " lacks revisions " + std::to_string(r.base + 1) + ".." + std::to_string(done->revision.rev - 1) +
                  " and stays based on " + std::to_string(r.base) + "; check out revision " +
                  std::to_string(done->revision.rev) + " to continue from the new head";
    }
    if (!tracked || **recorded != now) {
      if (auto s = st::write_working_copy_base(root, now); !s) {
        std::cerr << "warning: committed, but " << s.error().message << "\n";
      }
    }
  }
  if (o.json) {
    json out = st::to_json(*done);
    if (!base_note.empty()) out["note"] = base_note;
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << (done->replayed ? "already committed as revision " : "committed revision ") << done->revision.rev
              << " (" << done->revision.op_count << " change" << (done->revision.op_count == 1 ? "" : "s")
              << (done->rebased ? ", rebased from " + std::to_string(r.base) : "") << ")\n";
    if (!base_note.empty()) std::cerr << "note: " << base_note << "\n";
  }
  return kExitOk;
}

struct LogOptions : Common {
  std::string object;
  int64_t limit = 20;
  int64_t before = -1;
};

int run_log(const LogOptions& o) {
  auto store = open(o);
  if (!store) return fail(o, store.error());
  json out = json::array();
  if (!o.object.empty()) {
    auto key = st::parse_object_key(o.object);
    if (!key) return usage("--object must be KIND:ID, e.g. tariff:standard");
    auto h = (*store)->object_history(*key, o.before, o.limit);
    if (!h) return fail(o, h.error());
    for (const auto& e : *h) {
      if (o.json) {
        out.push_back(st::to_json(e));
      } else {
        std::cout << st::to_string(e.type) << "  ";
        print_revision_line(e.revision);
      }
    }
  } else {
    auto revs = (*store)->revisions_before(o.before, o.limit);
    if (!revs) return fail(o, revs.error());
    for (const auto& r : *revs) {
      if (o.json) {
        out.push_back(st::to_json(r));
      } else {
        print_revision_line(r);
      }
    }
  }
  if (o.json) std::cout << out.dump(2) << "\n";
  return kExitOk;
}

struct ShowOptions : Common {
  std::string rev;
  bool text = false;
};

int run_show(const ShowOptions& o) {
  auto store = open(o);
  if (!store) return fail(o, store.error());
  auto rev = parse_rev(o, o.rev, **store, "REV must be a revision number or 'head'");
  if (!rev) return rev.error().code;
  auto info = (*store)->revision(*rev);
  if (!info) return fail(o, info.error());
  st::RevisionDiff diff{*rev, *rev, {}};
  if (*rev > 0) {
    auto d = st::diff_revisions(**store, *rev - 1, *rev, st::DiffOptions{true, o.text, 3});
    if (!d) return fail(o, d.error());
    diff = std::move(*d);
  }
  if (o.json) {
    json out = st::to_json(*info);
    out["diff"] = st::to_json(diff);
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "revision " << info->rev << "\nauthor   " << info->author << "\ndate     " << st::format_time(info->time_ms)
            << "\nbase     " << info->base << "\n";
  if (info->failing_tests_allowed) std::cout << "tests    failing tests allowed: " << *info->failing_tests_allowed << "\n";
  std::cout << "\n    " << info->message << "\n\n";
  std::cout << diff_text(diff, o.text, Colors{isatty(STDOUT_FILENO) == 1});
  return kExitOk;
}

struct DiffOptions : Common {
  std::string a, b;
  bool text = false;
};

int run_diff(const DiffOptions& o) {
  auto store = open(o);
  if (!store) return fail(o, store.error());
  auto a = parse_rev(o, o.a, **store, "revisions must be numbers or 'head'");
  if (!a) return a.error().code;
  auto b = parse_rev(o, o.b, **store, "revisions must be numbers or 'head'");
  if (!b) return b.error().code;
  auto d = st::diff_revisions(**store, *a, *b, st::DiffOptions{true, o.text, 3});
  if (!d) return fail(o, d.error());
  if (o.json) {
    std::cout << st::to_json(*d).dump(2) << "\n";
  } else {
    std::cout << diff_text(*d, o.text, Colors{isatty(STDOUT_FILENO) == 1});
  }
  return kExitOk;
}

struct CheckoutOptions : Common {
  std::string rev, out, object;
};

int run_checkout(const CheckoutOptions& o) {
  auto store = open(o);
  if (!store) return fail(o, store.error());
  auto rev = parse_rev(o, o.rev, **store, "REV must be a revision number or 'head'");
  if (!rev) return rev.error().code;
  if (!o.object.empty()) {
    auto key = st::parse_object_key(o.object);
    if (!key) return usage("--object must be KIND:ID, e.g. tariff:standard");
    auto obj = (*store)->checkout_object(*rev, *key);
    if (!obj) return fail(o, obj.error());
    if (o.json) {
      std::cout << st::to_json(*obj).dump(2) << "\n";
    } else {
      std::cout << obj->text;
    }
    return kExitOk;
  }
  if (o.out.empty()) return usage("checkout needs -o DIR (or --object KIND:ID)");
  auto objects = (*store)->checkout(*rev);
  if (!objects) return fail(o, objects.error());
  if (auto s = st::write_working_copy(*objects, o.out); !s) return fail(o, s.error());
  if (auto s = st::write_working_copy_base(o.out, *rev); !s) return fail(o, s.error());
  size_t files = st::working_copy_files(*objects).size();
  if (o.json) {
    std::cout << json{{"rev", *rev}, {"dir", o.out}, {"objects", objects->size()}, {"files", files}}.dump(2) << "\n";
  } else {
    std::cout << "revision " << *rev << ": " << objects->size() << " objects in " << files << " file(s) under " << o.out << "\n";
  }
  return kExitOk;
}

struct RevertOptions : Common, Gated {
  std::string rev, message, author = default_author(), key;
  bool restore = false;
};

int run_revert(const RevertOptions& o) {
  auto store = open(o);
  if (!store) return fail(o, store.error());
  auto rev = parse_rev(o, o.rev, **store, "REV must be a revision number or 'head'");
  if (!rev) return rev.error().code;
  st::CommitMeta meta{o.author, o.message, std::nullopt};
  if (!o.key.empty()) meta.idempotency_key = o.key;
  auto done = o.restore ? st::restore_revision(**store, *rev, meta, o.gating())
                        : st::revert_revision(**store, *rev, meta, o.gating());
  if (!done) return fail(o, done.error());
  if (o.json) {
    std::cout << st::to_json(*done).dump(2) << "\n";
  } else {
    std::cout << (o.restore ? "restored revision " : "reverted revision ") << *rev << " as revision "
              << done->revision.rev << "\n";
  }
  return kExitOk;
}

struct FsckCliOptions : Common {
  bool quick = false;
  bool repair_artifacts = false;
};

int run_fsck(const FsckCliOptions& o) {
  auto store = open(o);
  if (!store) return fail(o, store.error());
  st::FsckOptions options{!o.quick};
  options.verify_artifact = server::artifact_verifier();
  if (o.repair_artifacts) options.repair = server::build_artifact;
  auto report = (*store)->fsck(options);
  if (!report) return fail(o, report.error());
  if (o.json) {
    std::cout << st::to_json(*report).dump(2) << "\n";
  } else {
    for (const auto& p : report->problems) std::cout << "problem: " << p << "\n";
    for (const auto& r : report->repaired) std::cout << "repaired: " << r << "\n";
    std::cout << (report->ok() ? "ok: " : "damaged: ") << report->revisions << " revisions (head " << report->head
              << "), " << report->objects << " objects at head, " << report->revisions_checked
              << " revision(s) re-checked, " << report->artifacts_checked << " stored artifact(s) verified";
    if (report->artifacts_other_format) std::cout << ", " << report->artifacts_other_format << " of another format left for older readers";
    std::cout << "\n";
  }
  return report->ok() ? kExitOk : kExitFindings;
}

struct BackupOptions : Common {
  std::string dest;
};

int run_backup(const BackupOptions& o) {
  auto store = open(o);
  if (!store) return fail(o, store.error());
  if (auto s = (*store)->backup(o.dest); !s) return fail(o, s.error());
  std::cout << "backed up " << st::store_display_name(o.db) << " to " << o.dest << "\n";
  return kExitOk;
}

template <class Options, class Run>
CLI::App* command(CLI::App& app, const char* name, const char* help, std::shared_ptr<Options> opt, Run run,
                  bool json = true) {
  CLI::App* cmd = app.add_subcommand(name, help);
  add_common(cmd, *opt, json);
  cmd->callback([opt, run] { exit_code() = run(*opt); });
  return cmd;
}

}  // namespace

void register_store_commands(CLI::App& app) {
  auto init = std::make_shared<InitOptions>();
  auto* c = command(app, "init", "Create a store (optionally seeded from a domain)", init, run_init);
  c->add_option("--from", init->from, "A .pd file or directory to import as revision 1");
  c->add_option("-m,--message", init->message, "Message of the import commit");
  c->add_option("--author", init->author, "Author of the import commit");
  add_allow_failing_tests(c, *init);

  auto commit = std::make_shared<CommitOptions>();
  c = command(app, "commit", "Commit a working copy (file or directory) as a new revision", commit, run_commit);
  c->add_option("path", commit->path, "The working copy")->required();
  c->add_option("-m,--message", commit->message, "Why")->required();
  c->add_option("--author", commit->author, "Who (default: $USER)");
  c->add_option("--base", commit->base,
                "The revision the working copy was made from (default: the one checkout recorded in "
                "DIR/.paydomain/base, else head)");
  c->add_option("--idempotency-key", commit->key, "Makes a retried commit return the first result");
  add_allow_failing_tests(c, *commit);

  auto log = std::make_shared<LogOptions>();
  c = command(app, "log", "History, newest first", log, run_log);
  c->add_option("--object", log->object, "Only revisions that touched KIND:ID");
  c->add_option("--limit", log->limit, "At most N revisions")->check(CLI::PositiveNumber);
  c->add_option("--before", log->before, "Only revisions older than N (paging)");

  auto show = std::make_shared<ShowOptions>();
  c = command(app, "show", "A revision: who, when, why, and what changed", show, run_show);
  c->add_option("rev", show->rev, "Revision number or 'head'")->required();
  c->add_flag("--text", show->text, "Also the unified text diff");

  auto diff = std::make_shared<DiffOptions>();
  c = command(app, "diff", "What differs between two revisions", diff, run_diff);
  c->add_option("a", diff->a, "From revision")->required();
  c->add_option("b", diff->b, "To revision")->required();
  c->add_flag("--text", diff->text, "Also the unified text diff of each object");

  auto checkout = std::make_shared<CheckoutOptions>();
  c = command(app, "checkout", "Write a revision as a working copy of .pd files", checkout, run_checkout);
  c->add_option("rev", checkout->rev, "Revision number or 'head'")->required();
  c->add_option("-o,--output", checkout->out, "Directory to write (must hold no .pd files)");
  c->add_option("--object", checkout->object, "Print one object KIND:ID instead");

  for (bool restore : {false, true}) {
    auto revert = std::make_shared<RevertOptions>();
    revert->restore = restore;
    c = command(app, restore ? "restore" : "revert",
                restore ? "Make head equal to an earlier revision, as a new commit"
                        : "Undo a revision with a new commit of the inverse operations",
                revert, run_revert);
    c->add_option("rev", revert->rev, "Revision number")->required();
    c->add_option("-m,--message", revert->message, "Why")->required();
    c->add_option("--author", revert->author, "Who (default: $USER)");
    c->add_option("--idempotency-key", revert->key, "Makes a retry return the first result");
    add_allow_failing_tests(c, *revert);
  }

  auto fsck = std::make_shared<FsckCliOptions>();
  c = command(app, "fsck", "Check the store's integrity and re-check every revision", fsck, run_fsck);
  c->add_flag("--quick", fsck->quick, "Re-check only the head revision's domain");
  c->add_flag("--repair-artifacts", fsck->repair_artifacts,
              "Compile a revision again when its stored artifact is refused, and replace it");

  auto backup = std::make_shared<BackupOptions>();
  c = command(app, "backup", "Copy the store online to a new SQLite file", backup, run_backup, false);
  c->add_option("dest", backup->dest, "The new file")->required();

  register_copy_command(app);
}

}  // namespace paydomain::cli
