// The JSON text path (json/reader.h, json_writer.h, and the batch
// API): the reader accepts exactly what a reference parser accepts, decodes
// strings the same way, the writer's text reads back to what was written, and
// a batch answers exactly what one-by-one evaluation answers.
#include <gtest/gtest.h>

#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "json/bytes.h"
#include "json/reader.h"
#include "json/writer.h"
#include "test_domain.h"

namespace paydomain::evaluator {
namespace {

using nlohmann::json;

bool accepts(std::string_view t) { return paydomain::json::syntax_error(t).empty(); }

TEST(JsonReader, AcceptsExactlyWhatTheReferenceParserAccepts) {
  const char* cases[] = {
      "{}", "[]", "0", "-0", "12.5e-3", "1E+2", "\"\"", "true", "false", "null", " {\"a\" : [1, {\"b\": null}] } ",
      "\"\\u00e9\\ud83d\\ude00\\n\\/\"", "\"caf\xc3\xa9\"", "[1,2,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01",
      "1.", ".5", "+1", "-", "1e", "tru", "nul", "[1 2]", "\"abc", "\"a\\x\"", "\"\\u12\"", "\"\\ud800\"",
      "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"tab\there\"", "\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "{} {}",
      "", "   ", "[[[[]]]]", "{\"a\":{\"b\":{\"c\":[true,false,null]}}}", "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"",
  };
  for (const char* c : cases) EXPECT_EQ(accepts(c), json::accept(c)) << c;
}

// Random damage to real contexts (flipped, dropped, inserted and duplicated
// bytes, truncation): both parsers must agree on every variant.
TEST(JsonReader, AgreesWithTheReferenceParserOnDamagedContexts) {
  std::vector<std::string> seeds;
  for (const auto& e : std::filesystem::directory_iterator(std::string(PAYDOMAIN_SOURCE_DIR) + "/examples/acme/contexts")) {
    std::ifstream in(e.path());
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_FALSE(seeds.empty());
  std::mt19937 rng(20261125);
  const std::string alphabet = "{}[]\",:\\0123456789-+.eEtrufalsn \t\n\x01\x80\xc3\xa9uD8";
  int disagreements = 0, accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string t = seeds[rng() % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !t.empty(); ++e) {
      size_t at = rng() % t.size();
      switch (rng() % 5) {
        case 0: t[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: t.erase(at, 1); break;
        case 2: t.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 3: t.resize(at); break;
        default: t.insert(at, t.substr(at, rng() % 8)); break;
      }
    }
    accepted += accepts(t);
    if (accepts(t) != json::accept(t)) {
      if (++disagreements <= 5) ADD_FAILURE() << "disagree on: " << t;
    }
    // Text that is not JSON is always reported as such, never as a shape error.
    auto c = parse_context(t, *testing::compiled());
    bool syntax = !c.ok() && c.error().message.rfind("not valid JSON", 0) == 0;
    EXPECT_EQ(syntax, !accepts(t)) << t << "\n" << (c.ok() ? "ok" : c.error().text());
  }
  EXPECT_EQ(disagreements, 0);
  EXPECT_GT(accepted, 2000);  // both outcomes are well represented
  EXPECT_LT(accepted, 18000);
}

TEST(JsonReader, DecodesStringsLikeTheReferenceParser) {
  for (std::string text : {"\"plain\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "\"\\u0041\\u00e9\\u20ac\\ud83d\\ude00\"",
                           "\"\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \\u0021\""}) {
    paydomain::json::Reader r(text);
    std::string_view s;
    ASSERT_TRUE(r.string(s)) << text << ": " << r.error();
    EXPECT_EQ(std::string(s), json::parse(text).get<std::string>()) << text;
  }
}

TEST(JsonReader, ErrorsNameTheByteAndWhatWasExpected) {
  EXPECT_EQ(paydomain::json::syntax_error("{\"a\" 1}"), "at byte 5: expected ':'");
  EXPECT_EQ(paydomain::json::syntax_error("[1,]"), "at byte 3: expected a value (an object, array, string, number, true, false or null)");
  EXPECT_EQ(paydomain::json::syntax_error("{\"a\":1"), "at byte 6: unexpected end of text, expected ',' or '}'");
  EXPECT_EQ(paydomain::json::syntax_error("\"a\x01\""), "at byte 2: expected an escape sequence instead of a control character in a string");
  EXPECT_EQ(paydomain::json::syntax_error("1 2"), "at byte 2: expected the end of the text after the value");
  std::string deep(300, '['), close(300, ']');
  EXPECT_NE(paydomain::json::syntax_error(deep + close).find("at most 256 levels"), std::string::npos);
  EXPECT_TRUE(accepts(std::string(200, '[') + std::string(200, ']')));
}

TEST(JsonReader, SkipUncheckedFindsTheEndByBracketsOutsideStrings) {
  std::string text = R"( {"a": "}]\"{", "b": [1, {"c": "\\"}]} , 7)";
  paydomain::json::Reader r(text);
  ASSERT_TRUE(r.skip_unchecked()) << r.error();
  EXPECT_EQ(text.substr(r.offset()), " , 7");
  paydomain::json::Reader checked(text);
  ASSERT_TRUE(checked.skip());
  EXPECT_EQ(checked.offset(), r.offset());  // the same end as the full check
  paydomain::json::Reader truncated(R"({"a": [1, 2})");
  EXPECT_FALSE(truncated.skip_unchecked());
  EXPECT_TRUE(truncated.failed());
  paydomain::json::Reader scalar("12");
  EXPECT_FALSE(scalar.skip_unchecked());
}

