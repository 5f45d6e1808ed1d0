// The fast context reader: a cursor over a padded copy of the text that
// accepts exactly the usual shape and returns false at the first byte it does
// not expect, with no error text, no path bookkeeping and no per-call state
// checks. Every test it makes is one the general reader makes too, so what it
// accepts the general reader accepts, with the same Context.
//
// The copy ends in kPad NUL bytes, which no JSON token and no plain string
// holds: every scan (blanks, digits, a string's bytes) stops at the first of
// them by itself, so the cursor checks no bounds, and a key or a name is read
// as whole words. A key is found with one probe in a table built from the
// schema's members when compiled (KeyTable), by its length and words.
//
// Most of a context's bytes are not its values: blanks, punctuation, keys
// and the braces of groups, and a client's contexts share them. So each
// thread keeps the byte layout of the last context it read (Shape: the runs
// of bytes between the fields' values, and for each value the step that
// reads it, an op code chosen by its field when recorded); the next text is
// first read against it — each run compared as a block, only the values
// read, in one loop over the layout's values — and token by token
// (recording its shape) when any run differs. A run holds every byte the
// token-by-token reader looks at between two values (up to the value's
// first byte), so a text whose runs match is read exactly as that reader
// would read it. The members of the amount and the payment's amount are
// values too (their keys and braces are runs). Two layouts are kept.
//
// A value that is a name (a currency, a tariff, an attribute's value, a
// party) remembers the name it last was and its id, quoted, after its run:
// a text that holds the run and that name is read by one masked compare of
// both and a store. Only names are remembered so — a client sends the same
// few at the same places; amounts, times, keys and tokens are read every
// time. A time in the usual spelling whose date is the thread's last
// (read_usual_utc_time) needs no calendar arithmetic, and a replay leaves
// the context strings its layout sets uncleared, so each is overwritten in
// place (Context::clear_but).
#include "evaluator/context_fast.h"

#include <array>
#include <cstring>
#include <initializer_list>

#include "evaluator/context_fields.h"
#include "evaluator/name_memo.h"
#include "evaluator/time.h"
#include "json/bytes.h"

