// Decision DAGs: a first-match list of conditions compiled into nodes that
// each test one attribute — an enum/reference switch by table lookup, an
// ordered range by binary search over sorted boundaries, a BIN by a digit
// trie — with identical subtrees shared (hash-consing). Evaluation follows
// one path, so its cost grows with the depth, not with the number of rules.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "evaluator/condition.h"

namespace paydomain::evaluator {

class Vocab;

inline constexpr int32_t kNoMatch = -1;       // no rule matches
inline constexpr int32_t kUndetermined = -2;  // the context lacks a needed field

// A node as the builder makes it and the analysis reads it (Dag::node);
// evaluation reads the flat form below.
struct DagNode {
  enum class Kind : uint8_t { Leaf, Switch, Range, Bin };
  Kind kind = Kind::Leaf;
  Attr attr = Attr::Operation;
  uint32_t edges = 0;  // first child in Dag::edges_
  uint32_t count = 0;  // number of children
  uint32_t aux = 0;    // Range: first boundary; Bin: trie root; Leaf: unused
  int32_t outcome = kNoMatch;  // Leaf
};

// A BIN trie node (an artifact copies them byte for byte): the child per next digit, and the class a BIN ending here
// (exact) or going on past here (extend) falls in; -1 none.
struct DagTrieNode {
  int32_t next[10];
  int32_t exact = -1;
  int32_t extend = -1;
};

// The flat form of a DAG: the one the walk reads, in memory (Dag::view) and
// in an artifact (format 2, the `dag_words` section, copied as is). uint32
// words; a node at word offset p is
//   words[p]          kind | attr << 8
//   words[p + 1]      n, its number of children
//   words[p + 2 ...]  its n children, each a node's offset or a leaf
//   Range: then its n - 1 ascending boundaries, int64 as two words (low, high)
//   Bin:   then its trie root (an index into the trie)
// so a level is one load: the child word sits beside the node's head. A leaf
// is no node, only a child word with kDagLeaf set and the outcome + 1 below
// it (kNoMatch is 0). A parent comes before its children (a child's offset
// is greater than its parent's), so every walk moves forward and ends.
inline constexpr uint32_t kDagLeaf = 0x80000000u;
inline constexpr uint32_t kDagHead = 2;  // words before a node's children
inline constexpr uint32_t dag_leaf(int32_t outcome) { return kDagLeaf | static_cast<uint32_t>(outcome + 1); }
inline constexpr int32_t dag_outcome(uint32_t leaf) { return static_cast<int32_t>(leaf & ~kDagLeaf) - 1; }
inline DagNode::Kind dag_kind(const uint32_t* node) { return static_cast<DagNode::Kind>(node[0] & 0xFF); }
inline Attr dag_attr(const uint32_t* node) { return static_cast<Attr>((node[0] >> 8) & 0xFF); }
// Words a node of `kind` with `n` children takes.
inline constexpr uint64_t dag_node_words(DagNode::Kind kind, uint64_t n) {
  return kDagHead + n + (kind == DagNode::Kind::Range ? 2 * (n - 1) : kind == DagNode::Kind::Bin ? 1 : 0);
}

// One DAG in its flat form, wherever it lives (a Dag's vectors or an
// artifact's sections): offsets and trie indices are relative to it. The
// one evaluation of a DAG, for the service and the embedded client.
struct DagView {
  const uint32_t* words = nullptr;  // null: no DAG (a selector interpreted rule by rule)
  const DagTrieNode* trie = nullptr;
  uint32_t word_count = 0;
  uint32_t root = 0;  // a child word: the root node's offset, or a leaf
};
// The child of a Range or Bin node `n` for the facts (its attribute present).
uint32_t dag_child(const DagView& d, const uint32_t* n, const Facts& f);
// The rule index that decides, kNoMatch, or kUndetermined. Inline: every
// evaluation walks a dozen small DAGs, and the call and view set-up cost as
// much as the walk (a Switch, the usual node, is one table load).
// A level is its head word (kind and attribute read from the one load, the
// attribute's presence one bit test) and the child word; the words and the
// present bits are read once, not again after every out-of-line dag_child.
inline int32_t dag_decide(const DagView& d, const Facts& f) {
  const uint32_t* const words = d.words;
  const uint32_t present = f.present;
  uint32_t w = d.root;
  while (!(w & kDagLeaf)) {
    const uint32_t* n = words + w;
    const uint32_t head = n[0];
    const size_t a = (head >> 8) & 0xFF;  // dag_attr
    if (!((present >> a) & 1u)) return kUndetermined;  // !f.has
    w = static_cast<DagNode::Kind>(head & 0xFF) == DagNode::Kind::Switch ? (n + kDagHead)[f.v[a]]
                                                                          : dag_child(d, n, f);
  }
  return dag_outcome(w);
}
// A decision whose first try `o` (dag_decide, or a first-match list
// interpreted) came out kUndetermined — a missing attribute on the path — is
// still determined when every completion leads to the same outcome:
// `explore(outcomes, missing)` lists them (the cold path; it allocates). The
// one completion rule of Selector::decide and Program::decide.
template <class Explore>
int32_t complete_decision(int32_t o, Explore explore) {
  if (o != kUndetermined) return o;
  std::vector<int32_t> outcomes;
  uint32_t missing = 0;
  explore(outcomes, missing);
  return outcomes.size() == 1 ? outcomes[0] : kUndetermined;
}
// Every outcome still possible when the missing attributes take any value
// (sorted); ORs the bits of the missing attributes met on the way into `missing`.
void dag_explore(const DagView& d, const Facts& f, std::vector<int32_t>& outcomes, uint32_t& missing);
// The same as a template over the rules of a first-match list (the
// interpreter): `eval_rule(i)` a Tri, `atoms_unknown(i, missing)` ORs the
// attributes of rule i's unknown atoms.
template <class EvalRule, class AtomsUnknown>
void interpret_explore_with(size_t n, EvalRule eval_rule, AtomsUnknown atoms_unknown, std::vector<int32_t>& outcomes,
                            uint32_t& missing);

// One step of an example context: the attribute and the value to give it
// (an id for categorical attributes, a number for ordered ones, BIN digits).
struct ExampleStep {
  Attr attr;
  int64_t value = 0;
  std::string text;
};

class Dag {
 public:
  bool empty() const { return nodes_.empty(); }
  // The flat form (what the walk reads and an artifact stores).
  DagView view() const { return {words_.data(), trie_.data(), static_cast<uint32_t>(words_.size()), word_root_}; }
  // The rule index that decides, kNoMatch, or kUndetermined.
  int32_t decide(const Facts& f) const;
  // Every outcome still possible when the missing attributes take any value;
  // ORs the bits of the missing attributes met on the way into `missing`.
  void explore(const Facts& f, std::vector<int32_t>& outcomes, uint32_t& missing) const;
  // A path from the root to a leaf with `outcome`; false when unreachable.
  bool example(int32_t outcome, std::vector<ExampleStep>& path) const;
  size_t node_count() const { return nodes_.size(); }
  size_t word_count() const { return words_.size(); }  // the view's array lengths (an artifact copies them)
  size_t trie_count() const { return trie_.size(); }
  // The structure, read-only, for symbolic walks over the DAG (evaluator/impact_*.cc).
  uint32_t root() const { return root_; }
  const DagNode& node(uint32_t i) const { return nodes_[i]; }
  uint32_t child(const DagNode& n, uint32_t k) const { return edges_[n.edges + k]; }
  int64_t bound(const DagNode& n, uint32_t k) const { return bounds_[n.aux + k]; }  // Range: k < count - 1
  // Bin: class 0 no listed prefix; 1 + 2i exactly the i-th listed string;
  // 2 + 2i longer with it as the longest listed prefix. Empty: no such BIN.
  const std::string& bin_rep(const DagNode& n, uint32_t k) const { return reps_[n.edges + k]; }
  size_t bytes() const;
  uint32_t depth() const;

