// The symbolic difference: the parts of the answer (impact.h), each walked
// over both revisions' DAGs. Cells go to impact_regions.cc (merging, example
// contexts). Recursion is bounded: a DAG path tests each attribute at most
// once, cash flows nest at most kMaxNesting deep, routings delegate at most
// kMaxDelegation deep and a routing walks at most kMaxCandidates candidates.
#include "evaluator/impact.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "evaluator/evaluate.h"
#include "evaluator/impact_cells.h"
#include "evaluator/impact_formula.h"
#include "evaluator/replay.h"
#include "evaluator/vocab.h"

namespace paydomain::evaluator {
namespace {

constexpr int kMaxNesting = 64;
constexpr int kMaxDelegation = 16;
constexpr size_t kMaxCandidates = 64;
constexpr int kMaxWalkDepth = 1024;

uint64_t mix(uint64_t h, uint64_t x) {
  h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 31);
}
uint64_t hs(std::string_view s) { return payment_key_hash(s); }

// ---- one side's precomputed meaning ------------------------------------------

struct SideInfo {
  const CompiledDomain* d = nullptr;
  int side = 0;
  std::vector<std::vector<uint64_t>> name_hash;  // by attr, by side id
  std::unordered_map<const CompiledPosting*, std::pair<uint64_t, std::string>> postings;
  struct CfInfo {
    uint64_t hash = 0;
    std::vector<uint64_t> node_hash;  // of cf.arms.dag
  };
  std::unordered_map<const CompiledCashFlow*, CfInfo> cfs;

  const std::pair<uint64_t, std::string>& posting(const CompiledPosting& p) {
    auto it = postings.find(&p);
    if (it != postings.end()) return it->second;
    std::string t = posting_text(*d, p);
    uint64_t h = hs(t);
    return postings.emplace(&p, std::make_pair(h, std::move(t))).first->second;
  }

  // Node hashes of a DAG given the meaning of each outcome (children come
  // before parents in the node array, so one pass in index order).
  template <class Leaf>
  std::vector<uint64_t> hash_dag(const Dag& dag, Leaf&& leaf) {
    std::vector<uint64_t> h(dag.node_count(), 0);
    for (uint32_t i = 0; i < dag.node_count(); ++i) {
      const DagNode& n = dag.node(i);
      uint64_t x = mix(static_cast<uint64_t>(n.kind) + 1, static_cast<uint64_t>(n.attr) + 7);
      switch (n.kind) {
        case DagNode::Kind::Leaf: x = mix(x, leaf(n.outcome)); break;
        case DagNode::Kind::Switch: {
          uint64_t sum = 0;  // order-free: the sides may number values differently
          for (uint32_t k = 0; k < n.count; ++k) sum += mix(name_hash[idx(n.attr)][k], h[dag.child(n, k)]);
          x = mix(x, sum);
          break;
        }
        case DagNode::Kind::Range:
          for (uint32_t k = 0; k < n.count; ++k) {
            if (k > 0) x = mix(x, static_cast<uint64_t>(dag.bound(n, k - 1)));
            x = mix(x, h[dag.child(n, k)]);
          }
          break;
        case DagNode::Kind::Bin:
          for (uint32_t k = 0; k < n.count; ++k) {
            x = mix(mix(x, hs(dag.bin_rep(n, k))), h[dag.child(n, k)]);
          }
          break;
      }
      h[i] = x;
    }
    return h;
  }

  const CfInfo& cf(const CompiledCashFlow& c, int depth = 0) {
    auto it = cfs.find(&c);
    if (it != cfs.end()) return it->second;
    CfInfo info;
    uint64_t x = 0x51ed27;
    for (const CompiledPosting& p : c.postings) x = mix(x, posting(p).first);
    if (c.arms.rules.empty()) {
      x = mix(x, 1);
    } else if (c.arms.fallback || depth > kMaxNesting) {
      x = mix(x, reinterpret_cast<uintptr_t>(&c));  // unique: never pruned
    } else {
      info.node_hash = hash_dag(c.arms.dag, [&](int32_t o) -> uint64_t {
        return o < 0 ? 0x7777 : this->cf(c.bodies[static_cast<size_t>(o)], depth + 1).hash;
      });
      x = mix(x, info.node_hash[c.arms.dag.root()]);
    }
    info.hash = x;
    return cfs.emplace(&c, std::move(info)).first->second;
  }
};

void init_side(SideInfo& s, const CompiledDomain& d, int side) {
  s.d = &d;
  s.side = side;
  s.name_hash.resize(kAttrCount);
  for (int ai = 0; ai < kAttrCount; ++ai) {
    Attr a = static_cast<Attr>(ai);
    if (!is_categorical(a)) continue;
    for (int32_t id = 0; id < d.vocab.size(a); ++id) s.name_hash[idx(a)].push_back(hs(d.vocab.name(a, id)));
  }
}

// ---- the walks ------------------------------------------------------------------

class Walker {
 public:
  Walker(const CompiledDomain& a, const CompiledDomain& b, const ImpactOptions& opt, Cells& cells)
      : u_(std::make_shared<Universe>(a.vocab, b.vocab)), opt_(opt), cells_(cells) {
    init_side(s_[0], a, 0);
    init_side(s_[1], b, 1);
  }
  std::shared_ptr<const Universe> universe() const { return u_; }
  bool complete() const { return complete_; }
  std::vector<std::string>& notes() { return notes_; }

