#include "evaluator/program.h"

#include <atomic>

#include <cstring>

#include "evaluator/money.h"
#include "evaluator/name_hash.h"
#include "json/writer.h"

namespace paydomain::evaluator {

using pdc::Sec;

uint32_t crc32c(const uint8_t* data, size_t size, uint32_t crc) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

namespace {

std::string hex(uint64_t v) {
  static const char* d = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), d[v & 15]);
    v >>= 4;
  } while (v);
  return "0x" + s;
}

}  // namespace

// Validation, section by section, in an order where each check may rely on
// the ones before (the vocabulary before the DAGs that switch over it, the
// DAGs before what names them).
struct Program::Loader {
  Program& p;
  std::string error;

  bool fail(Sec s, uint64_t record, const std::string& what) {
    const SectionView& v = p.sec_[idx(s)];
    uint64_t off = v.offset + record * pdc::kElemSize[idx(s)];
    error = "section " + std::string(pdc::kSectionNames[idx(s)]) + ": record " + std::to_string(record) + " (offset " +
            hex(off) + "): " + what;
    return false;
  }
  template <class T>
  T* rec(Sec s) {
    return reinterpret_cast<T*>(const_cast<uint8_t*>(p.sec_[idx(s)].data));
  }
  uint32_t n(Sec s) const { return p.sec_[idx(s)].count; }
  bool str_ok(pdc::Str s) const { return uint64_t{s.off} + s.len <= n(Sec::Strings); }
  bool span_ok(Sec target, pdc::Span sp) const { return uint64_t{sp.first} + sp.count <= n(target); }
  bool index_ok(Sec target, uint32_t i) const { return i < n(target); }
  bool opt_ok(Sec target, uint32_t i) const { return i == pdc::kNone || i < n(target); }

  // Checks each Str of a record; `what` names it in the error.
  bool strs(Sec s, uint64_t r, std::initializer_list<std::pair<const char*, pdc::Str>> list) {
    for (auto& [what, str] : list)
      if (!str_ok(str)) return fail(s, r, std::string(what) + " is past the strings section");
    return true;
  }
  bool span(Sec s, uint64_t r, const char* what, Sec target, pdc::Span sp) {
    if (!span_ok(target, sp))
      return fail(s, r, std::string(what) + " [" + std::to_string(sp.first) + ", +" + std::to_string(sp.count) +
                            ") is past section " + std::string(pdc::kSectionNames[idx(target)]));
    return true;
  }
  bool ref(Sec s, uint64_t r, const char* what, Sec target, uint32_t i, bool optional) {
    if (optional ? opt_ok(target, i) : index_ok(target, i)) return true;
    return fail(s, r, std::string(what) + " " + std::to_string(i) + " is not in section " +
                          std::string(pdc::kSectionNames[idx(target)]) + " (" + std::to_string(n(target)) + " records)");
  }
  bool object_ref(Sec s, uint64_t r, const char* what, dsl::ObjectKind kind, int32_t i, bool optional) {
    if ((optional && i == -1) || (i >= 0 && i < p.object_count(kind))) return true;
    return fail(s, r, std::string(what) + " " + std::to_string(i) + " is not an object of its kind");
  }

  // Limit i's zone table: present (ascending starts, offsets within +-18 h)
  // exactly when the limit is zoned.
  bool limit_zone(uint32_t i, bool zoned) {
    pdc::Span z = n(Sec::LimitZones) ? rec<pdc::Span>(Sec::LimitZones)[i] : pdc::Span{};
    if (zoned != (z.count != 0))
      return fail(Sec::LimitZones, i,
                  zoned ? "a zoned limit without a zone table" : "a zone table for a limit with a fixed offset");
    if (z.count == 0) return true;
    if (!span(Sec::LimitZones, i, "zone", Sec::ZoneStarts, z)) return false;
    const int64_t* starts = rec<int64_t>(Sec::ZoneStarts) + z.first;
    const int32_t* offsets = rec<int32_t>(Sec::ZoneOffsets) + z.first;
    for (uint32_t k = 0; k < z.count; ++k) {
      if (offsets[k] < -18 * 60 || offsets[k] > 18 * 60)
        return fail(Sec::ZoneOffsets, z.first + k, "offset beyond +-18 h");
      if (k && starts[k] <= starts[k - 1]) return fail(Sec::ZoneStarts, z.first + k, "starts do not ascend");
    }
    return true;
  }

  // The artifact's attribute i is this reader's attr_map[i] (-1: unknown).
  std::array<int32_t, 256> attr_map{};
  uint32_t attr_count = 0;
  bool attr_identity = true;
  // Rewrites an attribute byte to this reader's attribute, or fails naming it.
  bool remap(Sec s, uint64_t r, uint8_t& attr);

  bool header(std::string_view bytes);
  bool sections();
  bool attributes();
  bool dag(uint32_t si, const pdc::Selector& s, std::vector<uint8_t>& starts);
  bool tables();
  bool dags();
  bool conds();
  bool cash_flows();
  bool quick_volume(uint32_t i, const pdc::Posting& q, const pdc::Volume& v);
  bool objects();
  bool bindings();
  bool refund_terms();
  bool capture_terms();
  bool chargeback_terms();
  // Terms sections holding one record per object of a kind: the count
  // checked, then `valid` on each record.
  template <class Rec, size_t N, class Valid>
  bool per_object_terms(const std::pair<Sec, dsl::ObjectKind> (&sections)[N], Valid valid);
};

bool Program::Loader::header(std::string_view bytes) {
  if (bytes.size() < sizeof(pdc::Header)) {
    error = "not an artifact: " + std::to_string(bytes.size()) + " bytes, shorter than the 128-byte header";
    return false;
  }
  const pdc::Header& h = p.header();
  if (std::memcmp(h.magic, pdc::kMagic, sizeof h.magic) != 0) {
    error = "not an artifact: no PDCART magic at offset 0";
    return false;
  }
  if (h.major != pdc::kFormatMajor) {
    const std::string major = std::to_string(pdc::kFormatMajor);
    error = "artifact format " + std::to_string(h.major) + "." + std::to_string(h.minor) + " is not readable here: this " +
            "reader knows format " + major + ".0 to " + major + "." + std::to_string(pdc::kFormatMinor) +
            (h.major < pdc::kFormatMajor ? " (an older major: compile the revision again, or ask the service for ?format=" + major + ")"
                                         : " (ask the service for ?format=" + major + ", or upgrade)");
    return false;
  }
  if (h.header_size != sizeof(pdc::Header)) {
    error = "header: size " + std::to_string(h.header_size) + ", expected 128 (offset 0xc)";
    return false;
  }
  if (h.total_size != bytes.size()) {
    error = "header: total size " + std::to_string(h.total_size) + " but " + std::to_string(bytes.size()) +
            " bytes (truncated or padded; offset 0x18)";
    return false;
  }
  if (bytes.size() > UINT32_MAX) {
    error = "header: artifacts are limited to 4 GiB";
    return false;
  }
  const auto* b = reinterpret_cast<const uint8_t*>(bytes.data());
  static const uint8_t zero[4] = {};
  uint32_t crc = crc32c(b, pdc::kCrcOffset);
  crc = crc32c(zero, 4, crc);
  crc = crc32c(b + pdc::kCrcOffset + 4, bytes.size() - pdc::kCrcOffset - 4, crc);
  if (crc != h.crc32c) {
    error = "checksum mismatch: CRC-32C " + hex(crc) + ", header says " + hex(h.crc32c) + " (damaged in transit or on disk)";
    return false;
  }
  return true;
}

