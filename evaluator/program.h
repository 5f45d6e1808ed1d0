// One compiled revision as the evaluator runs it: an artifact's bytes
// (docs/artifact.md, evaluator/program_format.h) validated once and then
// read in place — no objects rebuilt, only the section offsets indexed.
// Standard library only: the service (CompiledDomain::program) and the
// embeddable client (client/) both evaluate through this class and
// evaluator/evaluate.h's walk, so their answers cannot differ.
//
// load() checks the checksum, the format version, and every offset, count,
// index and reference any evaluation can follow, so that no input makes
// evaluation read out of bounds, recurse without bound, or loop: a bad
// artifact is an Error naming the section, the record and its offset.
// Evaluation relies on these checks and repeats none of them: in particular
// every section of format 2.0 is present and the terms sections (refunds,
// captures, chargebacks) hold exactly one record per tariff, provider and
// terminal, so their accessors below never return null for a valid index;
// a posting's roles byte says what its `from` and `to` name (load() fills
// it in for a 2.0 artifact, which has a pad byte there, as it remaps the
// attribute bytes of an artifact from another schema: bytes() returns the
// bytes as evaluation reads them).
// What it trusts instead is the Context: its categorical ids must come from
// this program's vocabulary (find/object; check_context tells).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/schema.h"
#include "evaluator/accounts.h"
#include "evaluator/condition.h"
#include "evaluator/context.h"
#include "evaluator/dag.h"
#include "evaluator/program_format.h"
#include "evaluator/result.h"
#include "evaluator/time.h"

namespace paydomain::evaluator {

namespace pdc {
// Section names (for errors and docs/artifact.md) and record sizes, by id.
inline constexpr std::string_view kSectionNames[pdc::kSectionCount + 1] = {
    "?",          "strings",     "attributes",  "tables",     "names",       "slots",       "exponents",
    "dag_words",  "retired_8",   "retired_9",   "dag_trie",   "selectors",   "selector_rules",
    "cond_nodes", "cond_kids",   "atoms",       "atom_ids",   "atom_ranges", "str_list",
    "volumes",    "volume_args", "postings",    "cash_flows", "arms",        "tariffs",
    "flags",      "methods",     "bounds",      "providers",  "terminals",   "routings",
    "guards",     "candidates",  "excludes",    "limits",     "limit_scopes", "limit_zones", "zone_starts",
    "zone_offsets", "institutions", "bindings",   "binding_rules", "accounts", "tariff_refunds", "provider_refunds",
    "terminal_refunds", "institution_residences", "tariff_captures", "provider_captures", "terminal_captures",
    "tariff_chargebacks", "provider_chargebacks",
};

inline constexpr uint32_t kElemSize[pdc::kSectionCount + 1] = {
    0,
    1,                          // Strings
    sizeof(pdc::Str),           // Attributes
    sizeof(pdc::Table),
    sizeof(pdc::Str),           // Names
    sizeof(int32_t),            // Slots
    sizeof(int32_t),            // Exponents
    sizeof(uint32_t),           // DagWords
    1,                          // (1.x dag_edges)
    1,                          // (1.x dag_bounds)
    sizeof(DagTrieNode),
    sizeof(pdc::Selector),
    sizeof(uint32_t),           // SelectorRules
    sizeof(pdc::CondNode),
    sizeof(uint32_t),           // CondKids
    sizeof(pdc::Atom),
    sizeof(int32_t),            // AtomIds
    sizeof(pdc::Range),
    sizeof(pdc::Str),           // StrList
    sizeof(pdc::Volume),
    sizeof(uint32_t),           // VolumeArgs
    sizeof(pdc::Posting),
    sizeof(pdc::CashFlow),
    sizeof(pdc::Arm),
    sizeof(pdc::Tariff),
    1,                          // Flags
    sizeof(pdc::Method),
    sizeof(pdc::Bound),
    sizeof(pdc::Provider),
    sizeof(pdc::Terminal),
    sizeof(pdc::Routing),
    sizeof(pdc::Guard),
    sizeof(pdc::Candidate),
    sizeof(pdc::Exclude),
    sizeof(pdc::Limit),
    sizeof(int32_t),            // LimitScopes
    sizeof(pdc::Span),          // LimitZones
    sizeof(int64_t),            // ZoneStarts
    sizeof(int32_t),            // ZoneOffsets
    sizeof(pdc::Institution),
    sizeof(pdc::Binding),
    sizeof(pdc::BindingRule),
    sizeof(pdc::Account),
    sizeof(pdc::RefundTerms),   // TariffRefunds
    sizeof(pdc::RefundTerms),   // ProviderRefunds
    sizeof(pdc::RefundTerms),   // TerminalRefunds
    sizeof(pdc::InstitutionResidences),
    sizeof(pdc::CaptureTerms),  // TariffCaptures
    sizeof(pdc::CaptureTerms),  // ProviderCaptures
    sizeof(pdc::CaptureTerms),  // TerminalCaptures
    sizeof(pdc::ChargebackTerms),  // TariffChargebacks
    sizeof(pdc::ChargebackTerms),  // ProviderChargebacks
};

// The roles byte (PostingRoles) a posting's `from` and `to` names give: the
// writer writes it, the loader checks it (or, for a 2.0 artifact, fills it in).
static_assert(dsl::kAccountRoleCount <= PostingRoles::kMaxRoles, "a posting's roles no longer fit a byte");
inline uint8_t posting_roles(std::string_view from, std::string_view to) {
  return PostingRoles::pack(dsl::account_role_index(from), dsl::account_role_index(to));
}

}  // namespace pdc

// CRC-32C (Castagnoli, reflected 0x82F63B78), as iSCSI and ext4 use it.
uint32_t crc32c(const uint8_t* data, size_t size, uint32_t crc = 0);

class Program {
 public:
  // Validates and takes the bytes.
  static Result<std::shared_ptr<const Program>> load(std::string bytes);