namespace paydomain::evaluator {
namespace {

using OK = dsl::ObjectKind;
using context_members::kFieldAttr;
using context_members::kNoField;
using context_members::Members;
namespace F = context_members::F;
namespace bytes = paydomain::json::bytes;

// Texts up to kMaxText bytes are copied to the stack and read here; a longer
// one (a context is ~0.5 KB) is the general reader's.
constexpr size_t kMaxText = 4096;
// Past the text: NULs that stop every scan, and room for a 48-byte compare
// (three blocks, Shape::kExpect) at any byte up to the first of them.
constexpr size_t kPad = 64;

// A name of up to 16 bytes read from the padded text as the memo's words
// (name_memo::Words): two plain loads, the first masked to the name.
// n <= kMaxKeyLength (a key) or 16 (a name the memo keeps).
constexpr std::array<uint64_t, context_members::kMaxKeyLength + 1> kFirstWordMask = [] {
  std::array<uint64_t, context_members::kMaxKeyLength + 1> m{};
  for (size_t n = 0; n < m.size(); ++n) m[n] = n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
  return m;
}();
[[gnu::always_inline]] inline name_memo::Words padded_words(const char* s, size_t n) {
  return {bytes::detail::load8(s) & kFirstWordMask[n], n > 8 ? bytes::detail::load8(s + n - 8) : 0};
}

// The members of one JSON object, by a perfect hash of a key's length and
// words (the first alone would not do: "payment_time", "payment_tool"); a slot holds the key's words (its first and last eight bytes;
// the bytes between them in a key longer than 16 are compared with the
// member's key).
struct KeyTable {
  struct Slot {
    uint64_t w0 = 0, w1 = 0;
    uint8_t len = 0xFF;  // no key
    uint8_t member = 0;
  };
  static constexpr unsigned kBits = 7;
  std::array<Slot, size_t{1} << kBits> slot{};
  uint64_t mul = 0;
  static constexpr size_t at(uint64_t mul, size_t n, name_memo::Words w) {
    return (((w.w0 ^ (w.w1 << 1)) + n) * mul) >> (64 - kBits);
  }
};

constexpr name_memo::Words key_words(std::string_view k) {
  auto word = [&](size_t from, size_t n) {
    uint64_t w = 0;
    for (size_t i = 0; i < n; ++i) w |= uint64_t{static_cast<uint8_t>(k[from + i])} << (8 * i);
    return w;
  };
  const size_t n = k.size();
  if (n >= 8) return {word(0, 8), n > 8 ? word(n - 8, 8) : 0};
  return {word(0, n), 0};
}

// Tries odd multipliers until the members' slots differ.
constexpr KeyTable key_table(const Members& m) {
  std::array<name_memo::Words, context_members::kMaxMembers> w{};
  for (size_t i = 0; i < m.n; ++i) w[i] = key_words(m.key[i]);
  uint64_t mul = 0x9E3779B97F4A7C15ULL;
  for (int attempt = 0; attempt < 10000; ++attempt, mul += 0x5851F42D4C957F2EULL) {
    std::array<bool, size_t{1} << KeyTable::kBits> used{};
    bool distinct = true;
    for (size_t i = 0; i < m.n && distinct; ++i) {
      const size_t at = KeyTable::at(mul, m.key[i].size(), w[i]);
      distinct = !used[at];
      used[at] = true;
    }
    if (!distinct) continue;
    KeyTable t;
    t.mul = mul;
    for (size_t i = 0; i < m.n; ++i) {
      t.slot[KeyTable::at(mul, m.key[i].size(), w[i])] = {w[i].w0, w[i].w1, static_cast<uint8_t>(m.key[i].size()),
                                                           static_cast<uint8_t>(i)};
    }
    return t;
  }
  throw "context keys: no perfect hash";
}

constexpr Members members(std::initializer_list<std::string_view> keys) {
  Members m;
  size_t i = 0;
  for (std::string_view k : keys) m.add(k, i++);
  return m;
}

constexpr KeyTable kRootKeys = key_table(context_members::kRoot);
constexpr KeyTable kToolKeys = key_table(context_members::kTool);
constexpr KeyTable kMerchantKeys = key_table(context_members::kMerchant);
// {"amount": ..., "currency": ...}; a health sample's members.
enum MoneyKey { kAmountKey, kCurrencyKey };
constexpr Members kMoney = members({"amount", "currency"});
constexpr KeyTable kMoneyKeys = key_table(kMoney);
enum HealthKey { kFailureRateKey, kLatencyKey };
constexpr Members kHealth = members({"failure_rate", "latency_ms"});
constexpr KeyTable kHealthKeys = key_table(kHealth);

constexpr size_t member_index(const Members& m, std::string_view k) {
  for (size_t i = 0; i < m.n; ++i)
    if (m.key[i] == k) return i;
  throw "context keys: no such member";
}
// The condition attribute of each field whose value is a name (an enum
// value, a reference, a text) the attribute's vocabulary gives an id, or -1.
constexpr std::array<int8_t, dsl::kContextFieldCount> kNameAttr = [] {
  std::array<int8_t, dsl::kContextFieldCount> a{};
  for (size_t i = 0; i < dsl::kContextFieldCount; ++i) {
    const dsl::FieldType t = dsl::kContextFields[i].type;
    const bool name = t == dsl::FieldType::Enum || t == dsl::FieldType::Reference || t == dsl::FieldType::Text;
    a[i] = name ? kFieldAttr[i] : int8_t{-1};
  }
  return a;
}();
constexpr size_t kToolMember = member_index(context_members::kRoot, context_members::kToolGroup);

// The two money fields' own members are values of the layout (their keys
// and braces part of its runs), by these codes past the schema's fields.
enum MoneyPart : size_t {
  kAmountMinor = dsl::kContextFieldCount,
  kAmountCurrency,
  kPaymentAmountMinor,
  kPaymentAmountCurrency,
  kFieldCodes
};
static_assert(kFieldCodes <= kNoField);

// How a field's value is read and where it goes, chosen once per field (a
// layout keeps each value's): the cases of FastReader::value.
enum class Op : uint8_t {
  Name,  // a name the vocabulary of attribute `arg` gives an id
  Party, Shop, Tariff, Routing, AmountMinor, AmountCurrency, PaymentAmountMinor, PaymentAmountCurrency,
  OriginalTerminal, OriginalRevision, Bin, Token, Time, PaymentTime, PaymentKey,
  MerchantAccount,  // the merchant's account of role `arg`
  Health, Turnover,
  Declined,  // a field this reader leaves to the general one
};
struct Step {
  Op op = Op::Declined;
  uint8_t arg = 0;
};
constexpr std::array<Step, kFieldCodes> kSteps = [] {
  std::array<Step, kFieldCodes> s{};
  for (size_t i = 0; i < dsl::kContextFieldCount; ++i) {
    if (int8_t role = context_members::kFieldMerchantRole[i]; role >= 0)
      s[i] = {Op::MerchantAccount, static_cast<uint8_t>(role)};
    else if (kNameAttr[i] >= 0)
      s[i] = {Op::Name, static_cast<uint8_t>(kNameAttr[i])};
  }
  s[F::Party] = {Op::Party};
  s[F::Shop] = {Op::Shop};
  s[F::Tariff] = {Op::Tariff};
  s[F::Routing] = {Op::Routing};
  s[kAmountMinor] = {Op::AmountMinor};
  s[kAmountCurrency] = {Op::AmountCurrency};
  s[kPaymentAmountMinor] = {Op::PaymentAmountMinor};
  s[kPaymentAmountCurrency] = {Op::PaymentAmountCurrency};
  s[F::OriginalTerminal] = {Op::OriginalTerminal};
  s[F::OriginalRevision] = {Op::OriginalRevision};
  s[F::Bin] = {Op::Bin};
  s[F::Token] = {Op::Token};
  s[F::Time] = {Op::Time};
  s[F::PaymentTime] = {Op::PaymentTime};
  s[F::PaymentKey] = {Op::PaymentKey};
  s[F::Health] = {Op::Health};
  s[F::Turnover] = {Op::Turnover};
  return s;
}();

// The byte layout of a context (see the top of the file): value i follows
// the run of bytes run[value[i].run_at, + run_len) and is read by its step;
// the tail run ends the text. A run holds no NUL (the token-by-token reader
// takes none between values), so comparing it with the padded text stops at
// the text's end: no bounds check.
struct Shape {
  // Root, tool, merchant accounts; the two money objects' two members each
  // take the place of one.
  static constexpr size_t kMaxValues = 3 * context_members::kMaxMembers + 2;
  // A run compared in one go (Value::expect), and the longest name
  // remembered, quoted.
  static constexpr size_t kExpect = 48, kMaxQuoted = 32;
  struct Value {
    uint16_t run_at = 0, run_len = 0;
    Step step;
    // A value that is a name remembers the name it last was (a client sends
    // the same few names at the same places), quoted, after its run in
    // `expect`, and its id in the layout's program: when the text holds the
    // run and that name, one compare reads both and the id is stored.
    uint8_t quoted_len = 0;
    uint16_t fused_len = 0;  // run_len + quoted_len
    uint32_t attr_bit = 0;   // bit(attribute) of a Name step
    int32_t id = -1;
    uint64_t run_mask = 0;    // the run's bytes in `expect` (bytes_mask); 0: longer, compared from Shape::run
    uint64_t fused_mask = 0;  // the run's and the name's; 0: no name remembered
    char expect[kExpect + kMaxQuoted];
  };
  bool known = false;
  size_t values = 0;
  uint32_t texts = 0;  // the Context strings its values set (Context::kBinText...)
  uint64_t program = 0;  // the load id of the program whose ids the values remember
  uint16_t tail_at = 0, tail_len = 0;
  std::array<Value, kMaxValues> value;
  char run[kMaxText + kPad];  // room for a 48-byte compare past the last run
};

// Whether the n bytes at a and b are equal; both readable 16 bytes past n.
[[gnu::always_inline]] inline bool padded_equal(const char* a, const char* b, size_t n) {
#if defined(__SSE2__)
  auto block = [&](size_t i) {
    return static_cast<unsigned>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)),
                                         _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)))));
  };
  size_t i = 0;
  for (; i + 16 < n; i += 16)
    if (block(i) != 0xFFFF) return false;
  return (~block(i) & ((1u << (n - i)) - 1)) == 0;