bool Program::Loader::sections() {
  const pdc::Header& h = p.header();
  uint64_t table_end = sizeof(pdc::Header) + uint64_t{h.section_count} * sizeof(pdc::SectionEntry);
  if (h.section_count > 4096 || table_end > p.size_) {
    error = "header: " + std::to_string(h.section_count) + " sections do not fit the artifact (offset 0x24)";
    return false;
  }
  const auto* entries = reinterpret_cast<const pdc::SectionEntry*>(p.base_ + sizeof(pdc::Header));
  std::array<bool, pdc::kSectionCount + 1> seen{};
  for (uint32_t i = 0; i < h.section_count; ++i) {
    const pdc::SectionEntry& e = entries[i];
    std::string where = "section table entry " + std::to_string(i) + " (offset " +
                        hex(sizeof(pdc::Header) + i * sizeof(pdc::SectionEntry)) + "): ";
    if (e.id == 0 || e.id > pdc::kSectionCount || pdc::retired(e.id)) continue;  // a newer minor's section, or a 1.x one
    std::string name(pdc::kSectionNames[e.id]);
    if (seen[e.id]) {
      error = where + "section " + name + " appears twice";
      return false;
    }
    seen[e.id] = true;
    if (e.elem_size != pdc::kElemSize[e.id]) {
      error = where + "section " + name + " has records of " + std::to_string(e.elem_size) + " bytes, this reader's are " +
              std::to_string(pdc::kElemSize[e.id]);
      return false;
    }
    if (e.offset % pdc::kAlign != 0 || e.offset < table_end || uint64_t{e.offset} + e.size > p.size_ ||
        e.size % e.elem_size != 0) {
      error = where + "section " + name + " [" + hex(e.offset) + ", +" + std::to_string(e.size) +
              ") is misaligned or outside the artifact";
      return false;
    }
    p.sec_[e.id] = {p.base_ + e.offset, e.size / e.elem_size, e.offset};
  }
  for (uint32_t id = 1; id <= pdc::kSectionCount2_0; ++id) {  // a later minor's: optional
    if (!seen[id] && !pdc::retired(id)) {
      error = "section " + std::string(pdc::kSectionNames[id]) + " is missing";
      return false;
    }
  }
  return true;
}

// Maps the artifact's attributes to this reader's by name, rewriting the
// attribute bytes of DAG nodes and atoms when the orders differ (a newer
// schema may insert attributes): the walk then indexes Facts directly.
bool Program::Loader::attributes() {
  const auto* names = rec<pdc::Str>(Sec::Attributes);
  attr_count = n(Sec::Attributes);
  if (attr_count > 255) return fail(Sec::Attributes, 255, "more than 255 attributes");
  attr_map.fill(-1);
  attr_identity = attr_count <= static_cast<uint32_t>(kAttrCount);
  for (uint32_t i = 0; i < attr_count; ++i) {
    if (!str_ok(names[i])) return fail(Sec::Attributes, i, "name is past the strings section");
    std::string_view name = p.str(names[i]);
    for (int a = 0; a < kAttrCount; ++a)
      if (dsl::kAttributes[a].name == name) attr_map[i] = a;
    attr_identity = attr_identity && attr_map[i] == static_cast<int32_t>(i);
  }
  auto* atoms = rec<pdc::Atom>(Sec::Atoms);
  for (uint32_t i = 0; i < n(Sec::Atoms); ++i)
    if (!remap(Sec::Atoms, i, atoms[i].attr)) return false;
  // Attribute tables: by the reader's attribute.
  auto* tables = rec<pdc::Table>(Sec::Tables);
  for (uint32_t i = 0; i < n(Sec::Tables); ++i) {
    if (tables[i].kind != 0) continue;
    if (tables[i].index >= attr_count) return fail(Sec::Tables, i, "attribute " + std::to_string(tables[i].index) + " unknown");
    tables[i].index = attr_map[tables[i].index] < 0 ? pdc::kNone : static_cast<uint32_t>(attr_map[tables[i].index]);
  }
  return true;
}

bool Program::Loader::remap(Sec s, uint64_t r, uint8_t& attr) {
  if (attr >= attr_count) return fail(s, r, "attribute " + std::to_string(attr) + " is not in section attributes");
  if (attr_identity) return true;
  if (attr_map[attr] < 0)
    return fail(s, r, "uses attribute '" + std::string(p.str(rec<pdc::Str>(Sec::Attributes)[attr])) +
                          "', which this reader does not know (a newer schema: upgrade the client)");
  attr = static_cast<uint8_t>(attr_map[attr]);
  return true;
}

bool Program::Loader::tables() {
  p.object_table_.fill(-1);
  p.attr_table_.fill(-1);
  const auto* tables = rec<pdc::Table>(Sec::Tables);
  const auto* names = rec<pdc::Str>(Sec::Names);
  const auto* slots = rec<int32_t>(Sec::Slots);
  for (uint32_t i = 0; i < n(Sec::Tables); ++i) {
    const pdc::Table& t = tables[i];
    int32_t* owner = nullptr;
    if (t.kind == 1) {
      if (t.index >= static_cast<uint32_t>(dsl::kObjectKindCount)) return fail(Sec::Tables, i, "unknown object kind");
      owner = &p.object_table_[t.index];
    } else if (t.kind == 0) {
      if (t.index == pdc::kNone) continue;  // an attribute this reader does not know
      owner = &p.attr_table_[t.index];
    } else {
      return fail(Sec::Tables, i, "kind " + std::to_string(t.kind) + " is neither attribute (0) nor object (1)");
    }
    if (*owner >= 0) return fail(Sec::Tables, i, "a second table for the same attribute or kind");
    if (!span(Sec::Tables, i, "names", Sec::Names, t.names) || !span(Sec::Tables, i, "slots", Sec::Slots, t.slots))
      return false;
    for (uint32_t k = 0; k < t.names.count; ++k)
      if (!str_ok(names[t.names.first + k])) return fail(Sec::Names, t.names.first + k, "past the strings section");
    uint32_t sc = t.slots.count;
    if (sc != 0 && ((sc & (sc - 1)) != 0 || sc <= t.names.count))
      return fail(Sec::Tables, i, "slots: " + std::to_string(sc) + " is not a power of two above the name count");
    if (sc == 0 && t.names.count != 0) return fail(Sec::Tables, i, "names without slots");
    for (uint32_t k = 0; k < sc; ++k) {
      int32_t s = slots[t.slots.first + k];
      if (s < -1 || s >= static_cast<int32_t>(t.names.count)) return fail(Sec::Slots, t.slots.first + k, "not a name id");
    }
    if (t.kind == 0) {
      const dsl::AttributeInfo& info = dsl::kAttributes[t.index];
      if (info.type != dsl::AttrType::Enum && info.type != dsl::AttrType::Text)
        return fail(Sec::Tables, i, "attribute " + std::string(info.name) + " has no table of its own");
      // An Enum's ids are the schema's value indices: the artifact must agree
      // on every value both know.
      if (info.type == dsl::AttrType::Enum) {
        for (uint32_t k = 0; k < t.names.count && k < info.values.size(); ++k) {
          if (p.str(names[t.names.first + k]) != info.values[k])
            return fail(Sec::Tables, i, std::string(info.name) + " value " + std::to_string(k) + " is '" +
                                            std::string(p.str(names[t.names.first + k])) + "', this reader's is '" +
                                            std::string(info.values[k]) + "'");
        }
      }
    }
    *owner = static_cast<int32_t>(i);
  }
  // Every name must be findable (the probe visits its slot): a table whose
  // slots lie would make lookups answer wrong, not crash, but say so now.
  for (uint32_t i = 0; i < n(Sec::Tables); ++i) {
    const pdc::Table& t = tables[i];
    if (t.kind == 0 && t.index == pdc::kNone) continue;
    for (uint32_t k = 0; k < t.names.count; ++k) {
      std::string_view name = p.str(names[t.names.first + k]);
      int32_t id = name_table_find(slots + t.slots.first, t.slots.count,
                                   [&](int32_t j) { return p.str(names[t.names.first + static_cast<uint32_t>(j)]); }, name);
      if (id != static_cast<int32_t>(k)) return fail(Sec::Tables, i, "name '" + std::string(name) + "' is not found by its slots");
    }
  }
  if (n(Sec::Exponents) != static_cast<uint32_t>(p.object_count(dsl::ObjectKind::Currency)))
    return fail(Sec::Exponents, 0, "one exponent per currency expected");
  for (uint32_t i = 0; i < n(Sec::Exponents); ++i) {
    int32_t e = rec<int32_t>(Sec::Exponents)[i];
    if (e < 0 || e > 18) return fail(Sec::Exponents, i, "exponent " + std::to_string(e) + " outside 0..18");
  }
  return true;
}