  void run() {
    const CompiledDomain& a = *s_[0].d;
    const CompiledDomain& b = *s_[1].d;
    common(dsl::ObjectKind::Tariff, [&](int32_t ta, int32_t tb, const std::string& name) { tariff(ta, tb, name); });
    common(dsl::ObjectKind::Provider, [&](int32_t pa, int32_t pb, const std::string& name) {
      const auto& fa = a.providers[static_cast<size_t>(pa)].fees;
      const auto& fb = b.providers[static_cast<size_t>(pb)].fees;
      fees_part(charged(), fa ? &*fa : nullptr, fb ? &*fb : nullptr, "provider " + name + " fees", "provider fee",
                "provider:" + name);
      const auto& ra = a.providers[static_cast<size_t>(pa)].refunds.fees;
      const auto& rb = b.providers[static_cast<size_t>(pb)].refunds.fees;
      fees_part(only(Attr::Operation, kOperationRefund), ra ? &*ra : nullptr, rb ? &*rb : nullptr,
                "provider " + name + " refund fees", "provider refund fee", "provider:" + name);
      const auto& ca = a.providers[static_cast<size_t>(pa)].chargebacks.fees;
      const auto& cb = b.providers[static_cast<size_t>(pb)].chargebacks.fees;
      fees_part(only(Attr::Operation, kOperationChargeback), ca ? &*ca : nullptr, cb ? &*cb : nullptr,
                "provider " + name + " chargeback fees", "provider chargeback fee", "provider:" + name);
      if (a.providers[static_cast<size_t>(pa)].chargebacks.allowed != b.providers[static_cast<size_t>(pb)].chargebacks.allowed)
        notes_.push_back("provider " + name + ": chargebacks " +
                         (b.providers[static_cast<size_t>(pb)].chargebacks.allowed ? "allowed" : "not allowed") +
                         " (were " + (a.providers[static_cast<size_t>(pa)].chargebacks.allowed ? "allowed" : "not allowed") + ")");
      refund_terms_note("provider " + name, a.providers[static_cast<size_t>(pa)].refunds,
                        b.providers[static_cast<size_t>(pb)].refunds);
      capture_terms_note("provider " + name, a.providers[static_cast<size_t>(pa)].captures,
                         b.providers[static_cast<size_t>(pb)].captures);
    });
    for (int32_t ta = 0; ta < a.vocab.object_count(dsl::ObjectKind::Terminal); ++ta) {  // routing notes the removed
      const std::string& name = a.vocab.object_name(dsl::ObjectKind::Terminal, ta);
      if (int32_t tb = b.vocab.object(dsl::ObjectKind::Terminal, name); tb >= 0) {
        refund_terms_note("terminal " + name, a.terminals[static_cast<size_t>(ta)].refunds,
                          b.terminals[static_cast<size_t>(tb)].refunds);
        capture_terms_note("terminal " + name, a.terminals[static_cast<size_t>(ta)].captures,
                           b.terminals[static_cast<size_t>(tb)].captures);
      }
    }
    common(dsl::ObjectKind::Routing, [&](int32_t ra, int32_t rb, const std::string& name) { routing(ra, rb, name); });
    common(dsl::ObjectKind::Limit, [&](int32_t la, int32_t lb, const std::string& name) { limit(la, lb, name); });
    binding();
  }

 private:
  // Capture terms decide captures by the hold's terminal and amount, which
  // no region names: a change is a note.
  void capture_terms_note(const std::string& who, const CompiledCaptureTerms& a, const CompiledCaptureTerms& b) {
    if (a.partial != b.partial)
      notes_.push_back(who + ": partial captures " + (b.partial ? "allowed" : "refused") + " (were " +
                       (a.partial ? "allowed" : "refused") + ")");
  }

  // A provider's or terminal's refund terms decide refunds' routes by the
  // payment's original terminal, which no region names: a change is a note.
  void refund_terms_note(const std::string& who, const CompiledRefundTerms& a, const CompiledRefundTerms& b) {
    auto text = [](const CompiledRefundTerms& r) {
      return std::string(r.allowed ? "allowed" : "not allowed") + (r.partial ? "" : ", in full only") +
             (r.within.empty() ? "" : ", within " + r.within);
    };
    if (text(a) != text(b)) notes_.push_back(who + ": refunds " + text(b) + " (were " + text(a) + ")");
  }

  // Calls fn for every object of `kind` both sides have; notes the others.
  template <class F>
  void common(dsl::ObjectKind kind, F&& fn) {
    const Vocab& va = s_[0].d->vocab;
    const Vocab& vb = s_[1].d->vocab;
    std::string word(dsl::to_string(kind));
    for (int32_t i = 0; i < va.object_count(kind); ++i) {
      const std::string& name = va.object_name(kind, i);
      int32_t j = vb.object(kind, name);
      if (j < 0) {
        notes_.push_back(word + " " + name + " removed");
        continue;
      }
      fn(i, j, name);
    }
    for (int32_t j = 0; j < vb.object_count(kind); ++j) {
      const std::string& name = vb.object_name(kind, j);
      if (va.object(kind, name) < 0) notes_.push_back(word + " " + name + " added");
    }
  }

