#include "domain_store/commit_prep.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "domain_store/objects.h"

namespace paydomain::store {
namespace {

// FNV-1a over a length-prefixed serialisation: identifies "the same commit"
// for idempotent retries (not a security boundary).
class Hasher {
 public:
  void add(std::string_view s) {
    add_raw(std::to_string(s.size()) + ":");
    add_raw(s);
  }
  std::string hex() const {
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
    return buf;
  }

 private:
  void add_raw(std::string_view s) {
    for (unsigned char c : s) h_ = (h_ ^ c) * 1099511628211ull;
  }
  uint64_t h_ = 14695981039346656037ull;
};

}  // namespace

Result<ValidatedCommit> validate_commit(HeadCache& cache, const std::vector<PreparedOp*>& effective,
                                        const CommitRequest& request, const TestsGating& tests, Rev rev) {
  for (PreparedOp* p : effective) cache.stage(p->op.key, p->object, p->op.text);
  ValidatedCommit out;
  Error invalid = make_error(ErrorCode::Invalid, "");
  for (auto& d : cache.check()) {
    (d.severity == dsl::Severity::Error ? invalid.diagnostics : out.warnings).push_back(std::move(d));
  }
  if (!invalid.diagnostics.empty()) {
    cache.rollback();
    invalid.message = "the resulting domain does not check: " + std::to_string(invalid.diagnostics.size()) + " error(s)";
    return invalid;
  }
  if (tests.failing_tests_allowed && tests.failing_tests_allowed->find_first_not_of(" \t\r\n") == std::string::npos) {
    cache.rollback();
    return make_error(ErrorCode::InvalidArgument, "allowing failing tests needs a reason");
  }
  RevisionInfo& info = out.info;
  info.rev = rev;
  info.base = request.base;
  info.author = request.author;
  info.message = request.message;
  info.time_ms = request.time_ms.value_or(now_ms());
  info.op_count = static_cast<int64_t>(effective.size());
  info.idempotency_key = request.idempotency_key;
  return out;
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Result<PreparedCommit> prepare_commit(const CommitRequest& request) {
  if (request.ops.empty()) return make_error(ErrorCode::EmptyCommit, "nothing to commit: no operations");
  if (request.base < 0) return make_error(ErrorCode::InvalidArgument, "the base revision must be 0 or more");
  if (request.author.empty()) return make_error(ErrorCode::InvalidArgument, "a commit needs an author");
  if (request.message.empty()) return make_error(ErrorCode::InvalidArgument, "a commit needs a message");

  PreparedCommit out;
  std::set<ObjectKey> seen;
  Error invalid = make_error(ErrorCode::Invalid, "");
  for (const Op& op : request.ops) {
    if (!seen.insert(op.key).second) {
      return make_error(ErrorCode::InvalidArgument, "the commit touches " + op.key.display() + " twice");
    }
    if (op.key.id.empty()) return make_error(ErrorCode::InvalidArgument, "an operation has an empty object id");
    PreparedOp p{op, std::nullopt, 0};
    if (op.type != OpType::Remove) {
      auto parsed = parse_object_text(op.key, op.text);
      if (!parsed) {
        for (auto& d : parsed.error().diagnostics) invalid.diagnostics.push_back(d);
        continue;
      }
      p.op.text = std::move(parsed->canonical);
      p.object = std::move(parsed->object);
    } else {
      p.op.text.clear();
    }
    out.ops.push_back(std::move(p));
  }
  if (!invalid.diagnostics.empty()) {
    invalid.message = "the commit's objects do not parse: " + std::to_string(invalid.diagnostics.size()) + " error(s)";
    return invalid;
  }
  Hasher h;
  h.add(std::to_string(request.base));
  h.add(request.author);
  h.add(request.message);
  for (const PreparedOp& p : out.ops) {
    h.add(to_string(p.op.type));
    h.add(p.op.key.str());
    h.add(p.op.text);
    h.add(p.op.path);
  }
  out.hash = h.hex();
  return out;
}

Result<BuiltRevision> build_revision(const TestsGating& tests, Rev rev,
                                     const std::function<Result<std::vector<StoredObject>>()>& read_objects) {
  BuiltRevision out;
  if (!tests.build) return out;
  auto objects = read_objects();
  if (!objects) return objects.take_error();
  RevisionBuild built = tests.build(rev, *objects);
  out.artifact = std::move(built.artifact);
  std::vector<FailingTest>& failing = built.failing_tests;
  if (failing.empty()) return out;
  if (tests.failing_tests_allowed) {
    out.failing_tests_allowed = tests.failing_tests_allowed;
    return out;
  }
  std::sort(failing.begin(), failing.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  // The tests themselves travel in failing_tests (listed by the CLI, a JSON member over HTTP).
  Error e = make_error(ErrorCode::TestsFailed,
                       std::to_string(failing.size()) +
                           " test(s) fail on the resulting domain; an admin may commit anyway with a reason "
                           "(--allow-failing-tests, or allow_failing_tests over HTTP)");
  e.failing_tests = std::move(failing);
  return e;
}

std::string conflict_message(Rev base, const std::vector<Conflict>& conflicts) {
  std::string m = std::to_string(conflicts.size()) + " object(s) changed since revision " + std::to_string(base) + ":";
  for (const Conflict& c : conflicts) {
    // append(), not operator+ chains: GCC 12 -Wrestrict false positive at -O2 (base/str_cat.h).
    m.append(" ").append(c.key.display()).append(" (by");
    for (Rev r : c.revisions) m.append(" ").append(std::to_string(r));
    m.append(")");
  }
  return m;
}

Result<EffectiveOps> effective_ops(const HeadCache& cache, std::vector<PreparedOp>& ops, Rev head,
                                   const CurrentVersionReader& current) {
  EffectiveOps out;
  for (auto& p : ops) {
    bool live = cache.contains(p.op.key);
    if (p.op.type == OpType::Insert && live) {
      return make_error(ErrorCode::InvalidArgument, "cannot insert " + p.op.key.display() + ": it already exists");
    }
    if (p.op.type != OpType::Insert && !live) {
      return make_error(ErrorCode::NotFound, "cannot " + std::string(to_string(p.op.type)) + " " +
                                                 p.op.key.display() + ": it does not exist at revision " +
                                                 std::to_string(head));
    }
    if (p.op.type == OpType::Update) {
      auto now = current(p);
      if (!now) return now.take_error();
      if (now->text == p.op.text) continue;  // same canonical text: no change
      out.kept_place[p.object_id] = {std::move(now->path), now->ordinal};
    }
    out.ops.push_back(&p);
  }
  if (out.ops.empty()) return make_error(ErrorCode::EmptyCommit, "nothing to commit: every object is unchanged");
  return out;
}

}  // namespace paydomain::store
