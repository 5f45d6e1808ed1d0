// Write endpoints: commits (a working copy or explicit operations), revert,
// and token management. Store writes run on the worker pool, never on the
// I/O threads, so evaluations keep flowing while a commit validates.
#include "dsl/json.h"
#include "domain_store/operations.h"
#include "domain_store/working_copy.h"
#include "domain_store/json.h"
#include "server/json_util.h"
#include "server/service.h"

namespace paydomain::server {

using nlohmann::json;

namespace {

Response created(const store::CommitResult& r) {
  Response res = json_response(r.replayed ? 200 : 201, store::to_json(r));
  res.headers.emplace_back("Location", "/v1/revisions/" + std::to_string(r.revision.rev));
  return res;
}

// {"op": "insert"|"update"|"remove", "kind", "id", "text"?, "path"?}
std::optional<store::Op> read_op(const json& j, const std::string& at, Response& err) {
  if (!j.is_object()) {
    err = wrong_type(at, "an object {\"op\", \"kind\", \"id\", \"text\"}");
    return std::nullopt;
  }
  auto str = [&](const char* name, bool required, std::string& out) {
    auto it = j.find(name);
    if (it == j.end()) {
      if (required) err = error_response(422, "missing-field", std::string("\"") + name + "\" is required", at + "/" + name);
      return !required;
    }
    if (!it->is_string()) {
      err = wrong_type(at + "/" + name, "a string");
      return false;
    }
    out = it->get<std::string>();
    return true;
  };
  std::string op, kind, id, text, path;
  if (!str("op", true, op) || !str("kind", true, kind) || !str("id", true, id) || !str("text", false, text) ||
      !str("path", false, path))
    return std::nullopt;
  store::Op out;
  auto type = store::op_type_from_string(op);
  if (!type) {
    err = error_response(422, "bad-op", "op must be insert, update or remove", at + "/op");
    return std::nullopt;
  }
  auto k = dsl::object_kind_from_string(kind);
  if (!k) {
    err = error_response(422, "unknown-kind", "no object kind '" + kind + "'", at + "/kind");
    return std::nullopt;
  }
  if (*type != store::OpType::Remove && !j.contains("text")) {
    err = error_response(422, "missing-field", "\"text\" is required for " + op, at + "/text");
    return std::nullopt;
  }
  out.type = *type;
  out.key = {*k, id};
  out.text = std::move(text);
  out.path = std::move(path);
  return out;
}

}  // namespace

// POST /v1/commits {"base", "message", "files" | "ops", "idempotency_key"?}
// 201 with the new revision; 409 with the conflicting objects; 422 with the
// diagnostics when the result does not check (nothing is written then).
void Service::post_commit(Request& req, const Caller& caller, Done done) {
  Response err;
  auto body = parse_body(req, err);
  if (!body) return done(err);
  if (!body->is_object()) return done(wrong_type("", "an object"));
  store::CommitRequest cr;
  cr.author = caller.name;
  auto base = body->find("base");
  if (base == body->end()) return done(error_response(422, "missing-field", "\"base\" (the revision the change was made against) is required", "/base"));
  if (!base->is_number_integer() || base->get<int64_t>() < 0) return done(wrong_type("/base", "a non-negative integer"));
  cr.base = base->get<int64_t>();
  auto msg = body->find("message");
  if (msg == body->end()) return done(error_response(422, "missing-field", "\"message\" is required", "/message"));
  if (!msg->is_string()) return done(wrong_type("/message", "a string"));
  cr.message = msg->get<std::string>();
  if (auto key = body->find("idempotency_key"); key != body->end()) {
    if (!key->is_string()) return done(wrong_type("/idempotency_key", "a string"));
    cr.idempotency_key = key->get<std::string>();
  }
  bool has_files = body->contains("files"), has_ops = body->contains("ops");
  if (has_files == has_ops)
    return done(error_response(422, "missing-field", "give exactly one of \"files\" (a working copy) or \"ops\"", ""));
  std::vector<dsl::SourceFile> files;
  if (has_files) {
    auto f = read_files(*body, err);
    if (!f) return done(err);
    files = std::move(*f);
  } else {
    const json& ops = (*body)["ops"];
    if (!ops.is_array()) return done(wrong_type("/ops", "an array of operations"));
    for (size_t i = 0; i < ops.size(); ++i) {
      auto op = read_op(ops[i], "/ops/" + std::to_string(i), err);
      if (!op) return done(err);
      cr.ops.push_back(std::move(*op));
    }
  }
  if (!has_files) {
    if (auto too_large = commit_too_large(cr.ops)) return done(std::move(*too_large));
    return offload_write(std::move(done), [this, cr = std::move(cr)] {
      auto r = store_->commit(cr);
      if (!r) return store_error(r.error());
      notify_commit();
      return created(r.value());
    });
  }
  // A working copy: reading and checking it, and diffing it against its base,
  // is read-only work for the pool; only the resulting operations queue on the
  // write thread, so the write thread does nothing but store writes.
  pool_->submit([this, done = std::move(done), cr = std::move(cr), files = std::move(files)]() mutable {
    std::optional<Response> refused;
    try {
      auto ops = store::ops_from_sources(*store_, files, "", cr.base);
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
      refused = error_response(500, "internal", std::string("internal error: ") + e.what());
    }
    if (refused) return done(std::move(*refused));
    offload_write(std::move(done), [this, cr = std::move(cr)] {
      auto r = store_->commit(cr);
      if (!r) return store_error(r.error());
      notify_commit();
      return created(r.value());
    });
  });
}

// POST /v1/revisions/{rev}/revert {"message"?}: a new commit with the inverse
// operations; 409 when later revisions changed the same objects.
void Service::post_revert(Request& req, const Caller& caller, Done done) {
  auto rev = parse_rev(req.params[0], false);
  if (rev.index() != 0) return done(std::get<1>(rev));
  store::Rev r = std::get<0>(rev);
  store::CommitMeta meta;
  meta.author = caller.name;
  meta.message = "Revert revision " + std::to_string(r);
  if (!req.body.empty()) {
    Response err;
    auto body = parse_body(req, err);
    if (!body) return done(err);
    if (!body->is_object()) return done(wrong_type("", "an object"));
    if (auto m = body->find("message"); m != body->end()) {
      if (!m->is_string()) return done(wrong_type("/message", "a string"));
      if (!m->get_ref<const std::string&>().empty()) meta.message = m->get<std::string>();
    }
    if (auto k = body->find("idempotency_key"); k != body->end()) {
      if (!k->is_string()) return done(wrong_type("/idempotency_key", "a string"));
      meta.idempotency_key = k->get<std::string>();
    }
  }
  if (r == 0) return done(error_response(422, "bad-revision", "revision 0 is the empty domain; it cannot be reverted"));
  offload_write(std::move(done), [this, r, meta] {
    auto res = store::revert_revision(*store_, r, meta);
    if (!res) return store_error(res.error());
    notify_commit();
    return created(res.value());
  });
}


void Service::get_tokens(Request&, const Caller&, Done done) {
  auto list = tokens_->list();
  if (!list) return done(store_error(list.error()));
  json items = json::array();
  for (const auto& t : list.value()) items.push_back(store::to_json(t));
  done(json_response(200, {{"tokens", items}}));
}

// POST /v1/tokens {"role", "name"}: the token is in this answer only.
void Service::post_tokens(Request& req, const Caller&, Done done) {
  Response err;
  auto body = parse_body(req, err);
  if (!body) return done(err);
  if (!body->is_object()) return done(wrong_type("", "an object {\"role\", \"name\"}"));
  auto role = body->find("role");
  auto name = body->find("name");
  if (role == body->end() || !role->is_string()) return done(wrong_type("/role", "one of \"reader\", \"editor\", \"admin\""));
  if (name == body->end() || !name->is_string()) return done(wrong_type("/name", "a string"));
  auto t = tokens_->create(role->get<std::string>(), name->get<std::string>());
  if (!t) return done(store_error(t.error()));
  json j = store::to_json(t->info);
  j["token"] = t->token;
  Response res = json_response(201, j);
  res.headers.emplace_back("Cache-Control", "no-store");
  done(std::move(res));
}

void Service::delete_token(Request& req, const Caller&, Done done) {
  auto id = parse_rev(req.params[0], false);  // same shape: a non-negative integer
  if (id.index() != 0) return done(error_response(400, "bad-parameter", "a token id is a non-negative integer"));
  if (store::Status s = tokens_->revoke(std::get<0>(id)); !s) return done(store_error(s.error()));
  auth_.forget_all();
  done(json_response(200, {{"revoked", std::get<0>(id)}}));
}

}  // namespace paydomain::server