  bool step(int depth) {
    if (++steps_ > opt_.max_steps || depth > kMaxWalkDepth) {
      complete_ = false;
      return false;
    }
    return true;
  }

  Region only(Attr a, int32_t side0_id) const {
    Region r;
    r.tested |= bit(a);
    r.sets[idx(a)] = {u_->from_side(0, a, side0_id)};
    return r;
  }

  // Payments and captures: the operations `fees` charge (a capture pays the
  // payment's fees on the amount it takes).
  Region charged() const {
    Region r = only(Attr::Operation, kOperationPayment);
    std::vector<int32_t>& ops = r.sets[idx(Attr::Operation)];
    ops.push_back(u_->from_side(0, Attr::Operation, kOperationCapture));
    std::sort(ops.begin(), ops.end());
    return r;
  }

  // Every cell of `r` with the outcome of side `side`'s selector there.
  template <class F>
  void walk(const Selector& s, int side, const Region& r, int depth, F&& fn) {
    if (s.fallback) {
      complete_ = false;
      note_once("a decision too large to compile into a DAG was not analysed");
      return;
    }
    walk_node(s.dag, s.dag.root(), side, r, depth, fn);
  }
  template <class F>
  void walk_node(const Dag& dag, uint32_t node, int side, const Region& r, int depth, F& fn) {
    if (!step(depth)) return;
    const DagNode& n = dag.node(node);
    if (n.kind == DagNode::Kind::Leaf) {
      fn(r, n.outcome, depth + 1);
      return;
    }
    split_node(dag, n, side, *u_, r, [&](uint32_t c, const Region& nr) { walk_node(dag, c, side, nr, depth + 1, fn); });
  }

  void note_once(const std::string& s) {
    if (std::find(notes_.begin(), notes_.end(), s) == notes_.end()) notes_.push_back(s);
  }

  // ---- terms ----

  Cond atom_in(Attr a, std::vector<int32_t> ids, bool negate = false) {
    Cond c;
    c.kind = Cond::Kind::Atom;
    c.atom.kind = Atom::Kind::InSet;
    c.atom.attr = a;
    c.atom.ids = std::move(ids);
    c.atom.negate = negate;
    return c;
  }

  // The terms as one condition: allowed exactly when it holds (a refund's
  // `partial false` needs the original payment, not a payment attribute).
  Selector terms_selector(const CompiledDomain& d, const CompiledTariff& t) {
    std::vector<Cond> all;
    if (!t.refunds_allowed) all.push_back(atom_in(Attr::Operation, {kOperationRefund}, true));
    if (!t.chargebacks.allowed) all.push_back(atom_in(Attr::Operation, {kOperationChargeback}, true));
    auto listed = [&](const std::optional<std::vector<uint8_t>>& allowed, Attr a) {
      if (!allowed) return;
      std::vector<int32_t> ids;
      for (size_t i = 0; i < allowed->size(); ++i) {
        if ((*allowed)[i]) ids.push_back(static_cast<int32_t>(i));
      }
      all.push_back(atom_in(a, ids));
    };
    listed(t.currencies, Attr::Currency);
    listed(t.categories, Attr::Category);
    if (t.methods) {
      std::vector<Cond> any;
      for (const PaymentMethodRule& m : *t.methods) {
        std::vector<Cond> both{atom_in(Attr::PaymentTool, {m.kind})};
        if (m.sub >= 0)
          both.push_back(atom_in(m.kind == kToolWallet ? Attr::WalletProvider : Attr::PaymentSystem, {m.sub}));
        any.push_back(cond_all(std::move(both)));
      }
      all.push_back(cond_any(std::move(any)));
    }
    for (const AmountBound& b : t.bounds) {
      Cond in;
      in.kind = Cond::Kind::Atom;
      in.atom.kind = Atom::Kind::InRanges;
      in.atom.attr = Attr::Amount;
      in.atom.currency = b.currency;
      in.atom.ranges = {{b.low, b.high + 1}};
      all.push_back(cond_any({atom_in(Attr::Currency, {b.currency}, true), std::move(in)}));
    }
    return compile_selector({cond_all(std::move(all))}, d.vocab);
  }

