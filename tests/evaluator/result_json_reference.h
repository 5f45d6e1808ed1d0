// The result writer as it was before the fragment writer (json::Writer,
// member by member), kept only as the reference of the differential test in
// result_diff_test.cc: the evaluator's write_result must produce the same
// bytes for every result.
#pragma once

#include <string>

#include "dsl/schema.h"
#include "evaluator/evaluate.h"
#include "evaluator/time.h"
#include "json/writer.h"

namespace paydomain::evaluator::reference {

using OK = dsl::ObjectKind;
using paydomain::json::Writer;

// A name or prepared text of the compiled domain (never context data):
// copied without scanning when compile() found that none needs an escape.
// Whether the writer may trust the program's json_plain (write_result's `plain`).
inline thread_local bool trust_plain = true;
inline void text(Writer& w, const CompiledDomain& d, std::string_view s) {
  if (trust_plain && d.program->json_plain()) {
    w.plain_string(s);
  } else {
    w.string(s);
  }
}
inline void text_field(Writer& w, const CompiledDomain& d, std::string_view k, std::string_view s) {
  w.key(k);
  text(w, d, s);
}

inline void money(Writer& w, const CompiledDomain& d, MoneyView m) {
  w.begin_object();
  w.key("amount");
  w.integer(m.minor);
  text_field(w, d, "currency", m.currency);  // a view into the domain's currency names
  w.end_object();
}

template <class Strings>
inline void strings(Writer& w, std::string_view key, const Strings& v) {
  w.key(key);
  w.begin_array();
  for (const auto& s : v) w.string(s);
  w.end_array();
}

inline void terminals(Writer& w, std::string_view key, const CompiledDomain& d, const std::vector<int32_t>& v) {
  w.key(key);
  w.begin_array();
  for (int32_t t : v) text(w, d, d.vocab.object_name(OK::Terminal, t));
  w.end_array();
}

inline const char* terms_status(TermsResult::Verdict v) {
  switch (v) {
    case TermsResult::Verdict::Allowed: return "allowed";
    case TermsResult::Verdict::Forbidden: return "forbidden";
    case TermsResult::Verdict::Undetermined: break;
  }
  return "undetermined";
}

inline const char* route_status(RouteResult::Status s) {
  switch (s) {
    case RouteResult::Status::Chosen: return "chosen";
    case RouteResult::Status::Declined: return "declined";
    case RouteResult::Status::NoRoute: return "no_route";
    case RouteResult::Status::Undetermined: return "undetermined";
    case RouteResult::Status::NoRouting: break;
  }
  return "no_routing";
}

inline const char* cash_flow_status(CashFlowResult::Status s) {
  switch (s) {
    case CashFlowResult::Status::Determined: return "determined";
    case CashFlowResult::Status::Undetermined: return "undetermined";
    case CashFlowResult::Status::Forbidden: return "forbidden";
    case CashFlowResult::Status::Error: break;
  }
  return "error";
}

inline void write_terms(Writer& w, const TermsResult& t, const CompiledDomain& d, bool explain) {
  w.key("terms");
  w.begin_object();
  w.plain_field("status", terms_status(t.verdict));
  if (t.tariff >= 0) {
    text_field(w, d, "tariff", d.vocab.object_name(dsl::ObjectKind::Tariff, t.tariff));
    text_field(w, d, "tariff_from", t.tariff_from);
  }
  if (!t.reasons.empty()) strings(w, "reasons", t.reasons);
  if (t.missing) strings(w, "missing", missing_names(t.missing));
  if (t.hold_lifetime > 0) {
    w.key("hold_lifetime");
    w.begin_object();
    w.key("count");
    w.integer(t.hold_lifetime);
    text_field(w, d, "unit", t.hold_unit);
    w.end_object();
  }
  if (explain) strings(w, "explain", t.explain);
  w.end_object();
}

inline void write_cash_flow(Writer& w, const CashFlowResult& cf, const CompiledDomain& d, bool explain) {
  w.key("cash_flow");
  w.begin_object();
  w.plain_field("status", cash_flow_status(cf.status));
  w.key("postings");
  w.begin_array();
  for (const PostingResult& p : cf.postings) {
    w.begin_object();
    text_field(w, d, "from", p.from);
    text_field(w, d, "to", p.to);
    w.key("amount");
    money(w, d, p.amount);
    w.plain_field("side", p.provider ? "provider" : "merchant");
    if (!p.from_account.empty()) w.field("from_account", p.from_account);
    if (!p.to_account.empty()) w.field("to_account", p.to_account);
    if (p.missing) strings(w, "missing", missing_names(p.missing));
    if (!p.details.empty()) text_field(w, d, "details", p.details);
    if (explain) w.field("rule", p.rule);
    w.end_object();
  }
  w.end_array();
  if (!cf.possibilities.empty()) {
    w.key("possibilities");
    w.begin_array();
    for (std::string_view s : cf.possibilities) text(w, d, s);
    w.end_array();
  }
  if (cf.missing) strings(w, "missing", missing_names(cf.missing));
  if (!cf.error.empty()) w.field("error", cf.error);
  if (explain) strings(w, "explain", cf.explain);
  w.end_object();
}

inline void write_route(Writer& w, const RouteResult& r, const CompiledDomain& d, bool explain) {
  w.key("route");
  w.begin_object();
  w.plain_field("status", route_status(r.status));
  if (r.status == RouteResult::Status::Chosen) {
    text_field(w, d, "terminal", d.vocab.object_name(OK::Terminal, r.terminal));
    if (r.provider >= 0) text_field(w, d, "provider", d.vocab.object_name(OK::Provider, r.provider));
    terminals(w, "candidates", d, r.candidates);
  }
  if (r.status == RouteResult::Status::Declined) text_field(w, d, "decline_reason", r.decline());
  if (r.status == RouteResult::Status::Undetermined) terminals(w, "possible", d, r.possible);
  if (!r.rejected.empty()) {
    w.key("rejected");
    w.begin_array();
    for (const auto& x : r.rejected) {
      w.begin_object();
      text_field(w, d, "terminal", d.vocab.object_name(OK::Terminal, x.terminal));
      text_field(w, d, "reason", x.why());
      w.end_object();
    }
    w.end_array();
  }
  if (!r.undecided_limits.empty()) {
    w.key("undecided_limits");
    w.begin_array();
    for (const auto& u : r.undecided_limits) {
      const CompiledLimit& l = d.limits[static_cast<size_t>(u.limit)];
      const std::string& t = d.vocab.object_name(OK::Terminal, u.terminal);
      w.begin_object();
      text_field(w, d, "terminal", t);
      text_field(w, d, "limit", l.name);
      int32_t provider = d.terminals[static_cast<size_t>(u.terminal)].provider;
      text_field(w, d, "missing",
                 "turnover." + l.name + "." +
                     (l.route_scope == kScopeTerminal ? t : d.vocab.object_name(OK::Provider, provider)));
      w.end_object();
    }
    w.end_array();
  }
  if (r.missing) strings(w, "missing", missing_names(r.missing));
  if (explain) strings(w, "explain", r.explain);
  w.end_object();
}

inline void write_limit(Writer& w, const LimitResult& l, const CompiledLimit& cl, const CompiledDomain& d,
                        bool explain) {
  w.begin_object();
  text_field(w, d, "limit", cl.name);
  w.plain_field("status", l.status == LimitResult::Status::Applies ? "applies" : "undetermined");
  w.plain_field("period", dsl::limit_periods()[static_cast<size_t>(cl.period)]);
  text_field(w, d, "timezone", cl.timezone);
  if (l.has_scope_key) w.field("scope_key", l.scope_key.text());
  if (l.has_window) {
    w.key("window");
    w.begin_object();
    // Digits, '-', ':', 'T', 'Z' and '+': nothing to escape.
    w.plain_field("start", format_time_text(l.window_start, cl.offset_at(l.window_start)).view());
    w.plain_field("end", format_time_text(l.window_end, cl.offset_at(l.window_end)).view());
    w.end_object();
  }
  w.key("bound");
  w.begin_object();
  w.key(cl.is_count ? "count" : "amount");
  w.integer(cl.bound);
  if (!cl.is_count) text_field(w, d, "currency", d.vocab.object_name(OK::Currency, cl.currency));
  w.key("inclusive");
  w.boolean(cl.inclusive);
  w.end_object();
  if (l.verdict != LimitResult::Verdict::None) {
    w.plain_field("verdict", l.verdict == LimitResult::Verdict::Within     ? "within"
                             : l.verdict == LimitResult::Verdict::Exceeded ? "exceeded"
                             : l.verdict == LimitResult::Verdict::Error    ? "error"
                                                                           : "undetermined");
    if (l.verdict == LimitResult::Verdict::Error) w.field("error", l.error);
    if (l.verdict == LimitResult::Verdict::Within || l.verdict == LimitResult::Verdict::Exceeded) {
      w.key("turnover_after");
      w.integer(l.turnover_after);
    }
  }
  if (l.missing) strings(w, "missing", missing_names(l.missing));
  if (explain) w.field("explain", l.explain);
  w.end_object();
}

inline void write_result(const EvalResult& r, const CompiledDomain& d, bool explain, std::string& out, bool plain = true) {
  trust_plain = plain;
  Writer w(out);
  w.begin_object();
  write_terms(w, r.terms, d, explain);
  write_cash_flow(w, r.cash_flow, d, explain);
  write_route(w, r.route, d, explain);
  w.key("limits");
  w.begin_array();
  for (const LimitResult& l : r.limits) {
    if (l.status != LimitResult::Status::NotApplies)
      write_limit(w, l, d.limits[static_cast<size_t>(l.limit)], d, explain);
  }
  w.end_array();
  w.key("limits_not_applicable");
  w.begin_array();
  for (const LimitResult& l : r.limits) {
    if (l.status == LimitResult::Status::NotApplies) text(w, d, d.limits[static_cast<size_t>(l.limit)].name);
  }
  w.end_array();
  w.end_object();
}

}  // namespace paydomain::evaluator::reference
