#include "evaluator/artifact.h"

#include <array>
#include <cstring>
#include <unordered_map>

#include "dsl/schema.h"
#include "evaluator/program.h"

namespace paydomain::evaluator {
namespace {

using pdc::Sec;

class Writer {
 public:
  explicit Writer(const CompiledDomain& d) : d_(d) {}

  std::string run(uint64_t revision, std::string_view source_hash) {
    vocabulary();
    for (const CompiledTariff& t : d_.tariffs) tariff(t);
    for (const CompiledTariff& t : d_.tariffs) {
      pdc::RefundTerms r{};
      r.allowed = t.refunds_allowed, r.partial = t.refunds_partial, r.fees = pdc::kNone;
      r.within_seconds = t.refunds_within_seconds, r.within = str(t.refunds_within), r.explain = str(t.refunds_explain);
      push(Sec::TariffRefunds, r);
      push(Sec::TariffCaptures, capture_terms(t.captures));
      push(Sec::TariffChargebacks, chargeback_terms(t.chargebacks));
    }
    for (const CompiledProvider& p : d_.providers) {
      pdc::Provider r{str(p.name), str(p.explain), str(p.refuses), opt_selector(p.accepts), opt_cash_flow(p.fees)};
      push(Sec::Providers, r);
      push(Sec::ProviderRefunds, refund_terms(p.refunds));
      push(Sec::ProviderCaptures, capture_terms(p.captures));
      push(Sec::ProviderChargebacks, chargeback_terms(p.chargebacks));
    }
    for (const CompiledTerminal& t : d_.terminals) {
      pdc::Terminal r{};
      r.name = str(t.name);
      r.explain = str(t.explain);
      r.refuses = str(t.refuses);
      r.disabled_reason = str(t.disabled_reason);
      r.over_coverage = strs(t.over_coverage);
      r.provider = t.provider;
      r.risk_coverage = t.risk_coverage;
      r.accepts = opt_selector(t.accepts);
      r.disabled = t.disabled;
      push(Sec::Terminals, r);
      push(Sec::TerminalRefunds, refund_terms(t.refunds));
      push(Sec::TerminalCaptures, capture_terms(t.captures));
    }
    for (const CompiledRouting& r : d_.routings) routing(r);
    for (const CompiledLimit& l : d_.limits) limit(l);
    for (const CompiledInstitution& x : d_.institutions) {
      pdc::Institution r{};
      r.name = str(x.name), r.explain = str(x.explain), r.default_explain = str(x.default_explain);
      r.realm = x.realm;
      r.default_tariff = x.default_tariff;
      r.routing = x.routing;
      push(Sec::Institutions, r);
      pdc::InstitutionResidences s{};
      s.any = !x.residences;
      if (x.residences) s.served = push_all(Sec::Flags, x.residences->data(), x.residences->size());
      s.list = str(x.residence_list), s.explain = str(x.serves_explain);
      push(Sec::InstitutionResidences, s);
    }
    if (d_.binding) binding(*d_.binding);
    for (const CompiledAccount& a : d_.accounts) {
      pdc::Account r{};
      r.role = str(dsl::kAccountRoles[static_cast<size_t>(a.role)].name);
      r.holder_kind = static_cast<int32_t>(a.holder_kind);
      r.holder = a.holder;
      r.currency = a.currency;
      r.number = str(a.number);
      push(Sec::Accounts, r);
    }
    return assemble(revision, source_hash);
  }

 private:
  template <class T>
  uint32_t push(Sec s, const T& v) {
    static_assert(pdc::kRecord<T>);
    std::string& b = sec_[static_cast<size_t>(s)];
    b.append(reinterpret_cast<const char*>(&v), sizeof v);
    return static_cast<uint32_t>(b.size() / sizeof v - 1);
  }
  template <class T>
  pdc::Span push_all(Sec s, const T* v, size_t n) {
    std::string& b = sec_[static_cast<size_t>(s)];
    auto first = static_cast<uint32_t>(b.size() / sizeof(T));
    if (n) b.append(reinterpret_cast<const char*>(v), n * sizeof(T));
    return {first, static_cast<uint32_t>(n)};
  }
  uint32_t count(Sec s, size_t elem) const { return static_cast<uint32_t>(sec_[static_cast<size_t>(s)].size() / elem); }