  void tariff(int32_t ta, int32_t tb, const std::string& name) {
    const CompiledTariff& a = s_[0].d->tariffs[static_cast<size_t>(ta)];
    const CompiledTariff& b = s_[1].d->tariffs[static_cast<size_t>(tb)];
    Selector terms[2] = {terms_selector(*s_[0].d, a), terms_selector(*s_[1].d, b)};
    const std::string object = "tariff:" + name;
    // Terms: allowed at one side only (nothing to walk when they are the same).
    if (cond_key(0, terms[0].rules[0], 0) != cond_key(1, terms[1].rules[0], 0))
      walk(terms[0], 0, Region{}, 0, [&](const Region& r, int32_t oa, int depth) {
        walk(terms[1], 1, r, depth, [&](const Region& r2, int32_t ob, int) {
          if ((oa == 0) == (ob == 0)) return;
          cells_.add({"tariff " + name + " terms", "terms", object, r2, oa == 0 ? "allowed" : "forbidden",
                      ob == 0 ? "allowed" : "forbidden", ""});
        });
      });
    if (a.refunds_allowed && b.refunds_allowed && a.refunds_within != b.refunds_within) {
      notes_.push_back("tariff " + name + ": refunds within " + (b.refunds_within.empty() ? "any time" : b.refunds_within) +
                       " (were " + (a.refunds_within.empty() ? "any time" : a.refunds_within) + ")");
    }
    if (a.refunds_allowed && b.refunds_allowed && a.refunds_partial != b.refunds_partial) {
      notes_.push_back("tariff " + name + ": partial refunds " + (b.refunds_partial ? "allowed" : "refused") +
                       " (were " + (a.refunds_partial ? "allowed" : "refused") + ")");
    }
    capture_terms_note("tariff " + name, a.captures, b.captures);
    const std::string ra = a.routing >= 0 ? s_[0].d->vocab.object_name(dsl::ObjectKind::Routing, a.routing) : "";
    const std::string rb = b.routing >= 0 ? s_[1].d->vocab.object_name(dsl::ObjectKind::Routing, b.routing) : "";
    if (ra != rb) {
      cells_.add({"tariff " + name + " routing", "route", object, only(Attr::Operation, kOperationPayment), ra.empty() ? "no routing" : "routing " + ra,
                  rb.empty() ? "no routing" : "routing " + rb, ""});
    }
    // Fees where both sides allow the payment.
    auto both_allowed = [&](const Region& r, auto&& fn) {
      walk(terms[0], 0, r, 0, [&](const Region& r1, int32_t oa, int depth) {
        if (oa != 0) return;
        walk(terms[1], 1, r1, depth, [&](const Region& r2, int32_t ob, int) {
          if (ob == 0) fn(r2);
        });
      });
    };
    // A decision the tariff inherits (after the change) is named with the tariff it is written in.
    auto from = [](const std::string& inherited) {
      return inherited.empty() ? std::string() : " (inherited from tariff " + inherited + ")";
    };
    const CompiledCashFlow* fa = a.fees ? &*a.fees : nullptr;
    const CompiledCashFlow* fb = b.fees ? &*b.fees : nullptr;
    if (!same_cf(fa, fb)) {
      const std::string part = "tariff " + name + " fees" + from(b.fees_from);
      both_allowed(charged(), [&](const Region& r) { fees_part(r, fa, fb, part, "fee", object); });
    }
    const CompiledCashFlow* rfa = a.refund_fees && a.refunds_allowed ? &*a.refund_fees : nullptr;
    const CompiledCashFlow* rfb = b.refund_fees && b.refunds_allowed ? &*b.refund_fees : nullptr;
    if (!same_cf(rfa, rfb)) {
      const std::string part = "tariff " + name + " refund fees" + from(b.refund_fees_from);
      both_allowed(only(Attr::Operation, kOperationRefund),
                   [&](const Region& r) { fees_part(r, rfa, rfb, part, "refund fee", object); });
    }
    // A chargeback's fees and reserve, where both sides take chargebacks.
    const CompiledChargebackTerms &ca = a.chargebacks, &cb = b.chargebacks;
    auto chargeback_part = [&](const std::optional<CompiledCashFlow>& x, const std::optional<CompiledCashFlow>& y,
                               const std::string& inherited, const char* what) {
      const CompiledCashFlow* xa = x && ca.allowed ? &*x : nullptr;
      const CompiledCashFlow* yb = y && cb.allowed ? &*y : nullptr;
      if (same_cf(xa, yb)) return;
      const std::string part = "tariff " + name + " chargeback " + what + from(inherited);
      both_allowed(only(Attr::Operation, kOperationChargeback),
                   [&](const Region& r) { fees_part(r, xa, yb, part, std::string("chargeback ") + what, object); });
    };
    chargeback_part(ca.fees, cb.fees, cb.fees_from, "fees");
    chargeback_part(ca.reserve, cb.reserve, cb.reserve_from, "reserve");
  }

  // ---- the tariff binding ----

  // The tariff side `side` binds a payment of institution `pi` (a side id, or
  // -1) to when the context names none: the binding's rule `rule`, else the
  // institution's default; "" for none.
  std::string bound_tariff(int side, int32_t rule, int32_t pi) const {
    const CompiledDomain& d = *s_[side].d;
    int32_t t = -1;
    if (d.binding && rule >= 0) t = d.binding->tariffs[static_cast<size_t>(rule)];
    if (t < 0 && pi >= 0) t = d.institutions[static_cast<size_t>(pi)].default_tariff;
    return t >= 0 ? d.vocab.object_name(dsl::ObjectKind::Tariff, t) : "";
  }