#else
  return std::memcmp(a, b, n) == 0;
#endif
}

// The bits of the first n <= Shape::kExpect bytes of a block (below).
constexpr uint64_t bytes_mask(size_t n) { return (uint64_t{1} << n) - 1; }
static_assert(Shape::kExpect < 64);

// Whether the bytes at a and b that `mask` (bytes_mask) selects are equal;
// both readable kExpect bytes: a run, or a run and a name, of up to kExpect
// bytes in one compare without a loop.
[[gnu::always_inline]] inline bool masked_equal(const char* a, const char* b, uint64_t mask) {
#if defined(__SSE2__)
  auto block = [&](size_t i) {
    return static_cast<uint64_t>(static_cast<uint32_t>(
        _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)),
                                         _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i))))));
  };
  const uint64_t two = block(0) | block(16) << 16;
  if (mask >> 32 == 0) return (~two & mask) == 0;  // most runs and names: two blocks
  return (~(two | block(32) << 32) & mask) == 0;
#else
  for (size_t i = 0; i < Shape::kExpect; ++i)
    if ((mask >> i & 1) && a[i] != b[i]) return false;
  return true;
#endif
}

// The scans of the padded text, each from a cursor `p` it moves past what
// it took (a local of the replay's loop, or the token reader's).
namespace scan {

// One compare and one bit test per byte (indented JSON has many blanks);
// a run of spaces (an indentation) eight bytes a step. The padding's NUL
// ends the loop.
constexpr uint64_t kBlanks = (uint64_t{1} << ' ') | (uint64_t{1} << '\n') | (uint64_t{1} << '\r') |
                             (uint64_t{1} << '\t');
inline bool is_ws(char ch) {
  auto u = static_cast<unsigned char>(ch);
  return u <= ' ' && ((kBlanks >> u) & 1) != 0;
}
inline void skip_ws(const char*& p) {
  constexpr uint64_t kSpaces = 0x2020202020202020ULL;
  while (true) {
    if (uint64_t other = bytes::detail::load8(p) ^ kSpaces) {  // zero bytes: spaces
      p += __builtin_ctzll(other) / 8;
      if (!is_ws(*p)) return;
      ++p;
    } else {
      p += 8;
    }
  }
}
// The next non-blank byte (NUL at the end: never valid between values).
// Most tokens follow no blank or one space (", ", ": ").
[[gnu::always_inline]] inline char next(const char*& p) {
  if (*p == ' ') ++p;
  if (static_cast<unsigned char>(*p) > ' ') return *p;
  skip_ws(p);
  return *p;
}

// The bytes of a string up to the first that needs attention (a quote, a
// backslash, a control character such as the padding's NUL, or a byte >=
// 0x80); usually within the first block.
[[gnu::always_inline]] inline size_t plain_span(const char* s) {
#if defined(__SSE2__)
  for (size_t i = 0;; i += 16)
    if (unsigned m = bytes::detail::special_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i)), true))
      return i + static_cast<size_t>(__builtin_ctz(m));
