// The formatter's contract: fmt(fmt(x)) == fmt(x), parse(fmt(x)) means the
// same domain as x, every comment kept in order; on hand-written cases with
// exact expected text, on every example domain, and on generated messy domains.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/formatter.h"
#include "dsl/parser.h"
#include "tests/dsl/messy_domain.h"

namespace paydomain::dsl {
namespace {

struct Parsed {
  Domain domain;
  Diagnostics diags;
  std::string errors() const { return render_all(diags.items(), domain.files); }
};

Parsed parse_text(const std::string& text) {
  Parsed p;
  p.domain = parse({SourceFile{"test.pd", text}}, p.diags);
  return p;
}

std::string fmt(const std::string& text) {
  Parsed p = parse_text(text);
  EXPECT_FALSE(p.diags.has_errors()) << p.errors();
  return format_file(p.domain, 0);
}

std::vector<std::string> comment_texts(const Domain& d) {
  std::vector<std::string> out;
  for (const Comment& c : d.comments) out.push_back(c.text);
  return out;
}

// Checks the whole contract on one source text; returns the formatted text.
std::string expect_contract(const std::string& text, const std::string& what) {
  Parsed in = parse_text(text);
  EXPECT_FALSE(in.diags.has_errors()) << what << ": the input does not parse\n" << in.errors();
  std::string once = format_file(in.domain, 0);
  Parsed out = parse_text(once);
  EXPECT_FALSE(out.diags.has_errors()) << what << ": the formatted text does not parse\n"
                                       << out.errors() << "\n"
                                       << once;
  // Meaning: object by object, so a failure names the first object that differs.
  EXPECT_EQ(in.domain.objects.size(), out.domain.objects.size()) << what;
  for (size_t i = 0; i < std::min(in.domain.objects.size(), out.domain.objects.size()); ++i) {
    if (dump_semantic(in.domain.objects[i]) != dump_semantic(out.domain.objects[i])) {
      ADD_FAILURE() << what << ": meaning changed in " << in.domain.objects[i].display_name() << "\nbefore: "
                    << dump_semantic(in.domain.objects[i]) << "\nafter:  " << dump_semantic(out.domain.objects[i])
                    << "\nformatted:\n" << format_object(in.domain, in.domain.objects[i]);
      break;
    }
  }
  EXPECT_EQ(comment_texts(in.domain), comment_texts(out.domain)) << what << ": comments lost or reordered";
  EXPECT_EQ(once, format_file(out.domain, 0)) << what << ": not idempotent";

  // format_object() gives the pieces format_file() joins, each self-contained.
  size_t pos = 0;
  for (const Object& o : out.domain.objects) {
    std::string piece = format_object(out.domain, o);
    size_t at = once.find(piece, pos);
    EXPECT_TRUE(at == pos || (at == pos + 1 && once[pos] == '\n')) << what << ": " << o.display_name();
    if (at == std::string::npos) break;
    pos = at + piece.size();
    Parsed alone = parse_text(piece);
    EXPECT_EQ(alone.domain.objects.size(), 1u) << piece;
    if (alone.domain.objects.size() == 1) {
      EXPECT_EQ(dump_semantic(alone.domain.objects[0]), dump_semantic(o));
    }
  }
  EXPECT_EQ(pos, once.size()) << what;
  return once;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- the canonical layout, exactly ------------------------------------------------

TEST(Formatter, CanonicalLayoutAndCommentPlacement) {
  const std::string input = R"(# Header comment

currency RUB {name "Russian ruble" numeric 643
  exponent 2}   # rubles
currency USD { numeric 840 exponent 2 }
payment_system visa { name "Visa \"classic\" \\ card" }


tariff standard {   # our main tariff
  currencies [RUB,USD]
  # fees come next


  fees { when (payment_system in [visa]) and not (amount < 10.00 RUB or currency == USD) {
      merchant.settlement->system.settlement:max(1.2% of amount,(15.00 RUB + 1/3 of amount)) round half_even
    }
    otherwise { }   # nothing
    # before the closing brace
  }
  refunds { # refund rules
    # partial refunds are fine
    partial true allowed   true  # both
    fees { }
  }
}
routing main { candidate yb priority 10 when risk == low candidate yb2 }
test "a \"quoted\" title" { given { amount 10.00 RUB risk low } expect route yb }
# end of file
)";
  const std::string expected = R"(# Header comment

currency RUB { name "Russian ruble"  numeric 643  exponent 2 }  # rubles
currency USD { numeric 840  exponent 2 }
payment_system visa { name "Visa \"classic\" \\ card" }

tariff standard {  # our main tariff
  currencies [RUB, USD]
  # fees come next

  fees {
    when payment_system in [visa] and not (amount < 10.00 RUB or currency == USD) {
      merchant.settlement -> system.settlement : max(1.2% of amount, 15.00 RUB + 1/3 of amount) round half_even
    }
    otherwise {}  # nothing
    # before the closing brace
  }
  refunds {  # refund rules
    # partial refunds are fine
    allowed true
    partial true  # both
    fees {}
  }
}

routing main {
  candidate yb priority 10 when risk == low
  candidate yb2
}

test "a \"quoted\" title" {
  given {
    amount 10.00 RUB
    risk low
  }
  expect route yb
}
# end of file
)";
  EXPECT_EQ(fmt(input), expected);
  expect_contract(input, "layout");
}

// Minimal parentheses, except that an `and` group inside an `or` keeps them.
TEST(Formatter, ConditionsGetMinimalParentheses) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"(risk == low and currency == RUB) or risk == high", "(risk == low and currency == RUB) or risk == high"},
      {"risk == low and currency == RUB or risk == high", "(risk == low and currency == RUB) or risk == high"},
      {"risk == low and (currency == RUB or risk == high)", "risk == low and (currency == RUB or risk == high)"},
      {"not (risk == low)", "not risk == low"},
      {"not (risk == low and currency == RUB)", "not (risk == low and currency == RUB)"},
      {"risk == low or (currency == RUB or (risk == high))", "risk == low or currency == RUB or risk == high"},
      {"(not not risk == low) and bin starts_with \"4276\"", "not not risk == low and bin starts_with \"4276\""},
      {"amount between 1.00 RUB and 2.50 RUB and currency not in [RUB,USD]",
       "amount between 1.00 RUB and 2.50 RUB and currency not in [RUB, USD]"},
      {"payment_tool is not wallet or time between 09:00 and 18:00 or health.failure_rate >= 70.5%",
       "payment_tool is not wallet or time between 09:00 and 18:00 or health.failure_rate >= 70.5%"},
  };
  for (const auto& [in, out] : cases) {
    Parsed p = parse_text("limit l { scope [party] period day count < 5 when " + in + " }");
    ASSERT_FALSE(p.diags.has_errors()) << in << "\n" << p.errors();
    const Clause* when = p.domain.objects.at(0).find(Clause::Kind::When);
    ASSERT_NE(when, nullptr);
    EXPECT_EQ(format_condition(*when->condition), out) << in;
  }
}

