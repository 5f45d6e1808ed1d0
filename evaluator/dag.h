// Decision DAGs: a first-match list of conditions compiled into nodes that
// each test one attribute — an enum/reference switch by table lookup, an
// ordered range by binary search over sorted boundaries, a BIN by a digit
// trie — with identical subtrees shared (hash-consing). Evaluation follows
// one path, so its cost grows with the depth, not with the number of rules.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "evaluator/condition.h"

namespace paydomain::evaluator {

class Vocab;

inline constexpr int32_t kNoMatch = -1;       // no rule matches
inline constexpr int32_t kUndetermined = -2;  // the context lacks a needed field

struct DagNode {
  enum class Kind : uint8_t { Leaf, Switch, Range, Bin };
  Kind kind = Kind::Leaf;
  Attr attr = Attr::Operation;
  uint32_t edges = 0;  // first child in Dag::edges_
  uint32_t count = 0;  // number of children
  uint32_t aux = 0;    // Range: first boundary; Bin: trie root; Leaf: unused
  int32_t outcome = kNoMatch;  // Leaf
};

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
  // The rule index that decides, kNoMatch, or kUndetermined.
  int32_t decide(const Facts& f) const;
  // Every outcome still possible when the missing attributes take any value;
  // ORs the bits of the missing attributes met on the way into `missing`.
  void explore(const Facts& f, std::vector<int32_t>& outcomes, uint32_t& missing) const;
  // A path from the root to a leaf with `outcome`; false when unreachable.
  bool example(int32_t outcome, std::vector<ExampleStep>& path) const;
  size_t node_count() const { return nodes_.size(); }
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
  struct TrieNode {
    int32_t next[10];
    int32_t exact = -1;   // class (child index) when the BIN ends here
    int32_t extend = -1;  // class when the BIN goes on with no longer listed prefix
  };
  uint32_t child_for(const DagNode& n, const Facts& f) const;
  bool example_from(uint32_t node, int32_t outcome, std::vector<ExampleStep>& path,
                    std::vector<uint8_t>& dead) const;

  std::vector<DagNode> nodes_;
  std::vector<uint32_t> edges_;
  std::vector<int64_t> bounds_;
  std::vector<TrieNode> trie_;
  std::vector<std::string> reps_;  // Bin nodes: one example BIN per child (analysis)
  uint32_t root_ = 0;
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

Selector compile_selector(std::vector<Cond> rules, const Vocab& vocab, const DagBudget& budget = {});

// The straightforward rule-by-rule interpreter: the test oracle for the DAG
// and the fallback. kUndetermined when a rule before the match is unknown.
int32_t interpret(const std::vector<Cond>& rules, const Facts& f);
// Kleene-style possibilities (sound; may list an outcome a DAG would rule out).
void interpret_explore(const std::vector<Cond>& rules, const Facts& f, std::vector<int32_t>& outcomes,
                       uint32_t& missing);

}  // namespace paydomain::evaluator
