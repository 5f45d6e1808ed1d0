// The fast paths of the JSON text path against their references, on the
// example contexts, the context fuzzer's corpus and random variations of
// contexts (whitespace, escapes, numbers, nulls, unknown and repeated
// members, cut texts):
//   - the fast context reader (evaluator/context_fast.h) against the general
//     one: whatever the fast reader accepts, the general reader accepts too
//     and makes the same Context of it, field by field; parse_context_into
//     answers exactly what the general reader answers;
//   - the result writer (evaluator/result_json.h) against the member-by-member
//     writer it replaced (result_json_reference.h): the same bytes for every
//     result, with and without explanations, for a domain whose texts need
//     no escape and for the same domain written as if they did.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "dsl/sources.h"
#include "evaluator/context_fast.h"
#include "evaluator/name_memo.h"
#include "evaluator/result_json.h"
#include "evaluator/time.h"
#include "result_json_reference.h"
#include "test_domain.h"

namespace paydomain::evaluator {
namespace {

// "" when equal, else the first field that differs.
std::string differ(const Context& a, const Context& b) {
  if (a.facts.present != b.facts.present) return "facts.present";
  for (int i = 0; i < kAttrCount; ++i) {
    if (a.facts.v[static_cast<size_t>(i)] != b.facts.v[static_cast<size_t>(i)])
      return "facts.v[" + std::to_string(i) + "]";
  }
  if (a.facts.bin != b.facts.bin) return "facts.bin";
  if (a.facts.failure_rate.units != b.facts.failure_rate.units ||
      a.facts.failure_rate.scale != b.facts.failure_rate.scale)
    return "facts.failure_rate";
  if (a.tariff != b.tariff || a.routing != b.routing) return "tariff/routing";
  if (a.has_time != b.has_time || a.time != b.time) return "time";
  if (a.has_payment_key != b.has_payment_key || a.payment_key != b.payment_key) return "payment_key";
  if (a.has_payment_amount != b.has_payment_amount || a.payment_amount != b.payment_amount ||
      a.payment_currency != b.payment_currency)
    return "payment_amount";
  if (a.party != b.party || a.shop != b.shop || a.tool_token != b.tool_token) return "party/shop/token";
  if (a.merchant_accounts != b.merchant_accounts) return "merchant_accounts";
  if (a.has_original_terminal != b.has_original_terminal || a.original_terminal != b.original_terminal ||
      a.original_terminal_id != b.original_terminal_id)
    return "original_terminal";
  if (a.has_original_revision != b.has_original_revision || a.original_revision != b.original_revision)
    return "original_revision";
  if (a.has_payment_time != b.has_payment_time || a.payment_time != b.payment_time) return "payment_time";
  if (a.health.size() != b.health.size() || a.turnover.size() != b.turnover.size()) return "health/turnover";
  for (size_t i = 0; i < a.health.size(); ++i) {
    const HealthSample &x = a.health[i], &y = b.health[i];
    if (x.terminal != y.terminal || x.provider != y.provider || x.has_failure_rate != y.has_failure_rate ||
        x.failure_rate.units != y.failure_rate.units || x.failure_rate.scale != y.failure_rate.scale ||
        x.has_latency != y.has_latency || x.latency_ms != y.latency_ms)
      return "health[" + std::to_string(i) + "]";
  }
  for (size_t i = 0; i < a.turnover.size(); ++i) {
    const Turnover &x = a.turnover[i], &y = b.turnover[i];
    if (x.limit != y.limit || x.route != y.route || x.value != y.value) return "turnover[" + std::to_string(i) + "]";
  }
  return "";
}

struct Tally {
  size_t fast = 0, total = 0, written = 0, by_shape = 0;
};

// The result of a context that reads, written by both writers.
void compare_written(const Context& c, const CompiledDomain& d, std::string_view text, Tally& tally,
                     bool plain = true) {
  for (bool explain : {false, true}) {
    EvalResult r = evaluate(d, c, {explain});
    std::string ours = "[", reference = "[";  // appended to, as the batch writer does
    write_result(r, *d.program, explain, plain, ours);
    reference::write_result(r, d, explain, reference, plain);
    ASSERT_EQ(ours, reference) << text;
    if (!plain) continue;
    // The text path, which copies the context's texts unscanned when the
    // fast reader read them, writes the same.
    std::string text_out = "[";
    ASSERT_TRUE(evaluate_text(d, text, explain, text_out).ok()) << text;
    ASSERT_EQ(text_out, reference) << text;
  }
  ++tally.written;
}

// A context with most members, read before each text: a reused context must
// not keep anything of the previous one.
constexpr std::string_view kFull = R"({"tariff": "standard", "amount": {"amount": 600000, "currency": "RUB"},
      "payment_amount": {"amount": 600000, "currency": "RUB"}, "operation": "refund", "flow": "hold",
      "payment_tool": {"kind": "bank_card", "payment_system": "visa", "bin": "4276", "token": "t"}, "party": "p",
      "shop": "s", "time": "2026-11-25T12:00:00Z", "payment_key": "k", "risk": "high", "category": "retail"})";