TEST(JsonReader, IntegersAreExactOrRefused) {
  int64_t v = 0;
  EXPECT_EQ(paydomain::json::Reader::to_int64("9223372036854775807", v), paydomain::json::Reader::IntStatus::Integral);
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_EQ(paydomain::json::Reader::to_int64("9223372036854775808", v), paydomain::json::Reader::IntStatus::TooLarge);
  EXPECT_EQ(paydomain::json::Reader::to_int64("-12", v), paydomain::json::Reader::IntStatus::Integral);
  EXPECT_EQ(v, -12);
  EXPECT_EQ(paydomain::json::Reader::to_int64("1.0", v), paydomain::json::Reader::IntStatus::NotIntegral);
  EXPECT_EQ(paydomain::json::Reader::to_int64("1e3", v), paydomain::json::Reader::IntStatus::NotIntegral);
}

// The block scan (16 bytes a step, then words, the last one overlapping)
// finds exactly the byte a byte-by-byte scan finds, at every length and
// position, with and without stopping at non-ASCII bytes.
TEST(JsonBytes, FirstSpecialFindsTheFirstByteThatNeedsAttention) {
  std::mt19937 rng(7);
  const char pool[] = {'a', 'z', ' ', '"', '\\', '\x01', '\x1f', '\x7f', '\x80', '\xc3', '\xff', '0'};
  for (int round = 0; round < 20000; ++round) {
    size_t n = rng() % 50;
    std::string s(n, 'x');
    for (char& c : s)
      if (rng() % 8 == 0) c = pool[rng() % sizeof pool];
    for (bool stop : {false, true}) {
      size_t want = n;
      for (size_t i = 0; i < n; ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == '"' || c == '\\' || (stop && c >= 0x80)) {
          want = i;
          break;
        }
      }
      ASSERT_EQ(paydomain::json::bytes::first_special(s.data(), n, stop), want) << n << " " << stop;
      ASSERT_EQ(paydomain::json::bytes::detail::first_special_words(s.data(), n, stop), want) << n << " " << stop;
    }
  }
}

TEST(JsonBytes, ShortLoadsAndEqualAgreeWithMemcmp) {
  // Every length up to 20, a difference at every position (or none).
  std::string a = "abcdefghijklmnopqrstu", b = a;
  for (size_t n = 0; n <= 20; ++n) {
    for (size_t at = 0; at <= n; ++at) {
      b = a;
      if (at < n) b[at] = static_cast<char>(b[at] ^ 0x40);
      bool same = std::memcmp(a.data(), b.data(), n) == 0;
      ASSERT_EQ(paydomain::json::bytes::equal(a.data(), b.data(), n), same) << n << " " << at;
      if (n < 8) {
        ASSERT_EQ(paydomain::json::bytes::load_short(a.data(), n) == paydomain::json::bytes::load_short(b.data(), n), same);
      }
    }
  }
}