  uint64_t revision() const { return header().revision; }
  std::string_view source_hash() const;
  uint16_t format_major() const { return header().major; }
  uint16_t format_minor() const { return header().minor; }
  size_t size() const { return size_; }
  // Unique among the programs this process has loaded (never reused, unlike
  // an address): a key for per-thread memos of what a program computes.
  uint64_t load_id() const { return load_id_; }
  size_t resident_bytes() const {
    return size_ + sizeof(Program) + views_.capacity() * sizeof(DagView) +
           (route_limits_.capacity() + route_scopes_.capacity()) * sizeof(int32_t) + accounts_.resident_bytes();
  }
  std::string_view bytes() const { return {reinterpret_cast<const char*>(base_), size_}; }
  // No string of the artifact needs a JSON escape (true for nearly every
  // domain): the result writer then copies names without scanning. Found at load.
  bool json_plain() const { return json_plain_; }

  // ---- vocabulary (the same contract as evaluator/vocab.h) ----
  int32_t object(dsl::ObjectKind kind, std::string_view id) const;
  std::string_view object_name(dsl::ObjectKind kind, int32_t index) const;
  int32_t object_count(dsl::ObjectKind kind) const;
  int32_t size(Attr a) const;
  bool has_other(Attr a) const { return dsl::kAttributes[idx(a)].type == dsl::AttrType::Text; }
  int32_t find(Attr a, std::string_view value) const;
  std::string_view name(Attr a, int32_t id) const;
  int32_t exponent(int32_t currency) const { return at<int32_t>(pdc::Sec::Exponents)[currency]; }
  // object_name(Currency, c), inline: an evaluation with postings names its currency.
  std::string_view currency_name(int32_t c) const { return str(currency_names_[c]); }
  // Ok when every id and index in `c` is one of this program's (a Context
  // built by hand; the JSON readers only make such contexts).
  Status check_context(const Context& c) const;

  // ---- records ----
  std::string_view str(pdc::Str s) const {
    return {reinterpret_cast<const char*>(sec_[idx(pdc::Sec::Strings)].data) + s.off, s.len};
  }
  template <class T>
  const T* at(pdc::Sec s) const {
    return reinterpret_cast<const T*>(sec_[idx(s)].data);
  }
  template <class T>
  std::span<const T> span(pdc::Sec s, pdc::Span sp) const {
    return {at<T>(s) + sp.first, sp.count};
  }
  uint32_t count(pdc::Sec s) const { return sec_[idx(s)].count; }
  const pdc::Tariff& tariff(int32_t i) const { return at<pdc::Tariff>(pdc::Sec::Tariffs)[i]; }
  const pdc::Routing& routing(int32_t i) const { return at<pdc::Routing>(pdc::Sec::Routings)[i]; }
  const pdc::Terminal& terminal(int32_t i) const { return at<pdc::Terminal>(pdc::Sec::Terminals)[i]; }
  const pdc::Provider& provider(int32_t i) const { return at<pdc::Provider>(pdc::Sec::Providers)[i]; }
  const pdc::Limit& limit(int32_t i) const { return at<pdc::Limit>(pdc::Sec::Limits)[i]; }
  // Limit i's time zone: its fixed offset or its zone table (evaluator/time.h).
  LimitZone limit_zone(int32_t i) const;
  // The scope routing keys limit i's counters by (dsl::route_scope_of its
  // scopes: terminal or provider), or -1; and the limits that have one, in
  // order (found at load: routing checks them for every candidate).
  int32_t route_scope(int32_t i) const { return route_scopes_[static_cast<size_t>(i)]; }
  std::span<const int32_t> route_limits() const { return route_limits_; }
  const pdc::CashFlow& cash_flow(uint32_t i) const { return at<pdc::CashFlow>(pdc::Sec::CashFlows)[i]; }
  const pdc::Volume& volume(uint32_t i) const { return at<pdc::Volume>(pdc::Sec::Volumes)[i]; }
  int32_t tariff_count() const { return static_cast<int32_t>(count(pdc::Sec::Tariffs)); }
  int32_t limit_count() const { return static_cast<int32_t>(count(pdc::Sec::Limits)); }
  int32_t terminal_count() const { return static_cast<int32_t>(count(pdc::Sec::Terminals)); }
  int32_t provider_count() const { return static_cast<int32_t>(count(pdc::Sec::Providers)); }
  const pdc::Institution& institution(int32_t i) const { return at<pdc::Institution>(pdc::Sec::Institutions)[i]; }
  // Whom institution i serves (the loader checked: one record per institution).
  const pdc::InstitutionResidences& institution_residences(int32_t i) const {
    return at<pdc::InstitutionResidences>(pdc::Sec::InstitutionResidences)[i];
  }
  // The domain's tariff_binding, or nullptr when it has none.
  const pdc::Binding* binding() const {
    return count(pdc::Sec::Bindings) ? at<pdc::Binding>(pdc::Sec::Bindings) : nullptr;
  }