// One text through both readers, the fast one after reading `before` (whose
// layout it then tries first); counts how often the fast one read it and how
// often by the previous layout. A text it reads is read again, by its own
// layout, alike.
void compare(std::string_view text, const CompiledDomain& d, Tally& tally, std::string_view before = kFull) {
  Context fast, general, into;
  const bool before_read = read_context_fast(before, d, fast);
  if (before == kFull) {
    ASSERT_TRUE(before_read);
  }
  const uint64_t by_shape = fast_read_counts().by_shape;
  bool read = read_context_fast(text, d, fast);
  if (read && before_read) tally.by_shape += fast_read_counts().by_shape - by_shape;
  Status g = parse_context_general(text, d, general);
  Status i = parse_context_into(text, d, into);
  ++tally.total;
  ASSERT_EQ(g.ok(), i.ok()) << text;
  if (!g.ok()) {
    EXPECT_EQ(g.error().text(), i.error().text()) << text;
  } else {
    EXPECT_EQ(differ(general, into), "") << text;
    compare_written(general, d, text, tally);
    // The same domain with json_plain off: every text is scanned and escaped.
    compare_written(general, d, text, tally, false);
  }
  if (!read) return;
  ++tally.fast;
  ASSERT_TRUE(g.ok()) << "the fast reader read a context the general one refuses (" << g.error().text()
                      << "): " << text;
  EXPECT_EQ(differ(fast, general), "") << text;
  const uint64_t by_own_shape = fast_read_counts().by_shape;
  Context again;
  ASSERT_TRUE(read_context_fast(text, d, again)) << text;
  EXPECT_EQ(fast_read_counts().by_shape, by_own_shape + 1) << text;
  EXPECT_EQ(differ(again, general), "") << text;
}

std::vector<std::string> files_in(const std::string& dir, std::string_view extension = "") {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (!extension.empty() && e.path().extension() != extension) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  return out;
}

const CompiledDomain& acme() {
  static auto compiled = [] {
    dsl::Diagnostics diags;
    auto files = dsl::read_sources({PAYDOMAIN_SOURCE_DIR "/examples/acme"}, diags);
    static dsl::Domain domain = dsl::load(files, diags);
    if (diags.has_errors()) std::abort();
    return *compile(domain);
  }();
  return *compiled;
}

TEST(FastPaths, ExampleContextsReadFastAndAlike) {
  Tally t;
  for (const std::string& text : files_in(PAYDOMAIN_SOURCE_DIR "/examples/acme/contexts", ".json")) {
    compare(text, acme(), t);
  }
  // Every example takes the fast path.
  EXPECT_EQ(t.fast, t.total);
}

TEST(FastPaths, FuzzCorpusReadsAlike) {
  Tally t;
  for (const std::string& text : files_in(PAYDOMAIN_SOURCE_DIR "/tests/fuzz/context_corpus")) compare(text, acme(), t);
  EXPECT_GT(t.fast, 10u) << t.fast << " of " << t.total;
}

