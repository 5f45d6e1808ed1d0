// The embeddable client against the service's evaluator: the same answers
// (every part, as the result JSON both write) on thousands of contexts, full
// and partial, for examples/acme and the property tests' random domains; and
// the loader refusing every damaged artifact without a crash.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "client/client.h"
#include "dsl/checker.h"
#include "dsl/sources.h"
#include "evaluator/artifact.h"
#include "evaluator/evaluate.h"
#include "evaluator/program.h"
#include "evaluator/result_json.h"
#include "tests/evaluator/random_domain.h"

namespace paydomain::client {
namespace {

namespace ev = paydomain::evaluator;
using OK = dsl::ObjectKind;

std::shared_ptr<const ev::CompiledDomain> compile_sources(std::vector<dsl::SourceFile> files) {
  dsl::Diagnostics diags;
  dsl::Domain d = dsl::load(std::move(files), diags);
  EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), d.files);
  auto c = ev::compile(d);
  EXPECT_TRUE(c.ok());
  return c.ok() ? *c : nullptr;
}

std::shared_ptr<const ev::CompiledDomain> acme() {
  dsl::Diagnostics diags;
  auto files = dsl::read_sources({std::string(PAYDOMAIN_SOURCE_DIR) + "/examples/acme"}, diags);
  return compile_sources(std::move(files));
}

std::shared_ptr<const Artifact> artifact_of(const ev::CompiledDomain& d, uint64_t rev = 42) {
  auto a = Artifact::load(ev::write_artifact(d, rev, std::string(64, 'a')));
  EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().text());
  return a.ok() ? *a : nullptr;
}

