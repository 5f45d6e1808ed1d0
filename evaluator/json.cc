#include "evaluator/json.h"

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "dsl/schema.h"
#include "evaluator/testing.h"
#include "evaluator/time.h"

namespace paydomain::evaluator {
namespace {

using json = nlohmann::json;
using OK = dsl::ObjectKind;

class ContextParser {
 public:
  ContextParser(const CompiledDomain& d) : d_(d), v_(d.vocab) {}

  Result<Context> run(const json& j) {
    if (!j.is_object()) return Error{"$", "expected a JSON object (the payment context)"};
    Context c;
    c.facts.set(Attr::Operation, 0);  // a payment unless told otherwise
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& k = it.key();
      const json& x = it.value();
      std::string path = "$." + k;
      if (x.is_null()) continue;
      std::optional<Error> e;
      if (k == "operation" || k == "risk" || k == "flow" || k == "category") {
        Attr a = k == "operation" ? Attr::Operation : k == "risk" ? Attr::Risk : k == "flow" ? Attr::Flow : Attr::Category;
        e = categorical(x, path, a, c.facts);
      } else if (k == "amount") {
        e = amount(x, path, c);
      } else if (k == "tariff" || k == "routing") {
        e = object(x, path, k == "tariff" ? OK::Tariff : OK::Routing, k == "tariff" ? c.tariff : c.routing);
      } else if (k == "party" || k == "shop") {
        std::string s;
        e = text(x, path, s);
        if (!e) {
          Attr a = k == "party" ? Attr::Party : Attr::Shop;
          c.facts.set(a, v_.find(a, s));
          (k == "party" ? c.party : c.shop) = s;
        }
      } else if (k == "payment_tool") {
        e = tool(x, path, c);
      } else if (k == "time") {
        std::string s;
        e = text(x, path, s);
        if (!e) {
          auto t = parse_utc_time(s);
          if (!t) return Error{path, t.error().message};
          c.has_time = true;
          c.time = *t;
          c.facts.set(Attr::Weekday, weekday_of(*t));
          c.facts.set(Attr::TimeOfDay, minute_of_day(*t));
        }
      } else if (k == "payment_key") {
        e = text(x, path, c.payment_key);
        c.has_payment_key = !e;
      } else if (k == "health") {
        e = health(x, path, c);
      } else if (k == "turnover") {
        e = turnover(x, path, c);
      } else {
        return Error{path, "unknown context field (expected one of operation, amount, tariff, routing, party, shop, "
                           "category, payment_tool, risk, flow, time, payment_key, health, turnover)"};
      }
      if (e) return *e;
    }
    return c;
  }

 private:
  std::optional<Error> text(const json& x, const std::string& path, std::string& out) {
    if (!x.is_string()) return Error{path, "expected a string"};
    out = x.get<std::string>();
    if (out.empty()) return Error{path, "expected a non-empty string"};
    return std::nullopt;
  }

  std::optional<Error> categorical(const json& x, const std::string& path, Attr a, Facts& f) {
    std::string s;
    if (auto e = text(x, path, s)) return e;
    int32_t id = v_.find(a, s);
    if (id < 0) {
      std::string what(dsl::attributes()[idx(a)].name);
      std::string msg = "unknown " + what + " '" + s + "'";
      int32_t n = v_.size(a);
      if (n > 0 && n <= 12) {
        msg += " (expected one of";
        for (int32_t i = 0; i < n; ++i) msg += (i ? ", " : " ") + v_.name(a, i);
        msg += ")";
      }
      return Error{path, msg};
    }
    f.set(a, id);
    return std::nullopt;
  }

  std::optional<Error> object(const json& x, const std::string& path, OK kind, int32_t& out) {
    std::string s;
    if (auto e = text(x, path, s)) return e;
    out = v_.object(kind, s);
    if (out < 0) return Error{path, "unknown " + std::string(dsl::to_string(kind)) + " '" + s + "'"};
    return std::nullopt;
  }