  // The accounts behind posting roles (empty when the domain names none).
  const AccountTable& accounts() const { return accounts_; }

  // The terms of tariff / provider / terminal i: never null (the loader
  // checked one record per object); pointers, so that a terminal's terms and
  // its provider's, which a terminal without a provider lacks, read alike.
  // Refund terms.
  const pdc::RefundTerms* tariff_refunds(int32_t i) const { return refund_terms(pdc::Sec::TariffRefunds, i); }
  const pdc::RefundTerms* provider_refunds(int32_t i) const { return refund_terms(pdc::Sec::ProviderRefunds, i); }
  const pdc::RefundTerms* terminal_refunds(int32_t i) const { return refund_terms(pdc::Sec::TerminalRefunds, i); }

  // Capture terms.
  const pdc::CaptureTerms* tariff_captures(int32_t i) const { return capture_terms(pdc::Sec::TariffCaptures, i); }
  const pdc::CaptureTerms* provider_captures(int32_t i) const { return capture_terms(pdc::Sec::ProviderCaptures, i); }
  const pdc::CaptureTerms* terminal_captures(int32_t i) const { return capture_terms(pdc::Sec::TerminalCaptures, i); }

  // Chargeback terms (tariffs and providers).
  const pdc::ChargebackTerms* tariff_chargebacks(int32_t i) const {
    return chargeback_terms(pdc::Sec::TariffChargebacks, i);
  }
  const pdc::ChargebackTerms* provider_chargebacks(int32_t i) const {
    return chargeback_terms(pdc::Sec::ProviderChargebacks, i);
  }

  // ---- decisions (the semantics of evaluator/dag.h Selector) ----
  // Inline: an evaluation makes a dozen decisions, and the usual one is a
  // short DAG walk that reaches a leaf; only a fallback selector (rule by
  // rule) or a walk that stops at a missing attribute takes the call.
  int32_t decide(uint32_t selector, const Facts& f) const {
    const DagView& v = views_[selector];
    if (v.words != nullptr) [[likely]] {  // a DAG (a fallback selector's view has no words)
      int32_t o = dag_decide(v, f);
      if (o != kUndetermined) [[likely]] return o;
    }
    return decide_slow(selector, f);
  }
  void explore(uint32_t selector, const Facts& f, std::vector<int32_t>& outcomes, uint32_t& missing) const;
  Tri eval_cond(uint32_t cond, const Facts& f) const;

  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

 private:
  Program() = default;
  struct SectionView {
    const uint8_t* data = nullptr;
    uint32_t count = 0;
    uint32_t offset = 0;
  };
  static constexpr size_t idx(pdc::Sec s) { return static_cast<size_t>(s); }
  static constexpr size_t idx(Attr a) { return static_cast<size_t>(a); }
  const pdc::Header& header() const { return *reinterpret_cast<const pdc::Header*>(base_); }
  DagView dag(const pdc::Selector& s) const;
  int32_t decide_slow(uint32_t selector, const Facts& f) const;
  const pdc::RefundTerms* refund_terms(pdc::Sec s, int32_t i) const { return at<pdc::RefundTerms>(s) + i; }
  const pdc::CaptureTerms* capture_terms(pdc::Sec s, int32_t i) const { return at<pdc::CaptureTerms>(s) + i; }
  const pdc::ChargebackTerms* chargeback_terms(pdc::Sec s, int32_t i) const { return at<pdc::ChargebackTerms>(s) + i; }
  Tri eval_atom(uint32_t atom, const Facts& f) const;
  void unknown_atoms(uint32_t cond, const Facts& f, uint32_t& missing) const;
  struct Loader;
  friend struct Loader;

  std::unique_ptr<uint64_t[]> storage_;  // the bytes, 8-aligned
  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  std::array<SectionView, pdc::kSectionCount + 1> sec_{};
  std::array<int32_t, dsl::kObjectKindCount> object_table_{};  // Tables index, -1 none
  std::array<int32_t, kAttrCount> attr_table_{};
  bool json_plain_ = false;
  uint64_t load_id_ = 0;
  const pdc::Str* currency_names_ = nullptr;  // the currencies' names (Names), by id
  // Each selector's DAG arrays, resolved once at load: a decision starts
  // walking at once instead of adding up four section offsets.
  std::vector<DagView> views_;
  std::vector<int32_t> route_limits_;
  std::vector<int32_t> route_scopes_;  // per limit
  AccountTable accounts_;
};

}  // namespace paydomain::evaluator