// A random context: every attribute present or not, ids from the
// vocabulary, and the non-attribute fields (tariff, time, key, health,
// turnover, a refund's payment, its original terminal, revision and time)
// now and then.
Context random_context(const Artifact& a, std::mt19937& rng, int absent_percent) {
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  auto present = [&] { return pick(100) >= absent_percent; };
  Context c;
  for (int i = 0; i < ev::kAttrCount; ++i) {
    auto attr = static_cast<Attr>(i);
    if (!present()) continue;
    switch (dsl::kAttributes[i].type) {
      case dsl::AttrType::Reference:
      case dsl::AttrType::Enum:
      case dsl::AttrType::Text: {
        int32_t n = a.program().size(attr);
        if (n > 0) c.facts.set(attr, pick(n));
        break;
      }
      case dsl::AttrType::Money: {
        static const int64_t amounts[] = {0, 1, 999, 1000, 5000, 10000, 99999, 100000, 600000, 5000000, 100000000};
        c.facts.set(attr, amounts[pick(std::size(amounts))]);
        break;
      }
      case dsl::AttrType::BinPrefix: {
        static const char* bins[] = {"4", "42", "427600", "4276001", "5", "51", "555555", "220000", "9"};
        c.facts.bin = bins[pick(std::size(bins))];
        c.facts.present |= ev::bit(Attr::Bin);
        break;
      }
      case dsl::AttrType::TimeOfDay: c.facts.set(attr, pick(24 * 60)); break;
      case dsl::AttrType::Share:
        if (i == static_cast<int>(Attr::HealthFailureRate)) {
          c.facts.failure_rate = {pick(101), 0};
          c.facts.present |= ev::bit(attr);
        }
        break;
      case dsl::AttrType::Number:  // the instant: 2026 to 2029, across DST transitions
        c.facts.set(attr, attr == Attr::Instant ? 1'790'000'000 + pick(100'000'000) : pick(3000));
        break;
    }
  }
  // Amount speaks of the currency's money: without a currency, no amount.
  if (!c.facts.has(Attr::Currency)) c.facts.clear(Attr::Amount);
  if (present()) c.tariff = pick(a.object_count(OK::Tariff));
  if (pick(5) == 0 && a.object_count(OK::Routing) > 0) c.routing = pick(a.object_count(OK::Routing));
  if (present()) {
    c.has_time = true;
    c.time = 1'790'000'000 + pick(100'000'000);
  }
  if (present()) {
    c.has_payment_key = true;
    c.payment_key = "pay-" + std::to_string(pick(1000));
  }
  if (present()) c.party = "party-" + std::to_string(pick(3));
  if (present()) c.shop = "shop-" + std::to_string(pick(3));
  if (present()) c.tool_token = "tok-" + std::to_string(pick(3));
  for (std::string& account : c.merchant_accounts)  // the final cash flow's merchant accounts
    if (present()) account = "4070281050000001234" + std::to_string(pick(10));
  if (pick(4) == 0 && c.facts.has(Attr::Currency) && c.facts.has(Attr::Amount)) {
    c.has_payment_amount = true;
    c.payment_amount = c.facts.get(Attr::Amount) + pick(3) * 1000 - 1000;
    if (c.payment_amount < 0) c.payment_amount = 0;
    c.payment_currency = static_cast<int32_t>(c.facts.get(Attr::Currency));
  }
  if (present() && a.program().terminal_count() > 0) {  // a refund's route; sometimes a terminal of another revision
    c.has_original_terminal = true;
    c.original_terminal = pick(a.program().terminal_count() + 1) - 1;
    c.original_terminal_id = c.original_terminal < 0 ? "gone" : std::string(a.object_name(OK::Terminal, c.original_terminal));
  }
  if (present()) {
    c.has_original_revision = true;
    c.original_revision = pick(50);
  }
  if (present()) {  // a refund's payment, days before or (a window's edge) just inside it
    c.has_payment_time = true;
    c.payment_time = (c.has_time ? c.time : 1'790'000'000) - pick(400) * 86'400 + pick(3) - 1;
  }
  if (pick(3) == 0 && a.program().terminal_count() > 0) {
    ev::HealthSample h;
    h.terminal = pick(a.program().terminal_count());
    h.has_failure_rate = pick(2) == 0;
    h.failure_rate = {pick(101), 0};
    h.has_latency = pick(2) == 0;
    h.latency_ms = pick(3000);
    c.health.push_back(h);
  }
  const ev::Program& prog = a.program();
  for (int32_t l = 0; l < prog.limit_count(); ++l) {
    if (pick(2) != 0) continue;
    const int32_t scope = prog.route_scope(l);
    if (scope < 0) {
      c.turnover.push_back({l, -1, pick(1000) * int64_t{1000}});
      continue;
    }
    // A route-scoped limit: a counter for some of its terminals (providers).
    const int32_t keys = scope == paydomain::dsl::kScopeTerminal ? prog.terminal_count() : prog.provider_count();
    for (int32_t k = 0; k < keys; ++k)
      if (pick(2) == 0) c.turnover.push_back({l, k, pick(1000) * int64_t{1000}});
  }
  return c;
}

// Both sides' complete answers as the result JSON (which writes every part).
std::string answer(const EvalResult& r, const ev::Program& p) {
  std::string out;
  ev::write_result(r, p, true, out);
  return out;
}

void expect_same_answers(const ev::CompiledDomain& d, const Artifact& a, uint32_t seed, int n, int& compared) {
  std::mt19937 rng(seed);
  EvalResult theirs, ours;
  for (int k = 0; k < n; ++k) {
    Context c = random_context(a, rng, k % 3 == 0 ? 0 : 30);  // a third complete, the rest partial
    ASSERT_TRUE(a.check(c).ok()) << a.check(c).error().text();
    ev::evaluate(d, c, {true}, theirs);
    a.evaluate(c, {true}, ours);
    ASSERT_EQ(answer(ours, a.program()), answer(theirs, *d.program)) << "seed " << seed << " context " << k;
    ++compared;
  }
}

TEST(ClientEquivalence, AcmeAnswersAsTheService) {
  auto d = acme();
  ASSERT_TRUE(d);
  auto a = artifact_of(*d, 7);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->revision(), 7u);
  EXPECT_EQ(a->source_hash(), std::string(64, 'a'));
  int compared = 0;
  expect_same_answers(*d, *a, 1, 5000, compared);
  EXPECT_EQ(compared, 5000);
}

TEST(ClientEquivalence, AcmeJsonContextsAnswerAsTheServiceText) {
  auto d = acme();
  ASSERT_TRUE(d);
  auto a = artifact_of(*d);
  ASSERT_TRUE(a);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(PAYDOMAIN_SOURCE_DIR) + "/examples/acme/contexts")) {
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string service;
    ASSERT_TRUE(ev::evaluate_text(*d, text, true, service).ok()) << e.path();
    auto c = a->read_context(text);
    ASSERT_TRUE(c.ok()) << c.error().text();
    EXPECT_EQ(answer(a->evaluate(*c, {true}), a->program()), service) << e.path();
    ++files;
  }
  EXPECT_GT(files, 5);
  // A malformed context: the same error as the service's reader.
  auto bad = a->read_context(R"({"amount": {"amount": -1, "currency": "RUB"}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().path, "$.amount.amount");
}