  pdc::RefundTerms refund_terms(const CompiledRefundTerms& t) {
    pdc::RefundTerms r{};
    r.allowed = t.allowed, r.partial = t.partial, r.fees = opt_cash_flow(t.fees);
    r.within_seconds = t.within_seconds, r.within = str(t.within), r.explain = str(t.explain);
    return r;
  }

  pdc::CaptureTerms capture_terms(const CompiledCaptureTerms& t) {
    pdc::CaptureTerms r{};
    r.partial = t.partial, r.explain = str(t.explain);
    return r;
  }

  pdc::ChargebackTerms chargeback_terms(const CompiledChargebackTerms& t) {
    pdc::ChargebackTerms r{};
    r.allowed = t.allowed, r.fees = opt_cash_flow(t.fees), r.reserve = opt_cash_flow(t.reserve);
    r.explain = str(t.explain);
    return r;
  }

  // Strings, each text stored once (explanations repeat a lot).
  pdc::Str str(std::string_view s) {
    if (s.empty()) return {0, 0};
    auto it = strings_.find(std::string(s));
    if (it != strings_.end()) return it->second;
    std::string& b = sec_[static_cast<size_t>(Sec::Strings)];
    pdc::Str r{static_cast<uint32_t>(b.size()), static_cast<uint32_t>(s.size())};
    b.append(s);
    strings_.emplace(std::string(s), r);
    return r;
  }
  pdc::Span strs(const std::vector<std::string>& v) {
    std::vector<pdc::Str> list;
    for (const std::string& s : v) list.push_back(str(s));
    return push_all(Sec::StrList, list.data(), list.size());
  }

  void table(uint8_t kind, uint32_t index, const Vocab::Table& t) {
    std::vector<pdc::Str> names;
    for (const std::string& n : t.names) names.push_back(str(n));
    pdc::Table r{};
    r.kind = kind;
    r.index = index;
    r.names = push_all(Sec::Names, names.data(), names.size());
    r.slots = push_all(Sec::Slots, t.slots.data(), t.slots.size());
    push(Sec::Tables, r);
  }

  // The vocabulary, generically by the schema: every attribute by name, a
  // table per object kind and per Enum/Text attribute.
  void vocabulary() {
    for (const dsl::AttributeInfo& a : dsl::kAttributes) push(Sec::Attributes, str(a.name));
    for (int k = 0; k < dsl::kObjectKindCount; ++k) {
      // Criteria are inlined into the conditions naming them (and into
      // explanations): evaluation never looks one up.
      auto kind = static_cast<dsl::ObjectKind>(k);
      if (kind == dsl::ObjectKind::Criterion || kind == dsl::ObjectKind::TariffBinding) continue;
      // Payment institutions: a table only when the domain has any (the
      // loader counts none without it).
      if (kind == dsl::ObjectKind::PaymentInstitution && d_.institutions.empty()) continue;
      table(1, static_cast<uint32_t>(k), d_.vocab.object_table(static_cast<dsl::ObjectKind>(k)));
    }
    for (int a = 0; a < kAttrCount; ++a) {
      auto type = dsl::kAttributes[a].type;
      if (type == dsl::AttrType::Enum || type == dsl::AttrType::Text)
        table(0, static_cast<uint32_t>(a), d_.vocab.attr_table(static_cast<Attr>(a)));
    }
    push_all(Sec::Exponents, d_.exponents.data(), d_.exponents.size());
  }