bool Program::Loader::dags() {
  const auto* sels = rec<pdc::Selector>(Sec::Selectors);
  const auto* trie = rec<DagTrieNode>(Sec::DagTrie);
  std::vector<uint8_t> starts;
  uint64_t words_end = 0;  // DAGs' slices ascend and never overlap: each word is one DAG's (its attribute remapped once)
  for (uint32_t si = 0; si < n(Sec::Selectors); ++si) {
    const pdc::Selector& s = sels[si];
    if (s.fallback > 1) return fail(Sec::Selectors, si, "fallback flag is not 0 or 1");
    if (s.fallback) {
      if (!span(Sec::Selectors, si, "rules", Sec::SelectorRules, s.rules)) return false;
      if (s.rule_count != s.rules.count) return fail(Sec::Selectors, si, "rule count differs from its rules");
      for (uint32_t k = 0; k < s.rules.count; ++k)
        if (!ref(Sec::SelectorRules, s.rules.first + k, "condition", Sec::CondNodes,
                 rec<uint32_t>(Sec::SelectorRules)[s.rules.first + k], false))
          return false;
      continue;
    }
    if (s.rule_count >= INT32_MAX) return fail(Sec::Selectors, si, "too many rules");
    if (!span(Sec::Selectors, si, "words", Sec::DagWords, {s.word_first, s.word_count})) return false;
    if (!span(Sec::Selectors, si, "trie", Sec::DagTrie, {s.trie_first, s.trie_count})) return false;
    if (s.word_first < words_end) return fail(Sec::Selectors, si, "words overlap an earlier selector's");
    words_end = uint64_t{s.word_first} + s.word_count;
    if (!dag(si, s, starts)) return false;
    for (uint32_t k = 0; k < s.trie_count; ++k) {
      for (int32_t nx : trie[s.trie_first + k].next)
        if (nx < -1 || nx >= static_cast<int32_t>(s.trie_count)) return fail(Sec::DagTrie, s.trie_first + k, "digit link outside the trie");
    }
  }
  return true;
}

// One selector's DAG words (dag.h DagView): a sequence of whole nodes, each
// child a leaf with one of the selector's outcomes or a later node's start.
bool Program::Loader::dag(uint32_t si, const pdc::Selector& s, std::vector<uint8_t>& starts) {
  uint32_t* words = rec<uint32_t>(Sec::DagWords) + s.word_first;
  const uint32_t size = s.word_count;
  starts.assign(size, 0);
  using K = DagNode::Kind;
  for (uint64_t at = 0; at < size;) {
    const uint64_t r = s.word_first + at;
    if (at + kDagHead > size) return fail(Sec::DagWords, r, "a node past the selector's words");
    uint32_t* n = words + at;
    const auto kind = static_cast<K>(n[0] & 0xFF);
    auto attr = static_cast<uint8_t>((n[0] >> 8) & 0xFF);
    if ((n[0] >> 16) != 0 || (kind != K::Switch && kind != K::Range && kind != K::Bin))
      return fail(Sec::DagWords, r, "unknown node kind " + std::to_string(n[0] & 0xFF));
    if (!remap(Sec::DagWords, r, attr)) return false;
    n[0] = static_cast<uint32_t>(kind) | uint32_t{attr} << 8;
    const auto a = static_cast<Attr>(attr);
    const uint32_t count = n[1];
    if (count == 0 || at + dag_node_words(kind, count) > size)
      return fail(Sec::DagWords, r, std::to_string(count) + " children past the selector's words");
    switch (kind) {
      case K::Switch:
        if (!is_categorical(a) || count < static_cast<uint32_t>(p.size(a)))
          return fail(Sec::DagWords, r, "switch over " + std::string(dsl::kAttributes[idx(a)].name) + " with " +
                                            std::to_string(count) + " children");
        break;
      case K::Range:
        if (is_categorical(a) || a == Attr::Bin) return fail(Sec::DagWords, r, "range node over an unordered attribute");
        break;
      default:
        if (a != Attr::Bin || n[kDagHead + count] >= s.trie_count)
          return fail(Sec::DagWords, r, "bin node with bad attribute or trie root");
        break;
    }
    starts[at] = 1;
    at += dag_node_words(kind, count);
  }
  // Children come after their parents: no cycle, every walk ends.
  auto child_ok = [&](uint32_t w, uint64_t parent) {
    if (w & kDagLeaf) return dag_outcome(w) >= kNoMatch && dag_outcome(w) < static_cast<int32_t>(s.rule_count);
    return (parent == UINT64_MAX || w > parent) && w < size && starts[w];
  };
  if (!child_ok(s.root, UINT64_MAX)) return fail(Sec::Selectors, si, "root is not one of its nodes or outcomes");
  for (uint32_t at = 0; at < size; ++at) {
    if (!starts[at]) continue;
    for (uint32_t c = 0; c < words[at + 1]; ++c) {
      if (!child_ok(words[at + kDagHead + c], at))
        return fail(Sec::DagWords, s.word_first + at,
                    "child " + std::to_string(c) + " is neither an outcome nor a later node (a cycle?)");
    }
  }
  return true;
}