TEST(Formatter, LongConditionsAndListsBreakAtTheWidth) {
  const std::string input =
      "provider p { adapter a accepts (payment_tool is bank_card and currency in [USD, EUR, JPY] and "
      "payment_system in [visa, mastercard, amex, unionpay]) or (payment_tool is wallet and "
      "wallet_provider in [yoomoney, paypal]) }\n"
      "tariff t { categories [retail, travel, digital_goods, food_delivery, utilities, education, charity, "
      "gaming, alcohol, tobacco] }\n"
      "limit l { scope [party] period day count < 5 when risk == low and (payment_system in [visa, mastercard, "
      "maestro, mir] or wallet_provider in [yoomoney, paypal] or payment_tool is mobile) and not (currency in "
      "[RUB, USD, EUR, JPY, GBP, CNY, KZT, BYN, UAH, TRY] or amount > 500000.00 RUB) }\n";
  const std::string expected = R"(provider p {
  adapter a
  accepts (payment_tool is bank_card
          and currency in [USD, EUR, JPY]
          and payment_system in [visa, mastercard, amex, unionpay])
      or (payment_tool is wallet and wallet_provider in [yoomoney, paypal])
}

tariff t {
  categories [
    retail, travel, digital_goods, food_delivery, utilities, education, charity, gaming, alcohol,
    tobacco
  ]
}