// Pieces of contexts: each member in plain and unusual spellings.
const std::vector<std::vector<std::string>> kMembers = {
    {R"("tariff": "standard")", R"("tariff": "premium")", R"("tariff": "nope")", R"("tariff": "")",
     R"("tariff": "st\u0061ndard")", R"("tariff": null)", R"("tariff": 1)"},
    {R"("operation": "payment")", R"("operation": "refund")", R"("operation": "refunds")"},
    {R"("amount": {"amount": 600000, "currency": "RUB"})", R"("amount": {"currency": "USD", "amount": 0})",
     R"("amount": {"currency": "RUB"})", R"("amount": {"amount": 5})", R"("amount": {"amount": -1, "currency": "RUB"})",
     R"("amount": {"amount": -0, "currency": "RUB"})", R"("amount": {"amount": 1.0, "currency": "RUB"})",
     R"("amount": {"amount": 1e3, "currency": "RUB"})", R"("amount": {"amount": 007, "currency": "RUB"})",
     R"("amount": {"amount": 123456789012345678, "currency": "RUB"})",
     R"("amount": {"amount": 1234567890123456789, "currency": "RUB"})",
     R"("amount": {"amount": 99999999999999999999, "currency": "RUB"})",
     R"("amount": {"amount": 1, "amount": 2, "currency": "RUB"})", R"("amount": {"amount": 1, "currency": "XXX"})",
     R"("amount": {})", R"("amount": {"amount": 1, "currency": "RUB", "x": 1})", R"("amount": 5)"},
    {R"("payment_amount": {"amount": 600000, "currency": "RUB"})", R"("payment_amount": {"currency": "RUB"})",
     R"("payment_amount": {"amount": 100, "currency": "USD"})"},
    {R"("payment_tool": {"kind": "bank_card", "payment_system": "mastercard", "bin": "555555", "token": "t-1"})",
     R"("payment_tool": {"kind": "wallet", "wallet_provider": "paypal"})",
     R"("payment_tool": {"kind": "bank_card", "kind": "wallet"})", R"("payment_tool": {"bin": "12a"})",
     R"("payment_tool": {"bin": "12345678901234567890"})", R"("payment_tool": {"issuer_country": "RU"})",
     R"("payment_tool": {"token_provider": "applepay", "payment_system": "visa"})", R"("payment_tool": {})",
     R"("payment_tool": {"color": "red"})", R"("payment_tool": "card")"},
    {R"("category": "retail")", R"("category": "gaming")", R"("category": "ret ail")"},
    {R"("risk": "low")", R"("risk": "fatal")", R"("risk": "LOW")"},
    {R"("flow": "hold")", R"("flow": "instant")"},
    {R"("party": "acme-retail-llc")", R"("party": "someone")", R"("party": "caf\u00e9")", "\"party\": \"caf\xc3\xa9\""},
    {R"("shop": "shop-1")", R"("shop": "")"},
    {R"("time": "2026-11-25T12:00:00Z")", R"("time": "2026-11-25T12:00:00.5Z")", R"("time": "2026-11-25 12:00")",
     R"("time": "2026-02-29T00:00:00Z")", R"("time": "2028-02-29T23:59:60+00:00")"},
    {R"("payment_key": "order-42")", R"("payment_key": "")"},
    {R"("payment_institution": "acme_ru")", R"("payment_institution": "acme_kz")"},
    {R"("merchant_accounts": {"settlement": "40702810500000012345"})",
     R"("merchant_accounts": {"settlement": "m1", "payout": "40702810500000054321"})",
     R"("merchant_accounts": {"settlement": ""})", R"("merchant_accounts": {"settlement": 40702810500000012345})",
     R"("merchant_accounts": {"iban": "x"})", R"("merchant_accounts": "40702810500000012345")"},
    {R"("routing": "main")", R"("routing": "none")"},
    {R"("health": {"yb_3ds": {"failure_rate": "80%"}})",
     R"("turnover": {"card_daily_rub": {"amount": 1, "currency": "RUB"}})"},
    {R"("colour": "red")", R"("x": null)"},
};

size_t pick(std::mt19937& rng, size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); }

// A random context: which members, their blanks and repeats from `layout`;
// each member's spelling from `spelling` (plain most of the time, or
// `plain_one_in` == 1: any); one in `damage_one_in` texts cut or with a byte
// inserted or erased (`damage` draws which; 0: none).
std::string random_context(std::mt19937& layout, std::mt19937& spelling, size_t plain_one_in, std::mt19937& damage,
                           size_t damage_one_in) {
  const char* blanks[] = {"", " ", "\n  ", "\t", "\r\n"};
  std::string text = blanks[pick(layout, 5)] + std::string("{");
  bool first = true;
  for (const auto& choices : kMembers) {
    if (pick(layout, 3) == 0) continue;
    // Plain spellings most of the time, so most texts stay readable.
    const std::string& m = choices[pick(spelling, plain_one_in) ? 0 : pick(spelling, choices.size())];
    text += (first ? "" : ",") + std::string(blanks[pick(layout, 5)]) + m;
    first = false;
    if (pick(layout, 40) == 0) text += "," + m;  // repeated
  }
  text += blanks[pick(layout, 5)] + std::string("}") + blanks[pick(layout, 5)];
  if (damage_one_in != 0 && pick(damage, damage_one_in) == 0) {
    switch (pick(damage, 3)) {
      case 0: text.resize(pick(damage, text.size() + 1)); break;  // cut
      case 1: text.insert(pick(damage, text.size() + 1), 1, ",:{}[]\" \\0a"[pick(damage, 11)]); break;
      default:
        if (!text.empty()) text.erase(pick(damage, text.size()), 1);
        break;
    }
  }
  return text;
}