bool Program::Loader::conds() {
  const auto* cn = rec<pdc::CondNode>(Sec::CondNodes);
  const auto* kids = rec<uint32_t>(Sec::CondKids);
  std::vector<uint16_t> depth(n(Sec::CondNodes), 0);
  // Trees, not DAGs: a shared operand could make evaluation exponential.
  std::vector<uint8_t> used(n(Sec::CondNodes), 0);
  for (uint32_t i = 0; i < n(Sec::CondNodes); ++i) {
    const pdc::CondNode& c = cn[i];
    if (c.kind > static_cast<uint8_t>(Cond::Kind::Atom)) return fail(Sec::CondNodes, i, "unknown condition kind");
    if (!span(Sec::CondNodes, i, "kids", Sec::CondKids, c.kids)) return false;
    if (c.kind == static_cast<uint8_t>(Cond::Kind::Atom) && !ref(Sec::CondNodes, i, "atom", Sec::Atoms, c.atom, false))
      return false;
    if (c.kind == static_cast<uint8_t>(Cond::Kind::Not) && c.kids.count != 1) return fail(Sec::CondNodes, i, "not without one operand");
    uint32_t d = 0;
    for (uint32_t k = 0; k < c.kids.count; ++k) {
      uint32_t kid = kids[c.kids.first + k];
      if (kid >= i) return fail(Sec::CondNodes, i, "operand is not an earlier condition (a cycle?)");
      if (used[kid]++) return fail(Sec::CondNodes, i, "operand " + std::to_string(kid) + " is shared with another condition");
      d = std::max<uint32_t>(d, depth[kid]);
    }
    if (d + 1 > pdc::kMaxDepth) return fail(Sec::CondNodes, i, "nested deeper than 256");
    depth[i] = static_cast<uint16_t>(d + 1);
  }
  const auto* atoms = rec<pdc::Atom>(Sec::Atoms);
  for (uint32_t i = 0; i < n(Sec::Atoms); ++i) {
    const pdc::Atom& a = atoms[i];
    if (a.kind > static_cast<uint8_t>(Atom::Kind::Share) || a.negate > 1 ||
        a.op > static_cast<uint8_t>(dsl::CompareOp::StartsWith))
      return fail(Sec::Atoms, i, "unknown atom kind, negation or operator");
    if (!span(Sec::Atoms, i, "ids", Sec::AtomIds, a.ids) || !span(Sec::Atoms, i, "ranges", Sec::AtomRanges, a.ranges) ||
        !span(Sec::Atoms, i, "strings", Sec::StrList, a.strings))
      return false;
    for (uint32_t k = 0; k < a.strings.count; ++k)
      if (!str_ok(rec<pdc::Str>(Sec::StrList)[a.strings.first + k])) return fail(Sec::StrList, a.strings.first + k, "past the strings section");
    // The share comparison scales by powers of ten in 128 bits.
    if (a.share_scale < 0 || a.share_scale > 18 || a.share_units < -1'000'000'000'000'000'000 ||
        a.share_units > 1'000'000'000'000'000'000)
      return fail(Sec::Atoms, i, "share threshold out of range");
  }
  for (uint32_t i = 0; i < n(Sec::StrList); ++i)
    if (!str_ok(rec<pdc::Str>(Sec::StrList)[i])) return fail(Sec::StrList, i, "past the strings section");
  return true;
}

bool Program::Loader::cash_flows() {
  const auto* vols = rec<pdc::Volume>(Sec::Volumes);
  const auto* args = rec<uint32_t>(Sec::VolumeArgs);
  std::vector<uint16_t> depth(n(Sec::Volumes), 0);
  std::vector<uint8_t> used(n(Sec::Volumes), 0);  // trees, as conditions
  for (uint32_t i = 0; i < n(Sec::Volumes); ++i) {
    const pdc::Volume& v = vols[i];
    using K = dsl::Volume::Kind;
    if (v.kind > static_cast<uint8_t>(K::Sum)) return fail(Sec::Volumes, i, "unknown volume kind");
    auto kind = static_cast<K>(v.kind);
    if (!span(Sec::Volumes, i, "args", Sec::VolumeArgs, v.args)) return false;
    if ((kind == K::Min || kind == K::Max || kind == K::Sum) && v.args.count == 0) return fail(Sec::Volumes, i, "no operands");
    if (kind == K::Fixed && !object_ref(Sec::Volumes, i, "currency", dsl::ObjectKind::Currency, v.fixed_currency, false))
      return false;
    Fraction share{static_cast<__int128>((static_cast<unsigned __int128>(v.num_hi) << 64) | v.num_lo),
                   static_cast<__int128>((static_cast<unsigned __int128>(v.den_hi) << 64) | v.den_lo)};
    if (share.den <= 0 || share.den > kMaxDenominator || share.num > kMaxDenominator || share.num < -kMaxDenominator)
      return fail(Sec::Volumes, i, "share outside the exact fraction bounds");
    uint32_t d = 0;
    for (uint32_t k = 0; k < v.args.count; ++k) {
      uint32_t a = args[v.args.first + k];
      if (a >= i) return fail(Sec::Volumes, i, "operand is not an earlier volume");
      if (used[a]++) return fail(Sec::Volumes, i, "operand " + std::to_string(a) + " is shared with another volume");
      d = std::max<uint32_t>(d, depth[a]);
    }
    if (d + 1 > pdc::kMaxDepth) return fail(Sec::Volumes, i, "nested deeper than 256");
    depth[i] = static_cast<uint16_t>(d + 1);
  }
  auto* posts = rec<pdc::Posting>(Sec::Postings);
  // 2.0 has a pad byte where 2.1 has the roles: filled in here (this copy of the bytes is the program's own).
  const bool roles_written = p.header().minor >= 1;
  for (uint32_t i = 0; i < n(Sec::Postings); ++i) {
    pdc::Posting& q = posts[i];
    if (!strs(Sec::Postings, i, {{"from", q.from}, {"to", q.to}, {"details", q.details}, {"explain", q.explain}}) ||
        !ref(Sec::Postings, i, "volume", Sec::Volumes, q.volume, false))
      return false;
    if (q.rounding > static_cast<uint8_t>(dsl::RoundingMode::AwayFromZero) || q.uses_amount > 1)
      return fail(Sec::Postings, i, "unknown rounding mode");
    if (!quick_volume(i, q, vols[q.volume])) return false;
    const uint8_t roles = pdc::posting_roles(p.str(q.from), p.str(q.to));
    if (!roles_written) {
      q.roles = roles;
    } else if (q.roles != roles) {
      return fail(Sec::Postings, i, "roles byte " + std::to_string(q.roles) + " differs from its from and to (" +
                                        std::to_string(roles) + ")");
    }
  }
  const auto* arms = rec<pdc::Arm>(Sec::Arms);
  std::vector<uint16_t> depth_of_arm(n(Sec::Arms), 0);
  // A cash flow record (a tariff's, a provider's, an arm's): one arm per rule
  // of its selector, each among the `below` first arms — an arm's own arms
  // come before it, so nesting ends — and nested at most kMaxDepth deep.
  auto flow = [&](Sec s, uint32_t r, const pdc::CashFlow& c, uint64_t below, uint16_t& depth) {
    if (!span(s, r, "postings", Sec::Postings, c.postings) || !ref(s, r, "arms", Sec::Selectors, c.arms, true) ||
        !span(s, r, "bodies", Sec::Arms, c.bodies))
      return false;
    uint32_t rules = c.arms == pdc::kNone ? 0 : rec<pdc::Selector>(Sec::Selectors)[c.arms].rule_count;
    if (c.bodies.count != rules) return fail(s, r, "one body per arm expected");
    if (uint64_t{c.bodies.first} + c.bodies.count > below) return fail(s, r, "arms are not earlier arms (a cycle?)");
    uint32_t d = 0;
    for (uint32_t k = 0; k < c.bodies.count; ++k) d = std::max<uint32_t>(d, depth_of_arm[c.bodies.first + k]);
    if (d + 1 > pdc::kMaxDepth) return fail(s, r, "nested deeper than 256");
    depth = static_cast<uint16_t>(d + 1);
    return true;
  };
  for (uint32_t i = 0; i < n(Sec::Arms); ++i) {
    if (!strs(Sec::Arms, i, {{"explain", arms[i].explain}}) || !flow(Sec::Arms, i, arms[i].body, i, depth_of_arm[i]))
      return false;
  }
  for (uint32_t i = 0; i < n(Sec::CashFlows); ++i) {
    uint16_t depth = 0;
    if (!flow(Sec::CashFlows, i, rec<pdc::CashFlow>(Sec::CashFlows)[i], n(Sec::Arms), depth)) return false;
  }
  return true;
}