limit l {
  scope [party]
  period day
  count < 5
  when risk == low
      and (payment_system in [visa, mastercard, maestro, mir]
          or wallet_provider in [yoomoney, paypal]
          or payment_tool is mobile)
      and not (currency in [RUB, USD, EUR, JPY, GBP, CNY, KZT, BYN, UAH, TRY]
          or amount > 500000.00 RUB)
}
)";
  EXPECT_EQ(fmt(input), expected);
  expect_contract(input, "wrapping");
  for (const std::string& line : [&] {
         std::vector<std::string> lines;
         std::istringstream ss(expected);
         for (std::string l; std::getline(ss, l);) lines.push_back(l);
         return lines;
       }()) {
    EXPECT_LE(line.size(), kFormatWidth) << line;
  }
}

TEST(Formatter, EmptyAndCommentOnlyFiles) {
  EXPECT_EQ(fmt(""), "");
  EXPECT_EQ(fmt("# just a note\n\n\n# and another   \n"), "# just a note\n\n# and another\n");
  EXPECT_EQ(fmt("category c{}"), "category c {}\n");
}

// ---- meaning: the dump sees every change that matters, and only those ------------------

TEST(Formatter, SemanticDumpSeesMeaningNotSpelling) {
  auto dump = [](const std::string& text) {
    Parsed p = parse_text(text);
    EXPECT_FALSE(p.diags.has_errors()) << p.errors();
    return dump_semantic(p.domain);
  };
  const std::string base =
      "tariff t { fees { when risk == low and currency == RUB { a.b -> c.d : 1% of amount round half_even \"x\" } }"
      " refunds { allowed true } }\nrouting r { candidate t1 priority 10 weight 5 when risk == low }\n";
  EXPECT_EQ(dump(base), dump("# a comment\n" + base));
  EXPECT_EQ(dump("routing r { candidate t1 priority 1000 weight 1 }"), dump("routing r { candidate t1 }"));
  EXPECT_EQ(dump("limit l { when (risk == low or risk == high) or currency == RUB }"),
            dump("limit l { when risk == low or (risk == high or currency == RUB) }"));
  EXPECT_EQ(dump("provider p { fees { a.b -> c.d : (1.00 RUB + 2.00 RUB) + amount } }"),
            dump("provider p { fees { a.b -> c.d : 1.00 RUB + (2.00 RUB + amount) } }"));
  const std::vector<std::pair<std::string, std::string>> changes = {
      {"1% of amount", "2% of amount"}, {"1% of amount", "1/100 of amount"}, {"round half_even", ""},
      {"\"x\"", "\"y\""},              {"and currency", "or currency"},     {"allowed true", "allowed false"},
      {"priority 10", "priority 11"},  {"weight 5", ""},                    {"t1", "t2"},
      {"c.d", "c.e"},                  {"RUB", "USD"},
  };
  for (const auto& [from, to] : changes) {
    std::string changed = base;
    changed.replace(changed.find(from), from.size(), to);
    EXPECT_NE(dump(base), dump(changed)) << from << " -> " << to;
  }
}