TEST(FastPaths, RandomContextsReadAlike) {
  std::mt19937 rng(20261202);
  Tally t;
  for (int n = 0; n < 20000; ++n) {
    compare(random_context(rng, rng, 8, rng, 4), acme(), t);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(t.fast, t.total / 10) << t.fast << " of " << t.total;
}

// The fast reader first tries the layout of the previous context it read:
// pairs of random contexts with the same members, blanks and order and
// other values (the same layout, or a near miss when a value is an object
// of other members, such as a money object with its currency alone), some
// of the second ones damaged (a near miss anywhere: a byte more, a byte
// less, cut), each read after the other.
TEST(FastPaths, ContextsOfThePreviousLayoutReadAlike) {
  std::mt19937 layout_seed(20261203), spelling(7), damage(11);
  Tally t;
  for (int n = 0; n < 20000; ++n) {
    std::mt19937 layout(static_cast<uint32_t>(layout_seed()));
    std::mt19937 same_layout = layout;
    const std::string before = random_context(layout, spelling, 30, damage, 0);
    const std::string text = random_context(same_layout, spelling, n % 2 ? 30 : 4, damage, 6);
    compare(text, acme(), t, before);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(t.fast, t.total / 10) << t.fast << " of " << t.total;
  EXPECT_GT(t.by_shape, t.fast / 2) << t.by_shape << " of " << t.fast;
  EXPECT_LT(t.by_shape, t.fast) << t.by_shape << " of " << t.fast;  // near misses are read token by token
}

// The fast reader reads a copy of the text followed by NULs, which stop its
// scans: a text cut anywhere, a NUL at any byte or after the end, and a text
// longer than the copy's room (declined: the general reader reads it) are
// read as the general reader reads them.
// Two layouts are kept per thread: contexts of two layouts, alternating,
// are read by their layouts after the first of each; a third layout takes
// the place of the one matched longest ago. Each read makes what the
// general reader makes of the text.
TEST(FastPaths, TwoLayoutsAlternate) {
  auto spaced = [](std::string text, std::string_view from, std::string_view to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
    return text;
  };
  // Three layouts of kFull, then each with other values (amounts, a party).
  const std::string layouts[3] = {std::string(kFull), spaced(std::string(kFull), ", ", ","),
                                  spaced(std::string(kFull), ": ", ":")};
  auto valued = [&](size_t layout, int i) {
    std::string text = spaced(layouts[layout], "600000", std::to_string(1000 + i));
    return spaced(text, "\"p\"", "\"party-" + std::to_string(i) + "\"");
  };
  auto read = [&](size_t layout, int i, bool by_shape) {
    const std::string text = valued(layout, i);
    const FastReadCounts before = fast_read_counts();
    Context fast, general;
    ASSERT_TRUE(read_context_fast(text, acme(), fast)) << text;
    EXPECT_EQ(fast_read_counts().by_shape, before.by_shape + (by_shape ? 1 : 0)) << layout << " " << i;
    EXPECT_EQ(fast_read_counts().token_by_token, before.token_by_token + (by_shape ? 0 : 1)) << layout << " " << i;
    ASSERT_TRUE(parse_context_general(text, acme(), general).ok()) << text;
    EXPECT_EQ(differ(fast, general), "") << text;
    EXPECT_EQ(fast.facts.get(Attr::Amount), 1000 + i);
  };
  read(0, 0, false);
  read(1, 1, false);
  for (int i = 2; i < 10; ++i) read(static_cast<size_t>(i % 2), i, true);
  read(2, 10, false);  // layout 0, matched before layout 1, gives way
  read(1, 11, true);
  read(2, 12, true);
  read(0, 13, false);
}

// Each value of a remembered layout remembers the name it last was and its
// id: names that differ only in their last byte, past their first eight
// bytes or in their length alone (the same two words), at the same place of the same layout, one after the
// other, each read as the general reader reads it.
TEST(FastPaths, RememberedNamesFollowTheirValues) {
  std::string source = testing::kDomain;
  const std::string names[] = {"retail_shop_a", "retail_shop_b", "retail_shop", "retail_shop_ab",
                               "retail_sh", "retail_si", "a_category_of_16", "a_category_of_1x",
                               "aaaaaaaaaa", "aaaaaaaaaaa"};  // the same words, another length
  std::string categories;
  for (const std::string& n : names) categories += "category " + n + " { }\n";
  source.insert(source.find("category gaming"), categories);
  dsl::Diagnostics diags;
  static dsl::Domain dom = dsl::load({{"names.pd", source}}, diags);
  ASSERT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), dom.files);
  auto d = compile(dom);
  ASSERT_TRUE(d.ok());
  for (int round = 0; round < 3; ++round) {
    for (const std::string& n : names) {
      nlohmann::json c = testing::payment();
      c["category"] = n;
      const std::string text = c.dump();
      Context fast, general;
      ASSERT_TRUE(read_context_fast(text, **d, fast)) << text;
      ASSERT_TRUE(parse_context_general(text, **d, general).ok()) << text;
      EXPECT_EQ(differ(fast, general), "") << text;
      EXPECT_EQ(fast.facts.get(Attr::Category), (*d)->program->find(Attr::Category, n)) << n;
    }
  }
}

TEST(FastPaths, TextEndsNulsAndLongTextsReadAlike) {
  const std::string typical = R"({"tariff": "standard", "operation": "payment",
    "amount": {"amount": 600000, "currency": "RUB"},
    "payment_tool": {"kind": "bank_card", "payment_system": "mastercard", "bin": "555555", "token": "card-7f3a"},
    "category": "retail", "risk": "low", "party": "acme-retail-llc", "shop": "shop-1",
    "payment_institution": "acme_ru", "merchant_accounts": {"settlement": "40702810500000012345"},
    "time": "2026-11-25T12:00:00Z", "payment_key": "order-42"})";
  Tally t;
  for (size_t n = 0; n <= typical.size(); ++n) {
    compare(typical.substr(0, n), acme(), t);
    std::string nul = typical;
    nul.insert(n, 1, '\0');
    compare(nul, acme(), t);
    if (n < typical.size()) {
      nul = typical;
      nul[n] = '\0';
      compare(nul, acme(), t);
    }
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(t.fast, 1u);  // the whole text only
  Context c;
  const std::string longest = std::string(4096 - typical.size(), ' ') + typical;
  EXPECT_TRUE(read_context_fast(longest, acme(), c));
  const std::string longer = " " + longest;
  EXPECT_FALSE(read_context_fast(longer, acme(), c));
  compare(longer, acme(), t);
  EXPECT_TRUE(parse_context_into(longer, acme(), c).ok());
}