  // Payments whose context names no tariff get one from the binding (or
  // their institution's default): per institution both sides know, the cells
  // where the bound tariffs differ, and there the fees of the one against
  // the other (where both allow the payment).
  void binding() {
    const CompiledDomain& a = *s_[0].d;
    const CompiledDomain& b = *s_[1].d;
    if (!a.binding && !b.binding && a.institutions.empty() && b.institutions.empty()) return;
    const std::string name = b.binding ? b.binding->name : a.binding ? a.binding->name : "";
    const std::string part = name.empty() ? std::string("default tariffs") : "tariff_binding " + name;
    const std::string object = "tariff_binding:" + name;
    auto rules = [&](int side, const Region& r, int depth, auto&& fn) {
      const CompiledDomain& d = *s_[side].d;
      if (d.binding) {
        walk(d.binding->rules, side, r, depth, fn);
      } else {
        fn(r, kNoMatch, depth + 1);
      }
    };
    const Attr pa = Attr::PaymentInstitution;
    for (int32_t uid = 0; uid < u_->size(pa); ++uid) {
      if (!u_->both(pa, uid)) continue;
      Region r;
      r.tested |= bit(pa);
      r.sets[idx(pa)] = {uid};
      int32_t pi[2] = {u_->to_side(0, pa, uid), u_->to_side(1, pa, uid)};
      rules(0, r, 0, [&](const Region& r1, int32_t oa, int depth) {
        rules(1, r1, depth, [&](const Region& r2, int32_t ob, int) {
          std::string ta = bound_tariff(0, oa, pi[0]), tb = bound_tariff(1, ob, pi[1]);
          if (ta == tb) return;
          cells_.add({part, "tariff", object, r2, ta.empty() ? "no tariff" : "tariff " + ta,
                      tb.empty() ? "no tariff" : "tariff " + tb, ""});
          int32_t ia = a.vocab.object(dsl::ObjectKind::Tariff, ta), ib = b.vocab.object(dsl::ObjectKind::Tariff, tb);
          if (ia >= 0 && ib >= 0) bound_fees(r2, ia, ib, part + " fees (tariff " + ta + " -> " + tb + ")", object);
        });
      });
    }
  }

  // The payment fees of tariff `ia` (before) against tariff `ib` (after), where both allow the payment.
  void bound_fees(const Region& r, int32_t ia, int32_t ib, const std::string& part, const std::string& object) {
    const CompiledTariff& ta = s_[0].d->tariffs[static_cast<size_t>(ia)];
    const CompiledTariff& tb = s_[1].d->tariffs[static_cast<size_t>(ib)];
    Selector terms[2] = {terms_selector(*s_[0].d, ta), terms_selector(*s_[1].d, tb)};
    const CompiledCashFlow* fa = ta.fees ? &*ta.fees : nullptr;
    const CompiledCashFlow* fb = tb.fees ? &*tb.fees : nullptr;
    Region pay = r;
    Region op = charged();
    pay.tested |= op.tested;
    pay.sets[idx(Attr::Operation)] = op.sets[idx(Attr::Operation)];
    walk(terms[0], 0, pay, 0, [&](const Region& r1, int32_t oa, int depth) {
      if (oa != 0) return;
      walk(terms[1], 1, r1, depth, [&](const Region& r2, int32_t ob, int) {
        if (ob == 0) fees_part(r2, fa, fb, part, "fee", object);
      });
    });
  }

  // ---- cash flows ----

  struct Flow {
    std::vector<const CompiledPosting*> posted;
    std::vector<uint64_t> keys;
    const CompiledCashFlow* cf = nullptr;  // null: done
    uint32_t node = 0;
  };

  bool same_cf(const CompiledCashFlow* a, const CompiledCashFlow* b) {
    uint64_t ha = a ? s_[0].cf(*a).hash : 0, hb = b ? s_[1].cf(*b).hash : 0;
    return ha == hb;
  }

  void enter(int side, Flow& f, const CompiledCashFlow* cf) {
    f.cf = nullptr;
    if (!cf) return;
    for (const CompiledPosting& p : cf->postings) {
      f.posted.push_back(&p);
      f.keys.push_back(s_[side].posting(p).first);
    }
    if (cf->arms.rules.empty()) return;
    if (cf->arms.fallback) {
      complete_ = false;
      note_once("a decision too large to compile into a DAG was not analysed");
      return;
    }
    s_[side].cf(*cf);  // node hashes
    f.cf = cf;
    f.node = cf->arms.dag.root();
  }

  // Follows the DAG while the region decides the way; stops at a split.
  void advance(int side, Flow& f, const Region& r) {
    for (int guard = 0; f.cf && guard < kMaxNesting * (kAttrCount + 2); ++guard) {
      const Dag& dag = f.cf->arms.dag;
      const DagNode& n = dag.node(f.node);
      if (n.kind == DagNode::Kind::Leaf) {
        const CompiledCashFlow* body = n.outcome >= 0 ? &f.cf->bodies[static_cast<size_t>(n.outcome)] : nullptr;
        enter(side, f, body);
        continue;
      }
      uint32_t c = single_child(dag, n, side, *u_, r);
      if (c == UINT32_MAX) return;
      f.node = c;
    }
  }

  uint64_t flow_hash(int side, const Flow& f) { return f.cf ? s_[side].cfs.at(f.cf).node_hash[f.node] : 0x1234; }

  void fees_part(const Region& r, const CompiledCashFlow* a, const CompiledCashFlow* b, const std::string& part,
                 const std::string& kind, const std::string& object) {
    Flow fa, fb;
    enter(0, fa, a);
    enter(1, fb, b);
    co_walk(r, std::move(fa), std::move(fb), 0, part, kind, object);
  }

