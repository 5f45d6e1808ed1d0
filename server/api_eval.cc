// Compiled revisions and evaluation: the processing core's hot path
// (POST /v1/revisions/{rev}/evaluate), and the editor's check and try-it on a
// working copy. A revision is compiled from its canonical source alone, once,
// and shared read-only by every thread through the LRU cache.

#include "dsl/checker.h"
#include "dsl/json.h"
#include "domain_store/working_copy.h"
#include "evaluator/check.h"
#include "evaluator/compiled.h"
#include "evaluator/evaluate.h"
#include "evaluator/json.h"
#include "json/reader.h"
#include "server/json_util.h"
#include "server/service.h"

namespace paydomain::server {

using nlohmann::json;

struct CompiledRevision {
  store::Rev rev = 0;
  std::shared_ptr<const evaluator::CompiledDomain> domain;
};

store::Rev revision_of(const CompiledRevision& c) { return c.rev; }

namespace {

// "$.amount.amount" / "$[3].risk" (the evaluator's paths) -> JSON pointer
// "/amount/amount", prefixed with the context's own place in the body.
std::string to_pointer(const std::string& dollar, const std::string& prefix) {
  std::string out = prefix;
  size_t i = dollar.rfind('$', 0) == 0 ? 1 : 0;
  for (; i < dollar.size(); ++i) {
    char c = dollar[i];
    if (c == '.' || c == '[') out += '/';
    else if (c != ']') out += c;
  }
  return out;
}

// Approximate resident size of a compiled revision, for the cache bound: the
// DAGs as the compiler counts them plus everything else (interned names,
// explanation strings, per-rule structures), which scales with the source
// text. The factor is calibrated by bench/server: a 10,000-rule revision of
// 1.96 MB source adds ~43 MiB of resident memory (~20x its source, 3 MB DAGs).
size_t approx_bytes(const evaluator::CompiledDomain& d, size_t source_bytes) {
  return sizeof(d) + d.dag_bytes + 20 * source_bytes;
}

bool wants_explain(const Request& req, const json* body) {
  if (const std::string* e = req.query_param("explain")) return *e == "true" || *e == "1";
  if (body && body->is_object()) {
    auto it = body->find("explain");
    if (it != body->end() && it->is_boolean()) return it->get<bool>();
  }
  return false;
}

// Loads (parse + check) a working copy; compiles it when it checks.
struct Loaded {
  dsl::Domain domain;
  dsl::Diagnostics diags;
  std::shared_ptr<const evaluator::CompiledDomain> compiled;
  std::string compile_error;
};

void load_and_compile(std::vector<dsl::SourceFile> files, Loaded& out) {
  out.domain = dsl::load(std::move(files), out.diags);
  if (out.diags.has_errors()) return;
  auto c = evaluator::compile(out.domain);
  if (!c) out.compile_error = c.error().text();
  else out.compiled = c.value();
}

}  // namespace

paydomain::Result<std::shared_ptr<const CompiledRevision>, CompileError> Service::compiled(store::Rev rev) {
  if (auto hit = cache_.peek(rev)) {
    if (metrics_) metrics_->cache_hits.fetch_add(1, std::memory_order_relaxed);
    return hit;
  }
  bool compiled_here = false;
  auto out = cache_.get(rev, [&]() -> std::variant<Cache::Built, CompileError> {
    compiled_here = true;
    auto objects = store_->checkout(rev);
    if (!objects) {
      if (objects.error().code == store::ErrorCode::NotFound) {
        auto h = store_->head();
        return CompileError{CompileError::Kind::UnknownRevision,
                            "revision " + std::to_string(rev) + " does not exist" +
                                (h ? " (head is " + std::to_string(*h) + ")" : std::string()),
                            std::nullopt};
      }
      return CompileError{CompileError::Kind::Store, objects.error().message, objects.error()};
    }
    auto files = store::working_copy_files(objects.value());
    size_t source_bytes = 0;
    for (const auto& f : files) source_bytes += f.text.size();
    Loaded l;
    load_and_compile(std::move(files), l);
    if (!l.compiled) {
      std::string why = l.diags.has_errors() ? "the stored revision does not check" : l.compile_error;
      return CompileError{CompileError::Kind::Compile,
                          "cannot compile revision " + std::to_string(rev) + ": " + why, std::nullopt};
    }
    auto c = std::make_shared<CompiledRevision>();
    c->rev = rev;
    c->domain = l.compiled;
    return Cache::Built{c, approx_bytes(*l.compiled, source_bytes)};
  });
  if (metrics_) (compiled_here ? metrics_->cache_misses : metrics_->cache_hits).fetch_add(1, std::memory_order_relaxed);
  if (out.index() == 0) return std::get<0>(out);
  return std::get<1>(std::move(out));
}

namespace {
// A compiled revision's absence as the API's answer.
Response to_response(const CompileError& e) {
  switch (e.kind) {
    case CompileError::Kind::UnknownRevision: return error_response(404, "unknown-revision", e.message);
    case CompileError::Kind::Store: return store_error(*e.store);
    case CompileError::Kind::Compile: break;
  }
  return error_response(500, "compile-failed", e.message);
}
}  // namespace

namespace {

// The body of an evaluate request after one pass: each context's text (the
// whole body for a single context) and whether it is a batch. Objects and
// arrays inside it are not checked here (paydomain::json::Reader::skip_unchecked): reading
// a context checks its text, and `unless_syntax_error` runs the full check on
// every error path, so no byte is checked twice on the way to an answer.
struct EvaluateBody {
  bool batch = false;
  bool explain = false;
  std::vector<std::string_view> contexts;
};

// A 400 naming the first syntax error of `body` if it has one, else `problem`:
// syntax errors are reported before shape errors.
Response unless_syntax_error(const std::string& body, Response problem) {
  std::string why = paydomain::json::syntax_error(body);
  if (!why.empty()) return error_response(400, "bad-json", "the request body is not valid JSON (" + why + ")");
  return problem;
}

std::variant<EvaluateBody, Response> scan_evaluate_body(const std::string& body) {
  using Kind = paydomain::json::Reader::Kind;
  paydomain::json::Reader r(body);
  EvaluateBody out;
  std::optional<Response> shape_error;  // reported only when the body is valid JSON
  std::string other_key;                // the first member besides contexts and explain
  auto shape = [&](Response e) {
    if (!shape_error) shape_error = std::move(e);
  };
  auto skip_value = [&r] {
    Kind k = r.peek();
    return k == Kind::Object || k == Kind::Array ? r.skip_unchecked() : r.skip();
  };
  bool top_is_object = r.peek() == Kind::Object;
  if (top_is_object) {
    r.begin_object();
    std::string_view key;
    bool seen_contexts = false, seen_explain = false;
    while (r.next_key(key)) {
      // The batch's own members may not repeat (a context's fields are
      // judged by the context reader, which refuses repeats too).
      bool* seen = key == "contexts" ? &seen_contexts : key == "explain" ? &seen_explain : nullptr;
      if (seen && *seen) {
        std::string at = "/" + std::string(key);
        shape(error_response(400, "bad-json", at + ": a repeated member (each member may appear once)", at));
        skip_value();
        continue;
      }
      if (seen) *seen = true;
      if (key == "contexts") {
        out.batch = true;
        if (r.peek() != Kind::Array) {
          shape(wrong_type("/contexts", "an array of payment contexts"));
          skip_value();
          continue;
        }
        r.begin_array();
        while (r.next_element()) {
          size_t from = r.offset();
          if (r.peek() != Kind::Object)
            shape(wrong_type("/contexts/" + std::to_string(out.contexts.size()), "a payment context object"));
          if (!skip_value()) break;
          out.contexts.push_back(std::string_view(body).substr(from, r.offset() - from));
        }
      } else if (key == "explain" && r.peek() == Kind::Bool) {
        r.boolean(out.explain);
      } else {
        // In a batch an error; in a single context a context field, which
        // the context reader judges.
        if (other_key.empty()) other_key.append("/").append(key);
        skip_value();
      }
    }
  } else {
    skip_value();
  }
  if (r.failed() || !r.at_end())
    return unless_syntax_error(body, error_response(500, "internal", "the JSON reader and checker disagree"));
  if (!top_is_object) return wrong_type("", "a payment context object, or {\"contexts\": [...]}");
  if (shape_error) return unless_syntax_error(body, std::move(*shape_error));
  if (!out.batch) {
    out.explain = false;  // "explain" in a single context is a context field (an unknown one)
    out.contexts = {std::string_view(body)};
  } else if (!other_key.empty()) {
    std::string what = other_key == "/explain" ? ": expected true or false" : ": unknown field of a batch (expected contexts, explain)";
    return unless_syntax_error(body, error_response(422, other_key == "/explain" ? "wrong-type" : "unknown-field",
                                                    other_key + what, other_key));
  }
  return out;
}

}  // namespace

// One context (the body is the context) or a batch ({"contexts": [...],
// "explain"?}). A malformed context fails the whole request with 422 naming
// its path, so a batch is answered all or nothing. The hot path never builds a
// JSON tree: one pass over the body finds each context's text; contexts are
// then read, evaluated and written as text, a big batch on every core.
Response Service::evaluate(const CompiledRevision& rev, const std::string& body_text, bool explain) {
  auto scanned = scan_evaluate_body(body_text);
  if (scanned.index() == 1) return std::get<1>(std::move(scanned));
  EvaluateBody& req = std::get<0>(scanned);
  explain = explain || req.explain;
  const evaluator::CompiledDomain& d = *rev.domain;
  std::string out = "{\"revision\":" + std::to_string(rev.rev);
  if (!req.batch) {
    out += ",\"result\":";
    if (evaluator::Status s = evaluator::evaluate_text(d, body_text, explain, out); !s)
      return unless_syntax_error(body_text,
                                 error_response(422, "invalid-context", s.error().message, to_pointer(s.error().path, "")));
    if (metrics_) metrics_->evaluations.fetch_add(1, std::memory_order_relaxed);
    out += '}';
    Response res;
    res.body = std::move(out);
    return res;
  }
  if (req.contexts.size() > config_.max_batch)
    return error_response(413, "batch-too-large",
                          "at most " + std::to_string(config_.max_batch) + " contexts per request", "/contexts");
  evaluator::BatchOutcome b = evaluator::evaluate_batch(d, req.contexts, explain, config_.batch_threads);
  if (b.failed) {
    std::string at = "/contexts/" + std::to_string(b.first_failed);
    return unless_syntax_error(
        body_text, error_response(422, "invalid-context", b.first_error.message, to_pointer(b.first_error.path, at)));
  }
  if (metrics_) metrics_->evaluations.fetch_add(req.contexts.size(), std::memory_order_relaxed);
  size_t total = out.size() + 16;
  for (const auto& s : b.results) total += s.size() + 1;
  out.reserve(total);
  out += ",\"results\":[";
  for (size_t i = 0; i < b.results.size(); ++i) {
    if (i) out += ',';
    out += b.results[i];
  }
  out += "]}";
  Response res;
  res.body = std::move(out);
  return res;
}

// POST /v1/revisions/{rev|head}/evaluate. At "head" the newest compiled head
// answers (never waiting for a compile); a numbered revision in the cache is
// evaluated on this I/O thread; a miss compiles on the worker pool.
void Service::post_evaluate_at(Request& req, const Caller&, Done done) {
  bool explain = wants_explain(req, nullptr);
  std::shared_ptr<const CompiledRevision> c;
  store::Rev rev = -1;
  if (req.params[0] == "head") {
    c = serving_head();
  } else {
    auto parsed = parse_rev(req.params[0], false);
    if (parsed.index() != 0) return done(std::get<1>(parsed));
    rev = std::get<0>(parsed);
    c = cache_.peek(rev);
    if (c && metrics_) metrics_->cache_hits.fetch_add(1, std::memory_order_relaxed);
  }
  if (c) return done(evaluate(*c, req.body, explain));
  auto body = std::make_shared<std::string>(std::move(req.body));
  offload(std::move(done), [this, rev, body, explain]() -> Response {
    store::Rev r = rev;
    if (r < 0) {
      auto h = store_->head();
      if (!h) return store_error(h.error());
      r = *h;
    }
    auto got = compiled(r);
    if (!got) return to_response(got.error());
    return evaluate(**got, *body, explain);
  });
}

// POST /v1/evaluate {"files", "context" | "contexts", "explain"?}: try rules
// before committing. Diagnostics of the working copy come back too; when it
// does not check, 422 with them.
void Service::post_evaluate_working(Request& req, const Caller&, Done done) {
  Response err;
  auto body = parse_body(req, err);
  if (!body) return done(err);
  auto files = read_files(*body, err);
  if (!files) return done(err);
  bool explain = wants_explain(req, &*body);
  bool single = body->contains("context") && !(*body)["context"].is_null();
  bool batch = body->contains("contexts") && !(*body)["contexts"].is_null();
  if (single == batch)
    return done(error_response(422, "missing-field", "give exactly one of \"context\" or \"contexts\"", ""));
  json ctx = single ? (*body)["context"] : json{{"contexts", (*body)["contexts"]}};
  offload(std::move(done), [this, files = std::move(*files), ctx = std::move(ctx), explain, single]() mutable -> Response {
    Loaded l;
    load_and_compile(std::move(files), l);
    l.diags.sort();
    if (!l.compiled) {
      json b = json::parse(error_response(422, "invalid-domain",
                                          l.diags.has_errors() ? "the working copy does not check"
                                                               : "the working copy does not compile: " + l.compile_error)
                               .body);
      b["diagnostics"] = dsl::to_json(l.diags.items());
      return json_response(422, b);
    }
    CompiledRevision rev{-1, l.compiled};
    Response r = evaluate(rev, ctx.dump(), explain);
    if (r.status != 200) {
      // Paths point into the body as the client sent it: "/context/..." for one.
      if (single) {
        json b = json::parse(r.body);
        std::string p = b["error"]["path"].get<std::string>();
        b["error"]["path"] = "/context" + p;
        r.body = b.dump();
      }
      return r;
    }
    json out = json::parse(r.body);
    out.erase("revision");
    out["diagnostics"] = dsl::to_json(l.diags.items());
    return json_response(200, out);
  });
}

// POST /v1/check {"files"}: the editor's live errors. 200 whether or not the
// working copy checks; the findings are the answer.
void Service::post_check(Request& req, const Caller&, Done done) {
  Response err;
  auto body = parse_body(req, err);
  if (!body) return done(err);
  auto files = read_files(*body, err);
  if (!files) return done(err);
  // The same check, and the same report, as `paydomain check`.
  offload(std::move(done), [files = std::move(*files)]() mutable -> Response {
    Response res;
    evaluator::write_check_report(evaluator::check_sources(std::move(files)), res.body);
    return res;
  });
}

}  // namespace paydomain::server