  std::optional<Error> integer(const json& x, const std::string& path, int64_t& out, const char* what) {
    if (!x.is_number_integer()) return Error{path, std::string("expected ") + what};
    if (x.is_number_unsigned() && x.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return Error{path, "number too large"};
    }
    out = x.get<int64_t>();
    if (out < 0) return Error{path, std::string("expected ") + what + " (not negative)"};
    return std::nullopt;
  }

  // {"amount": 600000, "currency": "RUB"}; the currency alone is allowed too.
  std::optional<Error> money(const json& x, const std::string& path, int64_t& minor, bool& has_minor, int32_t& cur) {
    if (!x.is_object()) return Error{path, "expected {\"amount\": <minor units>, \"currency\": \"RUB\"}"};
    has_minor = false;
    cur = -1;
    for (auto it = x.begin(); it != x.end(); ++it) {
      std::string p = path + "." + it.key();
      if (it.key() == "amount") {
        if (auto e = integer(it.value(), p, minor, "an integer number of minor units")) return e;
        has_minor = true;
      } else if (it.key() == "currency") {
        if (auto e = object(it.value(), p, OK::Currency, cur)) return Error{p, e->message};
      } else {
        return Error{p, "unknown field (expected amount and currency)"};
      }
    }
    if (cur < 0) return Error{path + ".currency", "missing currency"};
    return std::nullopt;
  }

  std::optional<Error> amount(const json& x, const std::string& path, Context& c) {
    int64_t minor = 0;
    bool has = false;
    int32_t cur = -1;
    if (auto e = money(x, path, minor, has, cur)) return e;
    c.facts.set(Attr::Currency, cur);
    if (has) c.facts.set(Attr::Amount, minor);
    return std::nullopt;
  }

  std::optional<Error> tool(const json& x, const std::string& path, Context& c) {
    if (!x.is_object()) return Error{path, "expected an object {\"kind\": \"bank_card\", ...}"};
    for (auto it = x.begin(); it != x.end(); ++it) {
      const std::string& k = it.key();
      const json& y = it.value();
      std::string p = path + "." + k;
      if (y.is_null()) continue;
      std::optional<Error> e;
      if (k == "kind") {
        e = categorical(y, p, Attr::PaymentTool, c.facts);
      } else if (k == "payment_system") {
        e = categorical(y, p, Attr::PaymentSystem, c.facts);
      } else if (k == "issuer_country") {
        e = categorical(y, p, Attr::IssuerCountry, c.facts);
      } else if (k == "wallet_provider") {
        e = categorical(y, p, Attr::WalletProvider, c.facts);
      } else if (k == "token_provider") {
        e = categorical(y, p, Attr::TokenProvider, c.facts);
      } else if (k == "bin") {
        std::string s;
        e = text(y, p, s);
        if (!e && (s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)) {
          e = Error{p, "expected a BIN: 1 to 19 digits as a string"};
        }
        if (!e) {
          c.facts.bin = s;
          c.facts.present |= bit(Attr::Bin);
        }
      } else if (k == "token") {
        e = text(y, p, c.tool_token);
      } else {
        e = Error{p, "unknown payment tool field (expected kind, payment_system, issuer_country, bin, "
                     "wallet_provider, token_provider, token)"};
      }
      if (e) return e;
    }
    return std::nullopt;
  }

  std::optional<Error> health(const json& x, const std::string& path, Context& c) {
    if (!x.is_object()) return Error{path, "expected an object keyed by terminal or provider id"};
    for (auto it = x.begin(); it != x.end(); ++it) {
      std::string p = path + "." + it.key();
      HealthSample h;
      h.terminal = v_.object(OK::Terminal, it.key());
      if (h.terminal < 0) h.provider = v_.object(OK::Provider, it.key());
      if (h.terminal < 0 && h.provider < 0) return Error{p, "unknown terminal or provider '" + it.key() + "'"};
      if (!it.value().is_object()) return Error{p, "expected {\"failure_rate\": \"80%\", \"latency_ms\": 1200}"};
      for (auto m = it.value().begin(); m != it.value().end(); ++m) {
        std::string mp = p + "." + m.key();
        if (m.key() == "failure_rate") {
          auto e = percent(m.value(), mp, h.failure_rate);
          if (e) return e;
          h.has_failure_rate = true;
        } else if (m.key() == "latency_ms") {
          if (auto e = integer(m.value(), mp, h.latency_ms, "a whole number of milliseconds")) return e;
          h.has_latency = true;
        } else {
          return Error{mp, "unknown health metric (expected failure_rate or latency_ms)"};
        }
      }
      c.health.push_back(h);
    }
    return std::nullopt;
  }

