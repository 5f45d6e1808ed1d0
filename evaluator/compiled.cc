#include "evaluator/compiled.h"

#include <algorithm>
#include <atomic>
#include <initializer_list>
#include <string_view>
#include <unordered_map>

#include "dsl/inheritance.h"
#include "dsl/schema.h"
#include "dsl/timezone.h"
#include "evaluator/compile_cache.h"
#include "json/writer.h"
#include "evaluator/artifact.h"
#include "evaluator/evaluate.h"
#include "evaluator/volume.h"
#include "evaluator/program.h"

namespace paydomain::evaluator {
namespace {

using CK = dsl::Clause::Kind;
using OK = dsl::ObjectKind;

int32_t index_of(dsl::Names v, const std::string& s) {
  auto it = std::find(v.begin(), v.end(), s);
  return it == v.end() ? -1 : static_cast<int32_t>(it - v.begin());
}

class Compiler {
 public:
  Compiler(const dsl::Domain& d, const CompileOptions& opt, CompiledDomain& out)
      : d_(d), opt_(opt), out_(out), inheritance_(d) {}

  Result<bool> run() {
    if (auto r = criteria(); !r) return r.error();
    const Vocab& v = out_.vocab;
    out_.exponents.assign(static_cast<size_t>(v.object_count(OK::Currency)), 2);
    out_.tariffs.resize(static_cast<size_t>(v.object_count(OK::Tariff)));
    out_.routings.resize(static_cast<size_t>(v.object_count(OK::Routing)));
    out_.terminals.resize(static_cast<size_t>(v.object_count(OK::Terminal)));
    out_.providers.resize(static_cast<size_t>(v.object_count(OK::Provider)));
    out_.limits.resize(static_cast<size_t>(v.object_count(OK::Limit)));
    out_.institutions.resize(static_cast<size_t>(v.object_count(OK::PaymentInstitution)));
    for (const dsl::Object& o : d_.objects) {
      if (o.kind != OK::Currency) continue;
      if (const dsl::Clause* e = o.find(CK::Exponent)) {
        out_.exponents[static_cast<size_t>(v.object(o.kind, o.id.text))] = static_cast<int32_t>(e->number.units);
      }
    }
    std::string digest;
    if (opt_.cache) {
      out_.vocab_digest = vocabulary_digest(d_, v, out_.exponents);
      digest = out_.vocab_digest + '\n' + std::to_string(opt_.budget.max_nodes) + ':' +
               std::to_string(opt_.budget.max_steps) + '\n';
    }
    for (const dsl::Object& o : d_.objects) {
      auto i = static_cast<size_t>(v.object(o.kind, o.id.text));
      Result<bool> r = true;
      switch (o.kind) {
        case OK::Tariff: r = cached(o, digest, out_.tariffs[i], &Compiler::tariff); break;
        case OK::Routing: r = cached(o, digest, out_.routings[i], &Compiler::routing); break;
        case OK::Terminal: r = cached(o, digest, out_.terminals[i], &Compiler::terminal); break;
        case OK::Provider: r = cached(o, digest, out_.providers[i], &Compiler::provider); break;
        case OK::Limit: r = cached(o, digest, out_.limits[i], &Compiler::limit); break;
        case OK::PaymentInstitution: r = institution(o, out_.institutions[i]); break;
        case OK::TariffBinding:
          // The checker allows one; should a second slip through, the first decides.
          if (!out_.binding) r = binding(o, out_.binding.emplace());
          break;
        default: break;
      }
      if (!r) return r.error();
    }
    out_.accounts = compile_accounts(d_, v);
    for (size_t i = 0; i < out_.limits.size(); ++i) {
      if (out_.limits[i].route_scope >= 0) out_.route_limits.push_back(static_cast<int32_t>(i));
    }
    return true;
  }