TEST(JsonBytes, WriteIntAndCopyAgreeWithTheStandardLibrary) {
  std::vector<int64_t> values = {0, 1, -1, 9, 10, 99, 100, 101, 999, 1000, 600000, 15000000, INT64_MAX, INT64_MIN,
                                 INT64_MIN + 1};
  for (int64_t p = 1; p <= INT64_MAX / 10; p *= 10) values.insert(values.end(), {p - 1, p, p + 1, -p, 1 - p});
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) values.push_back(static_cast<int64_t>(rng()) >> (rng() % 64));
  for (int64_t v : values) {
    char want[24], got[24];
    char* w = std::to_chars(want, want + sizeof want, v).ptr;
    char* g = paydomain::json::bytes::write_int(got, v);
    ASSERT_EQ(std::string(got, g), std::string(want, w)) << v;
  }
  // Every length up to 48 (each branch of copy, the overlapping blocks).
  std::string src = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN";
  for (size_t n = 0; n <= 48; ++n) {
    std::string dst(64, '.');
    char* end = paydomain::json::bytes::copy(dst.data() + 1, src.data() + 1, n);
    ASSERT_EQ(end, dst.data() + 1 + n);
    ASSERT_EQ(dst, "." + src.substr(1, n) + std::string(63 - n, '.')) << n;
  }
}

TEST(JsonWriter, PlainStringsAreCopiedAsTheyAre) {
  EXPECT_TRUE(paydomain::json::Writer::is_plain("terminal yb_3ds (line 21) does not accept this payment"));
  EXPECT_TRUE(paydomain::json::Writer::is_plain(""));
  for (std::string_view s : {"a\"b", "back\\slash", "tab\there", "a long name ending in a quote........\""})
    EXPECT_FALSE(paydomain::json::Writer::is_plain(s)) << s;
  std::string out;
  {
    paydomain::json::Writer w(out);
    w.begin_object();
    w.plain_field("a", "x y");
    w.key("b");
    w.begin_array();
    w.plain_string("");
    w.plain_string("caf\xc3\xa9");
    w.end_array();
    w.end_object();
  }
  EXPECT_EQ(out, "{\"a\":\"x y\",\"b\":[\"\",\"caf\xc3\xa9\"]}");
}

TEST(JsonWriter, TextReadsBackToWhatWasWritten) {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    size_t n = rng() % 40;
    for (size_t i = 0; i < n; ++i) {
      switch (rng() % 4) {
        case 0: s += static_cast<char>(rng() % 0x20); break;  // control characters
        case 1: s += "\"\\/"[rng() % 3]; break;
        case 2: s += "\xc3\xa9"; break;  // é
        default: s += static_cast<char>('a' + rng() % 26);
      }
    }
    std::string out;
    {
      paydomain::json::Writer w(out);
      w.begin_object();
      w.field("s", s);
      w.key("n");
      w.integer(static_cast<int64_t>(rng()) - (1ll << 31));
      w.key("list");
      w.begin_array();
      w.string(s);
      w.boolean(true);
      w.begin_object();
      w.end_object();
      w.end_array();
      w.end_object();
    }
    json j = json::parse(out);
    EXPECT_EQ(j["s"].get<std::string>(), s);
    EXPECT_EQ(j["list"][0].get<std::string>(), s);
    EXPECT_EQ(j["list"].size(), 3u);
  }
  std::string appended = "prefix:";
  {
    paydomain::json::Writer w(appended);
    w.integer(INT64_MIN);
  }
  EXPECT_EQ(appended, "prefix:-9223372036854775808");  // appends, and trims its scratch space
}

