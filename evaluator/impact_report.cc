#include "evaluator/impact_report.h"

#include "base/str_cat.h"
#include "json/writer.h"

namespace paydomain::evaluator {
namespace {

void write_answer(json::Writer& w, const PaymentAnswer& a) {
  w.begin_object();
  w.field("cash_flow", a.cash_flow);
  w.key("limits");
  w.begin_array();
  for (const std::string& l : a.limits) w.string(l);
  w.end_array();
  w.key("postings");
  w.begin_array();
  for (const AnswerPosting& p : a.postings) {
    w.begin_object();
    w.key("amount");
    w.integer(p.minor);
    w.field("currency", p.currency);
    w.field("details", p.details);
    w.field("from", p.from);
    w.field("to", p.to);
    w.end_object();
  }
  w.end_array();
  w.field("route", a.route);
  w.field("terms", a.terms);
  w.end_object();
}

std::string signed_sum(__int128 v, int e) { return str_cat(v > 0 ? "+" : "", format_sum(v, e)); }

}  // namespace

void write_impact_json(const ImpactReport& r, std::string& out) {
  json::Writer w(out);
  const SymbolicImpact& s = r.symbolic;
  w.begin_object();
  w.field("after", r.after);
  w.field("before", r.before);
  w.key("complete");
  w.boolean(s.complete);
  w.key("more_regions");
  w.integer(static_cast<int64_t>(s.more));
  w.key("notes");
  w.begin_array();
  for (const std::string& n : s.notes) w.string(n);
  w.end_array();
  w.key("regions");
  w.begin_array();
  for (const ImpactRegion& g : s.regions) {
    w.begin_object();
    w.field("after", g.after);
    w.field("before", g.before);
    w.field("delta", g.delta);
    w.key("example");
    w.raw(g.example);  // written by json::Writer (impact_cells.cc)
    w.key("example_differs");
    w.boolean(g.example_differs);
    w.field("kind", g.kind);
    w.field("object", g.object);
    w.field("part", g.part);
    w.field("where", g.where);
    w.end_object();
  }
  w.end_array();
  if (r.replay) {
    const ReplayReport& p = *r.replay;
    w.key("replay");
    w.begin_object();
    w.key("changed");
    w.integer(static_cast<int64_t>(p.changed));
    w.key("changes");
    w.begin_array();
    for (const ReplayChange& c : p.changes) {
      w.begin_object();
      w.key("after");
      write_answer(w, c.after);
      w.key("before");
      write_answer(w, c.before);
      w.key("context");
      w.raw(c.context);  // a line the context reader accepted: valid JSON
      w.key("line");
      w.integer(static_cast<int64_t>(c.line));
      w.key("parts");
      w.begin_array();
      if (c.fee) w.string("fee");
      if (c.route) w.string("route");
      if (c.terms) w.string("terms");
      if (c.limits) w.string("limits");
      w.end_array();
      w.end_object();
    }
    w.end_array();
    w.key("counts");
    w.begin_object();
    w.key("fee");
    w.integer(static_cast<int64_t>(p.fee_changed));
    w.key("limits");
    w.integer(static_cast<int64_t>(p.limits_changed));
    w.key("route");
    w.integer(static_cast<int64_t>(p.route_changed));
    w.key("terms");
    w.integer(static_cast<int64_t>(p.terms_changed));
    w.end_object();
    w.key("money");
    w.begin_array();
    for (const MoneyMoved& m : p.money) {
      w.begin_object();
      w.field("after", format_sum(m.after, m.exponent));
      w.key("after_minor");
      w.raw(int128_text(m.after));
      w.field("before", format_sum(m.before, m.exponent));
      w.key("before_minor");
      w.raw(int128_text(m.before));
      w.field("currency", m.currency);
      w.field("difference", signed_sum(m.after - m.before, m.exponent));
      w.key("difference_minor");
      w.raw(int128_text(m.after - m.before));
      w.field("from", m.from);
      w.field("to", m.to);
      w.end_object();
    }
    w.end_array();
    w.key("more_changes");
    w.integer(static_cast<int64_t>(p.more_changes));
    w.key("payments");
    w.integer(static_cast<int64_t>(p.payments));
    w.end_object();
  }
  w.end_object();
}

std::string impact_text(const ImpactReport& r) {
  const SymbolicImpact& s = r.symbolic;
  std::string o = "impact of " + r.before + " -> " + r.after + "\n";
  std::string part;
  for (const ImpactRegion& g : s.regions) {
    if (g.part != part) {
      part = g.part;
      o += "\n" + part + "\n";
    }
    o += "  " + g.where + "\n";
    o += "    before: " + g.before + "\n";
    o += "    after:  " + g.after + (g.delta.empty() ? "" : "  (" + g.delta + ")") + "\n";
    o += "    e.g. " + g.example + (g.example_differs ? "" : "  (evaluates alike)") + "\n";
  }
  o += str_cat("\n", std::to_string(s.regions.size() + s.more), " region(s) change");
  if (s.more > 0) o += "; " + std::to_string(s.regions.size()) + " listed, and " + std::to_string(s.more) + " more";
  o += s.complete ? "\n" : "; INCOMPLETE: the analysis stopped at its step budget\n";
  for (const std::string& n : s.notes) o += "note: " + n + "\n";
  if (r.replay) {
    const ReplayReport& p = *r.replay;
    o += "\nreplay: " + std::to_string(p.payments) + " payment(s), " + std::to_string(p.changed) + " changed (fee " +
         std::to_string(p.fee_changed) + ", route " + std::to_string(p.route_changed) + ", terms " +
         std::to_string(p.terms_changed) + ", limits " + std::to_string(p.limits_changed) + ")\n";
    for (const ReplayChange& c : p.changes) {
      o += "  line " + std::to_string(c.line) + ":\n";
      if (c.terms) o += "    terms: " + c.before.terms + " -> " + c.after.terms + "\n";
      if (c.fee) {
        auto text = [](const PaymentAnswer& a) {
          if (a.postings.empty()) return a.cash_flow == "determined" ? std::string("no postings") : a.cash_flow;
          std::string t;
          for (const AnswerPosting& q : a.postings) {
            t += (t.empty() ? "" : "; ") + q.from + " -> " + q.to + " " + format_sum(q.minor, q.exponent) + " " +
                 q.currency;
          }
          return t;
        };
        o += "    postings before: " + text(c.before) + "\n    postings after:  " + text(c.after) + "\n";
      }
      if (c.route) o += "    route: " + c.before.route + " -> " + c.after.route + "\n";
      if (c.limits) {
        for (size_t i = 0; i < std::max(c.before.limits.size(), c.after.limits.size()); ++i) {
          std::string a = i < c.before.limits.size() ? c.before.limits[i] : "-";
          std::string b = i < c.after.limits.size() ? c.after.limits[i] : "-";
          if (a != b) o += "    limit: " + a + " -> " + b + "\n";
        }
      }
    }
    if (p.more_changes > 0) o += "  and " + std::to_string(p.more_changes) + " more changed payment(s)\n";
    if (!p.money.empty()) o += "money moved (currency from -> to: before -> after, difference):\n";
    for (const MoneyMoved& m : p.money) {
      o += "  " + m.currency + " " + m.from + " -> " + m.to + ": " + format_sum(m.before, m.exponent) + " -> " +
           format_sum(m.after, m.exponent) + " (" + signed_sum(m.after - m.before, m.exponent) + ")\n";
    }
  }
  return o;
}

}  // namespace paydomain::evaluator
