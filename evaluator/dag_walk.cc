// The one walk of a decision DAG in its flat form (evaluator/dag.h DagView):
// the service's compiled DAGs and an artifact's both go through here.
#include <algorithm>
#include <cstring>

#include "evaluator/dag.h"

namespace paydomain::evaluator {

namespace {
int64_t bound_at(const uint32_t* words, uint32_t k) {
  int64_t b;
  std::memcpy(&b, words + 2 * k, sizeof b);  // two words, not necessarily 8-aligned
  return b;
}
}  // namespace

uint32_t dag_child(const DagView& d, const uint32_t* n, const Facts& f) {
  const uint32_t count = n[1];
  const uint32_t* children = n + kDagHead;
  switch (dag_kind(n)) {
    case DagNode::Kind::Switch: return children[static_cast<uint32_t>(f.get(dag_attr(n)))];
    case DagNode::Kind::Range: {
      // The first boundary above the value: its index is the child's.
      const uint32_t* bounds = children + count;
      const int64_t x = f.get(dag_attr(n));
      uint32_t lo = 0, len = count - 1;
      while (len > 0) {
        uint32_t half = len / 2;
        if (bound_at(bounds, lo + half) <= x) {
          lo += half + 1;
          len -= half + 1;
        } else {
          len = half;
        }
      }
      return children[lo];
    }
    case DagNode::Kind::Bin: {
      int32_t cls = 0;  // no listed prefix
      uint32_t t = children[count];
      const std::string& bin = f.bin;
      for (size_t i = 0; i < bin.size(); ++i) {
        int32_t nx = d.trie[t].next[bin[i] - '0'];
        if (nx < 0) break;
        t = static_cast<uint32_t>(nx);
        const DagTrieNode& tn = d.trie[t];
        if (tn.exact >= 0) cls = (i + 1 == bin.size()) ? tn.exact : tn.extend;
      }
      // An artifact's trie classes are checked against the node's count here
      // (a trie may be shared, so the loader cannot tie it to one node).
      return children[static_cast<uint32_t>(cls) < count ? static_cast<uint32_t>(cls) : 0];
    }
    case DagNode::Kind::Leaf: break;
  }
  return dag_leaf(kNoMatch);
}

void dag_explore(const DagView& d, const Facts& f, std::vector<int32_t>& outcomes, uint32_t& missing) {
  std::vector<uint8_t> seen(d.word_count, 0);
  std::vector<uint32_t> stack{d.root};
  while (!stack.empty()) {
    uint32_t w = stack.back();
    stack.pop_back();
    if (w & kDagLeaf) {
      int32_t o = dag_outcome(w);
      if (std::find(outcomes.begin(), outcomes.end(), o) == outcomes.end()) outcomes.push_back(o);
      continue;
    }
    if (seen[w]) continue;
    seen[w] = 1;
    const uint32_t* n = d.words + w;
    const Attr a = dag_attr(n);
    if (f.has(a)) {
      stack.push_back(dag_child(d, n, f));
    } else {
      missing |= bit(a);
      for (uint32_t k = 0; k < n[1]; ++k) stack.push_back(n[kDagHead + k]);
    }
  }
  std::sort(outcomes.begin(), outcomes.end());
}

}  // namespace paydomain::evaluator