  // "80%", "12.5%": an exact decimal percentage from 0% to 100%.
  std::optional<Error> percent(const json& x, const std::string& path, dsl::Decimal& out) {
    const Error bad{path, "expected a percentage string like \"80%\" or \"12.5%\""};
    if (!x.is_string()) return bad;
    std::string s = x.get<std::string>();
    if (s.size() < 2 || s.back() != '%') return bad;
    s.pop_back();
    out = {};
    bool dot = false;
    size_t digits = 0;
    for (char ch : s) {
      if (ch == '.' && !dot) {
        dot = true;
        continue;
      }
      if (ch < '0' || ch > '9' || ++digits > 15) return bad;
      out.units = out.units * 10 + (ch - '0');
      if (dot) out.scale++;
    }
    if (digits == 0 || s.back() == '.') return bad;
    __int128 hundred = 100;
    for (int i = 0; i < out.scale; ++i) hundred *= 10;
    if (out.units > hundred) return Error{path, "a failure rate cannot exceed 100%"};
    return std::nullopt;
  }

  std::optional<Error> turnover(const json& x, const std::string& path, Context& c) {
    if (!x.is_object()) return Error{path, "expected an object keyed by limit id"};
    for (auto it = x.begin(); it != x.end(); ++it) {
      std::string p = path + "." + it.key();
      Turnover t;
      t.limit = v_.object(OK::Limit, it.key());
      if (t.limit < 0) return Error{p, "unknown limit '" + it.key() + "'"};
      const CompiledLimit& l = d_.limits[static_cast<size_t>(t.limit)];
      if (l.is_count) {
        if (auto e = integer(it.value(), p, t.value, "a whole number (the count so far)")) return e;
      } else {
        bool has = false;
        int32_t cur = -1;
        if (auto e = money(it.value(), p, t.value, has, cur)) return e;
        if (!has) return Error{p + ".amount", "missing amount"};
        if (cur != l.currency) {
          return Error{p + ".currency", "limit " + l.name + " counts " +
                                            v_.object_name(OK::Currency, l.currency) + ", not " +
                                            v_.object_name(OK::Currency, cur)};
        }
      }
      c.turnover.push_back(t);
    }
    return std::nullopt;
  }

  const CompiledDomain& d_;
  const Vocab& v_;
};

json money_json(const Money& m) { return json{{"amount", m.minor}, {"currency", m.currency}}; }

json strings(const std::vector<std::string_view>& v) {
  json a = json::array();
  for (auto s : v) a.push_back(std::string(s));
  return a;
}

json terminals(const CompiledDomain& d, const std::vector<int32_t>& v) {
  json a = json::array();
  for (int32_t t : v) a.push_back(d.vocab.object_name(OK::Terminal, t));
  return a;
}

const char* terms_status(TermsResult::Verdict v) {
  switch (v) {
    case TermsResult::Verdict::Allowed: return "allowed";
    case TermsResult::Verdict::Forbidden: return "forbidden";
    case TermsResult::Verdict::Undetermined: break;
  }
  return "undetermined";
}

const char* route_status(RouteResult::Status s) {
  switch (s) {
    case RouteResult::Status::Chosen: return "chosen";
    case RouteResult::Status::Declined: return "declined";
    case RouteResult::Status::NoRoute: return "no_route";
    case RouteResult::Status::Undetermined: return "undetermined";
    case RouteResult::Status::NoRouting: break;
  }
  return "no_routing";
}

std::string value_text(const dsl::Value& v) {
  switch (v.kind) {
    case dsl::Value::Kind::Number:
    case dsl::Value::Kind::Percent: return v.number.text() + (v.kind == dsl::Value::Kind::Percent ? "%" : "");
    default: return v.text;
  }
}

}  // namespace

