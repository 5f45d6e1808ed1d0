#include "server/write_api.h"

#include <nlohmann/json.hpp>

#include "domain_store/json.h"
#include "domain_store/operations.h"
#include "domain_store/working_copy.h"
#include "server/json_util.h"
#include "server/tests_gate.h"

namespace paydomain::server {

namespace {

Response created(const store::CommitResult& r) {
  Response res = json_response(r.replayed ? 200 : 201, store::to_json(r));
  res.headers.emplace_back("Location", "/v1/revisions/" + std::to_string(r.revision.rev));
  return res;
}

// {"op": "insert"|"update"|"remove", "kind", "id", "text"?, "path"?}
ApiResult<store::Op> read_op(std::string_view text, const std::string& at) {
  auto j = JsonObject::read(text, at, "an object {\"op\", \"kind\", \"id\", \"text\"}");
  if (!j) return j.take_error();
  std::string fields[5];  // op, kind, id, text, path
  const char* names[5] = {"op", "kind", "id", "text", "path"};
  for (int i = 0; i < 5; ++i) {
    const std::string_view* v = j->find(names[i]);
    if (!v) {
      if (i < 3)
        return ApiError{422, "missing-field", std::string("\"") + names[i] + "\" is required", at + "/" + names[i]};
      continue;
    }
    auto s = read_string(*v, at + "/" + names[i]);
    if (!s) return s.take_error();
    fields[i] = std::move(*s);
  }
  auto type = store::op_type_from_string(fields[0]);
  if (!type) return ApiError{422, "bad-op", "op must be insert, update or remove", at + "/op"};
  auto k = dsl::object_kind_from_string(fields[1]);
  if (!k) return ApiError{422, "unknown-kind", "no object kind '" + fields[1] + "'", at + "/kind"};
  if (*type != store::OpType::Remove && !j->find("text"))
    return ApiError{422, "missing-field", "\"text\" is required for " + fields[0], at + "/text"};
  store::Op out;
  out.type = *type;
  out.key = {*k, std::move(fields[2])};
  out.text = std::move(fields[3]);
  out.path = std::move(fields[4]);
  return out;
}

// A non-negative JSON integer; wrong_type(at, expected) otherwise.
// "allow_failing_tests": "reason" -- an admin's override of the tests gate
// (403 for anyone else, so an editor learns it is not theirs to give).
ApiResult<std::optional<std::string>> read_allow_failing_tests(const JsonObject& body, const Caller& caller) {
  const std::string_view* v = body.find("allow_failing_tests");
  if (!v) return std::optional<std::string>{};
  auto s = read_string(*v, "/allow_failing_tests");
  if (!s) return s.take_error();
  if (caller.role != Access::Admin) {
    return ApiError{403, "forbidden", "only an admin may commit with failing tests (allow_failing_tests)",
                    "/allow_failing_tests"};
  }
  return std::optional<std::string>(std::move(*s));
}

// The commit request of a POST /v1/commits body: exactly one of `files`
// (then the working copy) or `ops` (then cr.ops).
struct CommitBody {
  store::CommitRequest request;
  store::TestsGating tests;
  std::optional<std::vector<dsl::SourceFile>> files;
};

ApiResult<CommitBody> read_commit(const Request& req, const Caller& caller) {
  auto body = read_body(req.body);
  if (!body) return body.take_error();
  CommitBody out;
  store::CommitRequest& cr = out.request;
  cr.author = caller.name;
  const std::string_view* base = body->find("base");
  if (!base)
    return ApiError{422, "missing-field", "\"base\" (the revision the change was made against) is required", "/base"};
  auto b = read_count(*base, "/base", "a non-negative integer");
  if (!b) return b.take_error();
  cr.base = *b;
  const std::string_view* msg = body->find("message");
  if (!msg) return ApiError{422, "missing-field", "\"message\" is required", "/message"};
  auto m = read_string(*msg, "/message");
  if (!m) return m.take_error();
  cr.message = std::move(*m);
  if (const std::string_view* key = body->find("idempotency_key")) {
    auto k = read_string(*key, "/idempotency_key");
    if (!k) return k.take_error();
    cr.idempotency_key = std::move(*k);
  }
  auto allow = read_allow_failing_tests(*body, caller);
  if (!allow) return allow.take_error();
  out.tests = commit_gating(std::move(*allow));
  const std::string_view* ops = body->find("ops");
  if (!body->find("files") == !ops)
    return ApiError{422, "missing-field", "give exactly one of \"files\" (a working copy) or \"ops\"", ""};
  if (!ops) {
    auto f = read_files(*body);
    if (!f) return f.take_error();
    out.files = std::move(*f);
    return out;
  }
  auto list = read_array(*ops, "/ops", "an array of operations");
  if (!list) return list.take_error();
  for (size_t i = 0; i < list->size(); ++i) {
    auto op = read_op((*list)[i], "/ops/" + std::to_string(i));
    if (!op) return op.take_error();
    cr.ops.push_back(std::move(*op));
  }
  return out;
}

}  // namespace

std::optional<ApiError> WriteApi::commit_too_large(const std::vector<store::Op>& ops) const {
  size_t bytes = 0;
  for (const auto& op : ops) bytes += op.text.size() + op.key.id.size() + op.path.size();
  if (ops.size() > config_.max_commit_objects) {
    return ApiError{413, "commit-too-large",
                    "the commit has " + std::to_string(ops.size()) + " operations; at most " +
                        std::to_string(config_.max_commit_objects) +
                        " are accepted in one commit (--max-commit-objects): split it into several commits",
                    ""};
  }
  if (bytes > config_.max_commit_bytes) {
    return ApiError{413, "commit-too-large",
                    "the commit holds " + std::to_string(bytes) + " bytes of object text; at most " +
                        std::to_string(config_.max_commit_bytes) +
                        " are accepted in one commit (--max-commit-bytes): split it into several commits",
                    ""};
  }
  return std::nullopt;
}

void WriteApi::write_commit(Done done, store::CommitRequest cr, store::TestsGating tests) {
  workers_.write(std::move(done), [this, cr = std::move(cr), tests = std::move(tests)]() -> ApiResult<Response> {
    auto r = store_.commit(cr, tests);
    if (!r) return store_error(r.error());
    head_.notify_commit();
    return created(r.value());
  });
}

// POST /v1/commits {"base", "message", "files" | "ops", "idempotency_key"?,
// "allow_failing_tests"?}
// 201 with the new revision; 409 with the conflicting objects; 422 with the
// diagnostics when the result does not check, or "tests-failed" with
// "failing_tests" when its tests fail (nothing is written then).
void WriteApi::post_commit(Request& req, const Caller& caller, Done done) {
  auto body = read_commit(req, caller);
  if (!body) return done(to_response(body.error()));
  if (!body->files) {
    if (auto too_large = commit_too_large(body->request.ops)) return done(to_response(*too_large));
    return write_commit(std::move(done), std::move(body->request), std::move(body->tests));
  }
  // A working copy: reading and checking it, and diffing it against its base,
  // is read-only work for the pool; only the resulting operations queue on the
  // write thread, so the write thread does nothing but store writes.
  workers_.submit([this, done = std::move(done), cr = std::move(body->request), tests = std::move(body->tests),
                   files = std::move(*body->files)]() mutable {
    std::optional<ApiError> refused;
    try {
      auto ops = store::ops_from_sources(store_, files, "", cr.base);
      if (!ops) {
        refused = store_error(ops.error());
      } else if (ops->empty()) {
        refused = store_error(store::make_error(
            store::ErrorCode::EmptyCommit, "nothing to commit: the working copy equals revision " + std::to_string(cr.base)));
      } else {
        refused = commit_too_large(*ops);
        cr.ops = std::move(*ops);
      }
    } catch (const std::exception& e) {
      refused = ApiError{500, "internal", std::string("internal error: ") + e.what(), ""};
    }
    if (refused) return done(to_response(*refused));
    write_commit(std::move(done), std::move(cr), std::move(tests));
  });
}

// POST /v1/revisions/{rev}/revert and /restore {"message"?, "idempotency_key"?,
// "allow_failing_tests"?}: a revert is a new commit with the inverse
// operations of {rev} (409 when later revisions changed the same objects); a
// restore a new commit making head equal to {rev} (where a revert is blocked;
// computed against head, so a retry after it landed is 422 empty-commit
// rather than a replay). Both are gated by the tests like a commit.
void WriteApi::post_history(Request& req, const Caller& caller, Done done, HistoryOp op) {
  auto rev = parse_rev(store_, req.params[0], false);
  if (!rev) return done(to_response(rev.error()));
  store::Rev r = *rev;
  store::CommitMeta meta;
  meta.author = caller.name;
  meta.message = (op == HistoryOp::Revert ? "Revert revision " : "Restore revision ") + std::to_string(r);
  // Going back to a state whose tests fail is refused too (same override).
  store::TestsGating tests = commit_gating(std::nullopt);
  if (!req.body.empty()) {
    auto body = read_body(req.body);
    if (!body) return done(to_response(body.error()));
    if (const std::string_view* m = body->find("message")) {
      auto s = read_string(*m, "/message");
      if (!s) return done(to_response(s.error()));
      if (!s->empty()) meta.message = std::move(*s);
    }
    if (const std::string_view* k = body->find("idempotency_key")) {
      auto s = read_string(*k, "/idempotency_key");
      if (!s) return done(to_response(s.error()));
      meta.idempotency_key = std::move(*s);
    }
    auto allow = read_allow_failing_tests(*body, caller);
    if (!allow) return done(to_response(allow.error()));
    tests.failing_tests_allowed = std::move(*allow);
  }
  if (r == 0 && op == HistoryOp::Revert)
    return done(error_response(422, "bad-revision", "revision 0 is the empty domain; it cannot be reverted"));
  workers_.write(std::move(done), [this, r, meta, tests, op]() -> ApiResult<Response> {
    auto res = op == HistoryOp::Revert ? store::revert_revision(store_, r, meta, tests)
                                       : store::restore_revision(store_, r, meta, tests);
    if (!res) return store_error(res.error());
    head_.notify_commit();
    return created(res.value());
  });
}

void WriteApi::add_routes(Router& r) {
  r.add("POST", "/v1/commits", Access::Editor,
        [this](Request& req, const Caller& c, Done d) { post_commit(req, c, std::move(d)); });
  r.add("POST", "/v1/revisions/{rev}/revert", Access::Admin,
        [this](Request& req, const Caller& c, Done d) { post_history(req, c, std::move(d), HistoryOp::Revert); });
  r.add("POST", "/v1/revisions/{rev}/restore", Access::Admin,
        [this](Request& req, const Caller& c, Done d) { post_history(req, c, std::move(d), HistoryOp::Restore); });
}

}  // namespace paydomain::server
