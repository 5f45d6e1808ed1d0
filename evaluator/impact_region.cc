#include "evaluator/impact_region.h"

#include <algorithm>

#include "evaluator/money.h"
#include "evaluator/time.h"
#include "evaluator/vocab.h"

namespace paydomain::evaluator {

Universe::Universe(const Vocab& before, const Vocab& after) {
  const Vocab* sides[2] = {&before, &after};
  for (int ai = 0; ai < kAttrCount; ++ai) {
    Attr a = static_cast<Attr>(ai);
    if (!is_categorical(a)) continue;
    std::vector<std::string>& names = names_[idx(a)];
    for (int s = 0; s < 2; ++s) {
      int32_t n = sides[s]->size(a);
      to_u_[s][idx(a)].assign(static_cast<size_t>(n), -1);
      for (int32_t id = 0; id < n; ++id) {
        std::string name(sides[s]->name(a, id));
        auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) it = names.insert(names.end(), name);
        to_u_[s][idx(a)][static_cast<size_t>(id)] = static_cast<int32_t>(it - names.begin());
      }
    }
    for (int s = 0; s < 2; ++s) {
      // A text value (party, shop) that side's conditions never mention is its "other".
      int32_t other = sides[s]->has_other(a) ? sides[s]->size(a) - 1 : -1;
      from_u_[s][idx(a)].assign(names.size(), other);
      for (size_t id = 0; id < to_u_[s][idx(a)].size(); ++id) {
        from_u_[s][idx(a)][static_cast<size_t>(to_u_[s][idx(a)][id])] = static_cast<int32_t>(id);
      }
    }
  }
}

Region whole_region(const Universe&) { return Region{}; }

namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

// Depth-first over digits, at most `budget` steps: BINs are at most 19 digits.
bool find_bin(const BinConstraint& c, std::string& s, size_t want, int& budget) {
  if (--budget < 0) return false;
  for (const std::string& x : c.excluded) {
    if (starts_with(s, x)) return false;
  }
  bool blocked = false;  // an excluded string extends s: s itself is fine, longer ones may not be
  for (const std::string& x : c.excluded) blocked = blocked || (x.size() > s.size() && starts_with(x, s));
  if (s.size() >= want) return true;
  if (s.size() >= c.min_len && s.size() >= 19) return true;
  if (s.size() >= 19) return false;
  for (char d = '0'; d <= '9'; ++d) {
    s.push_back(d);
    if (find_bin(c, s, want, budget)) return true;
    s.pop_back();
    if (!blocked) break;  // nothing excluded below s: one digit is as good as any other
  }
  return s.size() >= c.min_len && !s.empty();
}

}  // namespace

bool bin_matches(const BinConstraint& c, const std::string& bin) {
  if (c.is_exact) return bin == c.exact;
  if (!starts_with(bin, c.prefix) || bin.size() < c.min_len) return false;
  for (const std::string& x : c.excluded) {
    if (starts_with(bin, x)) return false;
  }
  return true;
}

std::string example_bin(const BinConstraint& c) {
  if (c.is_exact) return bin_matches(c, c.exact) ? c.exact : "";
  std::string s = c.prefix;
  int budget = 20000;
  size_t want = std::max<size_t>(c.min_len, 6);
  if (find_bin(c, s, want, budget) && bin_matches(c, s)) return s;
  s = c.prefix;
  budget = 20000;
  if (find_bin(c, s, c.min_len, budget) && bin_matches(c, s)) return s;
  return "";
}

bool intersect_bin(BinConstraint& c, const BinConstraint& d) {
  if (d.is_exact || c.is_exact) {
    std::string e = d.is_exact ? d.exact : c.exact;
    if (!bin_matches(c, e) || !bin_matches(d, e)) return false;
    c = BinConstraint{true, e, {}, 1, {}};
    return true;
  }
  if (starts_with(d.prefix, c.prefix)) {
    c.prefix = d.prefix;
  } else if (!starts_with(c.prefix, d.prefix)) {
    return false;
  }
  c.min_len = std::max(c.min_len, d.min_len);
  for (const std::string& x : d.excluded) {
    if (std::find(c.excluded.begin(), c.excluded.end(), x) == c.excluded.end()) c.excluded.push_back(x);
  }
  return !example_bin(c).empty();
}

bool bin_class(const Dag& dag, const DagNode& n, uint32_t k, BinConstraint& out) {
  if (k > 0 && dag.bin_rep(n, k).empty()) return false;  // no BIN falls in this class
  std::vector<std::string> listed;
  for (uint32_t i = 1; i < n.count; i += 2) listed.push_back(dag.bin_rep(n, i));
  out = BinConstraint{};
  if (k == 0) {
    out.excluded = listed;
  } else if (k % 2 == 1) {
    out.is_exact = true;
    out.exact = listed[(k - 1) / 2];
  } else {
    const std::string& s = listed[(k - 2) / 2];
    out.prefix = s;
    out.min_len = s.size() + 1;
    for (const std::string& x : listed) {
      if (x.size() > s.size() && starts_with(x, s)) out.excluded.push_back(x);
    }
  }
  return true;
}

