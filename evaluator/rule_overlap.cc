#include "evaluator/rule_overlap.h"

#include <algorithm>

#include "evaluator/vocab.h"

namespace paydomain::evaluator {
namespace {

using Constraint = RuleOverlap::Constraint;

void allow(Constraint& out, Attr a, std::vector<uint64_t> set) {
  auto& cur = out.ids[idx(a)];
  if (cur.empty()) {
    cur = std::move(set);
  } else {
    for (size_t w = 0; w < cur.size(); ++w) cur[w] &= set[w];
  }
  out.never = out.never || std::all_of(cur.begin(), cur.end(), [](uint64_t w) { return w == 0; });
}

void constrain(const Cond& c, const Vocab& vocab, Constraint& out) {
  if (c.kind == Cond::Kind::And) {
    for (const Cond& k : c.kids) constrain(k, vocab, out);
    return;
  }
  if (c.kind != Cond::Kind::Atom) return;
  const Atom& a = c.atom;
  auto set_of = [&](Attr attr, const std::vector<int32_t>& listed, bool complement) {
    size_t n = static_cast<size_t>(std::max(vocab.size(attr), 0));
    std::vector<uint64_t> s((n + 63) / 64 + 1, complement ? ~uint64_t{0} : 0);
    for (int32_t id : listed) {
      if (id < 0 || static_cast<size_t>(id) >= n) continue;
      uint64_t m = uint64_t{1} << (static_cast<size_t>(id) % 64);
      if (complement)
        s[static_cast<size_t>(id) / 64] &= ~m;
      else
        s[static_cast<size_t>(id) / 64] |= m;
    }
    // Bits past the vocabulary are no value at all.
    for (size_t b = n; b < s.size() * 64; ++b) s[b / 64] &= ~(uint64_t{1} << (b % 64));
    allow(out, attr, std::move(s));
  };
  if (a.kind == Atom::Kind::InSet && is_categorical(a.attr)) {
    set_of(a.attr, a.ids, a.negate);
  } else if (a.kind == Atom::Kind::InRanges && !a.negate && !a.ranges.empty()) {
    int64_t lo = a.ranges.front().first, hi = a.ranges.front().second;
    for (const auto& [x, y] : a.ranges) {
      lo = std::min(lo, x);
      hi = std::max(hi, y);
    }
    // An amount literal speaks of its own currency: in another the atom is false.
    if (a.attr == Attr::Amount) set_of(Attr::Currency, {a.currency}, false);
    out.hulls.push_back({static_cast<int64_t>(a.attr), a.attr == Attr::Amount ? a.currency : -1, lo, hi});
  }
}

bool disjoint(const Constraint& x, const Constraint& y) {
  if (x.never || y.never) return true;
  for (size_t a = 0; a < x.ids.size(); ++a) {
    const auto &p = x.ids[a], &q = y.ids[a];
    if (p.empty() || q.empty()) continue;
    bool any = false;
    for (size_t w = 0; w < p.size() && !any; ++w) any = (p[w] & q[w]) != 0;
    if (!any) return true;
  }
  for (const auto& h : x.hulls) {
    for (const auto& g : y.hulls) {
      if (h[0] == g[0] && h[1] == g[1] && (h[3] <= g[2] || g[3] <= h[2])) return true;
    }
  }
  return false;
}

bool has(const std::vector<uint64_t>& set, size_t id) { return (set[id / 64] >> (id % 64)) & 1; }

}  // namespace

RuleOverlap::RuleOverlap(const std::vector<Cond>& rules, const Vocab& vocab) : rules_(rules.size()) {
  for (size_t i = 0; i < rules.size(); ++i) constrain(rules[i], vocab, rules_[i]);
  for (size_t a = 0; a < allowing_.size(); ++a) {
    if (!is_categorical(static_cast<Attr>(a))) continue;
    auto& by_id = allowing_[a];
    by_id.assign(static_cast<size_t>(std::max(vocab.size(static_cast<Attr>(a)), 0)), {});
    for (size_t i = 0; i < rules_.size(); ++i) {
      const auto& set = rules_[i].ids[a];
      if (set.empty()) {
        unconstrained_[a].push_back(static_cast<uint32_t>(i));
        continue;
      }
      for (size_t id = 0; id < by_id.size(); ++id) {
        if (has(set, id)) by_id[id].push_back(static_cast<uint32_t>(i));
      }
    }
  }
}

std::vector<size_t> RuleOverlap::before(size_t i) const {
  const Constraint& c = rules_[i];
  auto below = [&](const std::vector<uint32_t>& v) {
    return static_cast<size_t>(std::lower_bound(v.begin(), v.end(), static_cast<uint32_t>(i)) - v.begin());
  };
  // The attribute whose index yields the fewest candidates.
  size_t best = SIZE_MAX, best_count = i;
  for (size_t a = 0; a < c.ids.size(); ++a) {
    if (c.ids[a].empty() || allowing_[a].empty()) continue;
    size_t count = below(unconstrained_[a]);
    for (size_t id = 0; id < allowing_[a].size() && count < best_count; ++id) {
      if (has(c.ids[a], id)) count += below(allowing_[a][id]);
    }
    if (count < best_count) {
      best = a;
      best_count = count;
    }
  }
  std::vector<size_t> candidates;
  if (best == SIZE_MAX) {
    for (size_t j = 0; j < i; ++j) candidates.push_back(j);
  } else {
    const auto& u = unconstrained_[best];
    candidates.insert(candidates.end(), u.begin(), u.begin() + static_cast<std::ptrdiff_t>(below(u)));
    for (size_t id = 0; id < allowing_[best].size(); ++id) {
      if (!has(c.ids[best], id)) continue;
      const auto& v = allowing_[best][id];
      candidates.insert(candidates.end(), v.begin(), v.begin() + static_cast<std::ptrdiff_t>(below(v)));
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  }
  std::vector<size_t> out;
  for (size_t j : candidates) {
    if (!disjoint(c, rules_[j])) out.push_back(j);
  }
  return out;
}

}  // namespace paydomain::evaluator
