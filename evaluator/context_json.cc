// The payment context from JSON text, read in one pass with json::Reader: no
// document tree, no string copies for names that are only looked up.
#include "evaluator/context_json.h"

#include <array>
#include <optional>

#include "dsl/schema.h"
#include "evaluator/context_fast.h"
#include "evaluator/context_fields.h"
#include "evaluator/time.h"
#include "json/bytes.h"
#include "json/reader.h"

namespace paydomain::evaluator {
namespace {

using OK = dsl::ObjectKind;
using Kind = json::Reader::Kind;
using context_members::kFieldAttr;
using context_members::kNoField;
using context_members::kRoot;
using context_members::kTool;
using context_members::kToolGroup;
using context_members::kMerchant;
using context_members::kMerchantGroup;
using context_members::Members;
namespace F = context_members::F;

// Where a value sits, rendered to "$.a.b" only when an error needs it.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;
  std::string str() const { return parent ? parent->str() + "." + std::string(key) : "$"; }
};

// Ids already seen among a map's keys: a scan of an inline array while few
// (the usual one to three; no allocation on the hot path), a bitmap once
// many, so the check stays linear.
class IdSet {
 public:
  // False when `id` (0 <= id < universe) was inserted before.
  bool insert(int32_t id, size_t universe) {
    if (bits_.empty()) {
      for (size_t k = 0; k < n_; ++k)
        if (few_[k] == id) return false;
      if (n_ < few_.size()) {
        few_[n_++] = id;
        return true;
      }
      bits_.assign(universe, false);
      for (int32_t s : few_) bits_[static_cast<size_t>(s)] = true;
    }
    auto i = static_cast<size_t>(id);
    if (bits_[i]) return false;
    bits_[i] = true;
    return true;
  }

 private:
  std::array<int32_t, 16> few_{};
  size_t n_ = 0;
  std::vector<bool> bits_;
};

class ContextParser {
 public:
  ContextParser(json::Reader& r, const Program& d) : r_(r), d_(d), v_(d) {}

  // A shape error comes back as soon as it is seen; the caller decides
  // whether a syntax error later in the text should be reported instead.
  Status run(Context& c) {
    const Path root;
    if (r_.peek() != Kind::Object) return fail(root, "expected a JSON object (the payment context)");
    r_.begin_object();
    c.clear();
    c.facts.set(Attr::Operation, kOperationPayment);  // unless told otherwise
    if (auto e = members(root, kRoot, c)) return *e;
    if (r_.failed()) return syntax();
    // A refund is in its payment's currency.
    if (c.has_payment_amount && c.facts.has(Attr::Currency) && c.facts.get(Attr::Currency) != c.payment_currency) {
      auto name = [&](int64_t cur) { return std::string(v_.object_name(OK::Currency, static_cast<int32_t>(cur))); };
      return Error{"$.payment_amount.currency", "the payment was in " + name(c.payment_currency) +
                                                    "; a refund of it is in the same currency, not " +
                                                    name(c.facts.get(Attr::Currency))};
    }
    return Ok{};
  }

  Error syntax() const {
    return Error{"$", "not valid JSON (at byte " + std::to_string(r_.error_offset()) + ": " + r_.error() + ")"};
  }

 private:
  Error fail(const Path& p, std::string message) const {
    if (r_.failed()) return syntax();
    return Error{p.str(), std::move(message)};
  }

  // Sets bit `i` of `seen`; false when it was already set.
  static bool once(uint32_t& seen, unsigned i) {
    uint32_t b = uint32_t{1} << i;
    bool fresh = !(seen & b);
    seen |= b;
    return fresh;
  }
  Error repeated(const Path& p) const { return fail(p, "repeated member (each member may appear once)"); }

  // The members of the root object or of a group, each at most once; null
  // stands for an absent member.
  std::optional<Error> members(const Path& p, const Members& m, Context& c) {
    uint32_t seen = 0;  // a bit per member: a repeated member is an error, never "the last one wins"
    std::string_view k;
    while (r_.next_key(k)) {
      int i = m.find(k);
      Path q{&p, i >= 0 ? m.key[static_cast<size_t>(i)] : k};
      if (i >= 0 && !once(seen, static_cast<unsigned>(i))) return repeated(q);
      if (r_.peek() == Kind::Null) {
        r_.null();
        continue;
      }
      std::optional<Error> e;
      if (i < 0) {
        e = unknown(q, m);
      } else if (m.field[static_cast<size_t>(i)] == kNoField) {
        e = group(q, m.key[static_cast<size_t>(i)], c);
      } else {
        e = field(q, m.field[static_cast<size_t>(i)], c);
      }
      if (e) return e;
    }
    if (r_.failed()) return syntax();
    return std::nullopt;
  }