 private:
  // Compiles `o` into `slot` with `how`, or copies it from the cache.
  template <class T>
  Result<bool> cached(const dsl::Object& o, const std::string& digest, T& slot,
                      Result<bool> (Compiler::*how)(const dsl::Object&, T&)) {
    std::string key;
    if (opt_.cache && o.span.file < d_.files.size()) {
      const std::string& text = d_.files[o.span.file].text;
      if (o.span.offset <= o.span.end_offset && o.span.end_offset <= text.size()) {
        key = digest + std::to_string(static_cast<int>(o.kind)) + ':' + std::to_string(o.span.line) + '\n';
        key.append(text, o.span.offset, o.span.end_offset - o.span.offset);
        if (o.kind == OK::Tariff) key += inheritance_.ancestors_text(o);  // what it inherits
        if (auto hit = opt_.cache->find(key); hit && std::holds_alternative<T>(hit->value)) {
          slot = std::get<T>(hit->value);  // the one copy, outside the cache's lock
          out_.selector_count += hit->selectors;
          out_.fallback_count += hit->fallbacks;
          out_.dag_nodes += hit->dag_nodes;
          out_.dag_bytes += hit->dag_bytes;
          return true;
        }
      }
    }
    const size_t sel = out_.selector_count, fb = out_.fallback_count, nodes = out_.dag_nodes, bytes = out_.dag_bytes;
    Result<bool> r = (this->*how)(o, slot);
    if (r && !key.empty()) {
      opt_.cache->put(std::move(key), CompiledObject{slot, out_.selector_count - sel, out_.fallback_count - fb,
                                                     out_.dag_nodes - nodes, out_.dag_bytes - bytes});
    }
    return r;
  }

  std::string head(const dsl::Object& o) { return std::string(dsl::to_string(o.kind)) + " " + o.id.text; }

  // "line 25", or "line 25, criterion high_value_foreign" when the rule's
  // condition names criteria: an explanation says which named condition matched.
  static std::string place(const dsl::Span& s, const dsl::Condition* c) {
    std::string out = where(s);
    std::vector<std::string> names;
    if (c) named_criteria(*c, names);
    for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : ", criterion ") + names[i];
    return out;
  }

  // Compiles every criterion once, each after the criteria it names (the
  // checker has rejected cycles); an explicit stack, not recursion.
  Result<bool> criteria() {
    std::unordered_map<std::string, const dsl::Object*> by_name;
    for (const dsl::Object& o : d_.objects)
      if (o.kind == OK::Criterion) by_name.emplace(o.id.text, &o);
    auto condition_of = [](const dsl::Object* o) -> const dsl::Condition* {
      const dsl::Clause* w = o->find(CK::When);
      return w && w->condition ? &*w->condition : nullptr;
    };
    for (const auto& [root_name, root] : by_name) {
      if (criteria_.count(root_name)) continue;
      std::vector<const dsl::Object*> stack{root};
      size_t guard = 0;
      while (!stack.empty()) {
        if (++guard > 4 * by_name.size() * by_name.size() + 16) return Error{"compile", "criteria form a cycle"};
        const dsl::Object* o = stack.back();
        const dsl::Condition* c = condition_of(o);
        if (!c) return Error{where(o->span), "criterion " + o->id.text + " has no condition"};
        std::vector<std::string> names;
        named_criteria(*c, names);
        bool ready = true;
        for (const std::string& n : names) {
          if (criteria_.count(n)) continue;
          auto it = by_name.find(n);
          if (it == by_name.end()) return Error{where(o->span), "unknown criterion '" + n + "'"};
          stack.push_back(it->second);
          ready = false;
        }
        if (!ready) continue;
        stack.pop_back();
        if (criteria_.count(o->id.text)) continue;
        auto r = compile_condition(*c, out_.vocab, criteria_);
        if (!r) return r.error();
        criteria_.emplace(o->id.text, std::move(*r));
      }
    }
    return true;
  }

  Result<Selector> selector(std::vector<const dsl::Condition*> conds) {
    std::vector<Cond> rules;
    for (const dsl::Condition* c : conds) {
      if (!c) {
        rules.emplace_back();  // otherwise / unconditional: True
        continue;
      }
      auto r = compile_condition(*c, out_.vocab, criteria_);
      if (!r) return r.error();
      rules.push_back(std::move(*r));
    }
    Selector s = compile_selector(std::move(rules), out_.vocab, opt_.budget);
    out_.selector_count++;
    if (s.fallback) out_.fallback_count++;
    out_.dag_nodes += s.dag.node_count();
    out_.dag_bytes += s.dag.bytes();
    return s;
  }