 private:
  friend class DagBuilder;
  using TrieNode = DagTrieNode;
  bool example_from(uint32_t node, int32_t outcome, std::vector<ExampleStep>& path,
                    std::vector<uint8_t>& dead) const;

  std::vector<DagNode> nodes_;
  std::vector<uint32_t> edges_;
  std::vector<int64_t> bounds_;
  std::vector<TrieNode> trie_;
  std::vector<std::string> reps_;  // Bin nodes: one example BIN per child (analysis)
  uint32_t root_ = 0;
  // The flat form of the nodes above (built once they are complete).
  std::vector<uint32_t> words_;
  uint32_t word_root_ = 0;
  bool flatten();
};

// Limits that keep compilation bounded. Over budget, a selector falls back
// to rule-by-rule interpretation (same answers, cost linear in the rules).
struct DagBudget {
  size_t max_nodes = 1u << 20;
  size_t max_steps = 50'000'000;  // atom evaluations during construction
};

// A first-match list of conditions; an `otherwise` arm is a True condition.
struct Selector {
  std::vector<Cond> rules;
  Dag dag;
  bool fallback = false;

  // The deciding rule, kNoMatch, or kUndetermined (some completions differ).
  int32_t decide(const Facts& f) const;
  void explore(const Facts& f, std::vector<int32_t>& outcomes, uint32_t& missing) const;
};

// A first-match list interpreted rule by rule: the first True rule, kNoMatch,
// or kUndetermined when an Unknown rule comes first.
template <class EvalRule>
int32_t interpret_with(size_t n, EvalRule eval_rule) {
  for (size_t i = 0; i < n; ++i) {
    Tri t = eval_rule(i);
    if (t == Tri::True) return static_cast<int32_t>(i);
    if (t == Tri::Unknown) return kUndetermined;
  }
  return kNoMatch;
}

template <class EvalRule, class AtomsUnknown>
void interpret_explore_with(size_t n, EvalRule eval_rule, AtomsUnknown atoms_unknown, std::vector<int32_t>& outcomes,
                            uint32_t& missing) {
  for (size_t i = 0; i < n; ++i) {
    Tri t = eval_rule(i);
    if (t == Tri::False) continue;
    outcomes.push_back(static_cast<int32_t>(i));
    if (t == Tri::True) {
      std::sort(outcomes.begin(), outcomes.end());
      return;
    }
    atoms_unknown(i, missing);
  }
  outcomes.push_back(kNoMatch);
  std::sort(outcomes.begin(), outcomes.end());
}

Selector compile_selector(std::vector<Cond> rules, const Vocab& vocab, const DagBudget& budget = {});

// The straightforward rule-by-rule interpreter: the test oracle for the DAG
// and the fallback. kUndetermined when a rule before the match is unknown.
int32_t interpret(const std::vector<Cond>& rules, const Facts& f);
// Kleene-style possibilities (sound; may list an outcome a DAG would rule out).
void interpret_explore(const std::vector<Cond>& rules, const Facts& f, std::vector<int32_t>& outcomes,
                       uint32_t& missing);

}  // namespace paydomain::evaluator