TEST(ClientEquivalence, RandomDomainsAnswerAsTheService) {
  int compared = 0;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    ev::testing::RandomDomain gen(seed);
    auto d = compile_sources({{"random.pd", gen.domain(1 + gen.pick(25), gen.pick(2) == 0)}});
    ASSERT_TRUE(d);
    auto a = artifact_of(*d);
    ASSERT_TRUE(a);
    expect_same_answers(*d, *a, seed, 100, compared);
  }
  EXPECT_EQ(compared, 6000);
}

// Weekday and time read in time zones (named, with DST, and fixed offsets):
// the artifact (format 1.4, the instant they compile onto) answers as the service.
TEST(ClientEquivalence, ZonedTimeConditionsAnswerAsTheService) {
  int compared = 0;
  for (uint32_t seed = 500; seed < 530; ++seed) {
    ev::testing::RandomDomain gen(seed, true);
    auto d = compile_sources({{"random.pd", gen.domain(1 + gen.pick(25), gen.pick(2) == 0)}});
    ASSERT_TRUE(d);
    auto a = artifact_of(*d);
    ASSERT_TRUE(a);
    expect_same_answers(*d, *a, seed, 100, compared);
  }
  EXPECT_EQ(compared, 3000);
}

// Payment institutions and a random tariff binding: the tariff the domain
// chooses, and everything after it, as the service's.
TEST(ClientEquivalence, RandomBindingsAnswerAsTheService) {
  int compared = 0;
  for (uint32_t seed = 300; seed < 340; ++seed) {
    ev::testing::RandomDomain gen(seed);
    auto d = compile_sources({{"random.pd", gen.bound_domain(8)}});
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->binding.has_value());
    auto a = artifact_of(*d);
    ASSERT_TRUE(a);
    expect_same_answers(*d, *a, seed, 100, compared);
  }
  EXPECT_EQ(compared, 4000);
}

TEST(ClientEquivalence, FallbackSelectorsAnswerAsTheService) {
  // A budget too small for any DAG: every selector is interpreted rule by
  // rule, from the conditions the artifact carries.
  int compared = 0;
  for (uint32_t seed = 500; seed < 520; ++seed) {
    ev::testing::RandomDomain gen(seed);
    dsl::Domain dom = ev::testing::load_checked(gen.domain(3 + gen.pick(20), true));
    ev::CompileOptions opt;
    opt.budget.max_nodes = 2;
    auto d = ev::compile(dom, opt);
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE((*d)->tariffs[0].fees->arms.fallback);
    auto a = artifact_of(**d);
    ASSERT_TRUE(a);
    expect_same_answers(**d, *a, seed, 100, compared);
  }
  EXPECT_EQ(compared, 2000);
}

TEST(ClientVocabulary, NamesAndIdsRoundTrip) {
  auto d = acme();
  auto a = artifact_of(*d);
  ASSERT_TRUE(a);
  int32_t rub = a->find(Attr::Currency, "RUB");
  ASSERT_GE(rub, 0);
  EXPECT_EQ(a->object_name(OK::Currency, rub), "RUB");
  EXPECT_EQ(a->exponent(rub), 2);
  EXPECT_EQ(a->find(Attr::Operation, "refund"), ev::kOperationRefund);
  EXPECT_EQ(a->object(OK::Tariff, "standard"), d->vocab.object(OK::Tariff, "standard"));
  EXPECT_EQ(a->object(OK::Tariff, "no-such"), -1);
  Context c;
  c.facts.set(Attr::Currency, 9999);
  EXPECT_FALSE(a->check(c).ok());
}

// ---- the loader -------------------------------------------------------------

std::string small_artifact() {
  ev::testing::RandomDomain gen(3);
  auto d = compile_sources({{"random.pd", gen.domain(4, true)}});
  return ev::write_artifact(*d, 1, "");
}

void fix_crc(std::string& b) {
  std::memset(b.data() + ev::pdc::kCrcOffset, 0, 4);
  uint32_t crc = ev::crc32c(reinterpret_cast<const uint8_t*>(b.data()), b.size());
  std::memcpy(b.data() + ev::pdc::kCrcOffset, &crc, 4);
}

// An artifact that loads must evaluate any valid context without a crash
// (the sanitizers watch).
void evaluate_some(const Artifact& a) {
  std::mt19937 rng(9);
  for (int k = 0; k < 20; ++k) {
    Context c = random_context(a, rng, 30);
    if (a.check(c).ok()) (void)a.evaluate(c, {true});
  }
}

