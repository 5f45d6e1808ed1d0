#include "server/eval_api.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "dsl/checker.h"
#include "dsl/formatter.h"
#include "dsl/json.h"
#include "dsl/parser.h"
#include "evaluator/check.h"
#include "evaluator/json.h"
#include "evaluator/program.h"
#include "json/reader.h"
#include "server/json_util.h"
#include "server/metrics.h"

namespace paydomain::server {

ApiError to_api_error(const CompileError& e) {
  switch (e.kind) {
    case CompileError::Kind::UnknownRevision: return {404, "unknown-revision", e.message, ""};
    case CompileError::Kind::Store: return store_error(*e.store);
    case CompileError::Kind::Compile: break;
  }
  return {500, "compile-failed", e.message, ""};
}

namespace {

// "$.amount.amount" / "$[3].risk" (the evaluator's paths) -> JSON pointer
// "/amount/amount", prefixed with the context's own place in the body.
std::string to_pointer(const std::string& dollar, std::string_view prefix) {
  std::string out(prefix);
  size_t i = dollar.rfind('$', 0) == 0 ? 1 : 0;
  for (; i < dollar.size(); ++i) {
    char c = dollar[i];
    if (c == '.' || c == '[') out += '/';
    else if (c != ']') out += c;
  }
  return out;
}

// A 400 naming the first syntax error of `text` if it has one, else
// `problem`: syntax errors are reported before shape errors. Only error paths
// pay for this full check.
ApiError unless_syntax_error(std::string_view text, ApiError problem) {
  std::string why = json::syntax_error(text);
  if (!why.empty()) return {400, "bad-json", "the request body is not valid JSON (" + why + ")", ""};
  return problem;
}

// The body of an evaluate request after one pass: each context's text (the
// whole body for a single context) and whether it is a batch. Objects and
// arrays inside it are not checked here (json::Reader::skip_unchecked):
// reading a context checks its text, and `unless_syntax_error` runs the full
// check on every error path, so no byte is checked twice on the way to an answer.
struct EvaluateBody {
  bool batch = false;
  bool explain = false;
  std::vector<std::string_view> contexts;
};

ApiResult<EvaluateBody> scan_evaluate_body(std::string_view body) {
  using Kind = json::Reader::Kind;
  json::Reader r(body);
  EvaluateBody out;
  std::optional<ApiError> shape_error;  // reported only when the body is valid JSON
  std::string other_key;                // the first member besides contexts and explain
  auto shape = [&](ApiError e) {
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
        shape({400, "bad-json", at + ": a repeated member (each member may appear once)", at});
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
          out.contexts.push_back(body.substr(from, r.offset() - from));
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
    return unless_syntax_error(body, {500, "internal", "the JSON reader and checker disagree", ""});
  if (!top_is_object) return wrong_type("", "a payment context object, or {\"contexts\": [...]}");
  if (shape_error) return unless_syntax_error(body, std::move(*shape_error));
  if (!out.batch) {
    out.explain = false;  // "explain" in a single context is a context field (an unknown one)
    out.contexts = {body};
  } else if (!other_key.empty()) {
    bool is_explain = other_key == "/explain";
    std::string what = is_explain ? ": expected true or false" : ": unknown field of a batch (expected contexts, explain)";
    return unless_syntax_error(body, {422, is_explain ? "wrong-type" : "unknown-field", other_key + what, other_key});
  }
  return out;
}

bool wants_explain(const Request& req, const JsonObject* body) {
  if (const std::string* e = req.query_param("explain")) return *e == "true" || *e == "1";
  if (body) {
    if (const std::string_view* v = body->find("explain"); v && kind_of(*v) == json::Reader::Kind::Bool)
      return *v == "true";
  }
  return false;
}

}  // namespace

ApiResult<size_t> EvaluateApi::write_results(const evaluator::Program& d, bool batch,
                                             const std::vector<std::string_view>& contexts, bool explain,
                                             std::string_view at, std::string& out) {
  if (!batch) {
    out += "\"result\":";
    if (evaluator::Status s = evaluator::evaluate_text(d, contexts[0], explain, out); !s)
      return unless_syntax_error(contexts[0],
                                 {422, "invalid-context", s.error().message, to_pointer(s.error().path, at)});
    if (metrics_) metrics_->evaluations.fetch_add(1, std::memory_order_relaxed);
    return size_t{1};
  }
  if (contexts.size() > config_.max_batch)
    return ApiError{413, "batch-too-large", "at most " + std::to_string(config_.max_batch) + " contexts per request",
                    "/contexts"};
  evaluator::BatchOutcome b = evaluator::evaluate_batch(d, contexts, explain, config_.batch_threads);
  if (b.failed) {
    std::string where = std::string(at) + "/" + std::to_string(b.first_failed);
    return unless_syntax_error(contexts[b.first_failed],
                               {422, "invalid-context", b.first_error.message, to_pointer(b.first_error.path, where)});
  }
  if (metrics_) metrics_->evaluations.fetch_add(contexts.size(), std::memory_order_relaxed);
  size_t total = out.size() + 16;
  for (const auto& s : b.results) total += s.size() + 1;
  out.reserve(total);
  out += "\"results\":[";
  for (size_t i = 0; i < b.results.size(); ++i) {
    if (i) out += ',';
    out += b.results[i];
  }
  out += ']';
  return contexts.size();
}

ApiResult<Response> EvaluateApi::evaluate(const CompiledRevision& rev, const std::string& body, bool explain) {
  auto scanned = scan_evaluate_body(body);
  if (!scanned) return scanned.take_error();
  Response res;
  res.body.reserve(2048);  // a typical single result fits
  res.body += "{\"revision\":";
  res.body += std::to_string(rev.rev);
  res.body += ',';
  auto n = write_results(*rev.program, scanned->batch, scanned->contexts, explain || scanned->explain,
                         scanned->batch ? "/contexts" : "", res.body);
  if (!n) return n.take_error();
  res.body += '}';
  return res;
}

// POST /v1/revisions/{rev|head}/evaluate. At "head" the newest compiled head
// answers (never waiting for a compile); a numbered revision in the cache is
// evaluated on this I/O thread; a miss compiles on the worker pool.
ApiResult<CompiledRevisions::Ptr> EvaluateApi::compile_for(store::Rev rev) {
  if (rev < 0) {
    auto h = store_.head();
    if (!h) return store_error(h.error());
    rev = *h;
  }
  auto got = compiled_.get(rev);
  if (!got) return to_api_error(got.error());
  return *got;
}

void EvaluateApi::post_evaluate_at(Request& req, Done done) {
  bool explain = wants_explain(req, nullptr);
  std::shared_ptr<const CompiledRevision> c;
  store::Rev rev = -1;
  if (req.params[0] == "head") {
    c = compiled_.head();
  } else {
    auto parsed = parse_rev(store_, req.params[0], false);
    if (!parsed) return done(to_response(parsed.error()));
    rev = *parsed;
    c = compiled_.peek(rev);
  }
  if (c) return answer(done, evaluate(*c, req.body, explain));
  workers_.run(std::move(done), [this, rev, body = std::move(req.body), explain]() -> ApiResult<Response> {
    auto got = compile_for(rev);
    if (!got) return got.error();
    return evaluate(**got, body, explain);
  });
}

// POST /v1/evaluate {"files", "context" | "contexts", "explain"?}: try rules
// before committing. Diagnostics of the working copy come back too; when it
// does not check, 422 with them. The body is read once: the files are
// decoded, each context's text is evaluated where it lies in the body.
void EvaluateApi::post_evaluate_working(Request& req, Done done) {
  // The contexts are views into the body, which the job owns.
  auto owned = std::make_shared<std::string>(std::move(req.body));
  auto body = read_body(*owned);
  if (!body) return done(to_response(body.error()));
  auto files = read_files(*body);
  if (!files) return done(to_response(files.error()));
  bool explain = wants_explain(req, &*body);
  auto present = [&](const char* name) {
    const std::string_view* v = body->find(name);
    return v && kind_of(*v) != json::Reader::Kind::Null;
  };
  bool single = present("context"), batch = present("contexts");
  if (single == batch)
    return done(error_response(422, "missing-field", "give exactly one of \"context\" or \"contexts\"", ""));
  std::vector<std::string_view> contexts;
  if (single) {
    std::string_view ctx = *body->find("context");
    if (kind_of(ctx) != json::Reader::Kind::Object) return done(to_response(wrong_type("/context", "a payment context object")));
    contexts.push_back(ctx);
  } else {
    auto list = read_array(*body->find("contexts"), "/contexts", "an array of payment contexts");
    if (!list) return done(to_response(list.error()));
    for (size_t i = 0; i < list->size(); ++i)
      if (kind_of((*list)[i]) != json::Reader::Kind::Object)
        return done(to_response(wrong_type("/contexts/" + std::to_string(i), "a payment context object")));
    contexts = std::move(*list);
  }
  workers_.run(std::move(done), [this, owned, files = std::move(*files), contexts = std::move(contexts), explain,
                                 single]() mutable -> ApiResult<Response> {
    WorkingCopy w = compile_working_copy(std::move(files));
    std::string diagnostics = "\"diagnostics\":" + dsl::to_json(w.diags.items()).dump(
                                                       -1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (!w.compiled)
      return ApiError{422, "invalid-domain",
                      w.diags.has_errors() ? "the working copy does not check"
                                           : "the working copy does not compile: " + w.compile_error,
                      "", diagnostics};
    Response res;
    res.body = "{";
    auto n = write_results(*w.compiled->program, !single, contexts, explain, single ? "/context" : "/contexts", res.body);
    if (!n) return n.take_error();
    res.body += ',';
    res.body += diagnostics;
    res.body += '}';
    return res;
  });
}

// POST /v1/check {"files"}: the editor's live errors. 200 whether or not the
// working copy checks; the findings are the answer. The same check, and the
// same report, as `paydomain check`, plus the domain's tests; objects whose
// analysis an earlier check already did come from the analysis cache.
void EvaluateApi::post_check(Request& req, Done done) {
  auto body = read_body(req.body);
  if (!body) return done(to_response(body.error()));
  auto files = read_files(*body);
  if (!files) return done(to_response(files.error()));
  workers_.run(std::move(done), [this, files = std::move(*files)]() mutable -> ApiResult<Response> {
    Response res;
    evaluator::LiveCheck c = evaluator::live_check(std::move(files), &check_caches_);
    evaluator::write_check_report(c.report, res.body, c.tests ? &*c.tests : nullptr);
    return res;
  });
}

// GET /v1/revisions/{rev}/compiled[?format=MAJOR]: the artifact the
// revision's evaluations walk (no second compile, no copy kept). Immutable
// for a number; `head` names its revision in Paydomain-Revision and is not
// cached. The ETag is the artifact's CRC-32C with its revision and format.
namespace {
Response artifact_response(const Request& req, const CompiledRevision& c, bool is_head) {
  const evaluator::Program& p = *c.program;
  const uint32_t crc = evaluator::crc32c(reinterpret_cast<const uint8_t*>(p.bytes().data()), p.bytes().size());
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", crc);
  std::string etag = "\"pdc-" + std::to_string(c.rev) + "-" + std::to_string(p.format_major()) + "." +
                     std::to_string(p.format_minor()) + "-" + hex + "\"";
  if (etag_matches(req, etag)) {
    Response r = not_modified(etag);
    if (is_head) r.headers.back().second = "no-cache";
    r.headers.emplace_back("Paydomain-Revision", std::to_string(c.rev));
    return r;
  }
  Response res;
  res.content_type = "application/vnd.paydomain.artifact";
  res.body.assign(p.bytes());
  res.headers.emplace_back("ETag", etag);
  res.headers.emplace_back("Cache-Control", is_head ? "no-cache" : kImmutable);
  res.headers.emplace_back("Paydomain-Revision", std::to_string(c.rev));
  return res;
}
}  // namespace

void EvaluateApi::get_compiled(Request& req, Done done) {
  if (const std::string* f = req.query_param("format")) {
    if (*f != std::to_string(evaluator::pdc::kFormatMajor)) {
      return done(error_response(406, "unsupported-format",
                                 "artifact format " + *f + " is not served; this server writes format " +
                                     std::to_string(evaluator::pdc::kFormatMajor) + "." +
                                     std::to_string(evaluator::pdc::kFormatMinor),
                                 ""));
    }
  }
  const bool is_head = req.params[0] == "head";
  store::Rev rev = -1;
  if (!is_head) {
    auto parsed = parse_rev(store_, req.params[0], false);
    if (!parsed) return done(to_response(parsed.error()));
    rev = *parsed;
    if (auto c = compiled_.peek(rev)) return done(artifact_response(req, *c, false));
  } else if (auto c = compiled_.head()) {
    return done(artifact_response(req, *c, true));
  }
  workers_.run(std::move(done), [this, rev, is_head, req]() -> ApiResult<Response> {
    auto got = compile_for(rev);
    if (!got) return got.error();
    return artifact_response(req, **got, is_head);
  });
}

namespace {

// The id use at (file, line, column) of `uses` (the cursor may stand just
// after the id), or nullptr.
const dsl::IdUse* use_at(const std::vector<dsl::IdUse>& uses, size_t file, int64_t line, int64_t column) {
  for (const dsl::IdUse& u : uses) {
    int64_t len = u.span.end_offset - u.span.offset;
    if (u.span.file == file && u.span.line == line && column >= u.span.column && column <= u.span.column + len)
      return &u;
  }
  return nullptr;
}

}  // namespace

// POST /v1/references {"files","file","line","column"}: the object id at that
// place and every use of it (its declaration and every reference the checker
// resolves to it), for find references and rename in the editor. 422 when
// the working copy does not parse, or no id is there.
void EvaluateApi::post_references(Request& req, Done done) {
  auto body = read_body(req.body);
  if (!body) return done(to_response(body.error()));
  auto files = read_files(*body);
  if (!files) return done(to_response(files.error()));
  const std::string_view* file = body->find("file");
  const std::string_view* line = body->find("line");
  const std::string_view* column = body->find("column");
  if (!file || !line || !column)
    return done(error_response(422, "missing-field", "give \"file\", \"line\" and \"column\"", ""));
  auto name = read_string(*file, "/file", "a file name of the working copy");
  if (!name) return done(to_response(name.error()));
  auto l = read_count(*line, "/line", "a line number (from 1)");
  if (!l) return done(to_response(l.error()));
  auto c = read_count(*column, "/column", "a column number (from 1)");
  if (!c) return done(to_response(c.error()));
  workers_.run(std::move(done), [files = std::move(*files), name = std::move(*name), l = *l,
                                 c = *c]() mutable -> ApiResult<Response> {
    dsl::Diagnostics diags;
    dsl::Domain domain = dsl::parse(std::move(files), diags);
    if (diags.has_errors())
      return ApiError{422, "invalid-domain", "the working copy does not parse", "",
                      "\"diagnostics\":" + dsl::to_json(diags.items()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
    size_t index = domain.files.size();
    for (size_t i = 0; i < domain.files.size(); ++i)
      if (domain.files[i].path == name) index = i;
    if (index == domain.files.size()) return ApiError{422, "unknown-file", "no file '" + name + "' in the working copy", "/file"};
    std::vector<dsl::IdUse> uses = dsl::id_uses(domain, diags);
    const dsl::IdUse* at = use_at(uses, index, l, c);
    if (!at) return ApiError{422, "no-id", "no object id at " + name + ":" + std::to_string(l) + ":" + std::to_string(c), ""};
    nlohmann::json list = nlohmann::json::array();
    std::set<std::pair<uint32_t, uint32_t>> seen;  // a place the checker reads twice is one use
    for (const dsl::IdUse& u : uses)
      if (u.kind == at->kind && u.id == at->id && seen.emplace(u.span.file, u.span.offset).second)
        list.push_back(dsl::to_json(u, domain.files));
    return json_response(200, {{"kind", std::string(dsl::to_string(at->kind))}, {"id", at->id}, {"uses", list}});
  });
}

// POST /v1/format {"text", "name"?}: the text as `paydomain fmt` writes it
// (dsl::format_source, the CLI's own function), {"text", "changed"}; 422
// "invalid-domain" with the diagnostics when it does not parse. The editor's
// tables write through it, so what they write is canonical. A text is
// bounded like a commit's object text (413 "text-too-large").
void EvaluateApi::post_format(Request& req, Done done) {
  auto body = read_body(req.body);
  if (!body) return done(to_response(body.error()));
  for (const auto& [key, value] : body->members())
    if (key != "text" && key != "name")
      return done(error_response(422, "unknown-field", "/" + key + ": unknown field (expected text, name)", "/" + key));
  const std::string_view* text = body->find("text");
  if (!text) return done(error_response(422, "missing-field", "\"text\" is required: the file's text", "/text"));
  auto t = read_string(*text, "/text", "a string (the file's text)");
  if (!t) return done(to_response(t.error()));
  if (t->size() > config_.max_commit_bytes)
    return done(error_response(413, "text-too-large",
                               "at most " + std::to_string(config_.max_commit_bytes) + " bytes of text per request",
                               "/text"));
  std::string name = "input.pd";
  if (const std::string_view* n = body->find("name")) {
    auto s = read_string(*n, "/name", "a non-empty string (the file's name, for diagnostics)");
    if (!s || s->empty()) return done(to_response(wrong_type("/name", "a non-empty string (the file's name, for diagnostics)")));
    name = std::move(*s);
  }
  workers_.run(std::move(done), [file = dsl::SourceFile{std::move(name), std::move(*t)}]() -> ApiResult<Response> {
    auto out = dsl::format_source(file);
    if (!out)
      return ApiError{422, "invalid-domain", "the text does not parse; it is not formatted", "",
                      "\"diagnostics\":" + dsl::to_json(out.error()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
    bool changed = *out != file.text;
    return json_response(200, {{"text", std::move(*out)}, {"changed", changed}});
  });
}

void EvaluateApi::add_routes(Router& r) {
  r.add("GET", "/v1/revisions/{rev}/compiled", Access::Reader,
        [this](Request& req, const Caller&, Done d) { get_compiled(req, std::move(d)); });
  r.add("POST", "/v1/revisions/{rev}/evaluate", Access::Reader,
        [this](Request& req, const Caller&, Done d) { post_evaluate_at(req, std::move(d)); }, Body::Streamed);
  r.add("POST", "/v1/check", Access::Editor, [this](Request& req, const Caller&, Done d) { post_check(req, std::move(d)); });
  r.add("POST", "/v1/references", Access::Editor,
        [this](Request& req, const Caller&, Done d) { post_references(req, std::move(d)); });
  r.add("POST", "/v1/evaluate", Access::Editor,
        [this](Request& req, const Caller&, Done d) { post_evaluate_working(req, std::move(d)); });
  r.add("POST", "/v1/format", Access::Reader, [this](Request& req, const Caller&, Done d) { post_format(req, std::move(d)); });
}

}  // namespace paydomain::server