// A posting's quick form must say what its volume record says.
bool Program::Loader::quick_volume(uint32_t i, const pdc::Posting& q, const pdc::Volume& v) {
  using K = dsl::Volume::Kind;
  const auto kind = static_cast<K>(v.kind);
  const __int128 num = static_cast<__int128>((static_cast<unsigned __int128>(v.num_hi) << 64) | v.num_lo);
  const __int128 den = static_cast<__int128>((static_cast<unsigned __int128>(v.den_hi) << 64) | v.den_lo);
  bool same = false;
  switch (static_cast<pdc::QuickVolume>(q.quick)) {
    case pdc::QuickVolume::None: same = q.quick_a == 0 && q.quick_b == 0; break;
    case pdc::QuickVolume::Share:
      same = q.uses_amount == 1 && (kind == K::Percent || kind == K::Fraction || kind == K::WholeAmount) && num == q.quick_a && den == q.quick_b;
      break;
    case pdc::QuickVolume::Fixed: same = kind == K::Fixed && v.fixed_minor == q.quick_a && v.fixed_currency == q.quick_b; break;
    default: return fail(Sec::Postings, i, "unknown quick volume form " + std::to_string(q.quick));
  }
  return same ? true : fail(Sec::Postings, i, "its quick volume differs from volume " + std::to_string(q.volume));
}

bool Program::Loader::objects() {
  using OK = dsl::ObjectKind;
  auto counts = [&](Sec s, OK kind) {
    if (n(s) == static_cast<uint32_t>(p.object_count(kind))) return true;
    return fail(s, 0, std::to_string(n(s)) + " records for " + std::to_string(p.object_count(kind)) + " names");
  };
  if (!counts(Sec::Tariffs, OK::Tariff) || !counts(Sec::Routings, OK::Routing) || !counts(Sec::Terminals, OK::Terminal) ||
      !counts(Sec::Providers, OK::Provider) || !counts(Sec::Limits, OK::Limit))
    return false;
  for (uint32_t i = 0; i < n(Sec::Tariffs); ++i) {
    const pdc::Tariff& t = p.tariff(static_cast<int32_t>(i));
    if (!strs(Sec::Tariffs, i,
              {{"name", t.name}, {"explain", t.explain}, {"currencies_explain", t.currencies_explain},
               {"categories_explain", t.categories_explain}, {"methods_explain", t.methods_explain},
               {"refunds_explain", t.refunds_explain}, {"hold_unit", t.hold_unit}}) ||
        !span(Sec::Tariffs, i, "currencies", Sec::Flags, t.currencies) ||
        !span(Sec::Tariffs, i, "categories", Sec::Flags, t.categories) ||
        !span(Sec::Tariffs, i, "methods", Sec::Methods, t.methods) || !span(Sec::Tariffs, i, "bounds", Sec::Bounds, t.bounds) ||
        !ref(Sec::Tariffs, i, "fees", Sec::CashFlows, t.fees, true) ||
        !ref(Sec::Tariffs, i, "refund_fees", Sec::CashFlows, t.refund_fees, true) ||
        !object_ref(Sec::Tariffs, i, "routing", OK::Routing, t.routing, true))
      return false;
    if ((t.has_currencies && t.currencies.count != static_cast<uint32_t>(p.size(Attr::Currency))) ||
        (t.has_categories && t.categories.count != static_cast<uint32_t>(p.size(Attr::Category))))
      return fail(Sec::Tariffs, i, "allowed lists are not one flag per currency / category");
    for (const pdc::Bound& b : p.span<pdc::Bound>(Sec::Bounds, t.bounds)) {
      if (!object_ref(Sec::Tariffs, i, "bound currency", OK::Currency, b.currency, false) || !str_ok(b.explain))
        return error.empty() ? fail(Sec::Tariffs, i, "bound explain past the strings") : false;
    }
  }
  for (uint32_t i = 0; i < n(Sec::Providers); ++i) {
    const pdc::Provider& q = p.provider(static_cast<int32_t>(i));
    if (!strs(Sec::Providers, i, {{"name", q.name}, {"explain", q.explain}, {"refuses", q.refuses}}) ||
        !ref(Sec::Providers, i, "accepts", Sec::Selectors, q.accepts, true) ||
        !ref(Sec::Providers, i, "fees", Sec::CashFlows, q.fees, true))
      return false;
  }
  for (uint32_t i = 0; i < n(Sec::Terminals); ++i) {
    const pdc::Terminal& t = p.terminal(static_cast<int32_t>(i));
    if (!strs(Sec::Terminals, i,
              {{"name", t.name}, {"explain", t.explain}, {"refuses", t.refuses}, {"disabled_reason", t.disabled_reason}}) ||
        !span(Sec::Terminals, i, "over_coverage", Sec::StrList, t.over_coverage) ||
        !object_ref(Sec::Terminals, i, "provider", OK::Provider, t.provider, true) ||
        !ref(Sec::Terminals, i, "accepts", Sec::Selectors, t.accepts, true))
      return false;
    if (t.disabled > 1 || t.risk_coverage < -1 || t.risk_coverage >= p.size(Attr::Risk) ||
        (t.risk_coverage >= 0 && t.over_coverage.count < static_cast<uint32_t>(p.size(Attr::Risk))))
      return fail(Sec::Terminals, i, "risk coverage without a reason per risk level");
  }
  for (uint32_t i = 0; i < n(Sec::Routings); ++i) {
    const pdc::Routing& r = p.routing(static_cast<int32_t>(i));
    if (!strs(Sec::Routings, i, {{"name", r.name}, {"explain", r.explain}}) ||
        !ref(Sec::Routings, i, "guards", Sec::Selectors, r.guards, false) ||
        !span(Sec::Routings, i, "guard_info", Sec::Guards, r.guard_info) ||
        !span(Sec::Routings, i, "candidates", Sec::Candidates, r.candidates) ||
        !span(Sec::Routings, i, "excludes", Sec::Excludes, r.excludes))
      return false;
    if (r.guard_info.count != rec<pdc::Selector>(Sec::Selectors)[r.guards].rule_count)
      return fail(Sec::Routings, i, "one guard record per guard rule expected");
    for (uint32_t k = 0; k < r.guard_info.count; ++k) {
      const pdc::Guard& g = rec<pdc::Guard>(Sec::Guards)[r.guard_info.first + k];
      if (!strs(Sec::Guards, r.guard_info.first + k, {{"reason", g.reason}, {"explain", g.explain}})) return false;
      if (g.decline > 1 || (!g.decline && (g.target < 0 || g.target >= p.object_count(OK::Routing))))
        return fail(Sec::Guards, r.guard_info.first + k, "delegates to no routing");
    }
    for (uint32_t k = 0; k < r.candidates.count; ++k) {
      const pdc::Candidate& c = rec<pdc::Candidate>(Sec::Candidates)[r.candidates.first + k];
      uint64_t ci = r.candidates.first + k;
      if (!strs(Sec::Candidates, ci, {{"explain", c.explain}, {"condition_false", c.condition_false}}) ||
          !object_ref(Sec::Candidates, ci, "terminal", OK::Terminal, c.terminal, false) ||
          !ref(Sec::Candidates, ci, "when", Sec::Selectors, c.when, true))
        return false;
      // The weighted draw sums weights in 64 bits.
      if (c.weight < 0 || c.weight > (int64_t{1} << 40)) return fail(Sec::Candidates, ci, "weight outside 0..2^40");
    }
    if (r.candidates.count > (1u << 20)) return fail(Sec::Routings, i, "too many candidates");
    for (uint32_t k = 0; k < r.excludes.count; ++k) {
      const pdc::Exclude& x = rec<pdc::Exclude>(Sec::Excludes)[r.excludes.first + k];
      if (!strs(Sec::Excludes, r.excludes.first + k, {{"explain", x.explain}, {"reason", x.reason}}) ||
          !ref(Sec::Excludes, r.excludes.first + k, "condition", Sec::CondNodes, x.cond, false))
        return false;
    }
  }
  if (n(Sec::LimitZones) != 0 && n(Sec::LimitZones) != n(Sec::Limits))
    return fail(Sec::LimitZones, 0,
                std::to_string(n(Sec::LimitZones)) + " records for " + std::to_string(n(Sec::Limits)) + " limits");
  if (n(Sec::ZoneStarts) != n(Sec::ZoneOffsets))
    return fail(Sec::ZoneOffsets, 0, "not one offset per start in section zone_starts");
  for (uint32_t i = 0; i < n(Sec::Limits); ++i) {
    const pdc::Limit& l = p.limit(static_cast<int32_t>(i));
    if (!strs(Sec::Limits, i, {{"name", l.name}, {"explain", l.explain}, {"timezone", l.timezone}}) ||
        !span(Sec::Limits, i, "scopes", Sec::LimitScopes, l.scopes) ||
        !ref(Sec::Limits, i, "when", Sec::Selectors, l.when, true))
      return false;
    for (int32_t s : p.span<int32_t>(Sec::LimitScopes, l.scopes))
      if (s < 0 || s >= static_cast<int32_t>(dsl::limit_scopes().size())) return fail(Sec::Limits, i, "unknown scope");
    bool zoned = l.tz_offset_minutes == pdc::kZoned;
    if (l.period < 0 || l.period >= static_cast<int32_t>(dsl::limit_periods().size()) ||
        (!zoned && (l.tz_offset_minutes < -24 * 60 || l.tz_offset_minutes > 24 * 60)) || l.is_count > 1 ||
        l.inclusive > 1 || l.counts_refunds > 1)
      return fail(Sec::Limits, i, "unknown period, offset or flag");
    if (!limit_zone(i, zoned)) return false;
    if (!l.is_count && !object_ref(Sec::Limits, i, "currency", OK::Currency, l.currency, false)) return false;
  }
  return bindings() && refund_terms() && capture_terms() && chargeback_terms();
}

