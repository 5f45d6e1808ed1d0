// The records of a compiled-revision artifact (docs/artifact.md): fixed
// little-endian layouts, read in place from the artifact's bytes by
// evaluator/program.h and written by evaluator/artifact.h. Standard library
// only. Every index is a plain integer into a section; the loader checks each
// one before anything follows it.
//
// Compatibility: a record's layout changes only with the format's major
// version. A minor version adds sections (an older reader ignores a section
// id it does not know) and attributes or enum values (matched by name
// through the Attributes and Tables sections, never by position alone).
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

namespace paydomain::evaluator::pdc {

static_assert(std::endian::native == std::endian::little, "the artifact is read in place: little-endian hosts only");

inline constexpr char kMagic[8] = {'P', 'D', 'C', 'A', 'R', 'T', '\r', '\n'};
// 2.0: the flat layout (docs/artifact.md "Layout and speed"): a DAG node's
// children beside it (dag_words), an arm's cash flow inline in the arm, a
// posting's usual volume (a share or a fixed sum) as plain words in it.
// 2.0 also adds the attributes `residence` and `realm`,
// institution_residences, tariff_captures, provider_captures,
// terminal_captures, tariff_chargebacks, provider_chargebacks.
// 2.1: a posting's account roles in the posting record (Posting::roles,
// where 2.0 had a pad byte: a 2.0 reader ignores it; a 2.1 reader fills it
// in when it loads a 2.0 artifact).
// 1.x (read by no reader of 2.x): 1.1 limit_zones, zone_starts,
// zone_offsets; 1.2 institutions, bindings, binding_rules; 1.3 accounts,
// tariff_refunds, provider_refunds, terminal_refunds; 1.4 the attribute
// `instant` (zoned weekday/time conditions, evaluator/zoned_time.h).
inline constexpr uint16_t kFormatMajor = 2;
inline constexpr uint16_t kFormatMinor = 1;
inline constexpr uint32_t kNone = 0xFFFFFFFFu;  // no selector / cash flow / condition
inline constexpr uint32_t kAlign = 8;           // every section starts at a multiple of 8
inline constexpr uint32_t kMaxDepth = 256;      // nesting of conditions, volumes, cash flows

struct Header {
  char magic[8];
  uint16_t major, minor;
  uint32_t header_size;  // sizeof(Header)
  uint64_t revision;
  uint64_t total_size;    // the whole artifact, header included
  uint32_t crc32c;        // CRC-32C of the whole artifact with this field zero
  uint32_t section_count; // SectionEntry records right after the header
  char source_hash[64];   // hex SHA-256 of the canonical source, or zeros
  uint8_t reserved[24];
};
static_assert(sizeof(Header) == 128);
inline constexpr uint32_t kCrcOffset = 32;

struct SectionEntry {
  uint32_t id, offset, size, elem_size;  // size a multiple of elem_size
};

enum class Sec : uint32_t {
  Strings = 1, Attributes, Tables, Names, Slots, Exponents,
  DagWords, Retired8, Retired9, DagTrie, Selectors, SelectorRules,  // 8, 9: 1.x dag_edges, dag_bounds
  CondNodes, CondKids, Atoms, AtomIds, AtomRanges, StrList,
  Volumes, VolumeArgs, Postings, CashFlows, Arms,
  Tariffs, Flags, Methods, Bounds, Providers, Terminals,
  Routings, Guards, Candidates, Excludes, Limits, LimitScopes,
  LimitZones, ZoneStarts, ZoneOffsets,  // 1.1
  Institutions, Bindings, BindingRules,  // 1.2
  Accounts, TariffRefunds, ProviderRefunds, TerminalRefunds,  // 1.3
  InstitutionResidences,  // 2.0
  TariffCaptures, ProviderCaptures, TerminalCaptures, TariffChargebacks, ProviderChargebacks,  // 2.0
};
inline constexpr uint32_t kSectionCount = static_cast<uint32_t>(Sec::ProviderChargebacks);
// Every section of format 2.0 (but the retired ids) is in every 2.x
// artifact; only a later minor's sections may be absent (an older minor's
// artifact, read without them).
inline constexpr uint32_t kSectionCount2_0 = static_cast<uint32_t>(Sec::ProviderChargebacks);
inline constexpr bool retired(uint32_t id) {
  return id == static_cast<uint32_t>(Sec::Retired8) || id == static_cast<uint32_t>(Sec::Retired9);
}

struct Str {
  uint32_t off = 0, len = 0;  // bytes of the Strings section
};
struct Span {
  uint32_t first = 0, count = 0;  // elements of another section
};

// The artifact's attribute order: Attributes[i] names the schema attribute
// (dsl::kAttributes) whose slot the artifact's attribute i is.
// Tables: one name table per object kind (kind 1, index = dsl::ObjectKind)
// and per Enum/Text attribute (kind 0, index = the artifact's attribute).
struct Table {
  uint8_t kind;   // 0 attribute, 1 object kind
  uint8_t pad[3];
  uint32_t index;
  Span names;     // Str in Names, by id
  Span slots;     // int32 in Slots: open addressing over the names (evaluator/name_hash.h)
};

// DagWords (uint32), DagTrie: the flat form of evaluator/dag.h (DagView:
// nodes with their children beside them; DagTrieNode), each DAG's arrays
// copied as built: its offsets are relative to its own slices, named here.
struct Selector {
  uint32_t root;  // a child word (dag.h): a node's offset in the slice, or a leaf; unused when fallback
  uint32_t word_first, word_count;
  uint32_t trie_first, trie_count;
  uint32_t rule_count;   // outcomes are -1 or < rule_count
  uint8_t fallback;      // rule by rule over `rules`
  uint8_t pad[3];
  Span rules;            // uint32 CondNodes indices in SelectorRules (fallback only)
};

struct CondNode {
  uint8_t kind;  // Cond::Kind
  uint8_t pad[3];
  uint32_t atom; // Atom kind: Atoms index
  Span kids;     // uint32 CondNodes indices in CondKids, each below this node's
};
struct Atom {
  uint8_t kind, attr, negate, op;
  int32_t currency;
  Span ids;      // int32 in AtomIds
  Span ranges;   // Range in AtomRanges
  Span strings;  // Str in StrList
  int64_t share_units;
  int32_t share_scale;
  uint32_t pad;
};
struct Range {
  int64_t lo, hi;
};

struct Volume {
  uint8_t kind;
  uint8_t pad[3];
  int32_t fixed_currency;
  int64_t fixed_minor;
  uint64_t num_lo, num_hi, den_lo, den_hi;  // the share, two's complement __int128
  Span args;  // uint32 Volumes indices in VolumeArgs, each below this one
};
// A posting's usual volume, in the posting itself (2.0): a share of the
// amount (`1.5% of amount`, `1/20 of amount`, `amount`) whose numerator and
// denominator fit a word, or a fixed sum; anything else (min, max, sums,
// larger numbers) has only its Volumes record, which every posting names
// (the general walk, and its errors, read it).
enum class QuickVolume : uint8_t { None, Share, Fixed };
struct Posting {
  Str from, to, details, explain;
  uint32_t volume;      // Volumes
  uint8_t rounding;
  uint8_t uses_amount;  // the volume reads the amount (precomputed)
  uint8_t quick;        // QuickVolume; the loader checks it equals the volume
  uint8_t roles;        // 2.1: PostingRoles of `from` and `to`; the loader checks it equals their names
  int64_t quick_a, quick_b;  // Share: numerator, denominator; Fixed: minor units, currency
};
// A posting's account roles in one byte (2.1): `from`'s in bits 0-3, `to`'s
// in bits 4-7, each its dsl::kAccountRoles index + 1, or 0 for a name that
// is no role. In the record, so evaluation reads them with the posting (the
// side table by posting index they replace cost a cache line per posting).
struct PostingRoles {
  static constexpr uint8_t pack(int32_t from, int32_t to) {
    return static_cast<uint8_t>((from + 1) | (to + 1) << 4);
  }
  static constexpr int8_t from(uint8_t roles) { return static_cast<int8_t>((roles & 15) - 1); }
  static constexpr int8_t to(uint8_t roles) { return static_cast<int8_t>((roles >> 4) - 1); }
  static constexpr int32_t kMaxRoles = 15;  // roles a nibble holds beside "none"
};
// A cash flow: its postings, then the first arm of `arms` that matches.
// CashFlows holds the ones a tariff, provider or refund terms name; an arm's
// is inline in its Arm record, so the answer a fee rule leads to is one load
// from the DAG's leaf (the arm), and its postings one more.
struct CashFlow {
  Span postings;  // Postings
  uint32_t arms;  // Selector, or kNone
  Span bodies;    // Arm records, one per rule of `arms`; an arm's own: arms before it
  uint32_t pad;
};
struct Arm {
  CashFlow body;
  uint32_t line;
  Str explain;
  uint32_t pad;
};

struct Tariff {
  Str name, explain;
  uint8_t has_currencies, has_categories, has_methods, refunds_allowed, refunds_partial;
  uint8_t pad[3];
  Span currencies, categories;  // uint8 in Flags, by id (the attribute's size)
  Span methods;                 // Method
  Span bounds;                  // Bound
  Str currencies_explain, categories_explain, methods_explain, refunds_explain;
  uint32_t fees, refund_fees;   // CashFlows or kNone
  int32_t routing;
  uint32_t pad2;
  int64_t hold_lifetime;
  Str hold_unit;
};
struct Method {
  int32_t kind, sub;
};
struct Bound {
  int32_t currency;
  uint32_t pad;
  int64_t low, high;
  Str explain;
};
struct Provider {
  Str name, explain, refuses;
  uint32_t accepts;  // Selector or kNone
  uint32_t fees;     // CashFlows or kNone
};
struct Terminal {
  Str name, explain, refuses, disabled_reason;
  Span over_coverage;  // Str in StrList, by risk id
  int32_t provider;
  int32_t risk_coverage;
  uint32_t accepts;
  uint8_t disabled;
  uint8_t pad[3];
};
struct Routing {
  Str name, explain;
  uint32_t guards;  // Selector
  uint32_t pad;
  Span guard_info;  // Guard
  Span candidates;  // Candidate
  Span excludes;    // Exclude
};
struct Guard {
  uint8_t decline;
  uint8_t pad[3];
  int32_t target;
  Str reason, explain;
};
struct Candidate {
  int32_t terminal;
  uint32_t when;  // Selector or kNone
  int64_t priority, weight;
  Str explain, condition_false;
};
struct Exclude {
  uint32_t cond;  // CondNodes
  uint32_t pad;
  Str explain, reason;
};
struct Limit {
  Str name, explain, timezone;
  Span scopes;  // int32 in LimitScopes
  // The fixed offset east of UTC, or kZoned (outside any offset): a named
  // zone whose table is LimitZones[this limit].
  int32_t period, tz_offset_minutes;
  uint8_t is_count, inclusive, counts_refunds;
  uint8_t pad;
  int32_t currency;
  int64_t bound;
  uint32_t when;  // Selector or kNone
  uint32_t pad2;
};

inline constexpr int32_t kZoned = INT32_MIN;
// LimitZones: one Span per limit (count 0 unless the limit is kZoned) over
// ZoneStarts (int64, Unix seconds, strictly ascending) and ZoneOffsets
// (int32, minutes east of UTC, within +-18 h): the same indices in both,
// evaluator/time.h ZoneTable. Limits naming the same zone share one table.

// Who gets which tariff (1.2). Institutions: one per payment institution
// (the object table of kind payment_institution names them, written only
// when the domain has any). Bindings: at most one record, the domain's tariff_binding: a
// first-match selector whose rule k gives BindingRules[rules.first + k].
struct Institution {
  Str name, explain;
  Str default_explain;     // "payment_institution acme_ru, default_tariff standard (line 4)"
  int32_t realm;           // index into dsl::kRealms
  int32_t default_tariff;  // tariff index, or -1
  int32_t routing;         // routing index, or -1: used when the tariff names none
  uint32_t pad;
};
struct Binding {
  Str name, explain;
  uint32_t selector;  // Selectors
  uint32_t pad;
  Span rules;         // BindingRule, one per rule of the selector
};
struct BindingRule {
  int32_t tariff;
  uint32_t pad;
  Str explain;  // "tariff_binding acme, rule 2 (line 7): tariff premium"
};

// The real accounts behind posting roles (1.3, dsl/accounts.h): one record
// per account a provider or payment institution names, in domain order.
// The role is matched by name (dsl::kAccountRoles), so roles may be added;
// a 1.2 reader ignores the section and evaluates postings with roles only.
struct Account {
  Str role;           // "system.settlement"
  int32_t holder_kind;  // dsl::ObjectKind: provider or payment_institution
  int32_t holder;       // its index
  int32_t currency;
  uint32_t pad;
  Str number;         // decimal digits (beyond 64 bits: never a number)
};

// Refund terms (1.3): TariffRefunds one record per tariff (its window; its
// other refund terms are in Tariff), ProviderRefunds one per provider,
// TerminalRefunds one per terminal.
struct RefundTerms {
  uint8_t allowed, partial;
  uint8_t pad[2];
  uint32_t fees;           // CashFlows or kNone: a provider's refund fees
  int64_t within_seconds;  // how long after its payment a refund may come; 0 = no window
  Str within;              // "180 days", for reasons
  Str explain;             // "provider bluebank, refunds (line 12)", or empty
};

// Whom a payment institution serves (2.0): one record per institution
// (Institution has its realm).
struct InstitutionResidences {
  uint8_t any;        // 1: `residences` not written, merchants of any country
  uint8_t pad[7];
  Span served;        // Flags, one per country (empty when `any`)
  Str list;           // "RU, KZ", for reasons
  Str explain;        // "payment_institution acme_ru, realm live (line 3), residences [RU, KZ] (line 4)"
};

// Capture terms (2.0): one record per tariff (TariffCaptures), provider
// (ProviderCaptures) and terminal (TerminalCaptures).
struct CaptureTerms {
  uint8_t partial;  // 0: only the whole hold
  uint8_t pad[7];
  Str explain;      // "provider bluebank, captures (line 14)", or empty
};

// Chargeback terms (2.0): one record per tariff (TariffChargebacks) and
// provider (ProviderChargebacks).
struct ChargebackTerms {
  uint8_t allowed;
  uint8_t pad[3];
  uint32_t fees;     // CashFlows or kNone: the tariff's (merchant's) or the provider's chargeback fees
  uint32_t reserve;  // CashFlows or kNone: a tariff's reserve while the dispute is open
  uint32_t pad2;
  Str explain;       // "tariff standard, chargebacks (line 70)", or empty
};

template <class T>
inline constexpr bool kRecord = std::is_trivially_copyable_v<T> && std::is_standard_layout_v<T> && alignof(T) <= kAlign;

}  // namespace paydomain::evaluator::pdc