#else
  for (size_t i = 0;; i += 8)
    if (uint64_t m = bytes::detail::word_mask(bytes::detail::load8(s + i), true))
      return i + static_cast<size_t>(__builtin_ctzll(m)) / 8;
#endif
}

// A string of plain ASCII (no escape, no control character, nothing >= 0x80).
// Inline where it is used: a call per value cost as much as its scan.
[[gnu::always_inline]] inline bool string(const char*& p, std::string_view& out) {
  if (next(p) != '"') return false;
  const char* s = p + 1;
  const size_t n = plain_span(s);
  if (s[n] != '"') return false;
  out = std::string_view(s, n);
  p = s + n + 1;
  return true;
}
[[gnu::always_inline]] inline bool text(const char*& p, std::string_view& out) {
  return string(p, out) && !out.empty();
}

// A non-negative integer of at most 18 digits (so it fits int64 without a
// check); a longer, signed or fractional number is the general reader's.
[[gnu::always_inline]] inline bool integer(const char*& p, int64_t& out) {
  if (next(p) < '0' || *p > '9') return false;
  if (*p == '0') {
    ++p;
    out = 0;
    return *p < '0' || *p > '9';
  }
  // Up to seven digits (most amounts) at once: the first byte that is not a
  // digit is the lowest with its top bit set in `other` (a borrow or carry
  // only reaches the bytes above it); the digits, moved to the word's top
  // bytes below zeros (leading zeros), are combined in pairs.
  const uint64_t w = bytes::detail::load8(p), d = w - 0x3030303030303030ULL;
  if (const uint64_t other = (d | (d + 0x7676767676767676ULL)) & 0x8080808080808080ULL) {
    const unsigned n = static_cast<unsigned>(__builtin_ctzll(other)) / 8;  // >= 1: *p is a digit
    uint64_t v = (w << (8 * (8 - n))) & 0x0F0F0F0F0F0F0F0FULL;
    v = (v * 2561) >> 8 & 0x00FF00FF00FF00FFULL;
    v = (v * 6553601) >> 16 & 0x0000FFFF0000FFFFULL;
    out = static_cast<int64_t>((v * 42949672960001ULL) >> 32);
    p += n;
    return true;
  }
  const char* start = p;
  int64_t v = 0;
  while (*p >= '0' && *p <= '9') {
    if (p - start == 18) return false;
    v = v * 10 + (*p++ - '0');
  }
  out = v;
  return true;
}

// context_members::is_bin for a name of up to 16 bytes in the padded text:
// all digits, one block compared at once (signed: bytes >= 0x80 are below '0').
[[gnu::always_inline]] inline bool digits16(std::string_view s) {
#if defined(__SSE2__)
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data()));
  const __m128i other = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8('0')), _mm_cmpgt_epi8(v, _mm_set1_epi8('9')));
  return (static_cast<unsigned>(_mm_movemask_epi8(other)) & ((1u << s.size()) - 1)) == 0;
#else
  return context_members::is_bin(s);
#endif
}

}  // namespace scan

class FastReader {
 public:
  // `text`: the padded copy, its last kPad bytes NUL.
  FastReader(const char* text, size_t size, const Program& d) : p_(text), end_(text + size), d_(d), v_(d) {}

  // Token by token; the shape into `record` when not null (known when read).
  bool run(Context& c, Shape* record) {
    c.clear();
    c.facts.set(Attr::Operation, kOperationPayment);
    rec_ = record;
    if (rec_) {
      rec_->known = false;
      rec_->values = 0;
      rec_->texts = 0;
      rec_->program = d_.load_id();
    }
    value_end_ = p_;
    if (!object(context_members::kRoot, kRootKeys, c)) return false;
    scan::skip_ws(p_);
    if (p_ != end_) return false;  // more text, or a NUL in it
    if (rec_) record_tail();
    return same_currencies(c);
  }

