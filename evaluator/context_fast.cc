// The fast context reader: a cursor over the text that accepts exactly the
// usual shape and returns false at the first byte it does not expect, with
// no error text, no path bookkeeping and no per-call state checks. Every
// test it makes is one the general reader makes too, so what it accepts the
// general reader accepts, with the same Context.
#include "evaluator/context_fast.h"

#include "evaluator/context_fields.h"
#include "evaluator/name_memo.h"
#include "evaluator/time.h"
#include "json/bytes.h"

namespace paydomain::evaluator {
namespace {

using OK = dsl::ObjectKind;
using context_members::kFieldAttr;
using context_members::kNoField;
using context_members::kRoot;
using context_members::kTool;
using context_members::Members;
namespace F = context_members::F;

class FastReader {
 public:
  FastReader(std::string_view text, const Program& d)
      : p_(text.data()), end_(text.data() + text.size()), d_(d), v_(d) {}

  bool run(Context& c) {
    c.clear();
    c.facts.set(Attr::Operation, kOperationPayment);
    if (!object(kRoot, c)) return false;
    skip_ws();
    if (p_ != end_) return false;
    // A refund in another currency than its payment: the general reader says so.
    return !(c.has_payment_amount && c.facts.has(Attr::Currency) && c.facts.get(Attr::Currency) != c.payment_currency);
  }

 private:
  // One compare and one bit test per byte (indented JSON has many blanks);
  // a run of spaces (an indentation) eight bytes a step.
  static constexpr uint64_t kBlanks = (uint64_t{1} << ' ') | (uint64_t{1} << '\n') | (uint64_t{1} << '\r') |
                                      (uint64_t{1} << '\t');
  static bool is_ws(char ch) {
    auto u = static_cast<unsigned char>(ch);
    return u <= ' ' && ((kBlanks >> u) & 1) != 0;
  }
  void skip_ws() {
    constexpr uint64_t kSpaces = 0x2020202020202020ULL;
    while (true) {
      while (end_ - p_ >= 8) {
        uint64_t other = json::bytes::detail::load8(p_) ^ kSpaces;  // zero bytes: spaces
        if (other) {
          p_ += __builtin_ctzll(other) / 8;
          break;
        }
        p_ += 8;
      }
      if (p_ == end_ || !is_ws(*p_)) return;
      ++p_;
    }
  }
  // The next non-blank byte, or 0 at the end (NUL is never valid between
  // values). Most tokens follow no blank or one space (", ", ": ").
  [[gnu::always_inline]] char next() {
    if (p_ != end_ && *p_ == ' ') ++p_;
    if (p_ != end_ && static_cast<unsigned char>(*p_) > ' ') return *p_;
    skip_ws();
    return p_ != end_ ? *p_ : '\0';
  }

  // Ids of names, through the per-thread memo (name_memo.h); party and shop
  // are free text (any value, most of them "other"): looked up directly.
  int32_t object_id(OK kind, std::string_view s) const {
    return name_memo::find(d_.load_id(), name_memo::kObjectTable + static_cast<uint32_t>(kind), s,
                           [&] { return v_.object(kind, s); });
  }
  int32_t attr_id(Attr a, std::string_view s) const {
    return name_memo::find(d_.load_id(), static_cast<uint32_t>(a), s, [&] { return v_.find(a, s); });
  }