template <class Rec, size_t N, class Valid>
bool Program::Loader::per_object_terms(const std::pair<Sec, dsl::ObjectKind> (&sections)[N], Valid valid) {
  for (auto [s, kind] : sections) {
    if (n(s) != static_cast<uint32_t>(p.object_count(kind)))
      return fail(s, 0, std::to_string(n(s)) + " records for " + std::to_string(p.object_count(kind)) + " objects");
    for (uint32_t i = 0; i < n(s); ++i) {
      if (!valid(s, i, rec<Rec>(s)[i])) return false;
    }
  }
  return true;
}

// Chargeback terms per tariff and provider.
bool Program::Loader::chargeback_terms() {
  using OK = dsl::ObjectKind;
  const std::pair<Sec, OK> sections[] = {{Sec::TariffChargebacks, OK::Tariff}, {Sec::ProviderChargebacks, OK::Provider}};
  return per_object_terms<pdc::ChargebackTerms>(sections, [&](Sec s, uint32_t i, const pdc::ChargebackTerms& r) {
    if (!strs(s, i, {{"explain", r.explain}}) || !ref(s, i, "fees", Sec::CashFlows, r.fees, true) ||
        !ref(s, i, "reserve", Sec::CashFlows, r.reserve, true))
      return false;
    return r.allowed <= 1 || fail(s, i, "unknown flag");
  });
}

// Capture terms per tariff, provider and terminal.
bool Program::Loader::capture_terms() {
  using OK = dsl::ObjectKind;
  const std::pair<Sec, OK> sections[] = {
      {Sec::TariffCaptures, OK::Tariff}, {Sec::ProviderCaptures, OK::Provider}, {Sec::TerminalCaptures, OK::Terminal}};
  return per_object_terms<pdc::CaptureTerms>(sections, [&](Sec s, uint32_t i, const pdc::CaptureTerms& r) {
    if (!strs(s, i, {{"explain", r.explain}})) return false;
    return r.partial <= 1 || fail(s, i, "unknown flag");
  });
}

// Refund terms per tariff, provider and terminal.
bool Program::Loader::refund_terms() {
  using OK = dsl::ObjectKind;
  const std::pair<Sec, OK> sections[] = {
      {Sec::TariffRefunds, OK::Tariff}, {Sec::ProviderRefunds, OK::Provider}, {Sec::TerminalRefunds, OK::Terminal}};
  return per_object_terms<pdc::RefundTerms>(sections, [&](Sec s, uint32_t i, const pdc::RefundTerms& r) {
    if (!strs(s, i, {{"within", r.within}, {"explain", r.explain}}) || !ref(s, i, "fees", Sec::CashFlows, r.fees, true))
      return false;
    return (r.allowed <= 1 && r.partial <= 1 && r.within_seconds >= 0) || fail(s, i, "unknown flag or a negative window");
  });
}