TEST(JsonWriter, UntrustedStringKeepsUtf8AndEscapesEachInvalidByte) {
  auto write = [](std::string_view s) {
    std::string out;
    {
      paydomain::json::Writer w(out);
      w.untrusted_string(s);
    }
    return out;
  };
  EXPECT_EQ(write("plain"), "\"plain\"");
  EXPECT_EQ(write("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(write("/v1/\xd0\xbf"), "\"/v1/\xd0\xbf\"");                     // Cyrillic stays as it is
  EXPECT_EQ(write("/v1/\xff\"x"), "\"/v1/\\u00ff\\\"x\"");                // an invalid byte, then text
  EXPECT_EQ(write("\xd0"), "\"\\u00d0\"");                                // a sequence cut short
  EXPECT_EQ(write("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");       // a surrogate is not UTF-8
  for (std::string_view s : {"\xff\xfe", "ok\xc3", "\xe2\x82\xac\xe2\x82"})
    EXPECT_TRUE(nlohmann::json::accept(write(s))) << write(s);
}

TEST(ContextText, ReadsEscapedNamesNullsAndReportsInDocumentOrder) {
  const CompiledDomain& d = *testing::compiled();
  std::string base = testing::payment().dump();
  // An escaped member name is the same name.
  std::string escaped = base;
  escaped.replace(escaped.find("\"amount\""), 8, "\"\\u0061mount\"");
  auto c = parse_context(escaped, d);
  ASSERT_TRUE(c.ok()) << c.error().text();
  EXPECT_EQ(c->facts.get(Attr::Amount), 600000);
  // null is "not given".
  auto n = parse_context(std::string_view(R"({"risk": null, "amount": {"amount": 5, "currency": "RUB"}})"), d);
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(n->facts.has(Attr::Risk));
  // The first malformed field in the text is the one reported.
  EXPECT_EQ(parse_context(std::string_view(R"({"risk": "x", "amount": 1})"), d).error().path, "$.risk");
  EXPECT_EQ(parse_context(std::string_view(R"({"amount": 1, "risk": "x"})"), d).error().path, "$.amount");
  // A syntax error anywhere beats a shape error before it.
  EXPECT_EQ(parse_context(std::string_view(R"({"risk": "x", "amount": })"), d).error().text(),
            "$: not valid JSON (at byte 24: expected a value (an object, array, string, number, true, false or null))");
  EXPECT_EQ(parse_context(base + "]", d).error().path, "$");
  EXPECT_EQ(parse_context(std::string_view(R"({"amount": {"amount": 99999999999999999999, "currency": "RUB"}})"), d)
                .error()
                .text(),
            "$.amount.amount: number too large");
}

TEST(ResultText, MembersInReadingOrderAndTheTreeMatches) {
  const CompiledDomain& d = *testing::compiled();
  auto ctx = testing::parse_json(testing::payment(), d);
  ASSERT_TRUE(ctx.ok());
  EvalResult r = evaluate(d, *ctx, {true});
  std::string text;
  ASSERT_TRUE(write_result(r, d, true, text).ok());
  EXPECT_EQ(text.rfind("{\"terms\":", 0), 0u) << text;
  size_t cf = text.find("\"cash_flow\""), route = text.find("\"route\""), limits = text.find("\"limits\"");
  EXPECT_TRUE(cf < route && route < limits) << text;
  EXPECT_EQ(json::parse(text), testing::result_json(r, d, true));
}

TEST(ResultText, ADomainWithQuotesInItsTextsIsEscaped) {
  EXPECT_TRUE(testing::compiled()->program->json_plain());  // nothing to escape: names and reasons are copied
  // A decline reason and a posting's details that need escapes: the writer
  // scans every prepared text of such a domain.
  auto d = testing::compiled_with_escapes();
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->program->json_plain());
  for (const char* risk : {"fatal", "low"}) {
    nlohmann::json c = testing::payment();
    c["risk"] = risk;
    std::string text;
    ASSERT_TRUE(evaluate_text(*d, c.dump(), true, text).ok());
    auto ctx = testing::parse_json(c, *d);
    ASSERT_TRUE(ctx.ok());
    EvalResult r = evaluate(*d, *ctx, {true});
    EXPECT_EQ(json::parse(text), testing::result_json(r, *d, true)) << text;
  }
  nlohmann::json c = testing::payment();
  c["risk"] = "fatal";
  std::string text;
  ASSERT_TRUE(evaluate_text(*d, c.dump(), false, text).ok());
  EXPECT_EQ(json::parse(text)["route"]["decline_reason"], "risk \"too\" high\\") << text;
  c["risk"] = "low";
  text.clear();
  ASSERT_TRUE(evaluate_text(*d, c.dump(), false, text).ok());
  EXPECT_EQ(json::parse(text)["cash_flow"]["postings"][0]["details"], "1%\tfee") << text;
}

TEST(Batch, AnswersExactlyWhatOneByOneEvaluationAnswers) {
  const CompiledDomain& d = *testing::compiled();
  std::vector<std::string> texts;
  for (int i = 0; i < 500; ++i) {
    json c = testing::payment();
    c["payment_key"] = "order-" + std::to_string(i);
    if (i % 3 == 0) c["payment_tool"]["payment_system"] = "visa";
    if (i % 7 == 0) c["amount"]["amount"] = i * 1000;
    texts.push_back(c.dump());
  }
  std::vector<std::string_view> views(texts.begin(), texts.end());
  BatchOutcome one = evaluate_batch(d, views, true, 1), four = evaluate_batch(d, views, true, 4);
  ASSERT_EQ(one.results.size(), texts.size());
  EXPECT_EQ(one.failed, 0u);
  EXPECT_EQ(one.results, four.results);
  for (size_t i = 0; i < texts.size(); i += 37) {
    std::string alone;
    ASSERT_TRUE(evaluate_text(d, texts[i], true, alone).ok());
    EXPECT_EQ(four.results[i], alone);
  }
  // Malformed contexts get their error in place; the first is named.
  texts[123] = R"({"risk": "medium"})";
  texts[321] = "{not json";
  views.assign(texts.begin(), texts.end());
  BatchOutcome bad = evaluate_batch(d, views, false, 2);
  EXPECT_EQ(bad.failed, 2u);
  EXPECT_EQ(bad.first_failed, 123u);
  EXPECT_EQ(bad.first_error.path, "$.risk");
  EXPECT_EQ(json::parse(bad.results[321])["error"]["path"], "$");
  EXPECT_TRUE(json::parse(bad.results[0]).contains("terms"));
}

// The pool is shared: batches from several threads at once, big enough to be
// spread, each get exactly what one thread alone answers, malformed contexts
// in their places.
TEST(Batch, ConcurrentBatchesShareThePoolAndKeepTheirAnswers) {
  const CompiledDomain& d = *testing::compiled();
  std::vector<std::string> texts;
  for (int i = 0; i < 3000; ++i) {
    json c = testing::payment();
    c["payment_key"] = "k-" + std::to_string(i);
    if (i % 5 == 0) c["risk"] = "high";
    texts.push_back(i % 97 == 13 ? std::string("{\"amount\": 1}") : c.dump());
  }
  std::vector<std::string_view> views(texts.begin(), texts.end());
  BatchOutcome alone = evaluate_batch(d, views, false, 1);
  EXPECT_EQ(alone.failed, 31u);
  EXPECT_EQ(alone.first_failed, 13u);
  std::vector<BatchOutcome> got(4);
  std::vector<std::thread> callers;
  for (size_t t = 0; t < got.size(); ++t)
    callers.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) got[t] = evaluate_batch(d, views, false, static_cast<unsigned>(t + 2));
    });
  for (auto& c : callers) c.join();
  for (const BatchOutcome& b : got) {
    EXPECT_EQ(b.results, alone.results);
    EXPECT_EQ(b.failed, alone.failed);
    EXPECT_EQ(b.first_failed, alone.first_failed);
    EXPECT_EQ(b.first_error.text(), alone.first_error.text());
  }
}


