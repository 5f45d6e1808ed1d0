#include "evaluator/dag.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "evaluator/vocab.h"

namespace paydomain::evaluator {

// ---- evaluation ------------------------------------------------------------

int32_t Dag::decide(const Facts& f) const { return dag_decide(view(), f); }

void Dag::explore(const Facts& f, std::vector<int32_t>& outcomes, uint32_t& missing) const {
  if (nodes_.empty()) return;
  dag_explore(view(), f, outcomes, missing);
}

bool Dag::example_from(uint32_t i, int32_t outcome, std::vector<ExampleStep>& path, std::vector<uint8_t>& dead) const {
  if (dead[i]) return false;
  const DagNode& n = nodes_[i];
  if (n.kind == DagNode::Kind::Leaf) {
    if (n.outcome == outcome) return true;
    dead[i] = 1;
    return false;
  }
  for (uint32_t k = 0; k < n.count; ++k) {
    uint32_t child = edges_[n.edges + k];
    ExampleStep step{n.attr, 0, {}};
    if (n.kind == DagNode::Kind::Switch) step.value = k;
    if (n.kind == DagNode::Kind::Range) step.value = k == 0 ? ordered_domain(n.attr).first : bounds_[n.aux + k - 1];
    if (n.kind == DagNode::Kind::Bin) step.text = reps_[n.edges + k];
    if (n.kind == DagNode::Kind::Bin && step.text.empty() && k > 0) continue;  // an empty class
    path.push_back(step);
    if (example_from(child, outcome, path, dead)) return true;
    path.pop_back();
  }
  dead[i] = 1;
  return false;
}

bool Dag::example(int32_t outcome, std::vector<ExampleStep>& path) const {
  if (nodes_.empty()) return false;
  std::vector<uint8_t> dead(nodes_.size(), 0);
  path.clear();
  return example_from(root_, outcome, path, dead);
}

// Lays the nodes out flat (dag.h DagView): parents before children. The
// builder pushes a node after its children, so decreasing index order is such
// an order; only nodes reachable from the root are kept. False when the
// offsets would not fit below kDagLeaf.
bool Dag::flatten() {
  std::vector<uint8_t> reach(nodes_.size(), 0);
  std::vector<uint32_t> offset(nodes_.size(), 0);
  reach[root_] = 1;
  uint64_t size = 0;
  for (size_t i = nodes_.size(); i-- > 0;) {
    const DagNode& n = nodes_[i];
    if (!reach[i] || n.kind == DagNode::Kind::Leaf) continue;
    offset[i] = static_cast<uint32_t>(size);
    size += dag_node_words(n.kind, n.count);
    if (size >= kDagLeaf) return false;
    for (uint32_t k = 0; k < n.count; ++k) reach[edges_[n.edges + k]] = 1;
  }
  auto word = [&](uint32_t c) { return nodes_[c].kind == DagNode::Kind::Leaf ? dag_leaf(nodes_[c].outcome) : offset[c]; };
  words_.clear();
  words_.reserve(size);
  for (size_t i = nodes_.size(); i-- > 0;) {
    const DagNode& n = nodes_[i];
    if (!reach[i] || n.kind == DagNode::Kind::Leaf) continue;
    words_.push_back(static_cast<uint32_t>(n.kind) | static_cast<uint32_t>(n.attr) << 8);
    words_.push_back(n.count);
    for (uint32_t k = 0; k < n.count; ++k) words_.push_back(word(edges_[n.edges + k]));
    if (n.kind == DagNode::Kind::Range) {
      for (uint32_t k = 0; k + 1 < n.count; ++k) {
        uint32_t two[2];
        std::memcpy(two, &bounds_[n.aux + k], sizeof two);
        words_.insert(words_.end(), two, two + 2);
      }
    }
    if (n.kind == DagNode::Kind::Bin) words_.push_back(n.aux);
  }
  word_root_ = word(root_);
  return true;
}

size_t Dag::bytes() const {
  size_t b = sizeof(Dag) + nodes_.size() * sizeof(DagNode) + edges_.size() * sizeof(uint32_t) +
             bounds_.size() * sizeof(int64_t) + trie_.size() * sizeof(TrieNode) + words_.size() * sizeof(uint32_t);
  for (const auto& s : reps_) b += sizeof(std::string) + (s.size() > 15 ? s.size() : 0);
  return b;
}

uint32_t Dag::depth() const {
  if (nodes_.empty()) return 0;
  std::vector<uint32_t> d(nodes_.size(), UINT32_MAX);
  // Children are always created before parents, so one pass in index order works.
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const DagNode& n = nodes_[i];
    uint32_t best = 0;
    for (uint32_t k = 0; k < n.count; ++k) best = std::max(best, d[edges_[n.edges + k]] + 1);
    d[i] = n.kind == DagNode::Kind::Leaf ? 0 : best;
  }
  return d[root_];
}