// Texts that need escapes in the domain (a decline reason, a posting's
// details) and in the context (a party with a quote, a token with a
// control character, both only in the scope keys): written alike.
TEST(FastPaths, EscapedTextsAreWrittenAlike) {
  auto d = testing::compiled_with_escapes();
  ASSERT_TRUE(d);
  ASSERT_FALSE(d->program->json_plain());
  Tally t;
  for (const char* risk : {"fatal", "low", "high"}) {
    nlohmann::json c = testing::payment();
    c["risk"] = risk;
    c["party"] = "a \"quoted\" party";
    c["payment_tool"]["token"] = "tab\there";
    auto ctx = parse_context(c.dump(), *d);
    ASSERT_TRUE(ctx.ok()) << ctx.error().text();
    compare_written(*ctx, *d, c.dump(), t);
  }
  EXPECT_EQ(t.written, 3u);
}

// parse_utc_time remembers the last date of the usual spelling ("...Z") per
// thread: in any order, with invalid dates and times among them, it answers
// what the same time spelled "+00:00" (never remembered) answers.
TEST(FastPaths, RememberedDatesParseAsTheOtherSpelling) {
  std::mt19937 rng(20261203);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  char date[16], clock[16];
  size_t ok = 0;
  for (int i = 0; i < 20000; ++i) {
    // Few dates, so most lookups hit; some of them invalid (month 13, Feb 29 of 2026/2100, day 31 of June).
    const int dates[][3] = {{2026, 11, 25}, {2026, 11, 26}, {2028, 2, 29}, {2026, 2, 29}, {2100, 2, 29},
                            {2026, 13, 1},  {2026, 6, 31},  {2000, 2, 29}, {1970, 1, 1}};
    const auto& dt = dates[pick(9)];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", dt[0], dt[1], dt[2]);
    std::snprintf(clock, sizeof clock, "%02d:%02d:%02d", pick(26), pick(62), pick(62));
    const std::string usual = std::string(date) + "T" + clock + "Z", other = std::string(date) + "T" + clock + "+00:00";
    auto a = parse_utc_time(usual);
    auto b = parse_utc_time(other);
    ASSERT_EQ(a.ok(), b.ok()) << usual;
    if (a.ok()) {
      ASSERT_EQ(*a, *b) << usual;
      ++ok;
    }
  }
  EXPECT_GT(ok, 5000u);
}

// A limit's fixed parts (name, period, time zone, bound) are rendered once
// per program and thread (result_json.cc, LimitBlocks): programs that differ
// only there, written in turn, more of them than the memo keeps, each with
// and without escapes, are written as the reference writes them.
TEST(FastPaths, LimitBlocksFollowTheirProgram) {
  std::vector<std::shared_ptr<const CompiledDomain>> programs;
  static std::vector<dsl::Domain> domains;
  domains.reserve(6);
  for (int i = 0; i < 6; ++i) {
    std::string source = testing::kDomain;
    const std::string from = "timezone \"+03:00\"  amount <= 1000.00 RUB";
    ASSERT_NE(source.find(from), std::string::npos);
    source.replace(source.find(from), from.size(),
                   "timezone \"+0" + std::to_string(i) + ":00\"  amount <= 100" + std::to_string(i) + ".00 RUB");
    dsl::Diagnostics diags;
    domains.push_back(dsl::load({{"limits.pd", source}}, diags));
    ASSERT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), domains.back().files);
    auto c = compile(domains.back());
    ASSERT_TRUE(c.ok());
    programs.push_back(*c);
  }
  Tally t;
  for (int round = 0; round < 3; ++round) {
    for (const auto& d : programs) {
      auto ctx = testing::parse_json(testing::payment(), *d);
      ASSERT_TRUE(ctx.ok()) << ctx.error().text();
      compare_written(*ctx, *d, testing::payment().dump(), t, round != 1);
      EvalResult r = evaluate(*d, *ctx, {});
      std::string out;
      write_result(r, *d->program, false, out);
      EXPECT_NE(out.find("\"limit\":\"card_daily\""), std::string::npos) << out;
    }
  }
  EXPECT_EQ(t.written, 18u);
}