  uint32_t cond(const Cond& c) {
    std::vector<uint32_t> kids;
    for (const Cond& k : c.kids) kids.push_back(cond(k));
    pdc::CondNode r{};
    r.kind = static_cast<uint8_t>(c.kind);
    r.atom = c.kind == Cond::Kind::Atom ? atom(c.atom) : 0;
    r.kids = push_all(Sec::CondKids, kids.data(), kids.size());
    return push(Sec::CondNodes, r);
  }
  uint32_t atom(const Atom& a) {
    pdc::Atom r{};
    r.kind = static_cast<uint8_t>(a.kind);
    r.attr = static_cast<uint8_t>(a.attr);
    r.negate = a.negate;
    r.op = static_cast<uint8_t>(a.op);
    r.currency = a.currency;
    r.ids = push_all(Sec::AtomIds, a.ids.data(), a.ids.size());
    std::vector<pdc::Range> ranges;
    for (auto [lo, hi] : a.ranges) ranges.push_back({lo, hi});
    r.ranges = push_all(Sec::AtomRanges, ranges.data(), ranges.size());
    r.strings = strs(a.strings);
    r.share_units = a.share.units;
    r.share_scale = a.share.scale;
    return push(Sec::Atoms, r);
  }

  uint32_t selector(const Selector& s) {
    pdc::Selector r{};
    r.rule_count = static_cast<uint32_t>(s.rules.size());
    if (s.fallback || s.dag.empty()) {
      r.fallback = 1;
      std::vector<uint32_t> rules;
      for (const Cond& c : s.rules) rules.push_back(cond(c));
      r.rules = push_all(Sec::SelectorRules, rules.data(), rules.size());
    } else {
      DagView v = s.dag.view();
      pdc::Span w = push_all(Sec::DagWords, v.words, s.dag.word_count());
      pdc::Span t = push_all(Sec::DagTrie, v.trie, s.dag.trie_count());
      r.root = v.root;
      r.word_first = w.first, r.word_count = w.count;
      r.trie_first = t.first, r.trie_count = t.count;
    }
    return push(Sec::Selectors, r);
  }
  uint32_t opt_selector(const std::optional<Selector>& s) { return s ? selector(*s) : pdc::kNone; }

  static bool uses_amount(const CompiledVolume& v) {
    if (v.kind == dsl::Volume::Kind::Fixed) return false;
    if (v.args.empty()) return true;
    for (const CompiledVolume& a : v.args)
      if (uses_amount(a)) return true;
    return false;
  }
  uint32_t volume(const CompiledVolume& v) {
    std::vector<uint32_t> args;
    for (const CompiledVolume& a : v.args) args.push_back(volume(a));
    pdc::Volume r{};
    r.kind = static_cast<uint8_t>(v.kind);
    r.fixed_currency = v.fixed_currency;
    r.fixed_minor = v.fixed_minor;
    auto num = static_cast<unsigned __int128>(v.share.num), den = static_cast<unsigned __int128>(v.share.den);
    r.num_lo = static_cast<uint64_t>(num), r.num_hi = static_cast<uint64_t>(num >> 64);
    r.den_lo = static_cast<uint64_t>(den), r.den_hi = static_cast<uint64_t>(den >> 64);
    r.args = push_all(Sec::VolumeArgs, args.data(), args.size());
    return push(Sec::Volumes, r);
  }
  // A share that fits a word, or a fixed sum: the posting's quick form.
  static void quick(const CompiledVolume& v, pdc::Posting& r) {
    using K = dsl::Volume::Kind;
    if (v.kind == K::Fixed) {
      r.quick = static_cast<uint8_t>(pdc::QuickVolume::Fixed);
      r.quick_a = v.fixed_minor, r.quick_b = v.fixed_currency;
    } else if ((v.kind == K::Percent || v.kind == K::Fraction || v.kind == K::WholeAmount) &&
               v.share.num >= INT64_MIN && v.share.num <= INT64_MAX && v.share.den <= INT64_MAX) {
      r.quick = static_cast<uint8_t>(pdc::QuickVolume::Share);
      r.quick_a = static_cast<int64_t>(v.share.num), r.quick_b = static_cast<int64_t>(v.share.den);
    }
  }
  // The record of a cash flow; its arms' cash flows (inline in their Arm
  // records) are pushed before its own arms.
  pdc::CashFlow cash_flow(const CompiledCashFlow& cf) {
    std::vector<pdc::Posting> posts;
    for (const CompiledPosting& p : cf.postings) {
      pdc::Posting r{};
      r.from = str(p.from), r.to = str(p.to), r.details = str(p.details), r.explain = str(p.explain);
      r.volume = volume(p.volume);
      r.rounding = static_cast<uint8_t>(p.rounding);
      r.uses_amount = uses_amount(p.volume);
      r.roles = pdc::posting_roles(p.from, p.to);
      quick(p.volume, r);
      posts.push_back(r);
    }
    std::vector<pdc::Arm> arms;
    uint32_t sel = pdc::kNone;
    if (!cf.arms.rules.empty()) {
      for (size_t i = 0; i < cf.bodies.size(); ++i) {
        pdc::Arm a{};
        a.body = cash_flow(cf.bodies[i]);
        a.line = cf.arm_line[i];
        a.explain = str(cf.arm_explain[i]);
        arms.push_back(a);
      }
      sel = selector(cf.arms);
    }
    pdc::CashFlow r{};
    r.postings = push_all(Sec::Postings, posts.data(), posts.size());
    r.arms = sel;
    r.bodies = push_all(Sec::Arms, arms.data(), arms.size());
    return r;
  }
  uint32_t opt_cash_flow(const std::optional<CompiledCashFlow>& cf) {
    return cf ? push(Sec::CashFlows, cash_flow(*cf)) : pdc::kNone;
  }

