#include "server/read_api.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "domain_store/diff.h"
#include "domain_store/json.h"
#include "domain_store/working_copy.h"
#include "server/json_util.h"

namespace paydomain::server {

using nlohmann::json;


Response ReadApi::head_answer(store::Rev rev) {
  auto info = store_.revision(rev);
  if (!info) return to_response(store_error(info.error()));
  return json_response(200, store::to_json(info.value()));
}

// GET /v1/head[?wait_after=N&timeout_s=T]: without wait_after, the current
// head; with it, answers as soon as a revision after N exists, or after T
// seconds with the (unchanged) head, so followers can loop on it cheaply.
void ReadApi::get_head(Request& req, Done done) {
  auto after = query_int(req, "wait_after");
  if (!after) return done(to_response(after.error()));
  auto timeout = query_int(req, "timeout_s");
  if (!timeout) return done(to_response(timeout.error()));
  if (*timeout && **timeout > config_.max_wait_s)
    return done(error_response(400, "bad-parameter", "timeout_s must be at most " + std::to_string(config_.max_wait_s)));
  auto h = store_.head();
  if (!h) return done(to_response(store_error(h.error())));
  if (!*after || *h > **after || (*timeout && **timeout == 0) || (stopping_ && stopping_()))
    return done(head_answer(*h));
  auto deadline = HeadTracker::Clock::now() + std::chrono::seconds(*timeout ? **timeout : 30);
  if (!head_.wait(**after, deadline, done)) done(head_answer(*h));
}

// GET /v1/revisions[?after=N][&before=N][&limit=K]: with `after`, revisions
// after N oldest first (paging forward, what a follower wants); otherwise the
// newest first (a log), before `before` when given.
ApiResult<Response> ReadApi::get_revisions(const Request& req) {
  auto after = query_int(req, "after");
  if (!after) return after.take_error();
  auto before = query_int(req, "before");
  if (!before) return before.take_error();
  auto limit = query_int(req, "limit");
  if (!limit) return limit.take_error();
  int64_t n = *limit ? std::clamp<int64_t>(**limit, 1, 1000) : 100;
  auto list = *after ? store_.revisions_after(**after, n) : store_.revisions_before(*before ? **before : -1, n);
  if (!list) return store_error(list.error());
  json items = json::array();
  for (const auto& r : list.value()) items.push_back(store::to_json(r));
  json body = {{"revisions", items}};
  if (static_cast<int64_t>(list->size()) == n && !list->empty()) {
    if (*after) body["next"] = "/v1/revisions?after=" + std::to_string(list->back().rev) + "&limit=" + std::to_string(n);
    else if (list->back().rev > 0)
      body["next"] = "/v1/revisions?before=" + std::to_string(list->back().rev) + "&limit=" + std::to_string(n);
  }
  return json_response(200, body);
}

// GET /v1/revisions/{rev}: metadata, the canonical source as working-copy
// files, and the object list. "head" is accepted (and not cached).
ApiResult<Response> ReadApi::get_revision(const Request& req) {
  bool is_head = req.params[0] == "head";
  auto rev = parse_rev(store_, req.params[0], true);
  if (!rev) return rev.take_error();
  store::Rev r = *rev;
  std::string etag = "\"rev-" + std::to_string(r) + "\"";
  if (!is_head && etag_matches(req, etag)) {
    // Still 404 for a revision that does not exist: never confirm a guess.
    if (auto h = store_.head(); h && r <= *h) return not_modified(etag);
  }
  auto info = store_.revision(r);
  if (!info) return store_error(info.error(), "/rev");
  auto objects = store_.checkout(r);
  if (!objects) return store_error(objects.error());
  json body = store::to_json(info.value());
  json files = json::array();
  for (const auto& f : store::working_copy_files(objects.value())) files.push_back({{"name", f.path}, {"text", f.text}});
  json list = json::array();
  for (const auto& o : objects.value())
    list.push_back({{"kind", dsl::to_string(o.key.kind)}, {"id", o.key.id}, {"path", o.path}, {"since", o.since}});
  body["files"] = files;
  body["objects"] = list;
  Response res = json_response(200, body);
  if (is_head) {
    res.headers.emplace_back("Cache-Control", "no-cache");
  } else {
    res.headers.emplace_back("ETag", etag);
    res.headers.emplace_back("Cache-Control", kImmutable);
  }
  return res;
}

// GET /v1/revisions/{rev}/objects/{kind}/{id}: one object's canonical text.
// Its ETag names the version (the revision that wrote it), so an unchanged
// object has the same ETag at every revision.
ApiResult<Response> ReadApi::get_object(const Request& req) {
  bool is_head = req.params[0] == "head";
  auto rev = parse_rev(store_, req.params[0], true);
  if (!rev) return rev.take_error();
  auto kind = dsl::object_kind_from_string(req.params[1]);
  if (!kind) return ApiError{404, "unknown-kind", "no object kind '" + req.params[1] + "'", ""};
  store::ObjectKey key{*kind, req.params[2]};
  auto obj = store_.checkout_object(*rev, key);
  if (!obj) return store_error(obj.error());
  std::string etag = "\"" + key.str() + "@" + std::to_string(obj->since) + "\"";
  if (!is_head && etag_matches(req, etag)) return not_modified(etag);
  json body = store::to_json(obj.value());
  body["revision"] = *rev;
  Response res = json_response(200, body);
  res.headers.emplace_back("ETag", etag);
  res.headers.emplace_back("Cache-Control", is_head ? "no-cache" : kImmutable);
  return res;
}

// GET /v1/diff?from=A&to=B[&text=true]: object-level changes with the parts
// that changed inside each object, and unified text diffs on request.
void ReadApi::get_diff(Request& req, Done done) {
  auto from_s = req.query_param("from");
  auto to_s = req.query_param("to");
  if (!from_s || !to_s)
    return done(error_response(400, "missing-parameter", "both 'from' and 'to' are required (revisions or \"head\")"));
  auto from = parse_rev(store_, *from_s, true);
  if (!from) return done(to_response(from.error()));
  auto to = parse_rev(store_, *to_s, true);
  if (!to) return done(to_response(to.error()));
  const std::string* text = req.query_param("text");
  store::DiffOptions opt;
  opt.text = !text || *text != "false";
  workers_.run(std::move(done), [this, a = *from, b = *to, opt]() -> ApiResult<Response> {
    auto d = store::diff_revisions(store_, a, b, opt);
    if (!d) return store_error(d.error());
    json body = store::to_json(d.value());
    body["summary"] = store::describe(d.value());
    return json_response(200, body);
  });
}

void ReadApi::add_routes(Router& r) {
  r.add("GET", "/v1/head", Access::Reader, [this](Request& req, const Caller&, Done d) { get_head(req, std::move(d)); });
  r.add("GET", "/v1/revisions", Access::Reader,
        [this](Request& req, const Caller&, Done d) { answer(d, get_revisions(req)); });
  r.add("GET", "/v1/revisions/{rev}", Access::Reader,
        [this](Request& req, const Caller&, Done d) { answer(d, get_revision(req)); });
  r.add("GET", "/v1/revisions/{rev}/objects/{kind}/{id}", Access::Reader,
        [this](Request& req, const Caller&, Done d) { answer(d, get_object(req)); });
  r.add("GET", "/v1/diff", Access::Reader, [this](Request& req, const Caller&, Done d) { get_diff(req, std::move(d)); });
}

}  // namespace paydomain::server