  void co_walk(const Region& r, Flow a, Flow b, int depth, const std::string& part, const std::string& kind,
               const std::string& object) {
    if (!step(depth)) return;
    advance(0, a, r);
    advance(1, b, r);
    if (a.keys == b.keys && flow_hash(0, a) == flow_hash(1, b)) return;  // the same from here on
    if (!a.cf && !b.cf) {
      std::string before, after;
      for (const CompiledPosting* p : a.posted) before += (before.empty() ? "" : "; ") + s_[0].posting(*p).second;
      for (const CompiledPosting* p : b.posted) after += (after.empty() ? "" : "; ") + s_[1].posting(*p).second;
      if (before.empty()) before = "no postings";
      if (after.empty()) after = "no postings";
      cells_.add({part, kind, object, r, before, after, share_delta(a, b)});
      return;
    }
    // Split the side whose attribute the region already constrains first: it
    // realigns two DAGs that test the same attributes.
    int side = 0;
    if (!a.cf) {
      side = 1;
    } else if (b.cf) {
      Attr xa = a.cf->arms.dag.node(a.node).attr, xb = b.cf->arms.dag.node(b.node).attr;
      if (r.has(xb) && !r.has(xa)) side = 1;
    }
    Flow& f = side == 0 ? a : b;
    const Dag& dag = f.cf->arms.dag;
    split_node(dag, dag.node(f.node), side, *u_, r, [&](uint32_t c, const Region& nr) {
      Flow na = a, nb = b;
      (side == 0 ? na : nb).node = c;
      co_walk(nr, std::move(na), std::move(nb), depth + 1, part, kind, object);
    });
  }

  // "+0.2% of amount" when the postings differ in one percentage only.
  std::string share_delta(const Flow& a, const Flow& b) {
    if (a.posted.size() != b.posted.size()) return "";
    const CompiledPosting* pa = nullptr;
    const CompiledPosting* pb = nullptr;
    for (size_t i = 0; i < a.posted.size(); ++i) {
      if (a.keys[i] == b.keys[i]) continue;
      if (pa) return "";
      pa = a.posted[i];
      pb = b.posted[i];
    }
    using K = dsl::Volume::Kind;
    auto pct = [](const CompiledVolume& v) {
      return v.kind == K::Percent || v.kind == K::Fraction || v.kind == K::WholeAmount;
    };
    if (!pa || pa->from != pb->from || pa->to != pb->to || !pct(pa->volume) || !pct(pb->volume)) return "";
    auto diff = add(pb->volume.share, Fraction{-pa->volume.share.num, pa->volume.share.den});
    if (!diff) return "";
    std::string t = percent_text(*diff);
    return (diff->num >= 0 ? "+" : "") + t;
  }

  // ---- routes ----

  struct CandidateSel {
    bool never = false;  // disabled terminal
    std::optional<Selector> when;
    std::string terminal;
    int64_t priority = 0, weight = 1;
  };

  const std::vector<CandidateSel>& candidates(int side, int32_t ri) {
    auto& cache = cand_cache_[side];
    auto it = cache.find(ri);
    if (it != cache.end()) return it->second;
    const CompiledDomain& d = *s_[side].d;
    const CompiledRouting& r = d.routings[static_cast<size_t>(ri)];
    std::vector<CandidateSel> out;
    for (const auto& c : r.candidates) {
      CandidateSel cs;
      const CompiledTerminal& t = d.terminals[static_cast<size_t>(c.terminal)];
      cs.terminal = t.name;
      cs.priority = c.priority;
      cs.weight = c.weight;
      cs.never = t.disabled;
      std::vector<Cond> all;
      if (c.when) all.push_back(c.when->rules[0]);
      if (t.accepts) all.push_back(t.accepts->rules[0]);
      if (t.provider >= 0 && d.providers[static_cast<size_t>(t.provider)].accepts) {
        all.push_back(d.providers[static_cast<size_t>(t.provider)].accepts->rules[0]);
      }
      if (t.risk_coverage >= 0) {
        std::vector<int32_t> ok;
        for (int32_t k = 0; k <= t.risk_coverage; ++k) ok.push_back(k);
        all.push_back(atom_in(Attr::Risk, ok));
      }
      if (!all.empty()) cs.when = compile_selector({cond_all(std::move(all))}, d.vocab);
      out.push_back(std::move(cs));
    }
    return cache.emplace(ri, std::move(out)).first->second;
  }

  // Calls fn(region, plan) for each cell of `r` by routing ri of side `side`.
  template <class F>
  void plan(int side, int32_t ri, const Region& r, int depth, int delegation, F& fn) {
    const CompiledDomain& d = *s_[side].d;
    const CompiledRouting& rt = d.routings[static_cast<size_t>(ri)];
    if (delegation > kMaxDelegation) return;
    auto after_guards = [&](const Region& r1, int32_t g, int dep) {
      if (g >= 0) {
        const CompiledRouting::Guard& gi = rt.guard_info[static_cast<size_t>(g)];
        if (gi.decline) {
          fn(r1, "declined: " + gi.reason, dep);
        } else {
          plan(side, gi.target, r1, dep, delegation + 1, fn);
        }
        return;
      }
      const auto& cs = candidates(side, ri);
      if (cs.size() > kMaxCandidates) {
        complete_ = false;
        note_once("routing " + rt.name + ": more than " + std::to_string(kMaxCandidates) + " candidates, not analysed");
        return;
      }
      eligible_walk(side, cs, 0, r1, dep, std::vector<uint32_t>(), fn);
    };
    if (rt.guards.rules.empty()) {
      after_guards(r, kNoMatch, depth);
    } else {
      walk(rt.guards, side, r, depth, after_guards);
    }
  }