TEST(ClientLoader, EveryTruncationIsRefused) {
  std::string b = small_artifact();
  ASSERT_TRUE(Artifact::load(b).ok());
  for (size_t n = 0; n < b.size(); ++n) {
    auto a = Artifact::load(b.substr(0, n));
    ASSERT_FALSE(a.ok()) << n;
    ASSERT_FALSE(a.error().message.empty());
  }
}

TEST(ClientLoader, AnyFlippedBitFailsTheChecksum) {
  std::string b = small_artifact();
  for (size_t i = 0; i < b.size(); i += 7) {
    std::string c = b;
    c[i] = static_cast<char>(c[i] ^ (1 << (i % 8)));
    auto a = Artifact::load(c);
    ASSERT_FALSE(a.ok()) << i;
  }
}

TEST(ClientLoader, FlippedBitsWithAValidChecksumNeverCrash) {
  // What a hostile file can do: change any byte and fix the checksum. Each
  // load either names what is wrong or yields an artifact that evaluates.
  std::string b = small_artifact();
  int refused = 0, loaded = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i >= ev::pdc::kCrcOffset && i < ev::pdc::kCrcOffset + 4) continue;
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
      std::string c = b;
      c[i] = static_cast<char>(static_cast<uint8_t>(c[i]) ^ mask);
      fix_crc(c);
      auto a = Artifact::load(c);
      if (!a.ok()) {
        ++refused;
        ASSERT_FALSE(a.error().message.empty());
        continue;
      }
      ++loaded;
      evaluate_some(**a);
    }
  }
  EXPECT_GT(refused, 100);
  EXPECT_GT(loaded, 0);  // e.g. a changed explanation text
}

TEST(ClientLoader, ErrorsNameTheSectionAndTheVersion) {
  std::string b = small_artifact();
  // An unknown major version: refused clearly, whatever follows.
  std::string v = b;
  uint16_t major = ev::pdc::kFormatMajor + 1;
  std::memcpy(v.data() + 8, &major, 2);
  fix_crc(v);
  auto a = Artifact::load(v);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("artifact format " + std::to_string(major) + "."), std::string::npos) << a.error().message;
  // An older major (1.x, before the flat layout): refused, saying to compile again.
  std::string old = b;
  uint16_t one = 1, four = 4;
  std::memcpy(old.data() + 8, &one, 2);
  std::memcpy(old.data() + 10, &four, 2);
  fix_crc(old);
  a = Artifact::load(old);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("artifact format 1.4 is not readable here: this reader knows format 2.0"),
            std::string::npos) << a.error().message;
  EXPECT_NE(a.error().message.find("compile the revision again"), std::string::npos) << a.error().message;
  // A newer minor version of the same major loads.
  std::string m = b;
  uint16_t minor = 7;
  std::memcpy(m.data() + 10, &minor, 2);
  fix_crc(m);
  ASSERT_TRUE(Artifact::load(m).ok());
  // A section count past the file.
  std::string s = b;
  auto* entries = reinterpret_cast<ev::pdc::SectionEntry*>(s.data() + sizeof(ev::pdc::Header));
  entries[static_cast<int>(ev::pdc::Sec::DagWords) - 1].size = 0x7FFFFFF0;
  fix_crc(s);
  a = Artifact::load(s);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("section dag_words"), std::string::npos) << a.error().message;
  // A DAG child pointing back at its node (a cycle): refused, naming the node.
  std::string cyc = b;
  entries = reinterpret_cast<ev::pdc::SectionEntry*>(cyc.data() + sizeof(ev::pdc::Header));
  const auto& words = entries[static_cast<int>(ev::pdc::Sec::DagWords) - 1];
  ASSERT_GT(words.size, 0u);
  uint32_t self = 0;  // the first node's first child: itself
  std::memcpy(cyc.data() + words.offset + ev::kDagHead * 4, &self, 4);
  fix_crc(cyc);
  a = Artifact::load(cyc);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("section dag_words: record 0 (offset"), std::string::npos) << a.error().message;
  EXPECT_NE(a.error().message.find("a later node (a cycle?)"), std::string::npos) << a.error().message;
  // Not an artifact at all.
  a = Artifact::load("hello");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("not an artifact"), std::string::npos);
}