// ---- construction ----------------------------------------------------------

class DagBuilder {
 public:
  DagBuilder(const std::vector<Cond>& rules, const Vocab& vocab, const DagBudget& budget, Dag& dag)
      : rules_(rules), vocab_(vocab), budget_(budget), dag_(dag) {}

  bool run() {
    std::vector<int32_t> all(rules_.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int32_t>(i);
    dag_.root_ = build(all);
    return !over_ && dag_.flatten();
  }

 private:
  // Simplifies the rule list under the current assignment, then either
  // returns a leaf or splits on the first undecided attribute of the first
  // live rule. Residual problems are memoised by the atoms' truth values.
  uint32_t build(const std::vector<int32_t>& in) {
    if (over_) return 0;
    std::string key;
    int64_t cur = facts_.has(Attr::Currency) ? facts_.get(Attr::Currency) : -1;
    key.append(reinterpret_cast<const char*>(&cur), sizeof cur);
    std::vector<int32_t> alive;
    Tri first = Tri::False;
    for (int32_t r : in) {
      size_t mark = key.size();
      key.append(reinterpret_cast<const char*>(&r), sizeof r);
      Tri t = eval_traced(rules_[static_cast<size_t>(r)], facts_, key);
      steps_ += key.size() - mark;
      if (t == Tri::False) {
        key.resize(mark);
        continue;
      }
      if (alive.empty()) first = t;
      alive.push_back(r);
      if (t == Tri::True) break;
    }
    if (steps_ > budget_.max_steps) {
      over_ = true;
      return 0;
    }
    if (alive.empty()) return leaf(kNoMatch);
    if (first == Tri::True) return leaf(alive[0]);
    auto it = memo_.find(key);
    if (it != memo_.end()) return it->second;
    const Atom* atom = first_unknown_atom(rules_[static_cast<size_t>(alive[0])], facts_);
    Attr a = atom->attr;
    if (a == Attr::Amount && !facts_.has(Attr::Currency)) a = Attr::Currency;
    uint32_t node = 0;
    if (a == Attr::Bin) {
      node = split_bin(alive);
    } else if (is_categorical(a)) {
      node = split_switch(a, alive);
    } else {
      node = split_range(a, alive);
    }
    memo_.emplace(std::move(key), node);
    return node;
  }

  template <class F>
  void atoms_of(const std::vector<int32_t>& alive, F&& fn) {
    for (int32_t r : alive) for_each_atom(rules_[static_cast<size_t>(r)], fn);
  }

  uint32_t split_switch(Attr a, const std::vector<int32_t>& alive) {
    std::vector<int32_t> mentioned;
    atoms_of(alive, [&](const Atom& at) {
      if (at.attr == a && at.kind == Atom::Kind::InSet) mentioned.insert(mentioned.end(), at.ids.begin(), at.ids.end());
      if (a == Attr::Currency && at.attr == Attr::Amount) mentioned.push_back(at.currency);
    });
    std::sort(mentioned.begin(), mentioned.end());
    mentioned.erase(std::unique(mentioned.begin(), mentioned.end()), mentioned.end());
    int32_t size = vocab_.size(a);
    int32_t rest = -1;  // an id no live rule mentions: all such ids behave alike
    for (int32_t id = 0; id < size && rest < 0; ++id) {
      if (!std::binary_search(mentioned.begin(), mentioned.end(), id)) rest = id;
    }
    uint32_t rest_child = rest >= 0 ? assign_and_build(a, rest, alive) : 0;
    std::vector<uint32_t> children(static_cast<size_t>(size), rest_child);
    for (int32_t id : mentioned) {
      if (id < size) children[static_cast<size_t>(id)] = assign_and_build(a, id, alive);
    }
    if (rest < 0 && !mentioned.empty()) {
      // No rest class: unused slots never occur; point them at a real child.
      for (int32_t id = 0; id < size; ++id) {
        if (!std::binary_search(mentioned.begin(), mentioned.end(), id)) children[static_cast<size_t>(id)] = children[static_cast<size_t>(mentioned[0])];
      }
    }
    return make(DagNode::Kind::Switch, a, children, {}, {}, {});
  }

  uint32_t assign_and_build(Attr a, int64_t value, const std::vector<int32_t>& alive) {
    facts_.set(a, value);
    uint32_t n = build(alive);
    facts_.clear(a);
    return n;
  }

  uint32_t split_range(Attr a, const std::vector<int32_t>& alive) {
    // Plain variables, not a structured binding: the lambda below captures them.
    const auto domain = ordered_domain(a);
    const int64_t lo = domain.first, hi = domain.second;
    std::vector<int64_t> bounds;
    int64_t cur = facts_.has(Attr::Currency) ? facts_.get(Attr::Currency) : -1;
    atoms_of(alive, [&](const Atom& at) {
      if (at.attr != a || at.kind != Atom::Kind::InRanges) return;
      if (a == Attr::Amount && at.currency != cur) return;
      for (auto [x, y] : at.ranges) {
        if (x > lo && x < hi) bounds.push_back(x);
        if (y > lo && y < hi) bounds.push_back(y);
      }
    });
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    std::vector<uint32_t> children;
    children.reserve(bounds.size() + 1);
    for (size_t i = 0; i <= bounds.size(); ++i) {
      children.push_back(assign_and_build(a, i == 0 ? lo : bounds[i - 1], alive));
    }
    return make(DagNode::Kind::Range, a, children, bounds, {}, {});
  }

  uint32_t split_bin(const std::vector<int32_t>& alive) {
    std::vector<std::string> set;
    atoms_of(alive, [&](const Atom& at) {
      if (at.attr == Attr::Bin) set.insert(set.end(), at.strings.begin(), at.strings.end());
    });
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    auto listed = [&](const std::string& s) { return std::binary_search(set.begin(), set.end(), s); };
    // Class 0: no listed prefix; then per listed string s: exactly s, and
    // longer than s with s as the longest listed prefix. Empty classes get
    // an empty representative and reuse child 0.
    std::vector<std::string> reps;
    auto free_digit = [&](const std::string& base) -> std::string {
      for (char d = '0'; d <= '9'; ++d) {
        if (!listed(base + d)) return base + d;
      }
      return {};
    };
    reps.push_back(free_digit(""));
    for (const std::string& s : set) {
      reps.push_back(s);
      reps.push_back(free_digit(s));
    }
    std::vector<uint32_t> children;
    for (size_t k = 0; k < reps.size(); ++k) {
      if (reps[k].empty()) {
        children.push_back(UINT32_MAX);
        continue;
      }
      facts_.bin = reps[k];
      facts_.present |= bit(Attr::Bin);
      children.push_back(build(alive));
      facts_.clear(Attr::Bin);
    }
    uint32_t fallback = UINT32_MAX;
    for (uint32_t c : children) {
      if (c != UINT32_MAX) {
        fallback = c;
        break;
      }
    }
    for (uint32_t& c : children) {
      if (c == UINT32_MAX) c = fallback;
    }
    return make(DagNode::Kind::Bin, Attr::Bin, children, {}, set, reps);
  }

  uint32_t leaf(int32_t outcome) {
    auto it = leaves_.find(outcome);
    if (it != leaves_.end()) return it->second;
    DagNode n;
    n.kind = DagNode::Kind::Leaf;
    n.outcome = outcome;
    uint32_t id = push(n);
    leaves_.emplace(outcome, id);
    return id;
  }

  uint32_t push(const DagNode& n) {
    if (dag_.nodes_.size() >= budget_.max_nodes) over_ = true;
    dag_.nodes_.push_back(n);
    return static_cast<uint32_t>(dag_.nodes_.size() - 1);
  }

  // Interns a node by content; a node whose children are all the same is
  // that child (the test decides nothing).
  uint32_t make(DagNode::Kind kind, Attr a, const std::vector<uint32_t>& children, const std::vector<int64_t>& bounds,
                const std::vector<std::string>& bins, const std::vector<std::string>& reps) {
    if (over_) return 0;
    if (std::all_of(children.begin(), children.end(), [&](uint32_t c) { return c == children[0]; })) return children[0];
    std::string key;
    key.push_back(static_cast<char>(kind));
    key.push_back(static_cast<char>(a));
    key.append(reinterpret_cast<const char*>(children.data()), children.size() * sizeof(uint32_t));
    key.push_back('|');
    key.append(reinterpret_cast<const char*>(bounds.data()), bounds.size() * sizeof(int64_t));
    for (const std::string& s : bins) key.append(s).push_back(',');
    auto it = cons_.find(key);
    if (it != cons_.end()) return it->second;
    DagNode n;
    n.kind = kind;
    n.attr = a;
    n.edges = static_cast<uint32_t>(dag_.edges_.size());
    n.count = static_cast<uint32_t>(children.size());
    dag_.edges_.insert(dag_.edges_.end(), children.begin(), children.end());
    if (kind == DagNode::Kind::Range) {
      n.aux = static_cast<uint32_t>(dag_.bounds_.size());
      dag_.bounds_.insert(dag_.bounds_.end(), bounds.begin(), bounds.end());
    }
    if (kind == DagNode::Kind::Bin) {
      dag_.reps_.resize(dag_.edges_.size());
      for (size_t k = 0; k < reps.size(); ++k) dag_.reps_[n.edges + k] = reps[k];
      n.aux = build_trie(bins);
    }
    uint32_t id = push(n);
    cons_.emplace(std::move(key), id);
    return id;
  }

  // A digit trie over the sorted listed strings; class numbers follow the
  // order used in split_bin (1 + 2i exact, 2 + 2i longer).
  uint32_t build_trie(const std::vector<std::string>& set) {
    auto fresh = [&]() {
      Dag::TrieNode t;
      std::fill(std::begin(t.next), std::end(t.next), -1);
      dag_.trie_.push_back(t);
      return static_cast<int32_t>(dag_.trie_.size() - 1);
    };
    int32_t root = fresh();
    for (size_t i = 0; i < set.size(); ++i) {
      int32_t t = root;
      for (char c : set[i]) {
        int d = c - '0';
        if (d < 0 || d > 9) break;
        if (dag_.trie_[static_cast<size_t>(t)].next[d] < 0) {
          int32_t n = fresh();
          dag_.trie_[static_cast<size_t>(t)].next[d] = n;
        }
        t = dag_.trie_[static_cast<size_t>(t)].next[d];
      }
      dag_.trie_[static_cast<size_t>(t)].exact = static_cast<int32_t>(1 + 2 * i);
      dag_.trie_[static_cast<size_t>(t)].extend = static_cast<int32_t>(2 + 2 * i);
    }
    return static_cast<uint32_t>(root);
  }

  const std::vector<Cond>& rules_;
  const Vocab& vocab_;
  DagBudget budget_;
  Dag& dag_;
  Facts facts_;
  size_t steps_ = 0;
  bool over_ = false;
  std::unordered_map<std::string, uint32_t> memo_;
  std::unordered_map<std::string, uint32_t> cons_;
  std::unordered_map<int32_t, uint32_t> leaves_;
};

Selector compile_selector(std::vector<Cond> rules, const Vocab& vocab, const DagBudget& budget) {
  Selector s;
  s.rules = std::move(rules);
  DagBuilder b(s.rules, vocab, budget, s.dag);
  if (!b.run()) {
    s.dag = Dag{};
    s.fallback = true;
  }
  return s;
}

int32_t Selector::decide(const Facts& f) const {
  return complete_decision(fallback ? interpret(rules, f) : dag.decide(f),
                           [&](std::vector<int32_t>& outcomes, uint32_t& missing) { explore(f, outcomes, missing); });
}

void Selector::explore(const Facts& f, std::vector<int32_t>& outcomes, uint32_t& missing) const {
  if (fallback) {
    interpret_explore(rules, f, outcomes, missing);
  } else {
    dag.explore(f, outcomes, missing);
  }
}

int32_t interpret(const std::vector<Cond>& rules, const Facts& f) {
  return interpret_with(rules.size(), [&](size_t i) { return eval(rules[i], f); });
}

void interpret_explore(const std::vector<Cond>& rules, const Facts& f, std::vector<int32_t>& outcomes,
                       uint32_t& missing) {
  interpret_explore_with(
      rules.size(), [&](size_t i) { return eval(rules[i], f); },
      [&](size_t i, uint32_t& m) {
        for_each_atom(rules[i], [&](const Atom& a) {
          if (eval_atom(a, f) == Tri::Unknown) m |= bit(a.attr == Attr::Amount && !f.has(Attr::Currency) ? Attr::Currency : a.attr);
        });
      },
      outcomes, missing);
}

}  // namespace paydomain::evaluator