Result<Context> parse_context(const json& j, const CompiledDomain& d) { return ContextParser(d).run(j); }

Result<Context> parse_context(std::string_view text, const CompiledDomain& d) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return Error{"$", "not valid JSON"};
  return parse_context(j, d);
}

json to_json(const EvalResult& r, const CompiledDomain& d, bool explain) {
  json out;
  json& terms = out["terms"];
  terms["status"] = terms_status(r.terms.verdict);
  if (!r.terms.reasons.empty()) terms["reasons"] = r.terms.reasons;
  if (r.terms.missing) terms["missing"] = missing_names(r.terms.missing);
  if (r.terms.hold_lifetime > 0) {
    terms["hold_lifetime"] = {{"count", r.terms.hold_lifetime}, {"unit", std::string(r.terms.hold_unit)}};
  }
  if (explain) terms["explain"] = strings(r.terms.explain);

  json& cf = out["cash_flow"];
  cf["status"] = r.cash_flow.status == CashFlowResult::Status::Determined     ? "determined"
                 : r.cash_flow.status == CashFlowResult::Status::Undetermined ? "undetermined"
                                                                              : "error";
  json postings = json::array();
  for (const PostingResult& p : r.cash_flow.postings) {
    json pj{{"from", std::string(p.from)}, {"to", std::string(p.to)}, {"amount", money_json(p.amount)},
            {"side", p.provider ? "provider" : "merchant"}};
    if (!p.details.empty()) pj["details"] = std::string(p.details);
    if (explain) pj["rule"] = std::string(p.rule);
    postings.push_back(std::move(pj));
  }
  cf["postings"] = std::move(postings);
  if (!r.cash_flow.possibilities.empty()) cf["possibilities"] = strings(r.cash_flow.possibilities);
  if (r.cash_flow.missing) cf["missing"] = missing_names(r.cash_flow.missing);
  if (!r.cash_flow.error.empty()) cf["error"] = r.cash_flow.error;
  if (explain) cf["explain"] = strings(r.cash_flow.explain);

  json& route = out["route"];
  route["status"] = route_status(r.route.status);
  if (r.route.status == RouteResult::Status::Chosen) {
    route["terminal"] = d.vocab.object_name(OK::Terminal, r.route.terminal);
    if (r.route.provider >= 0) route["provider"] = d.vocab.object_name(OK::Provider, r.route.provider);
    route["candidates"] = terminals(d, r.route.candidates);
  }
  if (r.route.status == RouteResult::Status::Declined) route["decline_reason"] = std::string(r.route.decline_reason);
  if (r.route.status == RouteResult::Status::Undetermined) route["possible"] = terminals(d, r.route.possible);
  if (!r.route.rejected.empty()) {
    json rej = json::array();
    for (const auto& x : r.route.rejected) {
      rej.push_back({{"terminal", d.vocab.object_name(OK::Terminal, x.terminal)}, {"reason", std::string(x.reason)}});
    }
    route["rejected"] = std::move(rej);
  }
  if (r.route.missing) route["missing"] = missing_names(r.route.missing);
  if (explain) route["explain"] = strings(r.route.explain);

  json limits = json::array();
  json not_applicable = json::array();
  for (const LimitResult& l : r.limits) {
    const CompiledLimit& cl = d.limits[static_cast<size_t>(l.limit)];
    if (l.status == LimitResult::Status::NotApplies) {
      not_applicable.push_back(cl.name);
      continue;
    }
    json lj{{"limit", cl.name},
            {"status", l.status == LimitResult::Status::Applies ? "applies" : "undetermined"},
            {"period", std::string(dsl::limit_periods()[static_cast<size_t>(cl.period)])},
            {"timezone", cl.timezone}};
    if (l.has_scope_key) lj["scope_key"] = l.scope_key;
    if (l.has_window) {
      lj["window"] = {{"start", format_time(l.window_start, cl.tz_offset_minutes)},
                      {"end", format_time(l.window_end, cl.tz_offset_minutes)}};
    }
    if (cl.is_count) {
      lj["bound"] = {{"count", cl.bound}, {"inclusive", cl.inclusive}};
    } else {
      lj["bound"] = {{"amount", cl.bound},
                     {"currency", d.vocab.object_name(OK::Currency, cl.currency)},
                     {"inclusive", cl.inclusive}};
    }
    if (l.verdict != LimitResult::Verdict::None) {
      lj["verdict"] = l.verdict == LimitResult::Verdict::Within     ? "within"
                      : l.verdict == LimitResult::Verdict::Exceeded ? "exceeded"
                                                                    : "undetermined";
      if (l.verdict != LimitResult::Verdict::Undetermined) lj["turnover_after"] = l.turnover_after;
    }
    if (l.missing) lj["missing"] = missing_names(l.missing);
    if (explain) lj["explain"] = std::string(l.explain);
    limits.push_back(std::move(lj));
  }
  out["limits"] = std::move(limits);
  out["limits_not_applicable"] = std::move(not_applicable);
  return out;
}

