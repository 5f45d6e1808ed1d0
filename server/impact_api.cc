#include "server/impact_api.h"

#include <nlohmann/json.hpp>

#include "dsl/json.h"
#include "evaluator/impact_report.h"
#include "server/api_error.h"
#include "server/eval_api.h"
#include "server/json_util.h"

namespace paydomain::server {
namespace {

constexpr int64_t kMaxRegions = 1000;

// A revision member: a number or "head" (resolved now).
ApiResult<store::Rev> read_rev(store::Store& store, std::string_view text, std::string_view at) {
  if (kind_of(text) == json::Reader::Kind::String) {
    auto s = read_string(text, at, "a revision number or \"head\"");
    if (!s) return s.take_error();
    return parse_rev(store, *s, true);
  }
  if (kind_of(text) != json::Reader::Kind::Number)
    return ApiError{422, "wrong-type", "expected a revision number or \"head\"", std::string(at)};
  return parse_rev(store, std::string(text), false);
}

}  // namespace

void ImpactApi::post_impact(Request& req, Done done) {
  auto body = read_body(req.body);
  if (!body) return done(to_response(body.error()));
  const std::string_view* base = body->find("base");
  if (!base)
    return done(error_response(422, "missing-field", "\"base\" (a revision number or \"head\") is required", "/base"));
  auto before = read_rev(store_, *base, "/base");
  if (!before) return done(to_response(before.error()));
  const std::string_view* revision = body->find("revision");
  const bool has_files = body->find("files") != nullptr;
  if (has_files == (revision != nullptr))
    return done(error_response(422, "missing-field", "give exactly one of \"files\" or \"revision\"", ""));
  std::optional<store::Rev> after_rev;
  std::vector<dsl::SourceFile> files;
  if (revision) {
    auto r = read_rev(store_, *revision, "/revision");
    if (!r) return done(to_response(r.error()));
    after_rev = *r;
  } else {
    auto f = read_files(*body);
    if (!f) return done(to_response(f.error()));
    files = std::move(*f);
  }
  std::string contexts;
  bool replay = false;
  if (const std::string_view* c = body->find("contexts")) {
    auto s = read_string(*c, "/contexts", "a string of JSON lines (one payment context per line)");
    if (!s) return done(to_response(s.error()));
    contexts = std::move(*s);
    replay = true;
  }
  int64_t max_regions = 100;
  if (const std::string_view* m = body->find("max_regions")) {
    int64_t v = 0;
    bool ok = kind_of(*m) == json::Reader::Kind::Number;
    try {
      size_t used = 0;
      v = ok ? std::stoll(std::string(*m), &used) : 0;
      ok = ok && used == m->size();
    } catch (...) {
      ok = false;
    }
    if (!ok || v < 1 || v > kMaxRegions)
      return done(error_response(422, "wrong-type", "max_regions must be an integer from 1 to 1000", "/max_regions"));
    max_regions = v;
  }
  workers_.run(std::move(done),
               [this, rev_a = *before, after_rev, files = std::move(files), contexts = std::move(contexts), replay,
                max_regions]() mutable -> ApiResult<Response> {
                 auto a = compiled_.domain(rev_a);
                 if (!a) return to_api_error(a.error());
                 evaluator::ImpactReport report;
                 report.before = "revision " + std::to_string(rev_a);
                 std::shared_ptr<const evaluator::CompiledDomain> b;
                 if (after_rev) {
                   auto got = compiled_.domain(*after_rev);
                   if (!got) return to_api_error(got.error());
                   b = *got;
                   report.after = "revision " + std::to_string(*after_rev);
                 } else {
                   WorkingCopy w = compile_working_copy(std::move(files));
                   if (!w.compiled) {
                     std::string diagnostics =
                         "\"diagnostics\":" +
                         dsl::to_json(w.diags.items()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                     return ApiError{422, "invalid-domain",
                                     w.diags.has_errors() ? "the working copy does not check"
                                                          : "the working copy does not compile: " + w.compile_error,
                                     "/files", diagnostics};
                   }
                   b = w.compiled;
                   report.after = "working copy";
                 }
                 evaluator::ImpactOptions opt;
                 opt.max_regions = static_cast<size_t>(max_regions);
                 report.symbolic = evaluator::symbolic_impact(**a, *b, opt);
                 if (replay) {
                   auto r = evaluator::replay(**a, *b, contexts);
                   if (!r) return ApiError{422, "invalid-context", r.error().text(), "/contexts"};
                   report.replay = std::move(*r);
                 }
                 Response res;
                 evaluator::write_impact_json(report, res.body);
                 return res;
               });
}

void ImpactApi::add_routes(Router& r) {
  r.add("POST", "/v1/impact", Access::Editor,
        [this](Request& req, const Caller&, Done d) { post_impact(req, std::move(d)); });
}

}  // namespace paydomain::server