  // Against a known shape: false at the first run that differs (or a value
  // the token-by-token reader would decline). One loop, the cursor a local:
  // each value's run compared, then the value read by its step.
  bool replay(Shape& s, Context& c) {
    c.clear_but(s.texts);  // each of them set below, or the replay fails
    c.facts.set(Attr::Operation, kOperationPayment);
    const char* p = p_;
    const uint64_t program = d_.load_id();
    if (s.program != program) {  // ids of another program: forgotten
      for (size_t i = 0; i < s.values; ++i) s.value[i].fused_mask = 0;
      s.program = program;
    }
    for (Shape::Value* v = s.value.data(), *last = v + s.values; v != last; ++v) {
      if (v->fused_mask && masked_equal(p, v->expect, v->fused_mask)) {  // the run and the remembered name
        p += v->fused_len;
        if (v->step.op == Op::Name) {  // most names: an attribute's (Facts::set, its bit ready)
          c.facts.v[v->step.arg] = v->id;
          c.facts.present |= v->attr_bit;
        } else {  // stored when remembered, so it stores again
          store_name(v->step, v->id, std::string_view(p - v->quoted_len + 1, v->quoted_len - size_t{2}), c);
        }
        continue;
      }
      if (v->run_mask ? !masked_equal(p, v->expect, v->run_mask) : !padded_equal(p, s.run + v->run_at, v->run_len))
        return false;
      p += v->run_len;
      if (!value(p, v->step, v, c)) return false;
    }
    return padded_equal(p, s.run + s.tail_at, s.tail_len) && p + s.tail_len == end_ && same_currencies(c);
  }

 private:
  // A refund in another currency than its payment: the general reader says so.
  static bool same_currencies(const Context& c) {
    return !(c.has_payment_amount && c.facts.has(Attr::Currency) && c.facts.get(Attr::Currency) != c.payment_currency);
  }

  // The run from the last value's end to the cursor (at the first byte of a
  // value: its blanks are the run's), as the run of a value of field f.
  Shape::Value* record_run(size_t f) {
    Shape& s = *rec_;
    const size_t at = s.values ? s.value[s.values - 1].run_at + s.value[s.values - 1].run_len : 0;
    const size_t n = static_cast<size_t>(p_ - value_end_);
    std::memcpy(s.run + at, value_end_, n);
    Shape::Value& v = s.value[s.values++];
    v = {};
    v.run_at = static_cast<uint16_t>(at);
    v.run_len = static_cast<uint16_t>(n);
    if (n <= Shape::kExpect) {
      std::memcpy(v.expect, value_end_, n);
      v.run_mask = bytes_mask(n);  // n > 0: a run holds at least a key
    }
    v.step = kSteps[f];
    if (v.step.op == Op::Name) v.attr_bit = bit(static_cast<Attr>(v.step.arg));
    s.texts |= text_of(v.step);
    return &v;
  }
  void record_tail() {
    Shape& s = *rec_;
    const size_t at = s.values ? s.value[s.values - 1].run_at + s.value[s.values - 1].run_len : 0;
    const size_t n = static_cast<size_t>(p_ - value_end_);
    std::memcpy(s.run + at, value_end_, n);
    std::memset(s.run + at + n, 0, kPad);
    s.tail_at = static_cast<uint16_t>(at);
    s.tail_len = static_cast<uint16_t>(n);
    s.known = true;
  }

  // A member's key and its ':', as the index of the member in `t`, or -1.
  [[gnu::always_inline]] int key(const Members& m, const KeyTable& t) {
    if (scan::next(p_) != '"') return -1;
    const char* s = p_ + 1;
    const size_t n = scan::plain_span(s);
    if (s[n] != '"' || n > context_members::kMaxKeyLength) return -1;
    const name_memo::Words w = padded_words(s, n);
    const KeyTable::Slot& e = t.slot[KeyTable::at(t.mul, n, w)];
    if (e.len != n || e.w0 != w.w0 || e.w1 != w.w1 || (n > 16 && !bytes::equal(m.key[e.member].data() + 8, s + 8, n - 16)))
      return -1;
    p_ = s + n + 1;
    if (scan::next(p_) != ':') return -1;
    ++p_;
    return e.member;
  }

  // Ids of names, through the per-thread memo (name_memo.h); party and shop
  // are free text (any value, most of them "other"): looked up directly.
  int32_t object_id(OK kind, std::string_view s) const {
    if (s.size() > 16) return v_.object(kind, s);
    return name_memo::find(d_.load_id(), name_memo::kObjectTable + static_cast<uint32_t>(kind), s.size(),
                           padded_words(s.data(), s.size()), [&] { return v_.object(kind, s); });
  }
  int32_t attr_id(Attr a, std::string_view s) const {
    if (s.size() > 16) return v_.find(a, s);
    return name_memo::find(d_.load_id(), static_cast<uint32_t>(a), s.size(), padded_words(s.data(), s.size()),
                           [&] { return v_.find(a, s); });
  }

  // The id of the name `s` read for `step` (a name's op).
  int32_t find_name(Step step, std::string_view s) const {
    switch (step.op) {
      case Op::Name: return attr_id(static_cast<Attr>(step.arg), s);
      case Op::Party: return v_.find(Attr::Party, s);
      case Op::Shop: return v_.find(Attr::Shop, s);
      case Op::Tariff: return object_id(OK::Tariff, s);
      case Op::Routing: return object_id(OK::Routing, s);
      case Op::AmountCurrency:
      case Op::PaymentAmountCurrency: return object_id(OK::Currency, s);
      case Op::OriginalTerminal: return object_id(OK::Terminal, s);
      default: return -1;
    }
  }