TEST(Formatter, ObjectPartsNameEveryRule) {
  Parsed p = parse_text(R"(tariff standard {
  name "Standard"
  fees {
    system.x -> system.y : 1.00 RUB
    when payment_system in [maestro, mastercard] {
      merchant.settlement -> system.settlement : 1% of amount "1% processing fee"
    }
    otherwise { merchant.settlement -> system.settlement : 2% of amount }
  }
  refunds { allowed true fees { when currency == RUB { a.b -> c.d : 15.00 RUB } } }
  amount between 1.00 RUB and 2.00 RUB
  amount between 1.00 USD and 2.00 USD
}
routing r { when risk == fatal: decline "no"  candidate t1 }
test "t" { given { amount 1.00 RUB  health t1 failure_rate 10%  turnover l 5.00 RUB } expect route t1 })");
  ASSERT_FALSE(p.diags.has_errors()) << p.errors();
  using Parts = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(object_parts(p.domain, p.domain.objects[0]),
            (Parts{{"name", "name \"Standard\""},
                   {"fees/posting 1", "system.x -> system.y : 1.00 RUB"},
                   {"fees/when 1", "when payment_system in [maestro, mastercard]"},
                   {"fees/when 1/posting 1", "merchant.settlement -> system.settlement : 1% of amount \"1% processing fee\""},
                   {"fees/otherwise", "otherwise"},
                   {"fees/otherwise/posting 1", "merchant.settlement -> system.settlement : 2% of amount"},
                   {"refunds/allowed", "allowed true"},
                   {"refunds/fees/when 1", "when currency == RUB"},
                   {"refunds/fees/when 1/posting 1", "a.b -> c.d : 15.00 RUB"},
                   {"amount between 1", "amount between 1.00 RUB and 2.00 RUB"},
                   {"amount between 2", "amount between 1.00 USD and 2.00 USD"}}));
  EXPECT_EQ(object_parts(p.domain, p.domain.objects[1]),
            (Parts{{"rule 1", "when risk == fatal: decline \"no\""}, {"rule 2", "candidate t1"}}));
  EXPECT_EQ(object_parts(p.domain, p.domain.objects[2]),
            (Parts{{"given/amount", "amount 1.00 RUB"},
                   {"given/health t1 failure_rate", "health t1 failure_rate 10%"},
                   {"given/turnover l", "turnover l 5.00 RUB"},
                   {"expect 1", "expect route t1"}}));
}

// `extends` is part of the header: printed there (one-line objects too),
// kept by a round trip, part of the meaning and of the diffable parts.
TEST(Formatter, TariffParentInTheHeader) {
  Parsed p = parse_text("tariff premium   extends\n  standard { # negotiated\n hold_lifetime 30 days }\n"
                        "tariff vip extends premium {}\n");
  ASSERT_FALSE(p.diags.has_errors()) << p.errors();
  std::string text = format_file(p.domain, 0);
  EXPECT_EQ(text, "tariff premium extends standard {\n  # negotiated\n  hold_lifetime 30 days\n}\n\n"
                  "tariff vip extends premium {}\n");
  Parsed again = parse_text(text);
  ASSERT_FALSE(again.diags.has_errors()) << again.errors();
  EXPECT_EQ(format_file(again.domain, 0), text);
  EXPECT_EQ(dump_semantic(again.domain), dump_semantic(p.domain));
  EXPECT_NE(dump_semantic(p.domain.objects[0]), dump_semantic(parse_text("tariff premium { hold_lifetime 30 days }").domain.objects[0]));
  using Parts = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(object_parts(p.domain, p.domain.objects[1]), (Parts{{"extends", "extends premium"}}));
}

// ---- every example, and generated domains --------------------------------------------

TEST(Formatter, ContractHoldsOnEveryExample) {
  namespace fs = std::filesystem;
  fs::path root = fs::path(PAYDOMAIN_SOURCE_DIR) / "examples";
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() == ".pd") files.push_back(it->path());
  }
  ASSERT_FALSE(files.empty()) << "no .pd files under " << root;  // missing examples fail, never skip
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) expect_contract(read(f), f.string());
}

TEST(Formatter, ContractHoldsOnGeneratedDomains) {
  for (uint64_t seed : {1u, 2u, 3u, 42u}) {
    std::string text = testing::MessyDomain(seed).generate(30);
    Parsed p = parse_text(text);
    ASSERT_FALSE(p.diags.has_errors()) << "seed " << seed << "\n" << p.errors();
    // The corpus really covers every kind and has plenty of comments.
    std::vector<int> kinds(kObjectKindCount, 0);
    for (const Object& o : p.domain.objects) ++kinds[static_cast<size_t>(o.kind)];
    for (int k = 0; k < kObjectKindCount; ++k) EXPECT_GE(kinds[k], 30) << to_string(static_cast<ObjectKind>(k));
    EXPECT_GT(p.domain.comments.size(), 300u);
    expect_contract(text, "seed " + std::to_string(seed));
  }
}