  std::optional<Error> unknown(const Path& p, const Members& m) const {
    static const std::string root = "unknown context field (expected one of " + kRoot.list() + ")";
    static const std::string tool =
        "unknown " + std::string(kToolGroup) + " field (expected one of " + kTool.list() + ")";
    static const std::string merchant =
        "unknown " + std::string(kMerchantGroup) + " field (expected one of " + kMerchant.list() + ")";
    return fail(p, &m == &kRoot ? root : &m == &kTool ? tool : merchant);
  }

  std::optional<Error> group(const Path& p, std::string_view key, Context& c) {
    const Members& m = context_members::group_members(key);
    if (r_.peek() != Kind::Object) {
      return fail(p, "expected an object {\"" + std::string(m.key[0]) + "\": ..., ...} (" + std::string(key) +
                         " fields: " + m.list() + ")");
    }
    r_.begin_object();
    return members(p, m, c);
  }

  // One field of dsl::kContextFields, by its index.
  std::optional<Error> field(const Path& p, size_t i, Context& c) {
    switch (i) {
      case F::Tariff: return object(p, OK::Tariff, c.tariff);
      case F::Routing: return object(p, OK::Routing, c.routing);
      case F::Amount: return amount(p, c);
      case F::PaymentAmount: {
        bool has = false;
        auto e = money(p, c.payment_amount, has, c.payment_currency);
        if (!e && !has) e = fail(Path{&p, "amount"}, "missing amount");
        c.has_payment_amount = !e;
        return e;
      }
      case F::OriginalTerminal: {
        std::string_view s;
        if (auto e = text(p, s)) return e;
        c.has_original_terminal = true;
        c.original_terminal = v_.object(OK::Terminal, s);
        c.original_terminal_id.assign(s);
        return std::nullopt;
      }
      case F::OriginalRevision: {
        auto e = integer(p, c.original_revision, "a revision (a whole number)");
        c.has_original_revision = !e;
        return e;
      }
      case F::Party:
      case F::Shop: {
        Attr a = i == F::Party ? Attr::Party : Attr::Shop;
        std::string_view s;
        if (auto e = text(p, s)) return e;
        c.facts.set(a, v_.find(a, s));
        (i == F::Party ? c.party : c.shop).assign(s);
        return std::nullopt;
      }
      case F::Bin: {
        std::string_view s;
        if (auto e = text(p, s)) return e;
        if (!context_members::is_bin(s)) {
          return fail(p, "expected a BIN: 1 to 19 digits as a string");
        }
        c.facts.bin.assign(s);
        c.facts.present |= bit(Attr::Bin);
        return std::nullopt;
      }
      case F::Token: {
        std::string_view s;
        if (auto e = text(p, s)) return e;
        c.tool_token.assign(s);
        return std::nullopt;
      }
      case F::Time: {
        int64_t t = 0;
        if (auto e = timestamp(p, t)) return e;
        c.set_time(t);
        return std::nullopt;
      }
      case F::PaymentTime: {
        auto e = timestamp(p, c.payment_time);
        c.has_payment_time = !e;
        return e;
      }
      case F::PaymentKey: {
        std::string_view s;
        auto e = text(p, s);
        c.has_payment_key = !e;
        if (!e) c.payment_key.assign(s);
        return e;
      }
      case F::Health: return health(p, c);
      case F::Turnover: return turnover(p, c);
      default: {
        if (int8_t role = context_members::kFieldMerchantRole[i]; role >= 0) {  // an account id: any non-empty string
          std::string_view s;
          if (auto e = text(p, s)) return e;
          c.merchant_accounts[static_cast<size_t>(role)].assign(s);
          return std::nullopt;
        }
        // Every Enum or Reference attribute: an id of its values or objects;
        // a Text attribute: the id of a string some condition names, or "other".
        dsl::FieldType t = dsl::kContextFields[i].type;
        if (kFieldAttr[i] >= 0 &&
            (t == dsl::FieldType::Enum || t == dsl::FieldType::Reference || t == dsl::FieldType::Text)) {
          return categorical(p, static_cast<Attr>(kFieldAttr[i]), c.facts);
        }
        // A field added to the schema without a reader (tests/evaluator/context_test.cc reads each one).
        return fail(p, "context field " + std::string(dsl::kContextFields[i].path) + " is not read by this build");
      }
    }
  }

  std::optional<Error> text(const Path& p, std::string_view& out) {
    if (r_.peek() != Kind::String) return fail(p, "expected a string");
    if (!r_.string(out)) return syntax();
    if (out.empty()) return fail(p, "expected a non-empty string");
    return std::nullopt;
  }

  // An ISO 8601 UTC time, as seconds since the epoch.
  std::optional<Error> timestamp(const Path& p, int64_t& out) {
    std::string_view s;
    if (auto e = text(p, s)) return e;
    auto t = parse_utc_time(s);
    if (!t) return Error{p.str(), t.error().message};
    out = *t;
    return std::nullopt;
  }