  Result<CompiledVolume> volume(const dsl::Volume& v) {
    CompiledVolume c;
    c.kind = v.kind;
    switch (v.kind) {
      case dsl::Volume::Kind::Fixed:
        c.fixed_minor = v.fixed.minor;
        c.fixed_currency = out_.vocab.object(OK::Currency, v.fixed.currency.text);
        break;
      case dsl::Volume::Kind::Percent: {
        auto r = percent_share(v.percent);
        if (!r) return r.error();
        c.share = *r;
        break;
      }
      case dsl::Volume::Kind::Fraction: {
        auto r = make_fraction(v.numerator, v.denominator);
        if (!r) return r.error();
        c.share = *r;
        break;
      }
      case dsl::Volume::Kind::WholeAmount: c.share = Fraction{1, 1}; break;
      case dsl::Volume::Kind::Min:
      case dsl::Volume::Kind::Max:
      case dsl::Volume::Kind::Sum:
        for (const dsl::Volume& a : v.args) {
          auto r = volume(a);
          if (!r) return r;
          c.args.push_back(std::move(*r));
        }
        break;
    }
    return c;
  }

  // `label` is "tariff standard, fees"; arms are numbered "rule 1", nested "rule 1.2".
  // `note` ends every explanation (dsl::inherited_note: ", inherited by tariff premium").
  Result<CompiledCashFlow> cash_flow(const dsl::CashFlow& cf, const std::string& label, const std::string& prefix,
                                     const std::string& note = "") {
    CompiledCashFlow out;
    for (const dsl::Posting& p : cf.postings) {
      CompiledPosting cp;
      cp.from = p.from.text();
      cp.to = p.to.text();
      auto v = volume(p.volume);
      if (!v) return v.error();
      cp.volume = std::move(*v);
      cp.rounding = p.rounding.value_or(dsl::kDefaultRounding);
      cp.details = p.details.value_or("");
      cp.explain = label + (prefix.empty() ? "" : ", rule " + prefix) + ", posting " + cp.from + " -> " + cp.to +
                   " (" + where(p.span) + ")" + note;
      out.postings.push_back(std::move(cp));
    }
    std::vector<const dsl::Condition*> conds;
    for (size_t i = 0; i < cf.arms.size(); ++i) {
      const dsl::DecisionArm& arm = cf.arms[i];
      conds.push_back(arm.otherwise ? nullptr : &arm.condition);
      std::string num = (prefix.empty() ? "" : prefix + ".") + std::to_string(i + 1);
      out.arm_explain.push_back(label + ", rule " + num + (arm.otherwise ? " (otherwise, " : " (") +
                                place(arm.span, arm.otherwise ? nullptr : &arm.condition) + ")" + note);
      out.arm_line.push_back(arm.span.line);
      auto body = cash_flow(arm.body, label, num, note);
      if (!body) return body.error();
      out.bodies.push_back(std::move(*body));
    }
    auto s = selector(conds);
    if (!s) return s.error();
    out.arms = std::move(*s);
    return out;
  }

  std::vector<uint8_t> allowed(const dsl::Value& list, OK kind) {
    std::vector<uint8_t> v(static_cast<size_t>(out_.vocab.object_count(kind)), 0);
    for (const dsl::Value& item : list.items) {
      int32_t i = out_.vocab.object(kind, item.text);
      if (i >= 0) v[static_cast<size_t>(i)] = 1;
    }
    return v;
  }