uint32_t single_child(const Dag& dag, const DagNode& n, int side, const Universe& u, const Region& r) {
  if (!r.has(n.attr)) return UINT32_MAX;
  uint32_t only = UINT32_MAX;
  bool many = false;
  split_node(dag, n, side, u, r, [&](uint32_t c, const Region&) {
    if (only == UINT32_MAX) {
      only = c;
    } else if (c != only) {
      many = true;
    }
  });
  return many ? UINT32_MAX : only;
}

bool region_contains(const Region& r, const Facts& f) {
  for (int ai = 0; ai < kAttrCount; ++ai) {
    Attr a = static_cast<Attr>(ai);
    if (!r.has(a)) continue;
    if (!f.has(a)) return false;
    if (a == Attr::Bin) {
      if (!bin_matches(r.bin, f.bin)) return false;
    } else if (is_categorical(a)) {
      if (!std::binary_search(r.sets[idx(a)].begin(), r.sets[idx(a)].end(), static_cast<int32_t>(f.get(a))))
        return false;
    } else if (f.get(a) < r.ranges[idx(a)].first || f.get(a) >= r.ranges[idx(a)].second) {
      return false;
    }
  }
  return true;
}

namespace {

std::string hhmm(int64_t m) {
  auto two = [](int64_t v) { return std::string(v < 10 ? "0" : "") + std::to_string(v); };
  return two(m / 60) + ":" + two(m % 60);
}

std::string join_names(const Region& r, const Universe& u, Attr a, const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) {
    std::string n = u.name(a, id);
    if (a == Attr::Party || a == Attr::Shop) n = n == "(other)" ? "any other" : "\"" + n + "\"";
    s += (s.empty() ? "" : ", ") + n;
  }
  (void)r;
  return s;
}

}  // namespace

std::string describe_region(const Region& r, const Universe& u, const std::vector<int32_t>& exponents) {
  std::vector<std::string> parts;
  std::string cur;  // the currency code when the region has one currency
  int exponent = -1;
  if (r.has(Attr::Currency) && r.sets[idx(Attr::Currency)].size() == 1) {
    int32_t c = r.sets[idx(Attr::Currency)][0];
    cur = u.name(Attr::Currency, c);
    exponent = exponents[static_cast<size_t>(c)];
  }
  for (int ai = 0; ai < kAttrCount; ++ai) {
    Attr a = static_cast<Attr>(ai);
    if (!r.has(a)) continue;
    // The instant (a zoned weekday/time's offset): "payment time ≥ 2027-03-28T01:00:00Z".
    std::string name(a == Attr::Instant ? "payment time" : dsl::attributes()[idx(a)].name);
    if (a == Attr::Bin) {
      const BinConstraint& b = r.bin;
      if (b.is_exact) {
        parts.push_back("bin \"" + b.exact + "\"");
        continue;
      }
      std::string s;
      if (!b.prefix.empty())
        s = "bin starts with \"" + b.prefix + "\"" + (b.min_len > b.prefix.size() ? " (longer)" : "");
      if (!b.excluded.empty()) {
        std::string ex;
        for (const std::string& x : b.excluded) ex += (ex.empty() ? "\"" : ", \"") + x + "\"";
        s += (s.empty() ? "bin" : " and") + std::string(" not starting with ") + ex;
      }
      if (!s.empty()) parts.push_back(s);
      continue;
    }
    if (is_categorical(a)) {
      const std::vector<int32_t>& in = r.sets[idx(a)];
      int32_t all = 0;
      std::vector<int32_t> out;
      for (int32_t uid = 0; uid < u.size(a); ++uid) {
        if (!u.both(a, uid)) continue;
        ++all;
        if (!std::binary_search(in.begin(), in.end(), uid)) out.push_back(uid);
      }
      if (out.empty()) continue;  // every value
      if (in.size() == 1) {
        parts.push_back(name + " " + join_names(r, u, a, in));
      } else if (out.size() < in.size()) {
        parts.push_back(name + " not in [" + join_names(r, u, a, out) + "]");
      } else {
        parts.push_back(name + " in [" + join_names(r, u, a, in) + "]");
      }
      continue;
    }
    auto [lo, hi] = r.ranges[idx(a)];
    auto [dlo, dhi] = ordered_domain(a);
    if (lo <= dlo && hi >= dhi) continue;
    auto fmt = [&](int64_t v) {
      if (a == Attr::TimeOfDay) return hhmm(v);
      if (a == Attr::Instant) return format_time(v, 0);
      if (a == Attr::Amount)
        return exponent >= 0 ? format_sum(v, exponent) + " " + cur : std::to_string(v) + " minor units";
      return std::to_string(v);
    };
    // Whole minor units and minutes: the last value in is hi - 1.
    if (hi == lo + 1) {
      parts.push_back(name + " " + fmt(lo));
    } else if (lo <= dlo) {
      parts.push_back(name + " \u2264 " + fmt(hi - 1));
    } else if (hi >= dhi) {
      parts.push_back(name + " \u2265 " + fmt(lo));
    } else {
      parts.push_back(fmt(lo) + " \u2264 " + name + " \u2264 " + fmt(hi - 1));
    }
  }
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : ", ") + p;
  return s.empty() ? "every payment" : s;
}

}  // namespace paydomain::evaluator