  void tariff(const CompiledTariff& t) {
    pdc::Tariff r{};
    r.name = str(t.name), r.explain = str(t.explain);
    r.has_currencies = t.currencies.has_value();
    r.has_categories = t.categories.has_value();
    r.has_methods = t.methods.has_value();
    r.refunds_allowed = t.refunds_allowed;
    r.refunds_partial = t.refunds_partial;
    if (t.currencies) r.currencies = push_all(Sec::Flags, t.currencies->data(), t.currencies->size());
    if (t.categories) r.categories = push_all(Sec::Flags, t.categories->data(), t.categories->size());
    if (t.methods) {
      std::vector<pdc::Method> m;
      for (const PaymentMethodRule& x : *t.methods) m.push_back({x.kind, x.sub});
      r.methods = push_all(Sec::Methods, m.data(), m.size());
    }
    std::vector<pdc::Bound> bounds;
    for (const AmountBound& b : t.bounds) bounds.push_back({b.currency, 0, b.low, b.high, str(b.explain)});
    r.bounds = push_all(Sec::Bounds, bounds.data(), bounds.size());
    r.currencies_explain = str(t.currencies_explain);
    r.categories_explain = str(t.categories_explain);
    r.methods_explain = str(t.methods_explain);
    r.refunds_explain = str(t.refunds_explain);
    r.fees = opt_cash_flow(t.fees);
    r.refund_fees = opt_cash_flow(t.refund_fees);
    r.routing = t.routing;
    r.hold_lifetime = t.hold_lifetime;
    r.hold_unit = str(t.hold_unit);
    push(Sec::Tariffs, r);
  }

  void routing(const CompiledRouting& rt) {
    pdc::Routing r{};
    r.name = str(rt.name), r.explain = str(rt.explain);
    r.guards = selector(rt.guards);
    std::vector<pdc::Guard> guards;
    for (const auto& g : rt.guard_info) {
      pdc::Guard x{};
      x.decline = g.decline;
      x.target = g.target;
      x.reason = str(g.reason), x.explain = str(g.explain);
      guards.push_back(x);
    }
    std::vector<pdc::Candidate> cands;
    for (const auto& c : rt.candidates)
      cands.push_back({c.terminal, opt_selector(c.when), c.priority, c.weight, str(c.explain), str(c.condition_false)});
    std::vector<pdc::Exclude> excl;
    for (const auto& x : rt.excludes) excl.push_back({cond(x.cond), 0, str(x.explain), str(x.reason)});
    r.guard_info = push_all(Sec::Guards, guards.data(), guards.size());
    r.candidates = push_all(Sec::Candidates, cands.data(), cands.size());
    r.excludes = push_all(Sec::Excludes, excl.data(), excl.size());
    push(Sec::Routings, r);
  }

