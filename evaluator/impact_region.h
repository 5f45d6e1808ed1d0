// Regions of the payment space shared by two compiled revisions: a box with
// one constraint per condition attribute (a set of values, an interval, BIN
// prefixes). The two revisions intern names differently (object order, the
// party/shop strings their conditions mention), so categorical values are
// numbered in a Universe of names both sides map into.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "evaluator/compiled.h"
#include "evaluator/context.h"
#include "evaluator/dag.h"
#include "evaluator/money.h"  // format_sum, int128_text

namespace paydomain::evaluator {

// The categorical values of two revisions by name. A value only one side
// knows stays in the universe; splits on that side never select it.
class Universe {
 public:
  Universe(const Vocab& before, const Vocab& after);
  int32_t size(Attr a) const { return static_cast<int32_t>(names_[idx(a)].size()); }
  const std::string& name(Attr a, int32_t u) const { return names_[idx(a)][static_cast<size_t>(u)]; }
  // Universe id of a side's id, and back (-1 when that side lacks the value).
  int32_t from_side(int side, Attr a, int32_t id) const { return to_u_[side][idx(a)][static_cast<size_t>(id)]; }
  int32_t to_side(int side, Attr a, int32_t u) const { return from_u_[side][idx(a)][static_cast<size_t>(u)]; }
  bool both(Attr a, int32_t u) const { return to_side(0, a, u) >= 0 && to_side(1, a, u) >= 0; }

 private:
  std::array<std::vector<std::string>, kAttrCount> names_;
  std::array<std::array<std::vector<int32_t>, kAttrCount>, 2> to_u_, from_u_;
};

// BIN strings starting with `prefix`, at least `min_len` digits, and with
// none of `excluded` as a prefix; or exactly `exact`.
struct BinConstraint {
  bool is_exact = false;
  std::string exact;
  std::string prefix;
  size_t min_len = 1;
  std::vector<std::string> excluded;
};

struct Region {
  uint32_t tested = 0;                                // bit(attr): constrained (possibly still to every value)
  std::array<std::vector<int32_t>, kAttrCount> sets;  // categorical: sorted universe ids
  std::array<std::pair<int64_t, int64_t>, kAttrCount> ranges{};  // ordered: [lo, hi)
  BinConstraint bin;

  bool has(Attr a) const { return (tested & bit(a)) != 0; }
};

// The whole space: every attribute unconstrained.
Region whole_region(const Universe& u);

// A BIN satisfying `c` (6 digits when it can), or "" when none exists.
std::string example_bin(const BinConstraint& c);
// `c` narrowed by `d`; false when nothing is left.
bool intersect_bin(BinConstraint& c, const BinConstraint& d);
bool bin_matches(const BinConstraint& c, const std::string& bin);

// Whether a payment falls in the region: `f` holds universe ids for the
// categorical attributes (a side's ids lose the values only the other side
// names: they are that side's "other").
bool region_contains(const Region& r, const Facts& f);

// Splits `r` by one DAG node of side `side`: fn(child node, narrowed region)
// for every child some payment in `r` reaches (children sharing a node once).
template <class F>
void split_node(const Dag& dag, const DagNode& n, int side, const Universe& u, const Region& r, F&& fn);

// The child of `n` every payment of `r` reaches, or UINT32_MAX when they differ.
uint32_t single_child(const Dag& dag, const DagNode& n, int side, const Universe& u, const Region& r);

// "payment_system mastercard, currency RUB, amount ≥ 1,000.00 RUB" (the
// tested attributes only; "every payment" when none). Amounts formatted with
// the exponent of the region's currency (`exponents` by universe currency id).
std::string describe_region(const Region& r, const Universe& u, const std::vector<int32_t>& exponents);


// ---- implementation of the template ----------------------------------------

bool bin_class(const Dag& dag, const DagNode& n, uint32_t k, BinConstraint& out);

template <class F>
void split_node(const Dag& dag, const DagNode& n, int side, const Universe& u, const Region& r, F&& fn) {
  const Attr a = n.attr;
  switch (n.kind) {
    case DagNode::Kind::Switch: {
      // Group the region's values by the child they lead to.
      std::vector<std::pair<uint32_t, int32_t>> by_child;  // (child, universe id)
      auto visit = [&](int32_t uid) {
        int32_t id = u.to_side(side, a, uid);
        if (id < 0 || static_cast<uint32_t>(id) >= n.count) return;
        by_child.emplace_back(dag.child(n, static_cast<uint32_t>(id)), uid);
      };
      if (r.has(a)) {
        for (int32_t uid : r.sets[idx(a)]) visit(uid);
      } else {
        for (int32_t uid = 0; uid < u.size(a); ++uid) visit(uid);
      }
      std::stable_sort(by_child.begin(), by_child.end(),
                       [](const auto& x, const auto& y) { return x.first < y.first; });
      for (size_t i = 0; i < by_child.size();) {
        size_t j = i;
        Region nr = r;
        nr.tested |= bit(a);
        nr.sets[idx(a)].clear();
        while (j < by_child.size() && by_child[j].first == by_child[i].first)
          nr.sets[idx(a)].push_back(by_child[j++].second);
        std::sort(nr.sets[idx(a)].begin(), nr.sets[idx(a)].end());
        fn(by_child[i].first, nr);
        i = j;
      }
      return;
    }
    case DagNode::Kind::Range: {
      auto [lo, hi] = r.has(a) ? r.ranges[idx(a)] : ordered_domain(a);
      for (uint32_t k = 0; k < n.count; ++k) {
        int64_t clo = k == 0 ? ordered_domain(a).first : dag.bound(n, k - 1);
        int64_t chi = k + 1 == n.count ? ordered_domain(a).second : dag.bound(n, k);
        int64_t x = std::max(lo, clo), y = std::min(hi, chi);
        if (x >= y) continue;
        Region nr = r;
        nr.tested |= bit(a);
        nr.ranges[idx(a)] = {x, y};
        fn(dag.child(n, k), nr);
      }
      return;
    }
    case DagNode::Kind::Bin: {
      for (uint32_t k = 0; k < n.count; ++k) {
        BinConstraint c;
        if (!bin_class(dag, n, k, c)) continue;
        Region nr = r;
        if (!intersect_bin(nr.bin, c)) continue;
        nr.tested |= bit(Attr::Bin);
        fn(dag.child(n, k), nr);
      }
      return;
    }
    case DagNode::Kind::Leaf: return;
  }
}

}  // namespace paydomain::evaluator