json evaluate_json(const CompiledDomain& d, const json& context, bool explain, bool& ok) {
  auto ctx = parse_context(context, d);
  if (!ctx) {
    ok = false;
    return json{{"error", {{"path", ctx.error().path}, {"message", ctx.error().message}}}};
  }
  EvalOptions opt;
  opt.explain = explain;
  return to_json(evaluate(d, *ctx, opt), d, explain);
}

std::vector<json> evaluate_json_batch(const CompiledDomain& d, const std::vector<json>& contexts, bool explain,
                                      unsigned threads, bool& ok) {
  std::vector<json> out(contexts.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> all_ok{true};
  // Work stealing by index: the compiled domain is shared read-only.
  auto worker = [&] {
    for (size_t i = next++; i < contexts.size(); i = next++) {
      bool one_ok = true;
      out[i] = evaluate_json(d, contexts[i], explain, one_ok);
      if (!one_ok) all_ok = false;
    }
  };
  unsigned n = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  n = static_cast<unsigned>(std::min<size_t>(n, std::max<size_t>(1, contexts.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (!all_ok) ok = false;
  return out;
}

json given_to_json(const dsl::Object& test, const dsl::Domain& domain) {
  json c = json::object();
  const dsl::Clause* given = test.find(dsl::Clause::Kind::Given);
  if (!given) return c;
  static const std::vector<std::string> tool_fields = {"payment_system", "issuer_country", "bin",
                                                       "wallet_provider", "token_provider"};
  for (const dsl::GivenEntry& g : given->given) {
    switch (g.kind) {
      case dsl::GivenEntry::Kind::Health:
        c["health"][g.key.text][g.metric.text] =
            g.value.kind == dsl::Value::Kind::Percent ? json(value_text(g.value)) : json(g.value.number.units);
        break;
      case dsl::GivenEntry::Kind::Turnover:
        if (g.value.kind == dsl::Value::Kind::Money) {
          c["turnover"][g.key.text] = {{"amount", g.value.minor}, {"currency", g.value.text}};
        } else {
          c["turnover"][g.key.text] = g.value.number.units;
        }
        break;
      case dsl::GivenEntry::Kind::Field: {
        const std::string& k = g.key.text;
        if (k == "amount") {
          c["amount"] = {{"amount", g.value.minor}, {"currency", g.value.text}};
        } else if (k == "payment_tool") {
          c["payment_tool"]["kind"] = g.value.text;
        } else if (std::find(tool_fields.begin(), tool_fields.end(), k) != tool_fields.end()) {
          c["payment_tool"][k] = value_text(g.value);
        } else {
          c[k] = value_text(g.value);
        }
        break;
      }
    }
  }
  (void)domain;
  return c;
}

json to_json(const TestReport& report) {
  json cases = json::array();
  for (const TestCase& t : report.cases) {
    cases.push_back({{"name", t.name},
                     {"file", t.file},
                     {"line", t.line},
                     {"passed", t.passed},
                     {"failures", t.failures}});
  }
  return json{{"passed", report.passed}, {"failed", report.failed}, {"tests", std::move(cases)}};
}

}  // namespace paydomain::evaluator