  // A tariff as flattened (dsl/inheritance.h): each inherited clause
  // explained where it is written, "..., inherited by tariff premium".
  Result<bool> tariff(const dsl::Object& self, CompiledTariff& t) {
    t.name = self.id.text;
    t.explain = head(self) + " (" + where(self.span) + ")" + (self.parent ? ", extends " + self.parent->text : "");
    const std::vector<const dsl::Object*> chain = inheritance_.chain(self);
    const dsl::Flattened flat = inheritance_.flatten(self);
    for (size_t i = 0; i < flat.object.clauses.size(); ++i) {
      const dsl::Clause& c = flat.object.clauses[i];
      const dsl::Object& o = *flat.from[i];
      const std::string note = dsl::inherited_note(chain, &o);
      std::string at = head(o) + ", " + std::string(dsl::to_string(c.kind)) + " (" + where(c.span) + ")" + note;
      // Terms items merge one by one: "; allowed: tariff standard, refunds
      // (line 60), inherited by tariff premium" for an item written elsewhere.
      auto item_from = [&](const char* item, const dsl::Object* from) {
        if (!from || from == &o) return std::string();
        const dsl::Clause* r = from->find(c.kind);
        return std::string("; ") + item + ": " + head(*from) + ", " + std::string(dsl::to_string(c.kind)) + " (" +
               where(r ? r->span : from->span) + ")" + dsl::inherited_note(chain, from);
      };
      switch (c.kind) {
        case CK::Currencies:
          t.currencies = allowed(c.list, OK::Currency);
          t.currencies_explain = at;
          break;
        case CK::Categories:
          t.categories = allowed(c.list, OK::Category);
          t.categories_explain = at;
          break;
        case CK::PaymentMethods: {
          std::vector<PaymentMethodRule> ms;
          for (const dsl::PaymentMethod& m : c.methods) {
            PaymentMethodRule r;
            r.kind = out_.vocab.find(Attr::PaymentTool, m.kind.text);
            if (m.sub) {
              r.sub = out_.vocab.object(m.kind.text == "wallet" ? OK::WalletProvider : OK::PaymentSystem, m.sub->text);
            }
            ms.push_back(r);
          }
          t.methods = std::move(ms);
          t.methods_explain = at;
          break;
        }
        case CK::AmountBounds:
          t.bounds.push_back({out_.vocab.object(OK::Currency, c.low.currency.text), c.low.minor, c.high.minor, at});
          break;
        case CK::Fees: {
          auto cf = cash_flow(*c.cash_flow, head(o) + ", fees", "", note);
          if (!cf) return cf.error();
          t.fees = std::move(*cf);
          if (&o != &self) t.fees_from = o.id.text;
          break;
        }
        case CK::Refunds:
          t.refunds_allowed = c.refunds->allowed.value_or(false);
          t.refunds_partial = c.refunds->partial.value_or(true);
          t.refunds_explain = at;
          t.refunds_explain += item_from("allowed", flat.refunds_from.allowed);
          if (c.refunds->within) {
            t.refunds_within_seconds = window_seconds(*c.refunds->within, t.refunds_within);
            t.refunds_explain += item_from("within", flat.refunds_from.within);
          }
          if (c.refunds->fees && flat.refunds_from.fees) {
            const dsl::Object& from = *flat.refunds_from.fees;
            auto cf = cash_flow(*c.refunds->fees, head(from) + ", refund fees", "", dsl::inherited_note(chain, &from));
            if (!cf) return cf.error();
            t.refund_fees = std::move(*cf);
            if (&from != &self) t.refund_fees_from = from.id.text;
          }
          break;
        case CK::Captures:
          t.captures.partial = c.captures->partial.value_or(true);
          t.captures.explain = at + item_from("partial", flat.captures_from.partial);
          break;
        case CK::Chargebacks: {
          CompiledChargebackTerms& b = t.chargebacks;
          b.allowed = c.chargebacks->allowed.value_or(false);
          b.explain = at + item_from("allowed", flat.chargebacks_from.allowed);
          // Each decision explained where it is written.
          auto decision = [&](const std::optional<dsl::CashFlow>& cf, const dsl::Object* from, const char* what,
                              std::optional<CompiledCashFlow>& into, std::string& inherited) -> Result<bool> {
            if (!cf || !from) return true;
            auto compiled = cash_flow(*cf, head(*from) + ", " + what, "", dsl::inherited_note(chain, from));
            if (!compiled) return compiled.error();
            into = std::move(*compiled);
            if (from != &self) inherited = from->id.text;
            return true;
          };
          if (auto r = decision(c.chargebacks->fees, flat.chargebacks_from.fees, "chargeback fees", b.fees, b.fees_from); !r)
            return r.error();
          if (auto r = decision(c.chargebacks->reserve, flat.chargebacks_from.reserve, "chargeback reserve", b.reserve,
                                b.reserve_from);
              !r)
            return r.error();
          break;
        }
        case CK::Routing: t.routing = out_.vocab.object(OK::Routing, c.ref.text); break;
        case CK::HoldLifetime:
          t.hold_lifetime = c.duration.count;
          t.hold_unit = c.duration.unit.text;
          break;
        default: break;
      }
    }
    return true;
  }