// Payment institutions, whom each serves, and the tariff binding.
bool Program::Loader::bindings() {
  using OK = dsl::ObjectKind;
  if (n(Sec::Institutions) != static_cast<uint32_t>(p.object_count(OK::PaymentInstitution)))
    return fail(Sec::Institutions, 0, std::to_string(n(Sec::Institutions)) + " records for " +
                                          std::to_string(p.object_count(OK::PaymentInstitution)) + " names");
  for (uint32_t i = 0; i < n(Sec::Institutions); ++i) {
    const pdc::Institution& x = p.institution(static_cast<int32_t>(i));
    if (!strs(Sec::Institutions, i, {{"name", x.name}, {"explain", x.explain}, {"default_explain", x.default_explain}}) ||
        !object_ref(Sec::Institutions, i, "default_tariff", OK::Tariff, x.default_tariff, true) ||
        !object_ref(Sec::Institutions, i, "routing", OK::Routing, x.routing, true))
      return false;
    if (x.realm < 0 || x.realm >= static_cast<int32_t>(dsl::realms().size())) return fail(Sec::Institutions, i, "unknown realm");
  }
  // Whom each serves: one record per institution.
  const Sec rs = Sec::InstitutionResidences;
  if (n(rs) != n(Sec::Institutions))
    return fail(rs, 0, std::to_string(n(rs)) + " records for " + std::to_string(n(Sec::Institutions)) + " institutions");
  for (uint32_t i = 0; i < n(rs); ++i) {
    const pdc::InstitutionResidences& x = rec<pdc::InstitutionResidences>(rs)[i];
    if (!strs(rs, i, {{"list", x.list}, {"explain", x.explain}}) || !span(rs, i, "served", Sec::Flags, x.served))
      return false;
    if (x.any > 1 || x.served.count != (x.any ? 0u : static_cast<uint32_t>(p.object_count(OK::Country))))
      return fail(rs, i, "served is not one flag per country");
  }
  if (n(Sec::Bindings) > 1) return fail(Sec::Bindings, 1, "more than one tariff binding");
  if (const pdc::Binding* b = p.binding()) {
    if (!strs(Sec::Bindings, 0, {{"name", b->name}, {"explain", b->explain}}) ||
        !ref(Sec::Bindings, 0, "selector", Sec::Selectors, b->selector, false) ||
        !span(Sec::Bindings, 0, "rules", Sec::BindingRules, b->rules))
      return false;
    if (b->rules.count != rec<pdc::Selector>(Sec::Selectors)[b->selector].rule_count)
      return fail(Sec::Bindings, 0, "one binding rule record per rule of the selector expected");
    for (uint32_t k = 0; k < b->rules.count; ++k) {
      const pdc::BindingRule& r = rec<pdc::BindingRule>(Sec::BindingRules)[b->rules.first + k];
      if (!strs(Sec::BindingRules, b->rules.first + k, {{"explain", r.explain}}) ||
          !object_ref(Sec::BindingRules, b->rules.first + k, "tariff", OK::Tariff, r.tariff, false))
        return false;
    }
  }
  return true;
}

Result<std::shared_ptr<const Program>> Program::load(std::string bytes) {
  std::shared_ptr<Program> p(new Program());
  static std::atomic<uint64_t> loads{0};
  p->load_id_ = ++loads;
  p->size_ = bytes.size();
  p->storage_ = std::make_unique<uint64_t[]>((bytes.size() + 7) / 8);
  std::memcpy(p->storage_.get(), bytes.data(), bytes.size());
  p->base_ = reinterpret_cast<const uint8_t*>(p->storage_.get());
  Loader l{*p, {}};
  std::string_view view(reinterpret_cast<const char*>(p->base_), p->size_);
  bool ok = l.header(view) && l.sections() && l.attributes() && l.tables() && l.dags() && l.conds() && l.cash_flows() &&
            l.objects();
  if (!ok) return Error{"", l.error};
  if (int32_t t = p->object_table_[static_cast<size_t>(dsl::ObjectKind::Currency)]; t >= 0)
    p->currency_names_ = p->at<pdc::Str>(Sec::Names) + p->at<pdc::Table>(Sec::Tables)[t].names.first;
  p->views_.resize(p->count(Sec::Selectors));
  for (uint32_t si = 0; si < p->views_.size(); ++si) {
    const pdc::Selector& s = p->at<pdc::Selector>(Sec::Selectors)[si];
    if (!s.fallback) p->views_[si] = p->dag(s);  // a fallback's stays empty: decide() tells them apart by that
  }
  for (int32_t i = 0; i < p->limit_count(); ++i) {
    p->route_scopes_.push_back(dsl::route_scope_of(p->span<int32_t>(Sec::LimitScopes, p->limit(i).scopes)));
    if (p->route_scopes_.back() >= 0) p->route_limits_.push_back(i);
  }
  if (std::string e = p->accounts_.load(*p); !e.empty()) return Error{"", e};
  p->json_plain_ = json::Writer::is_plain(
      std::string_view(reinterpret_cast<const char*>(p->sec_[idx(Sec::Strings)].data), p->sec_[idx(Sec::Strings)].count));
  return std::shared_ptr<const Program>(std::move(p));
}

LimitZone Program::limit_zone(int32_t i) const {
  const pdc::Limit& l = limit(i);
  if (l.tz_offset_minutes != pdc::kZoned) return {l.tz_offset_minutes, {}};  // the loader checked the table
  pdc::Span z = at<pdc::Span>(Sec::LimitZones)[i];
  return {0, ZoneTable{span<int64_t>(Sec::ZoneStarts, z), span<int32_t>(Sec::ZoneOffsets, z)}};
}

// ---- vocabulary --------------------------------------------------------------

std::string_view Program::source_hash() const {
  const char* h = header().source_hash;
  return {h, static_cast<size_t>(std::find(h, h + 64, '\0') - h)};
}

namespace {
int32_t table_find(const Program& p, const pdc::Table& t, std::string_view s) {
  const pdc::Str* names = p.at<pdc::Str>(Sec::Names) + t.names.first;
  return name_table_find(p.at<int32_t>(Sec::Slots) + t.slots.first, t.slots.count,
                         [&](int32_t id) { return p.str(names[id]); }, s);
}
}  // namespace

int32_t Program::object(dsl::ObjectKind kind, std::string_view id) const {
  int32_t t = object_table_[static_cast<size_t>(kind)];
  return t < 0 ? -1 : table_find(*this, at<pdc::Table>(Sec::Tables)[t], id);
}

std::string_view Program::object_name(dsl::ObjectKind kind, int32_t index) const {
  int32_t t = object_table_[static_cast<size_t>(kind)];
  const pdc::Table& tb = at<pdc::Table>(Sec::Tables)[t];
  return str(at<pdc::Str>(Sec::Names)[tb.names.first + static_cast<uint32_t>(index)]);
}

int32_t Program::object_count(dsl::ObjectKind kind) const {
  int32_t t = object_table_[static_cast<size_t>(kind)];
  return t < 0 ? 0 : static_cast<int32_t>(at<pdc::Table>(Sec::Tables)[t].names.count);
}

namespace {
// The table behind a categorical attribute: its reference kind's objects, or its own.
int32_t attr_table_of(const std::array<int32_t, dsl::kObjectKindCount>& objects,
                      const std::array<int32_t, kAttrCount>& attrs, Attr a) {
  const dsl::AttributeInfo& info = dsl::kAttributes[static_cast<size_t>(a)];
  if (info.type == dsl::AttrType::Reference) return objects[static_cast<size_t>(info.ref_kind)];
  return attrs[static_cast<size_t>(a)];
}
}  // namespace

int32_t Program::size(Attr a) const {
  int32_t t = attr_table_of(object_table_, attr_table_, a);
  int32_t names = t < 0 ? 0 : static_cast<int32_t>(at<pdc::Table>(Sec::Tables)[t].names.count);
  return names + (has_other(a) ? 1 : 0);
}