// Format 2's answer records: an arm holds its cash flow, whose own arms come
// before it (else a cycle), and a posting's quick volume words must say what
// its volume record says.
TEST(ClientLoader, ArmsAndQuickVolumesAreChecked) {
  auto d = acme();
  ASSERT_TRUE(d);
  const std::string b = ev::write_artifact(*d, 1, "");
  ASSERT_TRUE(Artifact::load(b).ok());
  auto entry = [](std::string& bytes, ev::pdc::Sec s) -> ev::pdc::SectionEntry& {
    auto* entries = reinterpret_cast<ev::pdc::SectionEntry*>(bytes.data() + sizeof(ev::pdc::Header));
    return entries[static_cast<int>(s) - 1];
  };
  // acme's standard tariff nests a decision (`when currency == RUB { when ... }`).
  std::string cyc = b;
  const ev::pdc::SectionEntry& arms = entry(cyc, ev::pdc::Sec::Arms);
  auto* arm = reinterpret_cast<ev::pdc::Arm*>(cyc.data() + arms.offset);
  uint32_t nested = UINT32_MAX;
  for (uint32_t i = 0; i < arms.size / sizeof(ev::pdc::Arm) && nested == UINT32_MAX; ++i)
    if (arm[i].body.bodies.count > 0) nested = i;
  ASSERT_NE(nested, UINT32_MAX);
  arm[nested].body.bodies.first = nested;  // its own arms start at itself
  fix_crc(cyc);
  auto a = Artifact::load(cyc);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("section arms: record " + std::to_string(nested)), std::string::npos) << a.error().message;
  EXPECT_NE(a.error().message.find("not earlier arms (a cycle?)"), std::string::npos) << a.error().message;

  std::string quick = b;
  const ev::pdc::SectionEntry& posts = entry(quick, ev::pdc::Sec::Postings);
  auto* post = reinterpret_cast<ev::pdc::Posting*>(quick.data() + posts.offset);
  uint32_t share = UINT32_MAX;
  for (uint32_t i = 0; i < posts.size / sizeof(ev::pdc::Posting) && share == UINT32_MAX; ++i)
    if (post[i].quick == static_cast<uint8_t>(ev::pdc::QuickVolume::Share)) share = i;
  ASSERT_NE(share, UINT32_MAX);
  post[share].quick_a += 1;
  fix_crc(quick);
  a = Artifact::load(quick);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("section postings: record " + std::to_string(share)), std::string::npos)
      << a.error().message;
  EXPECT_NE(a.error().message.find("quick volume differs"), std::string::npos) << a.error().message;
}

// Format 2.1 keeps a posting's account roles in its record (a byte where
// 2.0 had padding): the loader refuses a byte that differs from the
// posting's `from` and `to`, and fills it in for a 2.0 artifact, which then
// answers as the 2.1 one, roles and accounts included.
TEST(ClientLoader, PostingRolesAreCheckedAndFilledInForFormat2_0) {
  auto d = acme();
  ASSERT_TRUE(d);
  const std::string b = ev::write_artifact(*d, 1, "");
  auto postings = [](std::string& bytes) {
    auto* entries = reinterpret_cast<ev::pdc::SectionEntry*>(bytes.data() + sizeof(ev::pdc::Header));
    const ev::pdc::SectionEntry& e = entries[static_cast<int>(ev::pdc::Sec::Postings) - 1];
    return std::span<ev::pdc::Posting>(reinterpret_cast<ev::pdc::Posting*>(bytes.data() + e.offset),
                                       e.size / sizeof(ev::pdc::Posting));
  };
  std::string wrong = b;
  uint32_t with_roles = UINT32_MAX;
  for (uint32_t i = 0; i < postings(wrong).size() && with_roles == UINT32_MAX; ++i)
    if (postings(wrong)[i].roles != 0) with_roles = i;
  ASSERT_NE(with_roles, UINT32_MAX);
  postings(wrong)[with_roles].roles ^= 0x11;  // both roles another
  fix_crc(wrong);
  auto a = Artifact::load(wrong);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("section postings: record " + std::to_string(with_roles)), std::string::npos)
      << a.error().message;
  EXPECT_NE(a.error().message.find("roles byte"), std::string::npos) << a.error().message;

  // The same artifact as 2.0 wrote it: minor 0, the byte zero (padding).
  std::string old = b;
  reinterpret_cast<ev::pdc::Header*>(old.data())->minor = 0;
  for (ev::pdc::Posting& p : postings(old)) p.roles = 0;
  fix_crc(old);
  auto two_zero = Artifact::load(old);
  ASSERT_TRUE(two_zero.ok()) << two_zero.error().message;
  EXPECT_EQ((*two_zero)->program().format_minor(), 0);
  // A 2.1 artifact whose roles are padding is not a 2.0 one: refused.
  reinterpret_cast<ev::pdc::Header*>(old.data())->minor = ev::pdc::kFormatMinor;
  fix_crc(old);
  EXPECT_FALSE(Artifact::load(old).ok());

  auto two_one = Artifact::load(b);
  ASSERT_TRUE(two_one.ok());
  std::mt19937 rng(11);
  EvalResult x, y;
  int postings_seen = 0;
  for (int k = 0; k < 2000; ++k) {
    Context c = random_context(**two_one, rng, k % 3 == 0 ? 0 : 30);
    (*two_one)->evaluate(c, {true}, x);
    (*two_zero)->evaluate(c, {true}, y);
    ASSERT_EQ(answer(y, (*two_zero)->program()), answer(x, (*two_one)->program())) << "context " << k;
    ASSERT_EQ(x.cash_flow.postings.size(), y.cash_flow.postings.size());
    for (size_t i = 0; i < x.cash_flow.postings.size(); ++i) {
      EXPECT_EQ(x.cash_flow.postings[i].from_role, y.cash_flow.postings[i].from_role);
      EXPECT_EQ(x.cash_flow.postings[i].to_role, y.cash_flow.postings[i].to_role);
      EXPECT_EQ(x.cash_flow.postings[i].from_role, paydomain::dsl::account_role_index(x.cash_flow.postings[i].from));
      ++postings_seen;
    }
  }
  EXPECT_GT(postings_seen, 100);
}