  Result<bool> routing(const dsl::Object& o, CompiledRouting& r) {
    using RK = dsl::RoutingStatement::Kind;
    r.name = o.id.text;
    r.explain = head(o) + " (" + where(o.span) + ")";
    std::vector<const dsl::Condition*> guards;
    int rule = 0;
    for (const dsl::Clause& c : o.clauses) {
      if (c.kind != CK::RoutingStatement) continue;
      const dsl::RoutingStatement& s = *c.routing;
      ++rule;
      const dsl::Condition* cond = s.condition ? &*s.condition : nullptr;
      std::string at = head(o) + ", rule " + std::to_string(rule) + " (" + place(s.span, cond) + ")";
      switch (s.kind) {
        case RK::Decline:
        case RK::Delegate: {
          CompiledRouting::Guard g;
          g.decline = s.kind == RK::Decline;
          g.reason = s.reason.value_or("");
          if (!g.decline) g.target = out_.vocab.object(OK::Routing, s.target.text);
          g.explain = at + (g.decline ? ": decline" : ": use " + s.target.text);
          r.guard_info.push_back(std::move(g));
          guards.push_back(cond);
          break;
        }
        case RK::Candidate: {
          CompiledRouting::Candidate cand;
          cand.terminal = out_.vocab.object(OK::Terminal, s.target.text);
          cand.priority = s.priority;
          cand.weight = s.weight;
          cand.explain = at + ": candidate " + s.target.text;
          cand.condition_false = "condition false (" + cand.explain + ")";
          if (cond) {
            auto sel = selector({cond});
            if (!sel) return sel.error();
            cand.when = std::move(*sel);
          }
          r.candidates.push_back(std::move(cand));
          break;
        }
        case RK::Exclude: {
          auto cc = compile_condition(*cond, out_.vocab, criteria_);
          if (!cc) return cc.error();
          r.excludes.push_back({std::move(*cc), at + ": exclude", "route health over threshold (" + at + ": exclude)"});
          break;
        }
      }
    }
    auto sel = selector(guards);
    if (!sel) return sel.error();
    r.guards = std::move(*sel);
    return true;
  }

  // `within 180 days` in seconds, and as text for reasons.
  static int64_t window_seconds(const dsl::Duration& w, std::string& text) {
    text = std::to_string(w.count) + " " + w.unit.text;
    return w.count * dsl::duration_seconds(w.unit.text);  // the checker bounds it to 100 years
  }

  // A provider's or terminal's `refunds` clause (the defaults without one).
  Result<bool> refund_terms(const dsl::Object& o, CompiledRefundTerms& r) {
    const dsl::Clause* c = o.find(CK::Refunds);
    if (!c || !c->refunds) return true;
    r.explain = head(o) + ", refunds (" + where(c->span) + ")";
    r.allowed = c->refunds->allowed.value_or(true);
    r.partial = c->refunds->partial.value_or(true);
    if (c->refunds->within) r.within_seconds = window_seconds(*c->refunds->within, r.within);
    if (c->refunds->fees) {
      auto cf = cash_flow(*c->refunds->fees, head(o) + ", refund fees", "");
      if (!cf) return cf.error();
      r.fees = std::move(*cf);
    }
    return true;
  }

  // A provider's or terminal's `captures` clause (the defaults without one).
  void capture_terms(const dsl::Object& o, CompiledCaptureTerms& r) {
    const dsl::Clause* c = o.find(CK::Captures);
    if (!c || !c->captures) return;
    r.explain = head(o) + ", captures (" + where(c->span) + ")";
    r.partial = c->captures->partial.value_or(true);
  }

  // A provider's `chargebacks` clause (the defaults without one).
  Result<bool> chargeback_terms(const dsl::Object& o, CompiledChargebackTerms& r) {
    const dsl::Clause* c = o.find(CK::Chargebacks);
    if (!c || !c->chargebacks) return true;
    r.explain = head(o) + ", chargebacks (" + where(c->span) + ")";
    r.allowed = c->chargebacks->allowed.value_or(true);
    if (c->chargebacks->fees) {
      auto cf = cash_flow(*c->chargebacks->fees, head(o) + ", chargeback fees", "");
      if (!cf) return cf.error();
      r.fees = std::move(*cf);
    }
    return true;
  }