// paydomain::json::structure_error: the gate the server puts before any recursive JSON code.
namespace structure {

std::string check(std::string_view text, size_t max_depth, std::string* pointer = nullptr) {
  return paydomain::json::structure_error(text, max_depth, pointer);
}

TEST(JsonStructure, DepthLimitIsExact) {
  auto nested = [](size_t n, char open, char close) { return std::string(n, open) + std::string(n, close); };
  EXPECT_EQ(check(nested(5, '[', ']'), 5), "");
  std::string ptr;
  EXPECT_EQ(check(nested(6, '[', ']'), 5, &ptr), "at byte 5: nesting deeper than 5 levels");
  EXPECT_EQ(ptr, "/0/0/0/0/0");
  EXPECT_EQ(check("1", 0), "");
  EXPECT_NE(check("[]", 0), "");
  EXPECT_EQ(check("{}", 1), "");
  EXPECT_EQ(check(R"({"a":{"b":[{}]}})", 4), "");
  EXPECT_EQ(check(R"({"a":{"b":[{}]}})", 3, &ptr), "at byte 11: nesting deeper than 3 levels");
  EXPECT_EQ(ptr, "/a/b/0");
  // Beyond the reader's own default of 256 levels, when asked for more.
  EXPECT_EQ(check(nested(300, '[', ']'), 300), "");
  EXPECT_NE(check(nested(301, '[', ']'), 300), "");
}

TEST(JsonStructure, HundredThousandOpenBracketsAreACleanError) {
  std::string deep(100000, '[');
  std::string ptr;
  EXPECT_EQ(check(deep, 256, &ptr), "at byte 256: nesting deeper than 256 levels");
  EXPECT_EQ(ptr.size(), 2u * 256);  // "/0" per level
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  EXPECT_EQ(check(objects, 64, &ptr), "at byte 320: nesting deeper than 64 levels");
  // Even with no practical limit, nothing recurses: the text simply ends.
  EXPECT_NE(check(deep + std::string(100000, ']') + "]", 1000000), "");
  EXPECT_EQ(check(deep + std::string(100000, ']'), 1000000), "");
}

TEST(JsonStructure, DuplicateMembersAtAnyDepthNameTheirPointer) {
  std::string ptr;
  EXPECT_EQ(check(R"({"amount": {"amount": 100, "currency": "RUB", "currency": "USD"}})", 16, &ptr),
            "at byte 46: duplicate member name \"currency\"");
  EXPECT_EQ(ptr, "/amount/currency");
  EXPECT_EQ(check(R"({"a": 1, "a": 1})", 16, &ptr), "at byte 9: duplicate member name \"a\"");
  EXPECT_EQ(ptr, "/a");
  EXPECT_NE(check(R"([{"x": [1, {"k": 0, "j": 1, "k": 2}]}])", 16, &ptr), "");
  EXPECT_EQ(ptr, "/0/x/1/k");
  // The same name in different objects, or as a value, is not a repeat.
  EXPECT_EQ(check(R"({"a": {"a": "a"}, "b": [{"a": 1}, {"a": 2}], "c": {"a": 1}})", 16), "");
  EXPECT_EQ(check(R"({"turnover": {"day": 1, "week": 2}})", 16), "");
}

TEST(JsonStructure, NamesAreComparedDecoded) {
  std::string ptr;
  EXPECT_EQ(check(R"({"a": 1, "\u0061": 2})", 16, &ptr), "at byte 9: duplicate member name \"a\"");
  EXPECT_EQ(ptr, "/a");
  EXPECT_NE(check(R"({"caf\u00e9": 1, "café": 2})", 16, &ptr), "");
  EXPECT_EQ(ptr, "/caf\xc3\xa9");
  EXPECT_NE(check(R"({"\/": 1, "/": 2})", 16), "");
  EXPECT_EQ(check(R"({"a": 1, "A": 2, "a ": 3})", 16), "");
  // A quote and a control character in a name are escaped in the message.
  EXPECT_EQ(check(R"({"q\"\n": 1, "q\"\u000a": 2})", 16), R"(at byte 13: duplicate member name "q\"\u000a")");
}

TEST(JsonStructure, PointerEscapesSlashAndTilde) {
  std::string ptr;
  EXPECT_NE(check(R"({"a/b": {"m~n": {"x": 1, "x": 2}}})", 16, &ptr), "");
  EXPECT_EQ(ptr, "/a~1b/m~0n/x");
  EXPECT_NE(check(R"({"~1": [0, {"": 1, "": 2}]})", 16, &ptr), "");
  EXPECT_EQ(ptr, "/~01/1/");
}

TEST(JsonStructure, ManyMembersStayDistinctPastTheLinearScan) {
  std::string t = "{";
  for (int i = 0; i < 1000; ++i) t += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  EXPECT_EQ(check(t + "}", 4), "");
  std::string ptr;
  EXPECT_NE(check(t + ",\"k517\":0}", 4, &ptr), "");
  EXPECT_EQ(ptr, "/k517");
  // Names of a closed object do not leak into the next object at that depth.
  EXPECT_EQ(check("[" + t + "}," + t + "}]", 4), "");
}

TEST(JsonStructure, SyntaxErrorsAreReportedWhereTheyStrike) {
  std::string ptr = "unchanged";
  EXPECT_EQ(check(R"({"a": [1, 2, tru]})", 16, &ptr), paydomain::json::syntax_error(R"({"a": [1, 2, tru]})"));
  EXPECT_EQ(ptr, "/a/2");
  EXPECT_NE(check(R"({"a": 1 "b": 2})", 16, &ptr), "");
  EXPECT_EQ(ptr, "");
  EXPECT_NE(check("{} {}", 16, &ptr), "");
  EXPECT_NE(check("", 16), "");
  EXPECT_NE(check("[1,]", 16), "");
  // Exactly what the syntax check accepts, when nothing repeats and nesting is low.
  const char* cases[] = {"{}", "[]", "0", "\"\\ud800\"", "{\"a\":[1,{\"b\":null}]}", "[1 2]", "{\"a\" 1}", "\"\xff\""};
  for (const char* c : cases) EXPECT_EQ(check(c, 16).empty(), accepts(c)) << c;
}

}  // namespace structure

}  // namespace
}  // namespace paydomain::evaluator