// Limit windows and their texts are memoized per thread: the answers do not
// depend on what was asked before (a wrong hit would make them so), and a
// day's window holds its instant.
TEST(FastPaths, MemoizedWindowsDoNotDependOnWhatWasAskedBefore) {
  std::mt19937_64 rng(11);
  struct Ask {
    int64_t t;
    int32_t period, offset;
  };
  std::vector<Ask> asks;
  const int32_t offsets[] = {0, 180, -300, 330, 840, -720};
  for (int i = 0; i < 3000; ++i) {
    // Near one another (the same days, months and years), so keys repeat and collide.
    int64_t t = 1795554000 + static_cast<int64_t>(rng() % (400 * 86400)) - 200 * 86400;
    asks.push_back({t, static_cast<int32_t>(rng() % 4), offsets[rng() % 6]});
  }
  std::vector<std::pair<int64_t, int64_t>> windows;
  std::vector<std::string> texts;
  for (const Ask& a : asks) {
    windows.push_back(period_window(a.t, a.period, a.offset));
    texts.emplace_back(format_time_text(a.t, a.offset).view());
  }
  for (size_t i = asks.size(); i-- > 0;) {
    const Ask& a = asks[i];
    ASSERT_EQ(period_window(a.t, a.period, a.offset), windows[i]) << a.t << " " << a.period << " " << a.offset;
    ASSERT_EQ(format_time_text(a.t, a.offset).view(), texts[i]);
    ASSERT_EQ(texts[i], format_time(a.t, a.offset));
    EXPECT_LE(windows[i].first, a.t);
    EXPECT_GT(windows[i].second, a.t);
  }
}

// A merchant's account id comes from the context: written escaped even when
// every name of the program is plain (an account id of the program's is
// copied as it is).
TEST(FastPaths, ContextAccountIdsAreEscapedInAPlainProgram) {
  ASSERT_TRUE(acme().program->json_plain());
  Tally t;
  for (const char* account : {"40702810500000012345", "acct \"quoted\" \\ back", "tab\there and a long tail"}) {
    nlohmann::json c = nlohmann::json::parse(
        R"({"tariff": "standard", "amount": {"amount": 600000, "currency": "RUB"},
            "payment_tool": {"kind": "bank_card", "payment_system": "mastercard", "token": "card-7f3a"},
            "category": "retail", "risk": "low", "party": "acme-retail-llc", "shop": "shop-1",
            "payment_institution": "acme_ru", "time": "2026-11-25T12:00:00Z"})");
    c["merchant_accounts"]["settlement"] = account;
    compare(c.dump(), acme(), t);
    auto ctx = parse_context(c.dump(), acme());  // the result's merchant account ids view it
    ASSERT_TRUE(ctx.ok());
    EvalResult r = evaluate(acme(), *ctx, {});
    std::string out;
    write_result(r, *acme().program, false, out);
    EXPECT_NE(nlohmann::json::parse(out).dump().find(nlohmann::json(account).dump()), std::string::npos) << out;
  }
  EXPECT_EQ(t.written, 6u);
}

// The readers' memo of names (name_memo.h) keeps programs, tables and
// lengths apart: the same name in two programs, where it has another id, and
// names that differ only in their length or their last byte.
TEST(FastPaths, NameMemoKeepsProgramsTablesAndLengthsApart) {
  std::string shifted = testing::kDomain;
  shifted.insert(shifted.find("currency RUB"), "currency AAA { numeric 1 exponent 2 }\n");
  dsl::Diagnostics diags;
  static dsl::Domain dom = dsl::load({{"shifted.pd", shifted}}, diags);
  ASSERT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), dom.files);
  auto other = compile(dom);
  ASSERT_TRUE(other.ok());
  const CompiledDomain& a = *testing::compiled();
  const CompiledDomain& b = **other;
  const int32_t rub_a = a.program->object(dsl::ObjectKind::Currency, "RUB");
  const int32_t rub_b = b.program->object(dsl::ObjectKind::Currency, "RUB");
  ASSERT_NE(rub_a, rub_b);
  const std::string text = testing::payment().dump();
  for (int i = 0; i < 4; ++i) {
    Context c;
    ASSERT_TRUE(read_context_fast(text, i % 2 ? b : a, c));
    EXPECT_EQ(c.facts.get(Attr::Currency), i % 2 ? rub_b : rub_a);
  }
  // Names of every length up to 20, then the same with the last byte changed:
  // each is its own entry (a found id never answers for another name).
  const uint64_t program = uint64_t{1} << 40;  // no loaded program's id
  const std::string base = "abcdefghijklmnopqrstu";
  for (int round = 0; round < 2; ++round) {
    for (size_t n = 0; n <= 20; ++n) {
      for (char last : {'x', 'y'}) {
        std::string name = base.substr(0, n);
        if (n) name.back() = last;
        const int32_t want = static_cast<int32_t>(n * 2 + (last == 'y' && n ? 1 : 0));
        for (uint32_t table : {1u, 2u})
          ASSERT_EQ(name_memo::find(program, table, name, [&] { return want + static_cast<int32_t>(table) * 100; }),
                    want + static_cast<int32_t>(table) * 100)
              << name << " " << table;
      }
    }
  }
}

