#include "evaluator/testing.h"

#include <algorithm>

#include "evaluator/context_json.h"
#include "evaluator/evaluate.h"
#include "evaluator/given.h"
#include "json/writer.h"

namespace paydomain::evaluator {
namespace {

using OK = dsl::ObjectKind;
using EK = dsl::Expectation::Kind;

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::string money_text(const CompiledDomain& d, MoneyView m) {
  int32_t c = d.vocab.object(OK::Currency, m.currency);
  return format_minor(m.minor, c >= 0 ? d.exponents[static_cast<size_t>(c)] : 0) + " " + std::string(m.currency);
}

std::string describe_cash_flow(const CompiledDomain& d, const CashFlowResult& cf) {
  std::vector<std::string> ps;
  for (const auto& p : cf.postings) {
    ps.push_back(std::string(p.from) + " -> " + std::string(p.to) + " " + money_text(d, p.amount));
  }
  std::string s = ps.empty() ? "no postings" : "postings " + join(ps, "; ");
  if (cf.status == CashFlowResult::Status::Undetermined) s += " (cash flow undetermined, missing " + join(missing_names(cf.missing)) + ")";
  if (cf.status == CashFlowResult::Status::Error) s += " (error: " + cf.error + ")";
  if (cf.status == CashFlowResult::Status::Forbidden) s += " (the operation is forbidden: nothing moves)";
  return s;
}

std::string describe_route(const CompiledDomain& d, const RouteResult& r) {
  auto names = [&](const std::vector<int32_t>& v) {
    std::vector<std::string> n;
    for (int32_t t : v) n.push_back(d.vocab.object_name(OK::Terminal, t));
    return join(n);
  };
  std::string rejected;
  for (const auto& x : r.rejected) {
    rejected += (rejected.empty() ? "" : "; ") + d.vocab.object_name(OK::Terminal, x.terminal) + ": " + std::string(x.why());
  }
  switch (r.status) {
    case RouteResult::Status::Chosen: return "route " + d.vocab.object_name(OK::Terminal, r.terminal) + " (candidates " + names(r.candidates) + ")";
    case RouteResult::Status::Declined: return "declined \"" + std::string(r.decline()) + "\"";
    case RouteResult::Status::NoRoute: return "no route" + (rejected.empty() ? "" : " (rejected: " + rejected + ")");
    case RouteResult::Status::Undetermined:
      return "route undetermined (possible: " + names(r.possible) + "; missing " + join(missing_names(r.missing)) + ")";
    case RouteResult::Status::NoRouting: return "no routing ruleset for this payment";
  }
  return "?";
}

const char* terms_text(TermsResult::Verdict v) {
  switch (v) {
    case TermsResult::Verdict::Allowed: return "allowed";
    case TermsResult::Verdict::Forbidden: return "forbidden";
    case TermsResult::Verdict::Undetermined: break;
  }
  return "undetermined";
}

std::string describe_terms(const TermsResult& t) {
  std::string s = std::string("terms ") + terms_text(t.verdict);
  if (!t.reasons.empty()) s += " (" + join(t.reasons, "; ") + ")";
  if (t.missing) s += " (missing " + join(missing_names(t.missing)) + ")";
  return s;
}

// Checks one expectation; returns "" when it holds, else the difference.
// `given_tariff`: the context's tariff (-1: the domain chooses one).
std::string check(const CompiledDomain& d, const dsl::Expectation& e, const EvalResult& r, int32_t given_tariff) {
  switch (e.kind) {
    case EK::Tariff: {
      int32_t t = given_tariff >= 0 ? given_tariff : r.terms.tariff;
      std::string got = t < 0 ? "no tariff (missing " + join(missing_names(r.terms.missing)) + ")"
                              : "tariff " + d.vocab.object_name(OK::Tariff, t) +
                                    (given_tariff >= 0 ? " (given)" : " (" + std::string(r.terms.tariff_from) + ")");
      if (t >= 0 && d.vocab.object_name(OK::Tariff, t) == e.target.text) return "";
      return "expected tariff " + e.target.text + "\n      got " + got;
    }
    case EK::Posting: {
      std::string from = e.from.text(), to = e.to.text();
      MoneyView want{e.amount.minor, e.amount.currency.text};
      for (const auto& p : r.cash_flow.postings) {
        if (p.from == from && p.to == to && p.amount == want) return "";
      }
      return "expected posting " + from + " -> " + to + " " + money_text(d, want) + "\n      got " +
             describe_cash_flow(d, r.cash_flow);
    }
    case EK::Account: {
      // Every posting naming the role resolves to the account, and one does.
      std::string role = e.from.text();
      std::vector<std::string> got;
      bool all = true;
      for (const auto& p : r.cash_flow.postings) {
        for (auto [name, account] : {std::pair{p.from, p.from_account}, std::pair{p.to, p.to_account}}) {
          if (name != role) continue;
          got.push_back(account.empty() ? "unresolved" : std::string(account));
          all = all && account == e.account;
        }
      }
      if (all && !got.empty()) return "";
      std::string why = got.empty() ? describe_cash_flow(d, r.cash_flow) : role + " " + join(got);
      for (const auto& p : r.cash_flow.postings)
        if (p.missing) why += " (missing " + join(missing_names(p.missing)) + ")";
      return "expected account " + role + " " + e.account + "\n      got " + why;
    }
    case EK::NoRoute:
      if (r.route.status == RouteResult::Status::NoRoute) return "";
      return "expected no route\n      got " + describe_route(d, r.route);
    case EK::Route:
      if (r.route.status == RouteResult::Status::Chosen &&
          d.vocab.object_name(OK::Terminal, r.route.terminal) == e.target.text) {
        return "";
      }
      return "expected route " + e.target.text + "\n      got " + describe_route(d, r.route);
    case EK::RouteIn: {
      std::vector<std::string> want;
      for (const auto& item : e.targets.items) want.push_back(item.text);
      auto in = [&](int32_t t) {
        return std::find(want.begin(), want.end(), d.vocab.object_name(OK::Terminal, t)) != want.end();
      };
      bool ok = (r.route.status == RouteResult::Status::Chosen && in(r.route.terminal)) ||
                (r.route.status == RouteResult::Status::Undetermined && !r.route.possible.empty() &&
                 std::all_of(r.route.possible.begin(), r.route.possible.end(), in));
      if (ok) return "";
      return "expected route in [" + join(want) + "]\n      got " + describe_route(d, r.route);
    }
    case EK::Decline:
      if (r.route.status == RouteResult::Status::Declined && (!e.reason || *e.reason == r.route.decline())) {
        return "";
      }
      return "expected decline" + (e.reason ? " \"" + *e.reason + "\"" : std::string()) + "\n      got " +
             describe_route(d, r.route);
    case EK::Allowed:
      if (r.terms.verdict == TermsResult::Verdict::Allowed) return "";
      return "expected allowed\n      got " + describe_terms(r.terms);
    case EK::Forbidden:
      if (r.terms.verdict == TermsResult::Verdict::Forbidden) return "";
      return "expected forbidden\n      got " + describe_terms(r.terms);
    case EK::LimitApplies:
    case EK::LimitExceeded:
    case EK::LimitNotApplies: {
      int32_t li = d.vocab.object(OK::Limit, e.target.text);
      const LimitResult* l = nullptr;
      for (const auto& x : r.limits) {
        if (x.limit == li) l = &x;
      }
      if (!l) return "unknown limit " + e.target.text;
      const char* status = l->status == LimitResult::Status::Applies      ? "applies"
                           : l->status == LimitResult::Status::NotApplies ? "does not apply"
                                                                          : "is undetermined";
      std::string got = "limit " + e.target.text + " " + status;
      if (l->verdict == LimitResult::Verdict::Exceeded) got += " and is exceeded";
      if (l->verdict == LimitResult::Verdict::Within) got += " and is within its bound";
      if (l->missing) got += " (missing " + join(missing_names(l->missing)) + ")";
      if (e.kind == EK::LimitApplies && l->status == LimitResult::Status::Applies) return "";
      if (e.kind == EK::LimitNotApplies && l->status == LimitResult::Status::NotApplies) return "";
      if (e.kind == EK::LimitExceeded && l->verdict == LimitResult::Verdict::Exceeded) return "";
      const char* want = e.kind == EK::LimitApplies ? "applies" : e.kind == EK::LimitNotApplies ? "not applies" : "exceeded";
      return "expected limit " + e.target.text + " " + want + "\n      got " + got;
    }
    case EK::Undetermined: {
      bool any = r.terms.verdict == TermsResult::Verdict::Undetermined ||
                 r.cash_flow.status == CashFlowResult::Status::Undetermined ||
                 r.route.status == RouteResult::Status::Undetermined;
      if (any) return "";
      return "expected undetermined\n      got " + describe_terms(r.terms) + "; " + describe_cash_flow(d, r.cash_flow) +
             "; " + describe_route(d, r.route);
    }
  }
  return "unknown expectation";
}

}  // namespace

bool has_tests(const dsl::Domain& domain) {
  for (const dsl::Object& o : domain.objects)
    if (o.kind == dsl::ObjectKind::Test) return true;
  return false;
}

TestReport run_tests(const dsl::Domain& domain, const CompiledDomain& compiled, const TestTextStart& text_start) {
  TestReport report;
  for (const dsl::Object& o : domain.objects) {
    if (o.kind != OK::Test) continue;
    TestCase tc;
    tc.name = o.id.text;
    tc.file = o.span.file < domain.files.size() ? domain.files[o.span.file].path : "";
    tc.line = o.span.line;
    const uint32_t lines_before = text_start ? text_start(o) - 1 : 0;
    auto ctx = parse_context(given_context_json(o), compiled);
    if (!ctx) {
      tc.failures.push_back("the given context is invalid: " + ctx.error().text());
    } else {
      EvalResult r = evaluate(compiled, *ctx);
      for (const dsl::Clause& c : o.clauses) {
        if (c.kind != dsl::Clause::Kind::Expect) continue;
        std::string diff = check(compiled, *c.expect, r, ctx->tariff);
        if (!diff.empty()) tc.failures.push_back("line " + std::to_string(c.span.line - lines_before) + ": " + diff);
      }
    }
    tc.passed = tc.failures.empty();
    (tc.passed ? report.passed : report.failed)++;
    report.cases.push_back(std::move(tc));
  }
  return report;
}

void write_test_report(const TestReport& report, std::string& out) {
  json::Writer w(out);
  w.begin_object();
  w.key("failed");
  w.integer(static_cast<int64_t>(report.failed));
  w.key("passed");
  w.integer(static_cast<int64_t>(report.passed));
  w.key("tests");
  w.begin_array();
  for (const TestCase& t : report.cases) {
    w.begin_object();
    w.key("failures");
    w.begin_array();
    for (const std::string& f : t.failures) w.string(f);
    w.end_array();
    w.field("file", t.file);
    w.key("line");
    w.integer(t.line);
    w.field("name", t.name);
    w.key("passed");
    w.boolean(t.passed);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

}  // namespace paydomain::evaluator