  std::optional<Error> categorical(const Path& p, Attr a, Facts& f) {
    std::string_view s;
    if (auto e = text(p, s)) return e;
    int32_t id = v_.find(a, s);
    if (id < 0) {
      std::string msg = "unknown " + std::string(dsl::attributes()[idx(a)].name) + " '" + std::string(s) + "'";
      int32_t n = v_.size(a);
      if (n > 0 && n <= 12) {
        msg += " (expected one of";
        for (int32_t i = 0; i < n; ++i) msg.append(i ? ", " : " ").append(v_.name(a, i));
        msg += ")";
      }
      return fail(p, msg);
    }
    f.set(a, id);
    return std::nullopt;
  }

  std::optional<Error> object(const Path& p, OK kind, int32_t& out) {
    std::string_view s;
    if (auto e = text(p, s)) return e;
    out = v_.object(kind, s);
    if (out < 0) return fail(p, "unknown " + std::string(dsl::to_string(kind)) + " '" + std::string(s) + "'");
    return std::nullopt;
  }

  std::optional<Error> integer(const Path& p, int64_t& out, const char* what) {
    std::string expected = std::string("expected ") + what;
    if (r_.peek() != Kind::Number) return fail(p, expected);
    std::string_view raw;
    if (!r_.number(raw)) return syntax();
    switch (json::Reader::to_int64(raw, out)) {
      case json::Reader::IntStatus::NotIntegral: return fail(p, expected);
      case json::Reader::IntStatus::TooLarge:
        return fail(p, raw[0] == '-' ? expected + " (not negative)" : std::string("number too large"));
      case json::Reader::IntStatus::Integral: break;
    }
    if (out < 0) return fail(p, expected + " (not negative)");
    return std::nullopt;
  }

  // {"amount": 600000, "currency": "RUB"}; the currency alone is allowed too.
  std::optional<Error> money(const Path& p, int64_t& minor, bool& has_minor, int32_t& cur) {
    if (r_.peek() != Kind::Object) return fail(p, "expected {\"amount\": <minor units>, \"currency\": \"RUB\"}");
    r_.begin_object();
    has_minor = false;
    cur = -1;
    uint32_t seen = 0;
    std::string_view k;
    while (r_.next_key(k)) {
      Path q{&p, k};
      if (k == "amount") {
        if (!once(seen, 0)) return repeated(q);
        if (auto e = integer(q, minor, "an integer number of minor units")) return e;
        has_minor = true;
      } else if (k == "currency") {
        if (!once(seen, 1)) return repeated(q);
        if (auto e = object(q, OK::Currency, cur)) return e;
      } else {
        return fail(q, "unknown field (expected amount and currency)");
      }
    }
    if (r_.failed()) return syntax();
    if (cur < 0) return fail(Path{&p, "currency"}, "missing currency");
    return std::nullopt;
  }

  std::optional<Error> amount(const Path& p, Context& c) {
    int64_t minor = 0;
    bool has = false;
    int32_t cur = -1;
    if (auto e = money(p, minor, has, cur)) return e;
    c.facts.set(Attr::Currency, cur);
    if (has) c.facts.set(Attr::Amount, minor);
    return std::nullopt;
  }

  std::optional<Error> health(const Path& p, Context& c) {
    if (r_.peek() != Kind::Object) return fail(p, "expected an object keyed by terminal or provider id");
    r_.begin_object();
    IdSet terminals, providers;
    std::string_view key;
    while (r_.next_key(key)) {
      std::string id(key);  // outlives the metric keys read below
      Path q{&p, id};
      HealthSample h;
      h.terminal = v_.object(OK::Terminal, id);
      if (h.terminal < 0) h.provider = v_.object(OK::Provider, id);
      if (h.terminal < 0 && h.provider < 0) return fail(q, "unknown terminal or provider '" + id + "'");
      // Compared as resolved ids, so an escaped spelling of the same id repeats it too.
      bool fresh = h.terminal >= 0 ? terminals.insert(h.terminal, static_cast<size_t>(d_.terminal_count()))
                                   : providers.insert(h.provider, static_cast<size_t>(d_.provider_count()));
      if (!fresh) return repeated(q);
      if (r_.peek() != Kind::Object) return fail(q, "expected {\"failure_rate\": \"80%\", \"latency_ms\": 1200}");
      r_.begin_object();
      uint32_t seen = 0;
      std::string_view m;
      while (r_.next_key(m)) {
        Path mp{&q, m};
        if (m == "failure_rate") {
          if (!once(seen, 0)) return repeated(mp);
          if (auto e = percent(mp, h.failure_rate)) return e;
          h.has_failure_rate = true;
        } else if (m == "latency_ms") {
          if (!once(seen, 1)) return repeated(mp);
          if (auto e = integer(mp, h.latency_ms, "a whole number of milliseconds")) return e;
          h.has_latency = true;
        } else {
          return fail(mp, "unknown health metric (expected failure_rate or latency_ms)");
        }
      }
      if (r_.failed()) return syntax();
      c.health.push_back(h);
    }
    if (r_.failed()) return syntax();
    return std::nullopt;
  }