  Result<bool> terminal(const dsl::Object& o, CompiledTerminal& t) {
    t.name = o.id.text;
    t.explain = head(o) + " (" + where(o.span) + ")";
    if (const dsl::Clause* c = o.find(CK::Provider)) t.provider = out_.vocab.object(OK::Provider, c->ref.text);
    t.disabled = o.find(CK::Disabled) != nullptr;
    if (const dsl::Clause* c = o.find(CK::RiskCoverage)) t.risk_coverage = out_.vocab.find(Attr::Risk, c->ref.text);
    t.refuses = t.explain + " does not accept this payment";
    t.disabled_reason = "terminal " + t.name + " is disabled";
    for (int32_t r = 0; r < out_.vocab.size(Attr::Risk); ++r) {
      t.over_coverage.push_back("risk " + std::string(out_.vocab.name(Attr::Risk, r)) + " is above the coverage " +
                                (t.risk_coverage >= 0 ? std::string(out_.vocab.name(Attr::Risk, t.risk_coverage)) : "") +
                                " of terminal " + t.name);
    }
    if (const dsl::Clause* c = o.find(CK::Accepts)) {
      auto sel = selector({&*c->condition});
      if (!sel) return sel.error();
      t.accepts = std::move(*sel);
    }
    capture_terms(o, t.captures);
    return refund_terms(o, t.refunds);
  }

  Result<bool> provider(const dsl::Object& o, CompiledProvider& p) {
    p.name = o.id.text;
    p.explain = head(o) + " (" + where(o.span) + ")";
    p.refuses = p.explain + " does not accept this payment";
    if (const dsl::Clause* c = o.find(CK::Accepts)) {
      auto sel = selector({&*c->condition});
      if (!sel) return sel.error();
      p.accepts = std::move(*sel);
    }
    if (const dsl::Clause* c = o.find(CK::Fees)) {
      auto cf = cash_flow(*c->cash_flow, head(o) + ", fees", "");
      if (!cf) return cf.error();
      p.fees = std::move(*cf);
    }
    capture_terms(o, p.captures);
    if (auto r = chargeback_terms(o, p.chargebacks); !r) return r.error();
    return refund_terms(o, p.refunds);
  }

  Result<bool> limit(const dsl::Object& o, CompiledLimit& l) {
    l.name = o.id.text;
    const dsl::Clause* when = o.find(CK::When);
    l.explain = head(o) + " (" + place(o.span, when ? &*when->condition : nullptr) + ")";
    if (const dsl::Clause* c = o.find(CK::Scope)) {
      for (const dsl::Value& item : c->list.items) l.scopes.push_back(index_of(dsl::limit_scopes(), item.text));
    }
    l.route_scope = dsl::route_scope_of(l.scopes);
    if (const dsl::Clause* c = o.find(CK::Period)) l.period = index_of(dsl::limit_periods(), c->ref.text);
    if (const dsl::Clause* c = o.find(CK::Timezone)) {
      l.timezone = c->text;
      if (auto fixed = dsl::fixed_offset_minutes(c->text)) {
        l.tz_offset_minutes = *fixed;
      } else if (auto zone = dsl::zone_transitions(c->text)) {
        l.tz_starts = std::move(zone->starts);
        l.tz_offsets = std::move(zone->offsets);
        if (l.tz_offsets.empty()) return Error{where(c->span), "time zone '" + c->text + "' has no offsets"};
      } else {
        return Error{where(c->span), "unknown time zone '" + c->text + "'"};
      }
    }
    if (const dsl::Clause* c = o.find(CK::LimitBound)) {
      l.is_count = c->bound_is_count;
      l.inclusive = c->bound_inclusive;
      if (l.is_count) {
        l.bound = c->bound.number.units;
      } else {
        l.bound = c->bound.minor;
        l.currency = out_.vocab.object(OK::Currency, c->bound.text);
      }
    }
    if (const dsl::Clause* c = o.find(CK::When)) {
      auto sel = selector({&*c->condition});
      if (!sel) return sel.error();
      l.counts_refunds = false;
      for (const Cond& rule : sel->rules) {
        for_each_atom(rule, [&](const Atom& a) { l.counts_refunds = l.counts_refunds || a.attr == Attr::Operation; });
      }
      l.when = std::move(*sel);
    }
    return true;
  }

  Result<bool> institution(const dsl::Object& o, CompiledInstitution& p) {
    p.name = o.id.text;
    p.explain = head(o) + " (" + where(o.span) + ")";
    p.serves_explain = head(o);
    if (const dsl::Clause* c = o.find(CK::Realm)) {
      p.realm = index_of(dsl::realms(), c->ref.text);
      p.serves_explain += ", realm " + c->ref.text + " (" + where(c->span) + ")";
    }
    if (const dsl::Clause* c = o.find(CK::Residences)) {
      p.residences = allowed(c->list, OK::Country);
      for (const dsl::Value& item : c->list.items) p.residence_list += (p.residence_list.empty() ? "" : ", ") + item.text;
      p.serves_explain += ", residences [" + p.residence_list + "] (" + where(c->span) + ")";
    }
    if (const dsl::Clause* c = o.find(CK::DefaultTariff)) {
      p.default_tariff = out_.vocab.object(OK::Tariff, c->ref.text);
      p.default_explain = head(o) + ", default_tariff " + c->ref.text + " (" + where(c->span) + ")";
    }
    if (const dsl::Clause* c = o.find(CK::Routing)) p.routing = out_.vocab.object(OK::Routing, c->ref.text);
    return true;
  }

