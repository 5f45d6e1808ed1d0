// The one walk of a decision DAG (evaluator/dag.h DagView): the service's
// compiled DAGs and an artifact's both go through here.
#include <algorithm>

#include "evaluator/dag.h"

namespace paydomain::evaluator {

uint32_t dag_child(const DagView& d, const DagNode& n, const Facts& f) {
  switch (n.kind) {
    case DagNode::Kind::Switch: return d.edges[n.edges + static_cast<uint32_t>(f.get(n.attr))];
    case DagNode::Kind::Range: {
      const int64_t* b = d.bounds + n.aux;
      const int64_t* e = b + (n.count - 1);
      return d.edges[n.edges + static_cast<uint32_t>(std::upper_bound(b, e, f.get(n.attr)) - b)];
    }
    case DagNode::Kind::Bin: {
      int32_t cls = 0;  // no listed prefix
      uint32_t t = n.aux;
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
      return d.edges[n.edges + (static_cast<uint32_t>(cls) < n.count ? static_cast<uint32_t>(cls) : 0)];
    }
    case DagNode::Kind::Leaf: break;
  }
  return 0;
}

void dag_explore(const DagView& d, const Facts& f, std::vector<int32_t>& outcomes, uint32_t& missing) {
  if (d.node_count == 0) return;
  std::vector<uint8_t> seen(d.node_count, 0);
  std::vector<uint32_t> stack{d.root};
  while (!stack.empty()) {
    uint32_t i = stack.back();
    stack.pop_back();
    if (seen[i]) continue;
    seen[i] = 1;
    const DagNode& n = d.nodes[i];
    if (n.kind == DagNode::Kind::Leaf) {
      if (std::find(outcomes.begin(), outcomes.end(), n.outcome) == outcomes.end()) outcomes.push_back(n.outcome);
      continue;
    }
    if (f.has(n.attr)) {
      stack.push_back(dag_child(d, n, f));
    } else {
      missing |= bit(n.attr);
      for (uint32_t k = 0; k < n.count; ++k) stack.push_back(d.edges[n.edges + k]);
    }
  }
  std::sort(outcomes.begin(), outcomes.end());
}

}  // namespace paydomain::evaluator