// A whole domain split over files: each file formats on its own, with its comments.
TEST(Formatter, FilesOfOneDomainFormatIndependently) {
  Diagnostics diags;
  Domain d = parse({SourceFile{"a.pd", "# a\ncurrency RUB { numeric 643 exponent 2 }  # rub\n"},
                    SourceFile{"b.pd", "category c {}\n# tail of b\n"}, SourceFile{"c.pd", "# only comments\n"}},
                   diags);
  ASSERT_FALSE(diags.has_errors());
  EXPECT_EQ(format_file(d, 0), "# a\ncurrency RUB { numeric 643  exponent 2 }  # rub\n");
  EXPECT_EQ(format_file(d, 1), "category c {}\n# tail of b\n");
  EXPECT_EQ(format_file(d, 2), "# only comments\n");
  EXPECT_EQ(format_object(d, d.objects[1]), "category c {}\n# tail of b\n");
  Object detached = d.objects[0];
  detached.span.offset += 1000;  // not an object of the domain: printed without comments
  EXPECT_EQ(format_object(d, detached), "currency RUB { numeric 643  exponent 2 }\n");
}

}  // namespace
}  // namespace paydomain::dsl

namespace paydomain::dsl {
namespace {

// `within` is a refund item like the others: written after `partial`, before
// `fees`, its trailing comment kept with it; in a provider's refunds too.
// (Comments keep their source order, so a commented item that `fmt` moves
// ahead of an earlier one does not take its comment along: not tested here.)
TEST(Formatter, RefundWindowsAreItemsOfTheirBlock) {
  const std::string input =
      "provider p { adapter a refunds { partial false\n within   180 days # card scheme rules\n fees { } } }\n";
  const std::string out = fmt(input);
  EXPECT_NE(out.find("  refunds {\n    partial false\n    within 180 days  # card scheme rules\n    fees {}\n  }\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(fmt(out), out);
  // Diffs name the window and the provider's refund fees like a tariff's refund items.
  Parsed p = parse_text("provider p { adapter a  refunds { within 90 days  fees { a.b -> c.d : amount } } }");
  ASSERT_FALSE(p.diags.has_errors()) << p.errors();
  using Parts = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(object_parts(p.domain, p.domain.objects[0]),
            (Parts{{"adapter", "adapter a"},
                   {"refunds/within", "within 90 days"},
                   {"refunds/fees/posting 1", "a.b -> c.d : amount"}}));
}

// `captures` and `chargebacks` are terms blocks like `refunds`: items in
// canonical order (a chargeback's `reserve` after its `fees`), and diffs
// name each item.
TEST(Formatter, CaptureAndChargebackTermsAreBlocksOfItems) {
  const std::string input =
      "tariff t { chargebacks { reserve { merchant.settlement -> merchant.guarantee : amount }\n"
      " fees { merchant.settlement -> system.settlement : 500.00 RUB } allowed true }\n"
      " captures { partial   false } }\n";
  const std::string out = fmt(input);
  EXPECT_EQ(out,
            "tariff t {\n"
            "  chargebacks {\n    allowed true\n"
            "    fees {\n      merchant.settlement -> system.settlement : 500.00 RUB\n    }\n"
            "    reserve {\n      merchant.settlement -> merchant.guarantee : amount\n    }\n  }\n"
            "  captures {\n    partial false\n  }\n}\n");
  EXPECT_EQ(fmt(out), out);
  EXPECT_EQ(fmt("terminal t { provider p  captures { } }\n"), "terminal t {\n  provider p\n  captures {}\n}\n");
  Parsed p = parse_text(
      "tariff t { captures { partial false }  chargebacks { allowed true  fees { a.b -> c.d : 5.00 RUB }  reserve { a.b -> "
      "a.e : amount } } }");
  ASSERT_FALSE(p.diags.has_errors()) << p.errors();
  using Parts = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(object_parts(p.domain, p.domain.objects[0]),
            (Parts{{"captures/partial", "partial false"},
                   {"chargebacks/allowed", "allowed true"},
                   {"chargebacks/fees/posting 1", "a.b -> c.d : 5.00 RUB"},
                   {"chargebacks/reserve/posting 1", "a.b -> a.e : amount"}}));
}

}  // namespace
}  // namespace paydomain::dsl