  // A string of plain ASCII (no escape, no control character, nothing >= 0x80).
  // Inline where it is used: a call per key and value cost as much as its scan.
  [[gnu::always_inline]] bool string(std::string_view& out) {
    if (next() != '"') return false;
    const char* s = ++p_;
#if defined(__SSE2__)
    // The usual key or value ends within 16 bytes: one block, no loop.
    if (end_ - s >= 16) {
      if (unsigned m = json::bytes::detail::special_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s)), true)) {
        const size_t n = static_cast<size_t>(__builtin_ctz(m));
        if (s[n] != '"') return false;
        out = std::string_view(s, n);
        p_ = s + n + 1;
        return true;
      }
    }
#endif
    size_t n = json::bytes::first_special(s, static_cast<size_t>(end_ - s), true);
    if (n == static_cast<size_t>(end_ - s) || s[n] != '"') return false;
    out = std::string_view(s, n);
    p_ = s + n + 1;
    return true;
  }
  bool text(std::string_view& out) { return string(out) && !out.empty(); }
  // An ISO 8601 UTC time, as seconds since the epoch.
  bool timestamp(int64_t& out) {
    std::string_view s;
    if (!text(s)) return false;
    auto t = parse_utc_time(s);
    if (t) out = *t;
    return t.ok();
  }

  // A non-negative integer of at most 18 digits (so it fits int64 without a
  // check); a longer, signed or fractional number is the general reader's.
  bool integer(int64_t& out) {
    if (next() < '0' || *p_ > '9') return false;
    if (*p_ == '0') {
      ++p_;
      out = 0;
      return p_ == end_ || *p_ < '0' || *p_ > '9';
    }
    const char* start = p_;
    int64_t v = 0;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
      if (p_ - start == 18) return false;
      v = v * 10 + (*p_++ - '0');
    }
    out = v;
    return true;
  }

  // The members of an object of the table `m`, each at most once.
  bool object(const Members& m, Context& c) {
    if (next() != '{') return false;
    ++p_;
    if (next() == '}') return ++p_, true;
    uint32_t seen = 0;
    while (true) {
      std::string_view k;
      if (!string(k) || next() != ':') return false;
      ++p_;
      int i = m.find(k);
      if (i < 0) return false;
      uint32_t b = uint32_t{1} << i;
      if (seen & b) return false;
      seen |= b;
      size_t f = m.field[static_cast<size_t>(i)];
      if (!(f == kNoField ? object(context_members::group_members(k), c) : field(f, c))) return false;
      char ch = next();
      if (ch != ',' && ch != '}') return false;
      ++p_;
      if (ch == '}') return true;
    }
  }

  // {"amount": <minor units>, "currency": "RUB"}; the currency alone too.
  bool money(int64_t& minor, bool& has_minor, int32_t& cur) {
    if (next() != '{') return false;
    ++p_;
    has_minor = false;
    cur = -1;
    if (next() != '}') {
      while (true) {
        std::string_view k;
        if (!string(k) || next() != ':') return false;
        ++p_;
        if (k == "amount" && !has_minor) {
          if (!integer(minor)) return false;
          has_minor = true;
        } else if (k == "currency" && cur < 0) {
          std::string_view s;
          if (!text(s) || (cur = object_id(OK::Currency, s)) < 0) return false;
        } else {
          return false;
        }
        char ch = next();
        if (ch == '}') break;
        if (ch != ',') return false;
        ++p_;
      }
    }
    ++p_;
    return cur >= 0;
  }

  // A map keyed by ids: `member(id)` reads one member's value. At most
  // kMaxMapMembers members (the repeat check scans what was read).
  static constexpr size_t kMaxMapMembers = 16;
  template <class Member>
  bool map(Member member) {
    if (next() != '{') return false;
    ++p_;
    if (next() == '}') return ++p_, true;
    while (true) {
      std::string_view k;
      if (!text(k) || next() != ':') return false;
      ++p_;
      if (!member(k)) return false;
      char ch = next();
      if (ch != ',' && ch != '}') return false;
      ++p_;
      if (ch == '}') return true;
    }
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
      bool ok = map([&](std::string_view m) {
        std::string_view s;
        if (m == "failure_rate" && !h.has_failure_rate) {
          return h.has_failure_rate = text(s) &&
                                      context_members::parse_percent(s, h.failure_rate) == context_members::Percent::Ok;
        }
        if (m == "latency_ms" && !h.has_latency) return h.has_latency = integer(h.latency_ms);
        return false;
      });
      if (ok) c.health.push_back(h);
      return ok;
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
      if (!integer(t.value)) return false;
    } else {
      bool has = false;
      int32_t cur = -1;
      if (!money(t.value, has, cur) || !has || cur != l.currency) return false;
    }
    c.turnover.push_back(t);
    return true;
  }

  // A copy into a context string, its buffer kept: cleared and appended,
  // which skips assign's general path (a source inside the string itself).
  static void keep(std::string& to, std::string_view s) {
    to.clear();
    to.append(s.data(), s.size());
  }

  [[gnu::always_inline]] bool field(size_t i, Context& c) {
    std::string_view s;
    switch (i) {
      case F::Tariff: return text(s) && (c.tariff = object_id(OK::Tariff, s)) >= 0;
      case F::Routing: return text(s) && (c.routing = object_id(OK::Routing, s)) >= 0;
      case F::Amount: {
        int64_t minor = 0;
        bool has = false;
        int32_t cur = -1;
        if (!money(minor, has, cur)) return false;
        c.facts.set(Attr::Currency, cur);
        if (has) c.facts.set(Attr::Amount, minor);
        return true;
      }
      case F::PaymentAmount: {
        bool has = false;
        if (!money(c.payment_amount, has, c.payment_currency) || !has) return false;
        c.has_payment_amount = true;
        return true;
      }
      case F::OriginalTerminal:
        if (!text(s)) return false;
        c.has_original_terminal = true;
        c.original_terminal = object_id(OK::Terminal, s);
        keep(c.original_terminal_id, s);
        return true;
      case F::OriginalRevision: return (c.has_original_revision = integer(c.original_revision));
      case F::Party:
      case F::Shop: {
        if (!text(s)) return false;
        Attr a = i == F::Party ? Attr::Party : Attr::Shop;
        c.facts.set(a, v_.find(a, s));
        keep(i == F::Party ? c.party : c.shop, s);
        return true;
      }
      case F::Bin:
        if (!text(s) || !context_members::is_bin(s)) return false;
        keep(c.facts.bin, s);
        c.facts.present |= bit(Attr::Bin);
        return true;
      case F::Token:
        if (!text(s)) return false;
        keep(c.tool_token, s);
        return true;
      case F::Time: {
        int64_t t = 0;
        if (!timestamp(t)) return false;
        c.set_time(t);
        return true;
      }
      case F::PaymentTime: return (c.has_payment_time = timestamp(c.payment_time));
      case F::PaymentKey:
        if (!text(s)) return false;
        c.has_payment_key = true;
        keep(c.payment_key, s);
        return true;
      case F::Health: return health(c);
      case F::Turnover: return turnover(c);
      default: {
        if (int8_t role = context_members::kFieldMerchantRole[i]; role >= 0) {
          if (!text(s)) return false;
          keep(c.merchant_accounts[static_cast<size_t>(role)], s);
          return true;
        }
        dsl::FieldType t = dsl::kContextFields[i].type;
        if (kFieldAttr[i] < 0 ||
            (t != dsl::FieldType::Enum && t != dsl::FieldType::Reference && t != dsl::FieldType::Text) || !text(s)) {
          return false;
        }
        auto a = static_cast<Attr>(kFieldAttr[i]);
        int32_t id = attr_id(a, s);
        if (id < 0) return false;
        c.facts.set(a, id);
        return true;
      }
    }
  }

  const char* p_;
  const char* end_;
  const Program& d_;
  const Program& v_;
};

}  // namespace

bool read_context_fast(std::string_view text, const Program& d, Context& out) {
  return FastReader(text, d).run(out);
}

}  // namespace paydomain::evaluator