// A layout keeps each value's step (how it is read, where it goes): two
// layouts with other fields at the same places (members swapped: the same
// names go elsewhere), alternating, each read by its own layout, as the
// general reader reads it.
TEST(FastPaths, LayoutStepsFollowTheirLayout) {
  const std::string a = R"({"tariff": "standard", "amount": {"amount": 5, "currency": "RUB"}, "risk": "low",)"
                        R"( "flow": "hold", "party": "p", "shop": "s", "time": "2026-11-25T12:00:00Z"})";
  const std::string b = R"({"tariff": "standard", "amount": {"currency": "RUB", "amount": 5}, "flow": "hold",)"
                        R"( "risk": "low", "shop": "p", "party": "s", "time": "2026-11-25T12:00:00Z"})";
  for (int i = 0; i < 8; ++i) {
    const std::string& text = i % 2 ? b : a;
    const uint64_t by_shape = fast_read_counts().by_shape;
    Context fast, general;
    ASSERT_TRUE(read_context_fast(text, acme(), fast)) << text;
    if (i >= 2) {
      EXPECT_EQ(fast_read_counts().by_shape, by_shape + 1) << i;
    }
    ASSERT_TRUE(parse_context_general(text, acme(), general).ok()) << text;
    EXPECT_EQ(differ(fast, general), "") << text;
    EXPECT_EQ(fast.party, i % 2 ? "s" : "p");
  }
}