  template <class F>
  void eligible_walk(int side, const std::vector<CandidateSel>& cs, size_t i, const Region& r, int depth,
                     const std::vector<uint32_t>& eligible, F& fn) {
    if (!step(depth)) return;
    if (i == cs.size()) {
      fn(r, route_text(cs, eligible), depth);
      return;
    }
    const CandidateSel& c = cs[i];
    auto with = [&](bool in) {
      std::vector<uint32_t> e = eligible;
      if (in) e.push_back(static_cast<uint32_t>(i));
      return e;
    };
    if (c.never) {
      eligible_walk(side, cs, i + 1, r, depth + 1, eligible, fn);
    } else if (!c.when) {
      eligible_walk(side, cs, i + 1, r, depth + 1, with(true), fn);
    } else {
      walk(*c.when, side, r, depth + 1,
           [&](const Region& nr, int32_t o, int dep) { eligible_walk(side, cs, i + 1, nr, dep, with(o == 0), fn); });
    }
  }

  // What the route answer is a function of (evaluate.cc: pick, preference_order),
  // and nothing else: the top-priority group in source order with its weights'
  // shares (proportional weights pick alike), then the other eligible
  // terminals in preference order. "yb_3ds 70%, yb_fast 30%; then bb_reserve".
  static std::string route_text(const std::vector<CandidateSel>& cs, const std::vector<uint32_t>& eligible) {
    if (eligible.empty()) return "no route";
    int64_t top = INT64_MIN, total = 0;
    for (uint32_t i : eligible) top = std::max(top, cs[i].priority);
    std::vector<uint32_t> group, rest;
    for (uint32_t i : eligible) (cs[i].priority == top ? group : rest).push_back(i);
    for (uint32_t i : group) total += cs[i].weight;
    std::string s;
    for (uint32_t i : group) {
      s += (s.empty() ? "" : ", ") + cs[i].terminal;
      if (group.size() > 1) s += " " + share_text(cs[i].weight, total);
    }
    std::stable_sort(rest.begin(), rest.end(), [&](uint32_t a, uint32_t b) {
      return cs[a].priority != cs[b].priority ? cs[a].priority > cs[b].priority : cs[a].weight > cs[b].weight;
    });
    // The top group's others follow the chosen one by weight: their order is in the shares.
    for (size_t k = 0; k < rest.size(); ++k) s += (k == 0 ? "; then " : ", ") + cs[rest[k]].terminal;
    return s;
  }

  // w/total as an exact percentage when it terminates ("70%"), else "1/3".
  static std::string share_text(int64_t w, int64_t total) {
    auto f = make_fraction(w, total);
    if (!f) return std::to_string(w) + "/" + std::to_string(total);
    std::string p = percent_text(*f);
    const std::string tail = " of amount";
    if (p.size() > tail.size() && p.compare(p.size() - tail.size(), tail.size(), tail) == 0)
      p.resize(p.size() - tail.size());
    return p;
  }

  void routing(int32_t ra, int32_t rb, const std::string& name) {
    const CompiledRouting& a = s_[0].d->routings[static_cast<size_t>(ra)];
    const CompiledRouting& b = s_[1].d->routings[static_cast<size_t>(rb)];
    if (excludes_key(0, a) != excludes_key(1, b)) {
      notes_.push_back("routing " + name +
                       ": its health excludes changed (payments with health samples may route differently)");
    }
    if (routing_key(0, ra, 0) == routing_key(1, rb, 0)) return;  // the same decisions: nothing to walk
    const std::string part = "routing " + name, object = "routing:" + name;
    auto fn_a = [&](const Region& r, const std::string& pa, int depth) {
      auto fn_b = [&](const Region& r2, const std::string& pb, int) {
        if (pa != pb) cells_.add({part, "route", object, r2, pa, pb, ""});
      };
      plan(1, rb, r, depth, 0, fn_b);
    };
    plan(0, ra, only(Attr::Operation, kOperationPayment), 0, 0, fn_a);  // a refund goes back its payment's way
  }

  // Everything a routing's answer depends on besides health, by name: equal
  // keys, equal routes for every payment.
  std::string routing_key(int side, int32_t ri, int depth) {
    const CompiledDomain& d = *s_[side].d;
    const CompiledRouting& r = d.routings[static_cast<size_t>(ri)];
    if (depth > kMaxDelegation) return "?";
    std::string k = "guards:";
    for (size_t g = 0; g < r.guards.rules.size(); ++g) {
      const CompiledRouting::Guard& gi = r.guard_info[g];
      k += cond_key(side, r.guards.rules[g], 0) +
           (gi.decline ? "=>decline:" + gi.reason : "=>use:" + routing_key(side, gi.target, depth + 1)) + ";";
    }
    k += "candidates:";
    auto accepts = [&](const std::optional<Selector>& sel) { return sel ? cond_key(side, sel->rules[0], 0) : "T"; };
    for (const auto& c : r.candidates) {
      const CompiledTerminal& t = d.terminals[static_cast<size_t>(c.terminal)];
      k += t.name + "/" + std::to_string(c.priority) + "/" + std::to_string(c.weight) + "/" +
           (t.disabled ? "off" : "on") + "/" + std::to_string(t.risk_coverage) + "/" + accepts(c.when) + "/" +
           accepts(t.accepts) + "/" +
           (t.provider >= 0 ? d.providers[static_cast<size_t>(t.provider)].name + ":" +
                                  accepts(d.providers[static_cast<size_t>(t.provider)].accepts)
                            : "-") +
           ";";
    }
    return k;
  }