  void limit(const CompiledLimit& l) {
    pdc::Limit r{};
    r.name = str(l.name), r.explain = str(l.explain), r.timezone = str(l.timezone);
    r.scopes = push_all(Sec::LimitScopes, l.scopes.data(), l.scopes.size());
    r.period = l.period;
    r.tz_offset_minutes = l.tz_offsets.empty() ? l.tz_offset_minutes : pdc::kZoned;
    push(Sec::LimitZones, l.tz_offsets.empty() ? pdc::Span{} : zone(l));
    r.is_count = l.is_count, r.inclusive = l.inclusive, r.counts_refunds = l.counts_refunds;
    r.currency = l.currency;
    r.bound = l.bound;
    r.when = opt_selector(l.when);
    push(Sec::Limits, r);
  }

  void binding(const CompiledBinding& b) {
    pdc::Binding r{};
    r.name = str(b.name), r.explain = str(b.explain);
    r.selector = selector(b.rules);
    std::vector<pdc::BindingRule> rules;
    for (size_t k = 0; k < b.tariffs.size(); ++k) rules.push_back({b.tariffs[k], 0, str(b.rule_explain[k])});
    r.rules = push_all(Sec::BindingRules, rules.data(), rules.size());
    push(Sec::Bindings, r);
  }

  // A named zone's table, written once for all limits naming it.
  pdc::Span zone(const CompiledLimit& l) {
    auto [it, fresh] = zones_.try_emplace(l.timezone);
    if (fresh) {
      it->second = push_all(Sec::ZoneStarts, l.tz_starts.data(), l.tz_starts.size());
      push_all(Sec::ZoneOffsets, l.tz_offsets.data(), l.tz_offsets.size());
    }
    return it->second;
  }

  std::string assemble(uint64_t revision, std::string_view source_hash) {
    std::string out(sizeof(pdc::Header) + pdc::kSectionCount * sizeof(pdc::SectionEntry), '\0');
    std::vector<pdc::SectionEntry> entries;
    for (uint32_t id = 1; id <= pdc::kSectionCount; ++id) {
      // A retired id's entry stays, empty: entry i is section i + 1 in every artifact.
      out.resize((out.size() + pdc::kAlign - 1) / pdc::kAlign * pdc::kAlign, '\0');
      const std::string& b = sec_[id];
      entries.push_back({id, static_cast<uint32_t>(out.size()), static_cast<uint32_t>(b.size()), pdc::kElemSize[id]});
      out += b;
    }
    pdc::Header h{};
    std::memcpy(h.magic, pdc::kMagic, sizeof h.magic);
    h.major = pdc::kFormatMajor;
    h.minor = pdc::kFormatMinor;
    h.header_size = sizeof(pdc::Header);
    h.revision = revision;
    h.total_size = out.size();
    h.section_count = pdc::kSectionCount;
    if (!source_hash.empty())
      std::memcpy(h.source_hash, source_hash.data(), std::min<size_t>(source_hash.size(), sizeof h.source_hash));
    std::memcpy(out.data(), &h, sizeof h);
    std::memcpy(out.data() + sizeof h, entries.data(), entries.size() * sizeof(pdc::SectionEntry));
    uint32_t crc = crc32c(reinterpret_cast<const uint8_t*>(out.data()), out.size());
    std::memcpy(out.data() + pdc::kCrcOffset, &crc, sizeof crc);
    return out;
  }

  const CompiledDomain& d_;
  std::array<std::string, pdc::kSectionCount + 1> sec_;
  std::unordered_map<std::string, pdc::Str> strings_;
  std::unordered_map<std::string, pdc::Span> zones_;
};

}  // namespace

std::string write_artifact(const CompiledDomain& domain, uint64_t revision, std::string_view source_hash) {
  return Writer(domain).run(revision, source_hash);
}

}  // namespace paydomain::evaluator