int32_t Program::find(Attr a, std::string_view value) const {
  int32_t t = attr_table_of(object_table_, attr_table_, a);
  int32_t id = t < 0 ? -1 : table_find(*this, at<pdc::Table>(Sec::Tables)[t], value);
  if (id >= 0) return id;
  return has_other(a) ? size(a) - 1 : -1;
}

std::string_view Program::name(Attr a, int32_t id) const {
  int32_t t = attr_table_of(object_table_, attr_table_, a);
  if (t >= 0) {
    const pdc::Table& tb = at<pdc::Table>(Sec::Tables)[t];
    if (id >= 0 && static_cast<uint32_t>(id) < tb.names.count) return str(at<pdc::Str>(Sec::Names)[tb.names.first + static_cast<uint32_t>(id)]);
  }
  return "(other)";
}

Status Program::check_context(const Context& c) const {
  const Facts& f = c.facts;
  for (int i = 0; i < kAttrCount; ++i) {
    auto a = static_cast<Attr>(i);
    if (!f.has(a)) continue;
    if (is_categorical(a) && (f.get(a) < 0 || f.get(a) >= size(a)))
      return Error{std::string(dsl::kAttributes[i].path), "id " + std::to_string(f.get(a)) + " is not one of this revision's"};
  }
  if (f.has(Attr::Bin)) {
    for (char ch : f.bin)
      if (ch < '0' || ch > '9') return Error{"payment_tool.bin", "a BIN is digits only"};
  }
  if (f.failure_rate.scale < 0 || f.failure_rate.scale > 18) return Error{"health", "failure rate scale outside 0..18"};
  if (c.tariff < -1 || c.tariff >= tariff_count()) return Error{"tariff", "not a tariff of this revision"};
  if (c.routing < -1 || c.routing >= object_count(dsl::ObjectKind::Routing)) return Error{"routing", "not a routing of this revision"};
  if (c.has_payment_amount && (c.payment_currency < 0 || c.payment_currency >= object_count(dsl::ObjectKind::Currency)))
    return Error{"payment_amount.currency", "not a currency of this revision"};
  if (c.original_terminal < -1 || c.original_terminal >= terminal_count() || (c.original_terminal >= 0 && !c.has_original_terminal))
    return Error{"original_terminal", "not a terminal of this revision"};
  for (const HealthSample& h : c.health) {
    if (h.terminal < -1 || h.terminal >= terminal_count() || h.provider < -1 || h.provider >= provider_count() ||
        h.failure_rate.scale < 0 || h.failure_rate.scale > 18)
      return Error{"health", "not a terminal or provider of this revision"};
  }
  for (const Turnover& t : c.turnover) {
    if (t.limit < -1 || t.limit >= limit_count()) return Error{"turnover", "not a limit of this revision"};
  }
  return Ok{};
}

// ---- decisions -----------------------------------------------------------------

DagView Program::dag(const pdc::Selector& s) const {
  // Never null for a DAG (the section is always there): null marks a fallback.
  return {at<uint32_t>(Sec::DagWords) + s.word_first, at<DagTrieNode>(Sec::DagTrie) + s.trie_first, s.word_count, s.root};
}

Tri Program::eval_atom(uint32_t i, const Facts& f) const {
  const pdc::Atom& a = at<pdc::Atom>(Sec::Atoms)[i];
  auto strings = span<pdc::Str>(Sec::StrList, a.strings);
  struct Strs {
    const Program& p;
    std::span<const pdc::Str> s;
    struct It {
      const Program* p;
      const pdc::Str* s;
      std::string_view operator*() const { return p->str(*s); }
      It& operator++() { ++s; return *this; }
      bool operator!=(const It& o) const { return s != o.s; }
    };
    It begin() const { return {&p, s.data()}; }
    It end() const { return {&p, s.data() + s.size()}; }
  };
  return atom_truth(static_cast<Atom::Kind>(a.kind), static_cast<Attr>(a.attr), a.negate != 0, a.currency,
                    span<int32_t>(Sec::AtomIds, a.ids), span<pdc::Range>(Sec::AtomRanges, a.ranges),
                    [](const pdc::Range& r) { return std::pair<int64_t, int64_t>{r.lo, r.hi}; }, Strs{*this, strings},
                    static_cast<dsl::CompareOp>(a.op), dsl::Decimal{a.share_units, a.share_scale}, f);
}

Tri Program::eval_cond(uint32_t i, const Facts& f) const {
  const pdc::CondNode& c = at<pdc::CondNode>(Sec::CondNodes)[i];
  auto kids = span<uint32_t>(Sec::CondKids, c.kids);
  switch (static_cast<Cond::Kind>(c.kind)) {
    case Cond::Kind::True: return Tri::True;
    case Cond::Kind::Atom: return eval_atom(c.atom, f);
    case Cond::Kind::Not: return negate(eval_cond(kids[0], f));
    case Cond::Kind::And: {
      Tri r = Tri::True;
      for (uint32_t k : kids) {
        r = combine_and(r, eval_cond(k, f));
        if (r == Tri::False) return r;
      }
      return r;
    }
    case Cond::Kind::Or: {
      Tri r = Tri::False;
      for (uint32_t k : kids) {
        r = combine_or(r, eval_cond(k, f));
        if (r == Tri::True) return r;
      }
      return r;
    }
  }
  return Tri::Unknown;
}

void Program::unknown_atoms(uint32_t i, const Facts& f, uint32_t& missing) const {
  const pdc::CondNode& c = at<pdc::CondNode>(Sec::CondNodes)[i];
  if (c.kind == static_cast<uint8_t>(Cond::Kind::Atom)) {
    if (eval_atom(c.atom, f) != Tri::Unknown) return;
    auto a = static_cast<Attr>(at<pdc::Atom>(Sec::Atoms)[c.atom].attr);
    missing |= bit(a == Attr::Amount && !f.has(Attr::Currency) ? Attr::Currency : a);
    return;
  }
  for (uint32_t k : span<uint32_t>(Sec::CondKids, c.kids)) unknown_atoms(k, f, missing);
}

int32_t Program::decide_slow(uint32_t si, const Facts& f) const {
  const pdc::Selector& s = at<pdc::Selector>(Sec::Selectors)[si];
  const uint32_t* rules = at<uint32_t>(Sec::SelectorRules) + s.rules.first;
  int32_t o = s.fallback ? interpret_with(s.rules.count, [&](size_t i) { return eval_cond(rules[i], f); })
                         : dag_decide(views_[si], f);
  return complete_decision(o, [&](std::vector<int32_t>& outcomes, uint32_t& missing) {
    explore(si, f, outcomes, missing);
  });
}

void Program::explore(uint32_t si, const Facts& f, std::vector<int32_t>& outcomes, uint32_t& missing) const {
  const pdc::Selector& s = at<pdc::Selector>(Sec::Selectors)[si];
  if (!s.fallback) {
    dag_explore(views_[si], f, outcomes, missing);
    return;
  }
  const uint32_t* rules = at<uint32_t>(Sec::SelectorRules) + s.rules.first;
  interpret_explore_with(
      s.rules.count, [&](size_t i) { return eval_cond(rules[i], f); },
      [&](size_t i, uint32_t& m) { unknown_atoms(rules[i], f, m); }, outcomes, missing);
}

}  // namespace paydomain::evaluator