// Each value of a layout remembers its name with the run before it: the
// same layout with a name changed at one place (to another name, to a name
// too long to remember, back again), and with its run changed, one after
// the other: each read as the general reader reads it, the unchanged ones
// by the layout.
TEST(FastPaths, RememberedRunsAndNamesFollowTheirPlace) {
  const std::string base = R"({"tariff": "standard", "operation": "payment",
    "amount": {"amount": 600000, "currency": "RUB"},
    "payment_tool": {"kind": "bank_card", "payment_system": "mastercard", "bin": "555555", "token": "card-7f3a"},
    "category": "retail", "risk": "low", "flow": "instant", "party": "acme-retail-llc", "shop": "shop-1",
    "payment_institution": "acme_ru", "merchant_accounts": {"settlement": "40702810500000012345"},
    "time": "2026-11-25T12:00:00Z", "payment_key": "order-42"})";
  auto with = [&](std::string_view from, std::string_view to) {
    std::string t = base;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  const std::string texts[] = {
      base,
      with("\"low\"", "\"high\""),
      with("\"low\"", "\"low\""),
      with("\"acme-retail-llc\"", "\"a-party-whose-name-is-too-long-to-remember\""),
      with("\"acme-retail-llc\"", "\"other\""),
      with("\"shop-1\"", "\"shop-2\""),
      with("\"RUB\"", "\"USD\""),
      with("\"RUB\"", "\"XXX\""),  // unknown: declined
      with("\"standard\"", "\"nope\""),  // unknown: declined
      with("\"retail\"", "\"gaming\""),
      with("\"category\": ", "\"category\":  "),  // a blank more before the name
      with("\"risk\": \"low\"", "\"risk\":\"low\""),  // a run that differs: token by token
      base,
  };
  Tally t;
  for (int round = 0; round < 3; ++round) {
    for (const std::string& text : texts) {
      compare(text, acme(), t, base);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(t.by_shape, t.total / 2) << t.by_shape << " of " << t.total;
}

// A text that differs from the remembered layout in one byte of a run (a
// key, a blank, a brace) is read token by token (or declined), as the
// general reader reads it.
TEST(FastPaths, ARunByteChangedReadsAlike) {
  const std::string base = R"({"tariff": "standard", "amount": {"amount": 600000, "currency": "RUB"},
  "payment_tool": {"kind": "bank_card", "bin": "555555"}, "risk": "low", "party": "p",
  "time": "2026-11-25T12:00:00Z"})";
  Tally t;
  for (size_t i = 0; i < base.size(); ++i) {
    for (char to : {' ', '\t', 'x', '"', '}', '\0'}) {
      if (base[i] == to) continue;
      std::string text = base;
      text[i] = to;
      compare(text, acme(), t, base);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(t.fast, 0u);
}

// Times in the usual spelling whose date is remembered give the instant,
// weekday and minute of the day of the general arithmetic: dates across
// midnight, month and year ends, leap days, the epoch and the bounds of
// four-digit years, each time read twice (the second from the remembered
// date), through parse_utc_time, read_usual_utc_time and the fast reader.
TEST(FastPaths, RememberedDatesGiveTheWeekdayAndMinuteOfTheArithmetic) {
  const char* dates[] = {"1970-01-01", "1969-12-31", "0000-01-01", "0000-02-29", "9999-12-31", "2026-11-25",
                         "2026-11-26", "2026-12-31", "2027-01-01", "2024-02-29", "2024-03-01", "2000-02-29",
                         "1900-02-28", "1900-03-01", "2026-01-31", "2026-02-01"};
  const char* clocks[] = {"00:00:00", "00:00:59", "12:34:56", "23:59:59", "23:59:60", "00:01:00"};
  for (const char* date : dates) {
    for (const char* clock : clocks) {
      const std::string usual = std::string(date) + "T" + clock + "Z";
      auto other = parse_utc_time(std::string(date) + "T" + clock + "+00:00");
      ASSERT_TRUE(other.ok()) << usual;
      for (int i = 0; i < 2; ++i) {
        auto parsed = parse_utc_time(usual);
        ASSERT_TRUE(parsed.ok()) << usual;
        EXPECT_EQ(*parsed, *other) << usual;
        int64_t t = 0;
        int32_t weekday = -1, minute = -1;
        ASSERT_TRUE(read_usual_utc_time(usual, t, weekday, minute)) << usual;  // its date was just read
        EXPECT_EQ(t, *other) << usual;
        EXPECT_EQ(weekday, weekday_of(*other)) << usual;
        EXPECT_EQ(minute, minute_of_day(*other)) << usual;
        const std::string text = R"({"tariff": "standard", "time": ")" + usual + R"("})";
        Context fast, general;
        ASSERT_TRUE(read_context_fast(text, acme(), fast)) << text;
        ASSERT_TRUE(parse_context_general(text, acme(), general).ok()) << text;
        EXPECT_EQ(differ(fast, general), "") << text;
      }
    }
    // Another date's spelling, or a clock out of range, is not read from the remembered date.
    int64_t t = 0;
    int32_t weekday = 0, minute = 0;
    EXPECT_FALSE(read_usual_utc_time(std::string(date) + "T24:00:00Z", t, weekday, minute));
    EXPECT_FALSE(read_usual_utc_time(std::string(date) + "T12:60:00Z", t, weekday, minute));
    EXPECT_FALSE(read_usual_utc_time(std::string(date) + "T12:00:61Z", t, weekday, minute));
    EXPECT_FALSE(read_usual_utc_time(std::string(date) + "T1a:00:00Z", t, weekday, minute));
    EXPECT_FALSE(read_usual_utc_time(std::string(date) + "t12:00:00Z", t, weekday, minute));
    EXPECT_FALSE(read_usual_utc_time("1971-01-01T12:00:00Z", t, weekday, minute));
  }
}

// Values of every length at the places of one layout, each read after the
// layout's own text (so by the layout): amounts of 1 to 20 digits (read
// seven at a time, or digit by digit), strings of 1 to 40 bytes and bins of
// 1 to 20 with a non-digit anywhere (copied into a string kept from the
// read before, by length), times whose clock differs from the remembered
// date's in one byte. Each read as the general reader reads it.
TEST(FastPaths, ValuesOfEveryLengthReadAlike) {
  const std::string base = R"({"tariff": "standard", "amount": {"amount": 600000, "currency": "RUB"},
    "payment_tool": {"kind": "bank_card", "bin": "555555", "token": "card-7f3a"}, "party": "acme-retail-llc",
    "merchant_accounts": {"settlement": "40702810500000012345"}, "time": "2026-11-25T12:00:00Z",
    "payment_key": "order-42"})";
  auto with = [&](std::string_view from, const std::string& to) {
    std::string t = base;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  Tally t;
  std::string digits = "9";
  for (int n = 1; n <= 20; ++n, digits += static_cast<char>('0' + n % 10)) {
    compare(with("600000", digits), acme(), t, base);
    compare(with("600000", "1" + std::string(static_cast<size_t>(n - 1), '0')), acme(), t, base);
    compare(with("600000", "0" + digits), acme(), t, base);  // a leading zero: declined
  }
  const std::string bytes = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";
  for (size_t n = 1; n <= bytes.size(); ++n) {
    const std::string text = "\"" + bytes.substr(0, n) + "\"";
    for (std::string_view place : {"\"card-7f3a\"", "\"order-42\"", "\"acme-retail-llc\"", "\"40702810500000012345\""}) {
      compare(with(place, text), acme(), t, base);
      compare(with(place, text), acme(), t, with(place, text));  // the same length as before
    }
  }
  for (size_t n = 1; n <= 20; ++n) {
    const std::string bin(n, '4');
    compare(with("\"555555\"", "\"" + bin + "\""), acme(), t, base);
    for (size_t at = 0; at < n; ++at) {
      for (char other : {'/', ':', 'a', ' '}) {
        std::string damaged = bin;
        damaged[at] = other;
        compare(with("\"555555\"", "\"" + damaged + "\""), acme(), t, base);
      }
    }
  }
  const std::string clock = "12:00:00";
  for (size_t at = 0; at < clock.size(); ++at) {
    for (char other : {'0', '5', '9', ':', '/', ';', 'a', '"'}) {
      std::string changed = clock;
      changed[at] = other;
      compare(with(clock, changed), acme(), t, base);
    }
  }
  // Every text the fast reader reads has the base's layout (a value's length
  // is not part of it): read by that layout.
  EXPECT_GT(t.fast, t.total / 4) << t.fast << " of " << t.total;
  EXPECT_EQ(t.by_shape, t.fast) << t.by_shape << " of " << t.fast;
}

}  // namespace
}  // namespace paydomain::evaluator