  // The name stored for `step` at the layout's value `v`, remembered there
  // when the run and the name fit its `expect` (a name stored, so its id
  // stores again).
  static void remember(Shape::Value& v, std::string_view s, int32_t id) {
    if (!v.run_mask || s.size() + 2 > Shape::kMaxQuoted || v.run_len + s.size() + 2 > Shape::kExpect) return;
    v.quoted_len = static_cast<uint8_t>(s.size() + 2);
    v.fused_len = static_cast<uint16_t>(v.run_len + v.quoted_len);
    v.id = id;
    std::memcpy(v.expect + v.run_len, s.data() - 1, Shape::kMaxQuoted);  // the padded text is readable that far
    v.fused_mask = bytes_mask(v.fused_len);
  }

  // A name's id stored for `step` (`s`: the name): false when the reader
  // declines it (an unknown name where one is needed, or not a name's op).
  [[gnu::always_inline]] static bool store_name(Step step, int32_t id, std::string_view s, Context& c) {
    switch (step.op) {
      case Op::Name:
        if (id < 0) return false;
        c.facts.set(static_cast<Attr>(step.arg), id);
        return true;
      case Op::Party:
        c.facts.set(Attr::Party, id);
        keep(c.party, s);
        return true;
      case Op::Shop:
        c.facts.set(Attr::Shop, id);
        keep(c.shop, s);
        return true;
      case Op::Tariff: return (c.tariff = id) >= 0;
      case Op::Routing: return (c.routing = id) >= 0;
      case Op::AmountCurrency:
        if (id < 0) return false;
        c.facts.set(Attr::Currency, id);
        return true;
      case Op::PaymentAmountCurrency: return (c.payment_currency = id) >= 0;
      case Op::OriginalTerminal:
        c.has_original_terminal = true;
        c.original_terminal = id;
        keep(c.original_terminal_id, s);
        return true;
      default: return false;
    }
  }

  // An ISO 8601 UTC time, as seconds since the epoch.
  static bool timestamp(const char*& p, int64_t& out) {
    std::string_view s;
    if (!scan::text(p, s)) return false;
    auto t = parse_utc_time(s);
    if (t) out = *t;
    return t.ok();
  }

  // After a member: true at the object's end ('}' taken), false after a ','
  // (taken); `bad` when neither.
  [[gnu::always_inline]] bool end_of_members(bool& bad) {
    const char ch = scan::next(p_);
    ++p_;
    bad = ch != ',' && ch != '}';
    return ch != ',';
  }
  // '{', and true when '}' follows at once (both taken).
  [[gnu::always_inline]] bool open_empty(bool& bad) {
    bad = scan::next(p_) != '{';
    ++p_;
    if (bad || scan::next(p_) != '}') return false;
    ++p_;
    return true;
  }

  // The value of field code f, token by token: its run recorded first.
  bool field(size_t f, Context& c) {
    Shape::Value* v = nullptr;
    if (rec_) {
      scan::next(p_);  // the value's blanks end its run
      v = record_run(f);
    }
    if (!value(p_, kSteps[f], v, c)) return false;
    value_end_ = p_;
    return true;
  }

  // The members of an object of the table `m` (keys `t`), each at most once.
  // A group's members are fields: the nesting is the schema's, not the text's.
  bool object(const Members& m, const KeyTable& t, Context& c) {
    bool bad = false;
    if (open_empty(bad)) return true;
    if (bad) return false;
    uint32_t seen = 0;
    do {
      const int i = key(m, t);
      if (i < 0) return false;
      const uint32_t b = uint32_t{1} << i;
      if (seen & b) return false;
      seen |= b;
      const size_t f = m.field[static_cast<size_t>(i)];
      if (f == F::Amount || f == F::PaymentAmount) {
        if (!money_field(f == F::Amount ? kAmountMinor : kPaymentAmountMinor, c)) return false;
      } else if (f != kNoField) {
        if (!field(f, c)) return false;
      } else if (static_cast<size_t>(i) == kToolMember) {
        if (!object(context_members::kTool, kToolKeys, c)) return false;
      } else if (!object(context_members::kMerchant, kMerchantKeys, c)) {
        return false;
      }
    } while (!end_of_members(bad));
    return !bad;
  }

  // {"amount": <minor units>, "currency": "RUB"}; the currency alone too.
  bool money(int64_t& minor, bool& has_minor, int32_t& cur) {
    has_minor = false;
    cur = -1;
    bool bad = false;
    if (open_empty(bad)) return false;  // no currency
    if (bad) return false;
    do {
      const int k = key(kMoney, kMoneyKeys);
      if (k == kAmountKey && !has_minor) {
        if (!scan::integer(p_, minor)) return false;
        has_minor = true;
      } else if (k == kCurrencyKey && cur < 0) {
        std::string_view s;
        if (!scan::text(p_, s) || (cur = object_id(OK::Currency, s)) < 0) return false;
      } else {
        return false;
      }
    } while (!end_of_members(bad));
    return !bad && cur >= 0;
  }