  Result<bool> binding(const dsl::Object& o, CompiledBinding& b) {
    b.name = o.id.text;
    b.explain = head(o) + " (" + where(o.span) + ")";
    std::vector<const dsl::Condition*> conds;
    for (const dsl::Clause& c : o.clauses) {
      if (c.kind != CK::BindingRule) continue;
      const dsl::BindingRule& r = *c.binding;
      const dsl::Condition* cond = r.otherwise || !r.condition ? nullptr : &*r.condition;
      conds.push_back(cond);
      b.tariffs.push_back(out_.vocab.object(OK::Tariff, r.tariff.text));
      b.rule_explain.push_back(head(o) + ", rule " + std::to_string(conds.size()) + (cond ? " (" : " (otherwise, ") +
                               place(r.span, cond) + "): tariff " + r.tariff.text);
    }
    auto sel = selector(conds);
    if (!sel) return sel.error();
    b.rules = std::move(*sel);
    return true;
  }

  const dsl::Domain& d_;
  const CompileOptions& opt_;
  CompiledDomain& out_;
  const dsl::Inheritance inheritance_;
  CompiledCriteria criteria_;
};

}  // namespace

std::string where(const dsl::Span& s) { return "line " + std::to_string(s.line); }

Result<const Program*> program_of(const CompiledDomain& domain) {
  if (!domain.program)
    return Error{"", "this compiled domain has no program to evaluate with (compiled with CompileOptions::program false)"};
  return domain.program.get();
}

namespace {
std::atomic<uint64_t> compiles{0};
}  // namespace

uint64_t compile_count() { return compiles.load(std::memory_order_relaxed); }

Result<std::shared_ptr<const CompiledDomain>> compile(const dsl::Domain& domain, const CompileOptions& options) {
  compiles.fetch_add(1, std::memory_order_relaxed);
  auto out = std::make_shared<CompiledDomain>(domain);
  auto r = Compiler(domain, options, *out).run();
  if (!r) return r.error();
  if (!options.program) return std::shared_ptr<const CompiledDomain>(std::move(out));
  auto program = Program::load(write_artifact(*out, options.revision, options.source_hash));
  if (!program) return Error{"", "the compiled artifact does not load: " + program.error().message};
  out->program = std::move(*program);
  return std::shared_ptr<const CompiledDomain>(std::move(out));
}

namespace {
// CompiledVolume, as evaluator/volume.h reads it.
struct CompiledVolumes {
  const CompiledDomain& d;
  dsl::Volume::Kind kind(const CompiledVolume& v) const { return v.kind; }
  int64_t fixed_minor(const CompiledVolume& v) const { return v.fixed_minor; }
  int32_t fixed_currency(const CompiledVolume& v) const { return v.fixed_currency; }
  const Fraction& share(const CompiledVolume& v) const { return v.share; }
  const std::vector<CompiledVolume>& args(const CompiledVolume& v) const { return v.args; }
  const std::string& currency_name(int32_t c) const { return d.vocab.object_name(dsl::ObjectKind::Currency, c); }
};
}  // namespace

Result<int64_t> posting_amount(const CompiledDomain& d, const CompiledPosting& p, const Facts& f) {
  auto r = volume_value(CompiledVolumes{d}, p.volume, f);
  return r ? round(*r, p.rounding) : Result<int64_t>(r.error());
}

EvalResult evaluate(const CompiledDomain& d, const Context& c, const EvalOptions& opt) {
  EvalResult res;
  // Room for the usual answer up front: a handful of postings and rejections.
  res.cash_flow.postings.reserve(8);
  res.route.rejected.reserve(8);
  evaluate(*d.program, c, opt, res);
  return res;
}

void evaluate(const CompiledDomain& d, const Context& c, const EvalOptions& opt, EvalResult& out) {
  evaluate(*d.program, c, opt, out);
}

}  // namespace paydomain::evaluator