// examples/acme's first limit names Europe/Moscow: its window comes from the
// zone table (format 1.1), checked at load.
TEST(ClientLoader, ZoneTablesAreCheckedAndNoSectionMayBeMissing) {
  auto d = acme();
  ASSERT_TRUE(d);
  std::string b = ev::write_artifact(*d, 1, "");
  auto entry = [](std::string& bytes, ev::pdc::Sec s) -> ev::pdc::SectionEntry& {
    auto* entries = reinterpret_cast<ev::pdc::SectionEntry*>(bytes.data() + sizeof(ev::pdc::Header));
    return entries[static_cast<int>(s) - 1];
  };
  int32_t zoned = -1;
  for (size_t i = 0; i < d->limits.size(); ++i)
    if (!d->limits[i].tz_offsets.empty()) zoned = static_cast<int32_t>(i);
  ASSERT_GE(zoned, 0);
  auto a = Artifact::load(b);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->program().limit(zoned).tz_offset_minutes, ev::pdc::kZoned);
  EXPECT_EQ((*a)->program().limit_zone(zoned).table.offsets.size(), d->limits[zoned].tz_offsets.size());

  // The zoned limit without its table.
  std::string no_table = b;
  const ev::pdc::SectionEntry& zones = entry(no_table, ev::pdc::Sec::LimitZones);
  std::memset(no_table.data() + zones.offset + zoned * sizeof(ev::pdc::Span) + 4, 0, 4);
  fix_crc(no_table);
  auto r = Artifact::load(no_table);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("a zoned limit without a zone table"), std::string::npos) << r.error().message;

  // Starts out of order.
  std::string unordered = b;
  const ev::pdc::SectionEntry& starts = entry(unordered, ev::pdc::Sec::ZoneStarts);
  ASSERT_GE(starts.size, 16u);
  int64_t first;
  std::memcpy(&first, unordered.data() + starts.offset + 8, 8);
  std::memcpy(unordered.data() + starts.offset, &first, 8);
  fix_crc(unordered);
  r = Artifact::load(unordered);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("section zone_starts"), std::string::npos) << r.error().message;

  // Every 2.0 section is in every 2.x artifact: one whose table ends where
  // a 1.0 writer's did (before limit_zones) is refused, naming the first
  // section it lacks.
  std::string cut = b;
  uint32_t count = static_cast<uint32_t>(ev::pdc::Sec::LimitScopes);
  std::memcpy(cut.data() + 36, &count, 4);
  fix_crc(cut);
  r = Artifact::load(cut);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("section limit_zones is missing"), std::string::npos) << r.error().message;
}

TEST(ClientLoader, TheSameDomainWritesTheSameBytes) {
  auto d = acme();
  EXPECT_EQ(ev::write_artifact(*d, 3, "x"), ev::write_artifact(*acme(), 3, "x"));
}

}  // namespace
}  // namespace paydomain::client