  // The amount or the payment's amount: a money object whose members are
  // each a value of the layout (`minor`: the field code of its amount, the
  // currency's follows), read by field() — so a layout replayed reads them
  // as this does. The payment's amount needs both.
  bool money_field(size_t minor, Context& c) {
    bool bad = false;
    if (open_empty(bad) || bad) return false;  // no currency
    bool has_minor = false, has_currency = false;
    do {
      const int k = key(kMoney, kMoneyKeys);
      bool& seen = k == kAmountKey ? has_minor : has_currency;
      if (k < 0 || seen) return false;
      seen = true;
      if (!field(minor + (k == kCurrencyKey ? 1 : 0), c)) return false;
    } while (!end_of_members(bad));
    return !bad && has_currency && (has_minor || minor == kAmountMinor);
  }

  // A map keyed by ids: `member(id)` reads one member's value. At most
  // kMaxMapMembers members (the repeat check scans what was read).
  static constexpr size_t kMaxMapMembers = 16;
  template <class Member>
  bool map(Member member) {
    bool bad = false;
    if (open_empty(bad)) return true;
    if (bad) return false;
    do {
      std::string_view k;
      if (!scan::text(p_, k) || scan::next(p_) != ':') return false;
      ++p_;
      if (!member(k)) return false;
    } while (!end_of_members(bad));
    return !bad;
  }

  // {"<terminal or provider id>": {"failure_rate": "80%", "latency_ms": 1200}}
  bool health(Context& c) {
    return map([&](std::string_view id) {
      HealthSample h;
      h.terminal = object_id(OK::Terminal, id);
      if (h.terminal < 0 && (h.provider = object_id(OK::Provider, id)) < 0) return false;
      if (c.health.size() == kMaxMapMembers) return false;
      for (const HealthSample& x : c.health)
        if (x.terminal == h.terminal && x.provider == h.provider) return false;
      bool bad = false;
      if (!open_empty(bad)) {
        if (bad) return false;
        do {
          const int k = key(kHealth, kHealthKeys);
          std::string_view s;
          if (k == kFailureRateKey && !h.has_failure_rate) {
            if (!scan::text(p_, s) || context_members::parse_percent(s, h.failure_rate) != context_members::Percent::Ok)
              return false;
            h.has_failure_rate = true;
          } else if (k == kLatencyKey && !h.has_latency) {
            if (!scan::integer(p_, h.latency_ms)) return false;
            h.has_latency = true;
          } else {
            return false;
          }
        } while (!end_of_members(bad));
        if (bad) return false;
      }
      c.health.push_back(h);
      return true;
    });
  }

  // {"<amount limit id>": {"amount": 100, "currency": "RUB"}, "<count limit id>": 3};
  // a route-scoped limit's counters keyed by terminal (provider): {"<limit id>": {"<terminal id>": ...}}
  bool turnover(Context& c) {
    return map([&](std::string_view id) {
      Turnover t;
      t.limit = object_id(OK::Limit, id);
      if (t.limit < 0) return false;
      for (const Turnover& x : c.turnover)
        if (x.limit == t.limit) return false;
      const pdc::Limit& l = d_.limit(t.limit);
      const int32_t scope = d_.route_scope(t.limit);
      if (scope < 0) return counter(l, t, c);
      return map([&](std::string_view rid) {
        t.route = object_id(scope == dsl::kScopeTerminal ? OK::Terminal : OK::Provider, rid);
        if (t.route < 0) return false;
        for (const Turnover& x : c.turnover)
          if (x.limit == t.limit && x.route == t.route) return false;
        return counter(l, t, c);
      });
    });
  }

  bool counter(const pdc::Limit& l, Turnover& t, Context& c) {
    if (c.turnover.size() == kMaxMapMembers) return false;
    if (l.is_count) {
      if (!scan::integer(p_, t.value)) return false;
    } else {
      bool has = false;
      int32_t cur = -1;
      if (!money(t.value, has, cur) || !has || cur != l.currency) return false;
    }
    c.turnover.push_back(t);
    return true;
  }

  // The Context string a step sets (Context::kBinText...), or 0.
  static constexpr uint32_t text_of(Step step) {
    switch (step.op) {
      case Op::Bin: return Context::kBinText;
      case Op::PaymentKey: return Context::kPaymentKeyText;
      case Op::OriginalTerminal: return Context::kOriginalTerminalText;
      case Op::Party: return Context::kPartyText;
      case Op::Shop: return Context::kShopText;
      case Op::Token: return Context::kTokenText;
      case Op::MerchantAccount: return Context::kMerchantAccountText << step.arg;
      default: return 0;
    }
  }