  std::string excludes_key(int side, const CompiledRouting& r) {
    std::string k;
    for (const auto& e : r.excludes) k += cond_key(side, e.cond, 0) + ";";
    return k;
  }
  std::string cond_key(int side, const Cond& c, int depth) {
    if (depth > kMaxNesting) return "?";
    if (c.kind == Cond::Kind::True) return "T";
    if (c.kind != Cond::Kind::Atom) {
      std::string s = c.kind == Cond::Kind::And ? "&(" : c.kind == Cond::Kind::Or ? "|(" : "!(";
      for (const Cond& k : c.kids) s += cond_key(side, k, depth + 1) + ",";
      return s + ")";
    }
    const Atom& a = c.atom;
    std::string s = std::to_string(static_cast<int>(a.kind)) + ":" + std::to_string(static_cast<int>(a.attr)) +
                    (a.negate ? "!" : "") + ":" + std::to_string(static_cast<int>(a.op)) + ":" +
                    std::to_string(a.share.units) + "/" + std::to_string(a.share.scale);
    for (int32_t id : a.ids) s += std::string(s_[side].d->vocab.name(a.attr, id)) + ",";
    if (a.currency >= 0) s += "in " + s_[side].d->vocab.object_name(dsl::ObjectKind::Currency, a.currency) + ",";
    for (auto [x, y] : a.ranges) s += std::to_string(x) + ".." + std::to_string(y) + ",";
    for (const std::string& t : a.strings) s += t + ",";
    return s;
  }

  // ---- limits ----

  Selector applies_selector(const CompiledDomain& d, const CompiledLimit& l) {
    std::vector<Cond> all;
    if (!l.counts_refunds) all.push_back(atom_in(Attr::Operation, {kOperationPayment}));  // payments only
    if (l.when) all.push_back(l.when->rules[0]);
    if (!l.is_count) all.push_back(atom_in(Attr::Currency, {l.currency}));
    return compile_selector({cond_all(std::move(all))}, d.vocab);
  }

  std::string limit_key(const CompiledDomain& d, const CompiledLimit& l) {
    std::string s = "applies: ";
    if (l.is_count) {
      s += std::string("count ") + (l.inclusive ? "<= " : "< ") + std::to_string(l.bound);
    } else {
      s += std::string("amount ") + (l.inclusive ? "<= " : "< ") +
           format_sum(l.bound, d.exponents[static_cast<size_t>(l.currency)]) + " " +
           d.vocab.object_name(dsl::ObjectKind::Currency, l.currency);
    }
    s += " per " + std::string(dsl::limit_periods()[static_cast<size_t>(l.period)]) + " (" + l.timezone + ") by [";
    for (size_t i = 0; i < l.scopes.size(); ++i) {
      s += (i ? ", " : "") + std::string(dsl::limit_scopes()[static_cast<size_t>(l.scopes[i])]);
    }
    return s + "]";
  }

  void limit(int32_t la, int32_t lb, const std::string& name) {
    const CompiledLimit& a = s_[0].d->limits[static_cast<size_t>(la)];
    const CompiledLimit& b = s_[1].d->limits[static_cast<size_t>(lb)];
    Selector sa = applies_selector(*s_[0].d, a), sb = applies_selector(*s_[1].d, b);
    std::string ka = limit_key(*s_[0].d, a), kb = limit_key(*s_[1].d, b);
    if (ka == kb && cond_key(0, sa.rules[0], 0) == cond_key(1, sb.rules[0], 0)) return;  // the same limit
    walk(sa, 0, Region{}, 0, [&](const Region& r, int32_t oa, int depth) {
      walk(sb, 1, r, depth, [&](const Region& r2, int32_t ob, int) {
        std::string pa = oa == 0 ? ka : "does not apply", pb = ob == 0 ? kb : "does not apply";
        if (pa != pb) cells_.add({"limit " + name, "limit", "limit:" + name, r2, pa, pb, ""});
      });
    });
  }

  std::shared_ptr<Universe> u_;
  ImpactOptions opt_;
  Cells& cells_;
  SideInfo s_[2];
  std::map<int32_t, std::vector<CandidateSel>> cand_cache_[2];
  size_t steps_ = 0;
  bool complete_ = true;
  std::vector<std::string> notes_;
};

}  // namespace

SymbolicImpact symbolic_impact(const CompiledDomain& before, const CompiledDomain& after,
                               const ImpactOptions& options) {
  Cells cells;
  Walker w(before, after, options, cells);
  w.run();
  SymbolicImpact out;
  out.universe = w.universe();
  out.complete = w.complete();
  out.notes = std::move(w.notes());
  finish_regions(before, after, *out.universe, options, cells, out);
  return out;
}

}  // namespace paydomain::evaluator