  // "80%", "12.5%": an exact decimal percentage from 0% to 100%.
  std::optional<Error> percent(const Path& p, dsl::Decimal& out) {
    const char* bad = "expected a percentage string like \"80%\" or \"12.5%\"";
    if (r_.peek() != Kind::String) return fail(p, bad);
    std::string_view s;
    if (!r_.string(s)) return syntax();
    switch (context_members::parse_percent(s, out)) {
      case context_members::Percent::Ok: return std::nullopt;
      case context_members::Percent::Malformed: return fail(p, bad);
      case context_members::Percent::Over100: break;
    }
    return fail(p, "a failure rate cannot exceed 100%");
  }

  std::optional<Error> turnover(const Path& p, Context& c) {
    if (r_.peek() != Kind::Object) return fail(p, "expected an object keyed by limit id");
    r_.begin_object();
    IdSet limits;
    std::string_view key;
    while (r_.next_key(key)) {
      std::string id(key);
      Path q{&p, id};
      Turnover t;
      t.limit = v_.object(OK::Limit, id);
      if (t.limit < 0) return fail(q, "unknown limit '" + id + "'");
      if (!limits.insert(t.limit, static_cast<size_t>(d_.limit_count()))) return repeated(q);
      const pdc::Limit& l = d_.limit(t.limit);
      const int32_t scope = d_.route_scope(t.limit);
      if (scope < 0) {
        if (auto e = counter(q, l, t.value)) return e;
        c.turnover.push_back(t);
        continue;
      }
      // One counter per terminal (provider): {"<terminal id>": value, ...}.
      const bool by_terminal = scope == dsl::kScopeTerminal;
      const char* what = by_terminal ? "terminal" : "provider";
      if (r_.peek() != Kind::Object) {
        return fail(q, "limit " + std::string(d_.str(l.name)) + " counts per " + what + ": expected an object keyed by " +
                           what + " id");
      }
      r_.begin_object();
      IdSet routes;
      std::string_view rkey;
      while (r_.next_key(rkey)) {
        std::string rid(rkey);
        Path rq{&q, rid};
        t.route = v_.object(by_terminal ? OK::Terminal : OK::Provider, rid);
        if (t.route < 0) return fail(rq, std::string("unknown ") + what + " '" + rid + "'");
        if (!routes.insert(t.route, static_cast<size_t>(by_terminal ? d_.terminal_count() : d_.provider_count())))
          return repeated(rq);
        if (auto e = counter(rq, l, t.value)) return e;
        c.turnover.push_back(t);
      }
      if (r_.failed()) return syntax();
    }
    if (r_.failed()) return syntax();
    return std::nullopt;
  }

  // One counter's value: money in the limit's currency, or a count.
  std::optional<Error> counter(const Path& q, const pdc::Limit& l, int64_t& value) {
    if (l.is_count) return integer(q, value, "a whole number (the count so far)");
    bool has = false;
    int32_t cur = -1;
    if (auto e = money(q, value, has, cur)) return e;
    if (!has) return fail(Path{&q, "amount"}, "missing amount");
    if (cur != l.currency) {
      return fail(Path{&q, "currency"}, "limit " + std::string(d_.str(l.name)) + " counts " +
                                            std::string(v_.object_name(OK::Currency, l.currency)) + ", not " +
                                            std::string(v_.object_name(OK::Currency, cur)));
    }
    return std::nullopt;
  }

  json::Reader& r_;
  const Program& d_;
  const Program& v_;
};

}  // namespace

Status parse_context_into(std::string_view text, const Program& d, Context& out, bool* read_fast) {
  const bool fast = read_context_fast(text, d, out);
  if (read_fast) *read_fast = fast;
  if (fast) return Ok{};
  return parse_context_general(text, d, out);
}

Status parse_context_general(std::string_view text, const Program& d, Context& out) {
  json::Reader r(text);
  ContextParser p(r, d);
  Status s = p.run(out);
  if (s && !r.at_end()) return p.syntax();
  if (!s && !r.failed()) {
    // A shape error: report a syntax error later in the text instead, if any.
    size_t at = 0;
    std::string why = json::syntax_error(text, &at);
    if (!why.empty()) return Error{"$", "not valid JSON (" + why + ")"};
  }
  return s;
}

Result<Context> parse_context(std::string_view text, const Program& d) {
  Context c;
  Status s = parse_context_into(text, d, c);
  if (!s) return s.take_error();
  return c;
}

}  // namespace paydomain::evaluator