  // A copy into a context string, its buffer kept: resized only when its
  // length differs (a replay leaves the layout's strings uncleared,
  // Context::clear_but: the same field's values often share a length),
  // the bytes copied in place — a short one by two overlapping loads from
  // the padded text.
  static void keep(std::string& to, std::string_view s) {
    const size_t n = s.size();
    if (to.size() != n) to.resize(n);
    char* d = to.data();
    const char* f = s.data();
    auto copy = [&](auto word) {
      std::memcpy(&word, f, sizeof word);
      std::memcpy(d, &word, sizeof word);
      std::memcpy(&word, f + n - sizeof word, sizeof word);
      std::memcpy(d + n - sizeof word, &word, sizeof word);
    };
    struct Block {
      uint64_t w[2];
    };
    if (n >= 8) {
      if (n <= 16) {
        copy(uint64_t{});
      } else if (n <= 32) {
        copy(Block{});
      } else {
        std::memcpy(d, f, n);
      }
    } else if (n >= 4) {
      copy(uint32_t{});
    } else if (n >= 2) {
      copy(uint16_t{});
    } else if (n == 1) {
      d[0] = f[0];
    }
  }

  // One value at p by its step (`v`: its place in a layout, which
  // remembers names, or null). The maps, rare, are read by the token
  // reader's functions, the cursor handed over.
  [[gnu::always_inline]] bool value(const char*& p, Step step, Shape::Value* v, Context& c) {
    std::string_view s;
    int32_t id = -1;
    switch (step.op) {
      case Op::Name:
      case Op::Party:
      case Op::Shop:
      case Op::Tariff:
      case Op::Routing:
      case Op::AmountCurrency:
      case Op::PaymentAmountCurrency:
      case Op::OriginalTerminal:
        if (!scan::text(p, s) || !store_name(step, id = find_name(step, s), s, c)) return false;
        if (v) remember(*v, s, id);
        return true;
      case Op::AmountMinor: {
        int64_t minor = 0;
        if (!scan::integer(p, minor)) return false;
        c.facts.set(Attr::Amount, minor);
        return true;
      }
      case Op::PaymentAmountMinor: return (c.has_payment_amount = scan::integer(p, c.payment_amount));
      case Op::OriginalRevision: return (c.has_original_revision = scan::integer(p, c.original_revision));
      case Op::Bin:
        if (!scan::text(p, s) || !(s.size() <= 16 ? scan::digits16(s) : context_members::is_bin(s))) return false;
        keep(c.facts.bin, s);
        c.facts.present |= bit(Attr::Bin);
        return true;
      case Op::Token:
        if (!scan::text(p, s)) return false;
        keep(c.tool_token, s);
        return true;
      case Op::Time: {
        int64_t t;
        int32_t weekday, minute;
        // The usual spelling of the remembered date, quoted: every byte
        // checked by read_usual_utc_time (none a quote), so the string's
        // scan is not needed.
        if (p[0] == '"' && p[21] == '"' && read_usual_utc_time(std::string_view(p + 1, 20), t, weekday, minute)) {
          p += 22;
          c.set_time(t, weekday, minute);
          return true;
        }
        if (!scan::text(p, s)) return false;
        if (read_usual_utc_time(s, t, weekday, minute)) {
          c.set_time(t, weekday, minute);
          return true;
        }
        auto parsed = parse_utc_time(s);
        if (!parsed) return false;
        c.set_time(*parsed);
        return true;
      }
      case Op::PaymentTime: return (c.has_payment_time = timestamp(p, c.payment_time));
      case Op::PaymentKey:
        if (!scan::text(p, s)) return false;
        c.has_payment_key = true;
        keep(c.payment_key, s);
        return true;
      case Op::MerchantAccount:
        if (!scan::text(p, s)) return false;
        keep(c.merchant_accounts[step.arg], s);
        return true;
      case Op::Health:
      case Op::Turnover: {
        p_ = p;
        const bool ok = step.op == Op::Health ? health(c) : turnover(c);
        p = p_;
        return ok;
      }
      case Op::Declined: return false;
    }
    return false;
  }

  const char* p_;
  const char* end_;                  // the end of the text; kPad NULs follow
  Shape* rec_ = nullptr;             // where the shape is recorded, if it is
  const char* value_end_ = nullptr;  // the end of the last value read (the start of the text at first)
  const Program& d_;
  const Program& v_;
};

}  // namespace

namespace {
thread_local FastReadCounts counts;
}  // namespace
const FastReadCounts& fast_read_counts() { return counts; }

bool read_context_fast(std::string_view text, const Program& d, Context& out) {
  if (text.size() > kMaxText) return false;
  char buf[kMaxText + kPad];  // the text, then NULs
  std::memcpy(buf, text.data(), text.size());
  std::memset(buf + text.size(), 0, kPad);
  // The last two layouts read token by token, kept per thread (a core may
  // alternate between two kinds of context), the last one matched first.
  thread_local std::array<Shape, 2> shapes;
  thread_local size_t last = 0;
  for (size_t k : {last, 1 - last}) {
    if (shapes[k].known && FastReader(buf, text.size(), d).replay(shapes[k], out)) {
      last = k;
      ++counts.by_shape;
      return true;
    }
  }
  last = 1 - last;  // the older layout gives way
  if (!FastReader(buf, text.size(), d).run(out, &shapes[last])) return false;
  ++counts.token_by_token;
  return true;
}

}  // namespace paydomain::evaluator
