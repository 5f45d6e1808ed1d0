#include "evaluator/result_json.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dsl/schema.h"
#include "evaluator/context_json.h"
#include "evaluator/time.h"
#include "json/bytes.h"
#include "json/writer.h"

namespace paydomain::evaluator {
namespace {

using OK = dsl::ObjectKind;
using paydomain::json::Writer;

// The result text is written through a raw cursor into `out`: each element
// (a part's head, a posting, a limit, a list item) first reserves an upper
// bound of its bytes, then writes them without a check per member and with
// the commas and fixed member names as literals (a member-by-member writer
// spent more on bookkeeping than on copying). The cursor is a local of each
// function, so the compiler keeps it in a register across the stores.
// Out keeps the write position and the end of the room as pointers: a
// check is one subtraction, a commit one store.
class Out {
 public:
  explicit Out(std::string& s) : s_(s), at_(s.data() + s.size()), end_(at_) {}
  ~Out() { s_.resize(static_cast<size_t>(at_ - s_.data())); }
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;
  char* room(size_t n) {
    if (static_cast<size_t>(end_ - at_) < n) grow(n);
    return at_;
  }
  void commit(char* p) { at_ = p; }
  // The length written so far, and the text written since `from` (valid up to the next room()).
  size_t length() const { return static_cast<size_t>(at_ - s_.data()); }
  std::string_view since(size_t from) const { return {s_.data() + from, length() - from}; }

 private:
  void grow(size_t n) {
    const size_t len = static_cast<size_t>(at_ - s_.data());
    s_.resize(std::max(len + n, s_.size() * 2 + 2048));  // a typical result in one step
    at_ = s_.data() + len;
    end_ = s_.data() + s_.size();
  }
  std::string& s_;
  char* at_;   // the end of the text written
  char* end_;  // the end of the room (s_'s bytes past at_ are scratch)
};

// A literal: a copy of constant length.
template <size_t N>
char* lit(char* p, const char (&s)[N]) {
  std::memcpy(p, s, N - 1);
  return p + N - 1;
}

// Room for a string written by str(): quotes, and six bytes per byte when
// it may need escapes.
size_t sz(std::string_view s, bool plain) { return (plain ? s.size() : 6 * s.size()) + 2; }

// A JSON string. `plain`: a compiled domain's name or prepared text when
// compile() found none needs an escape (CompiledDomain::json_plain), copied
// as it is; anything else is escaped.
// Inline at every call: a call per string cost more than its copy.
[[gnu::always_inline]] inline char* unquoted(char* p, std::string_view s, bool plain) {
  return plain ? json::bytes::copy(p, s.data(), s.size()) : Writer::escape_to(p, s);
}
[[gnu::always_inline]] inline char* str(char* p, std::string_view s, bool plain) {
  *p++ = '"';
  p = unquoted(p, s, plain);
  *p++ = '"';
  return p;
}

constexpr size_t kInt = 20;  // digits and sign of an int64
char* integer(char* p, int64_t v) { return json::bytes::write_int(p, v); }

// ,"key":["a","b"]: `prefix` is the literal up to the '['.
template <size_t N, class Strings>
void strings(Out& o, const char (&prefix)[N], const Strings& v, bool plain) {
  char* p = lit(o.room(N), prefix);
  bool first = true;
  for (const auto& s : v) {
    std::string_view sv(s);
    o.commit(p);
    p = o.room(sz(sv, plain) + 1);
    if (!first) *p++ = ',';
    first = false;
    p = str(p, sv, plain);
  }
  o.commit(p);
  p = o.room(1);
  *p++ = ']';
  o.commit(p);
}

[[gnu::noinline]] void missing_list(Out& o, uint64_t m) { strings(o, ",\"missing\":[", missing_names(m), false); }
[[gnu::always_inline]] inline void missing(Out& o, uint64_t m) {
  if (m) missing_list(o, m);
}

std::string_view terms_status(TermsResult::Verdict v) {
  switch (v) {
    case TermsResult::Verdict::Allowed: return "allowed";
    case TermsResult::Verdict::Forbidden: return "forbidden";
    case TermsResult::Verdict::Undetermined: break;
  }
  return "undetermined";
}

std::string_view route_status(RouteResult::Status s) {
  switch (s) {
    case RouteResult::Status::Chosen: return "chosen";
    case RouteResult::Status::Declined: return "declined";
    case RouteResult::Status::NoRoute: return "no_route";
    case RouteResult::Status::Undetermined: return "undetermined";
    case RouteResult::Status::NoRouting: break;
  }
  return "no_routing";
}

std::string_view cash_flow_status(CashFlowResult::Status s) {
  switch (s) {
    case CashFlowResult::Status::Determined: return "determined";
    case CashFlowResult::Status::Undetermined: return "undetermined";
    case CashFlowResult::Status::Forbidden: return "forbidden";
    case CashFlowResult::Status::Error: break;
  }
  return "error";
}

std::string_view verdict_name(LimitResult::Verdict v) {
  switch (v) {
    case LimitResult::Verdict::Within: return "within";
    case LimitResult::Verdict::Exceeded: return "exceeded";
    case LimitResult::Verdict::Error: return "error";
    case LimitResult::Verdict::Undetermined:
    case LimitResult::Verdict::None: break;
  }
  return "undetermined";
}

// The statuses, periods, sides and window times are our own ASCII: plain.
constexpr size_t kWord = 16;  // room for the longest of those words

void write_terms(Out& o, const TermsResult& t, const Program& d, bool names_plain, bool explain) {
  char* p = lit(o.room(32 + kWord), "{\"terms\":{\"status\":");
  o.commit(str(p, terms_status(t.verdict), true));
  if (t.tariff >= 0) {  // chosen by the binding: which tariff, and why
    std::string_view name = d.object_name(OK::Tariff, t.tariff);
    p = str(lit(o.room(32 + sz(name, names_plain) + sz(t.tariff_from, names_plain)), ",\"tariff\":"), name, names_plain);
    o.commit(str(lit(p, ",\"tariff_from\":"), t.tariff_from, names_plain));
  }
  if (!t.reasons.empty()) strings(o, ",\"reasons\":[", t.reasons, false);
  missing(o, t.missing);
  if (t.hold_lifetime > 0) {
    p = lit(o.room(40 + kInt + sz(t.hold_unit, names_plain)), ",\"hold_lifetime\":{\"count\":");
    p = integer(p, t.hold_lifetime);
    p = str(lit(p, ",\"unit\":"), t.hold_unit, names_plain);
    *p++ = '}';
    o.commit(p);
  }
  if (explain) strings(o, ",\"explain\":[", t.explain, names_plain);
  p = o.room(1);
  *p++ = '}';
  o.commit(p);
}

// A view into the artifact's bytes: an account id of the program's (its
// strings section, which json_plain covers), not one from the context.
bool in_program(const Program& d, std::string_view s) {
  const std::string_view b = d.bytes();
  return s.data() >= b.data() && s.data() + s.size() <= b.data() + b.size();
}

// A rendered block: most are 30 to 250 bytes, copied inline in 16-byte
// moves, the last one overlapping (a call to memcpy costs more than such a copy).
[[gnu::always_inline]] inline char* block(char* p, std::string_view s) {
  const char* q = s.data();
  const size_t n = s.size();
#if defined(__SSE2__)
  if (n > 32 && n <= 256) {
    auto move16 = [&](size_t at) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p + at), _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + at)));
    };
    for (size_t at = 0; at + 16 < n; at += 16) move16(at);
    move16(n - 16);
    return p + n;
  }
#endif
  return json::bytes::copy(p, q, n);
}

// The same view: the same bytes of the same program (a memo's entry is its
// program's alone, and a program's bytes never change).
bool same(std::string_view a, std::string_view b) { return a.data() == b.data() && a.size() == b.size(); }

// ---- The fixed texts of a program, rendered once per program and thread ----
// Nearly all of a result's text is the program's own (names, reasons,
// details): the writer renders each such part the first time it writes it
// and copies it as a block after. Kept for the last few programs a thread
// wrote (by load id, never reused); a program's entry reuses the buffers of
// the one it replaces.

// A limit's parts: its opening up to the time zone, one per status
// ({"limit":"<name>","status":"applies","period":"day","timezone":"<zone>"),
// its bound (,"bound":{...,"inclusive":true}) and its name ("<name>", for
// limits_not_applicable). The last window written for the limit is kept
// too, followed by the bound (,"window":{"start":...,"end":...},"bound":...):
// a day's payments share it.
struct LimitBlocks {
  std::string open[2];  // by status: applies, undetermined
  std::string bound;
  std::string name;
  bool ready = false;
  bool has_window = false;
  int64_t window_start = 0, window_end = 0;
  std::string window;
};

// A posting's texts, by its record (PostingResult::record): its opening
// ({"from":"<from>","to":"<to>","amount":{"amount":) and its end
// (,"details":"<details>" or nothing, ,"rule":"<rule>" when explained, and
// the '}'), with the views they were rendered from: a posting whose views
// differ (a result edited by hand) is written from its own texts.
struct PostingBlocks {
  bool ready = false;
  std::string_view from, to, details, rule;
  std::string head, tail[2];  // tail by explain
};

// A terminal's name ("<name>"), its answer when chosen (,"terminal":"<name>"
// and its provider's ,"provider":"<name>"), and its rejections for the last
// two prepared reasons seen ({"terminal":"<name>","reason":"<reason>"}: a
// prepared reason is a view into the program; a built one is written per call).
struct TerminalBlocks {
  bool ready = false;
  std::string name;
  int32_t chosen_provider = -2;  // what `chosen` was rendered for; -2: nothing yet
  std::string chosen;
  struct Rejected {
    std::string_view reason;  // data() nullptr: none yet
    std::string text;
  };
  Rejected rejected[2];
  unsigned next = 0;  // the slot the next new reason takes
};

void render_limit(LimitBlocks& b, const pdc::Limit& cl, const Program& d, bool plain) {
  const std::string_view name = d.str(cl.name), timezone = d.str(cl.timezone);
  const std::string_view period = dsl::limit_periods()[static_cast<size_t>(cl.period)];
  const std::string_view currency = cl.is_count ? std::string_view{} : d.object_name(OK::Currency, cl.currency);
  for (int status = 0; status < 2; ++status) {
    std::string& s = b.open[status];
    s.resize(64 + kWord + sz(name, plain) + sz(timezone, plain));
    char* p = str(lit(s.data(), "{\"limit\":"), name, plain);
    p = status == 0 ? lit(p, ",\"status\":\"applies\"") : lit(p, ",\"status\":\"undetermined\"");
    p = str(lit(p, ",\"period\":"), period, true);
    p = str(lit(p, ",\"timezone\":"), timezone, plain);
    s.resize(static_cast<size_t>(p - s.data()));
  }
  b.bound.resize(64 + kInt + sz(currency, plain));
  char* p = b.bound.data();
  p = integer(cl.is_count ? lit(p, ",\"bound\":{\"count\":") : lit(p, ",\"bound\":{\"amount\":"), cl.bound);
  if (!cl.is_count) p = str(lit(p, ",\"currency\":"), currency, plain);
  p = cl.inclusive ? lit(p, ",\"inclusive\":true}") : lit(p, ",\"inclusive\":false}");
  b.bound.resize(static_cast<size_t>(p - b.bound.data()));
  b.name.resize(sz(name, plain));
  b.name.resize(static_cast<size_t>(str(b.name.data(), name, plain) - b.name.data()));
  b.ready = true;
  b.has_window = false;
}

// Digits, '-', ':', 'T', 'Z' and '+': nothing to escape.
[[gnu::noinline]] void render_window(LimitBlocks& b, const LimitResult& l, const Program& d) {
  const LimitZone zone = d.limit_zone(l.limit);
  b.window.resize(48 + 2 * sizeof(TimeText::data) + b.bound.size());
  char* p = b.window.data();
  p = str(lit(p, ",\"window\":{\"start\":"), format_time_text(l.window_start, zone.offset_at(l.window_start)).view(),
          true);
  p = str(lit(p, ",\"end\":"), format_time_text(l.window_end, zone.offset_at(l.window_end)).view(), true);
  *p++ = '}';
  p = block(p, b.bound);
  b.window.resize(static_cast<size_t>(p - b.window.data()));
  b.has_window = true;
  b.window_start = l.window_start;
  b.window_end = l.window_end;
}

// `s` = the texts `write` writes (at most `bound` bytes).
template <class Write>
void render(std::string& s, size_t bound, Write&& write) {
  s.resize(bound);
  s.resize(static_cast<size_t>(write(s.data()) - s.data()));
}

[[gnu::noinline]] void render_posting(PostingBlocks& b, const PostingResult& x, bool plain) {
  render(b.head, 48 + sz(x.from, plain) + sz(x.to, plain), [&](char* p) {
    p = str(lit(p, "{\"from\":"), x.from, plain);
    p = str(lit(p, ",\"to\":"), x.to, plain);
    return lit(p, ",\"amount\":{\"amount\":");
  });
  for (int explain = 0; explain < 2; ++explain) {
    render(b.tail[explain], 32 + sz(x.details, plain) + sz(x.rule, plain), [&](char* p) {
      if (!x.details.empty()) p = str(lit(p, ",\"details\":"), x.details, plain);
      if (explain) p = str(lit(p, ",\"rule\":"), x.rule, plain);
      *p++ = '}';
      return p;
    });
  }
  b.from = x.from;
  b.to = x.to;
  b.details = x.details;
  b.rule = x.rule;
  b.ready = true;
}

// A route chosen among candidates rejected for prepared reasons only (no
// limit's figures in them), without explanations: the part as last
// written, with what it was written from. A day's payments mostly route
// alike; a hit costs a comparison of the terminals and the reasons' views
// (the captured ones were the program's: the same view, the same text).
struct RouteMemo {
  bool ready = false;
  int32_t terminal = -1, provider = -1;
  std::vector<int32_t> candidates;
  std::vector<std::pair<int32_t, std::string_view>> rejected;  // terminal, prepared reason
  std::string text;  // ,"route":{...}

  // `r` is one the memo may hold.
  static bool fits(const RouteResult& r, const Program& d) {
    if (r.status != RouteResult::Status::Chosen || r.missing || !r.undecided_limits.empty() || !r.possible.empty())
      return false;
    for (const auto& x : r.rejected)
      if (!x.built.empty() || !in_program(d, x.reason)) return false;
    return true;
  }
  bool holds(const RouteResult& r) const {
    if (!ready || r.status != RouteResult::Status::Chosen || r.terminal != terminal || r.provider != provider ||
        r.candidates != candidates || r.rejected.size() != rejected.size() || r.missing ||
        !r.undecided_limits.empty() || !r.possible.empty())
      return false;
    for (size_t i = 0; i < rejected.size(); ++i) {
      const auto& x = r.rejected[i];
      if (x.terminal != rejected[i].first || !x.built.empty() || !same(x.reason, rejected[i].second)) return false;
    }
    return true;
  }
  void keep(const RouteResult& r, std::string_view written) {
    terminal = r.terminal;
    provider = r.provider;
    candidates = r.candidates;
    rejected.clear();
    for (const auto& x : r.rejected) rejected.emplace_back(x.terminal, x.reason);
    text.assign(written);
    ready = true;
  }
};

class ProgramBlocks {
 public:
  // The entry of `d` (written escaped unless `plain`), this thread's.
  static ProgramBlocks& of(const Program& d, bool plain) {
    constexpr size_t kPrograms = 4;
    thread_local std::array<ProgramBlocks, kPrograms> memo;
    thread_local size_t victim = 0;
    for (ProgramBlocks& x : memo)
      if (x.program_ == d.load_id() && x.plain_ == plain) return x;
    ProgramBlocks& e = memo[victim];
    victim = (victim + 1) % kPrograms;
    e.reset(d, plain);
    return e;
  }

  LimitBlocks& limit(const Program& d, int32_t i) {
    LimitBlocks& b = limits_[static_cast<size_t>(i)];
    if (!b.ready) render_limit(b, d.limit(i), d, plain_);
    return b;
  }

  // The texts of posting `x`, or nullptr when it is not its record's (or has none).
  PostingBlocks* posting(const PostingResult& x, const Program& d) {
    if (x.record < 0 || static_cast<size_t>(x.record) >= postings_.size()) return nullptr;
    PostingBlocks& b = postings_[static_cast<size_t>(x.record)];
    if (b.ready && same(b.from, x.from) && same(b.to, x.to) && same(b.details, x.details) && same(b.rule, x.rule))
      return &b;
    const pdc::Posting& rec = d.at<pdc::Posting>(pdc::Sec::Postings)[x.record];
    if (!same(d.str(rec.from), x.from) || !same(d.str(rec.to), x.to) || !same(d.str(rec.details), x.details) ||
        !same(d.str(rec.explain), x.rule))
      return nullptr;
    render_posting(b, x, plain_);
    return &b;
  }

  TerminalBlocks& terminal(const Program& d, int32_t t) {
    TerminalBlocks& b = terminals_[static_cast<size_t>(t)];
    if (!b.ready) {
      const std::string_view name = d.object_name(OK::Terminal, t);
      render(b.name, sz(name, plain_), [&](char* p) { return str(p, name, plain_); });
      b.ready = true;
    }
    return b;
  }

  // ,"terminal":"<name>" and, when `provider` >= 0, ,"provider":"<name>".
  std::string_view chosen(const Program& d, int32_t t, int32_t provider) {
    TerminalBlocks& b = terminal(d, t);
    if (b.chosen_provider != provider) {
      const std::string_view pr = provider >= 0 ? d.object_name(OK::Provider, provider) : std::string_view{};
      render(b.chosen, 32 + b.name.size() + sz(pr, plain_), [&](char* p) {
        p = block(lit(p, ",\"terminal\":"), b.name);
        return provider >= 0 ? str(lit(p, ",\"provider\":"), pr, plain_) : p;
      });
      b.chosen_provider = provider;
    }
    return b.chosen;
  }

  // {"terminal":...,"reason":...} of `x`, or nullptr when its reason is built.
  const std::string* rejected(const RouteResult::Rejected& x, const Program& d) {
    if (!x.built.empty() || !in_program(d, x.reason)) return nullptr;
    TerminalBlocks& b = terminal(d, x.terminal);
    for (const TerminalBlocks::Rejected& r : b.rejected)
      if (same(r.reason, x.reason)) return &r.text;
    TerminalBlocks::Rejected& r = b.rejected[b.next];
    b.next = (b.next + 1) % std::size(b.rejected);
    render(r.text, 32 + b.name.size() + sz(x.reason, plain_), [&](char* p) {
      p = block(lit(p, "{\"terminal\":"), b.name);
      p = str(lit(p, ",\"reason\":"), x.reason, plain_);
      *p++ = '}';
      return p;
    });
    r.reason = x.reason;
    return &r.text;
  }

 RouteMemo route;

 private:
  void reset(const Program& d, bool plain) {
    program_ = d.load_id();
    plain_ = plain;
    route.ready = false;
    for (LimitBlocks& b : limits_) b.ready = false;
    for (PostingBlocks& b : postings_) b.ready = false;
    for (TerminalBlocks& b : terminals_) {
      b.ready = false;
      b.chosen_provider = -2;
      for (TerminalBlocks::Rejected& r : b.rejected) r.reason = {};
    }
    limits_.resize(static_cast<size_t>(d.limit_count()));
    postings_.resize(d.count(pdc::Sec::Postings));
    terminals_.resize(static_cast<size_t>(d.object_count(OK::Terminal)));
  }

  uint64_t program_ = 0;  // load id; 0: none
  bool plain_ = false;
  std::vector<LimitBlocks> limits_;
  std::vector<PostingBlocks> postings_;
  std::vector<TerminalBlocks> terminals_;
};

// ,"key":["yb_3ds",...] by terminal index.
template <size_t N>
void terminals(Out& o, const char (&prefix)[N], ProgramBlocks& blocks, const Program& d,
               const std::vector<int32_t>& v) {
  char* p = lit(o.room(N), prefix);
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string& name = blocks.terminal(d, v[i]).name;
    o.commit(p);
    p = o.room(name.size() + 2);
    if (i) *p++ = ',';
    p = block(p, name);
  }
  *p++ = ']';
  o.commit(p);
}

// A posting written from its own texts (one not from its record's, see
// ProgramBlocks::posting).
[[gnu::noinline]] void write_posting_texts(Out& o, const PostingResult& x, const Program& d, bool names_plain,
                                           bool context_plain, bool explain, bool first) {
  bool plain = names_plain;
  size_t n = 96 + kInt + kWord + sz(x.from, plain) + sz(x.to, plain) + sz(x.amount.currency, plain) +
             sz(x.details, plain) + (explain ? 10 + sz(x.rule, plain) : 0);
  char* p = o.room(n);
  if (!first) *p++ = ',';
  p = str(lit(p, "{\"from\":"), x.from, plain);
  p = str(lit(p, ",\"to\":"), x.to, plain);
  p = integer(lit(p, ",\"amount\":{\"amount\":"), x.amount.minor);
  p = str(lit(p, ",\"currency\":"), x.amount.currency, plain);  // a view into the domain's currency names
  p = x.provider ? lit(p, "},\"side\":\"provider\"") : lit(p, "},\"side\":\"merchant\"");
  o.commit(p);
  // The accounts behind the roles (evaluator/accounts.h), and what would
  // resolve the others. A merchant's id comes from the context: escaped
  // unless the fast reader read it (it reads plain strings only).
  if (!x.from_account.empty() || !x.to_account.empty()) {
    const bool from_plain = names_plain && (context_plain || in_program(d, x.from_account));
    const bool to_plain = names_plain && (context_plain || in_program(d, x.to_account));
    p = o.room(36 + sz(x.from_account, from_plain) + sz(x.to_account, to_plain));
    if (!x.from_account.empty()) p = str(lit(p, ",\"from_account\":"), x.from_account, from_plain);
    if (!x.to_account.empty()) p = str(lit(p, ",\"to_account\":"), x.to_account, to_plain);
    o.commit(p);
  }
  missing(o, x.missing);
  p = o.room(24 + sz(x.details, plain) + (explain ? 10 + sz(x.rule, plain) : 0));
  if (!x.details.empty()) p = str(lit(p, ",\"details\":"), x.details, plain);
  if (explain) p = str(lit(p, ",\"rule\":"), x.rule, plain);
  o.commit(p);
  p = o.room(1);
  *p++ = '}';
  o.commit(p);
}

// A posting: its record's texts as blocks; the amount, its currency (the
// payment's), the side and the accounts (as write_posting_texts writes
// them) per call.
[[gnu::always_inline]] inline void write_posting(Out& o, const PostingResult& x, ProgramBlocks& blocks, const Program& d, bool names_plain,
                   bool context_plain, bool explain, bool first) {
  PostingBlocks* b = blocks.posting(x, d);
  if (!b) return write_posting_texts(o, x, d, names_plain, context_plain, explain, first);
  const bool from_plain = names_plain && (context_plain || in_program(d, x.from_account));
  const bool to_plain = names_plain && (context_plain || in_program(d, x.to_account));
  const std::string& tail = b->tail[explain];
  char* p = o.room(80 + kInt + b->head.size() + sz(x.amount.currency, names_plain) + sz(x.from_account, from_plain) +
                   sz(x.to_account, to_plain) + tail.size());
  if (!first) *p++ = ',';
  p = integer(block(p, b->head), x.amount.minor);
  p = str(lit(p, ",\"currency\":"), x.amount.currency, names_plain);  // the payment's
  p = x.provider ? lit(p, "},\"side\":\"provider\"") : lit(p, "},\"side\":\"merchant\"");
  if (!x.from_account.empty()) p = str(lit(p, ",\"from_account\":"), x.from_account, from_plain);
  if (!x.to_account.empty()) p = str(lit(p, ",\"to_account\":"), x.to_account, to_plain);
  if (x.missing) {
    o.commit(p);
    missing(o, x.missing);
    p = o.room(tail.size());
  }
  o.commit(block(p, tail));
}

void write_cash_flow(Out& o, const CashFlowResult& cf, ProgramBlocks& blocks, const Program& d, bool names_plain,
                     bool context_plain, bool explain) {
  char* p = lit(o.room(48 + kWord), ",\"cash_flow\":{\"status\":");
  p = lit(str(p, cash_flow_status(cf.status), true), ",\"postings\":[");
  o.commit(p);
  for (size_t i = 0; i < cf.postings.size(); ++i)
    write_posting(o, cf.postings[i], blocks, d, names_plain, context_plain, explain, i == 0);
  p = o.room(1);
  *p++ = ']';
  o.commit(p);
  if (!cf.possibilities.empty()) strings(o, ",\"possibilities\":[", cf.possibilities, names_plain);
  missing(o, cf.missing);
  if (!cf.error.empty()) o.commit(str(lit(o.room(12 + sz(cf.error, false)), ",\"error\":"), cf.error, false));
  if (explain) strings(o, ",\"explain\":[", cf.explain, names_plain);
  p = o.room(1);
  *p++ = '}';
  o.commit(p);
}

void write_route_parts(Out& o, const RouteResult& r, ProgramBlocks& blocks, const Program& d, bool names_plain,
                       bool explain) {
  bool plain = names_plain;
  char* p = lit(o.room(32 + kWord), ",\"route\":{\"status\":");
  o.commit(str(p, route_status(r.status), true));
  if (r.status == RouteResult::Status::Chosen) {
    const std::string_view chosen = blocks.chosen(d, r.terminal, r.provider);
    o.commit(block(o.room(chosen.size()), chosen));
    terminals(o, ",\"candidates\":[", blocks, d, r.candidates);
  }
  if (r.status == RouteResult::Status::Declined) {
    const bool why_plain = plain && r.decline_built.empty();  // a built reason is scanned
    o.commit(str(lit(o.room(24 + sz(r.decline(), why_plain)), ",\"decline_reason\":"), r.decline(), why_plain));
  }
  if (r.status == RouteResult::Status::Undetermined) terminals(o, ",\"possible\":[", blocks, d, r.possible);
  if (!r.rejected.empty()) {
    o.commit(lit(o.room(16), ",\"rejected\":["));
    for (size_t i = 0; i < r.rejected.size(); ++i) {
      const auto& x = r.rejected[i];
      if (const std::string* text = blocks.rejected(x, d)) {
        p = o.room(text->size() + 1);
        if (i) *p++ = ',';
        o.commit(block(p, *text));
        continue;
      }
      std::string_view t = d.object_name(OK::Terminal, x.terminal);
      const bool why_plain = plain && x.built.empty();  // a built reason is scanned
      p = o.room(32 + sz(t, plain) + sz(x.why(), why_plain));
      if (i) *p++ = ',';
      p = str(lit(p, "{\"terminal\":"), t, plain);
      p = str(lit(p, ",\"reason\":"), x.why(), why_plain);
      *p++ = '}';
      o.commit(p);
    }
    p = o.room(1);
    *p++ = ']';
    o.commit(p);
  }
  if (!r.undecided_limits.empty()) {
    // Each names the turnover routing lacks, as its JSON path in the context.
    o.commit(lit(o.room(24), ",\"undecided_limits\":["));
    for (size_t i = 0; i < r.undecided_limits.size(); ++i) {
      const auto& u = r.undecided_limits[i];
      std::string_view t = d.object_name(OK::Terminal, u.terminal);
      std::string_view l = d.str(d.limit(u.limit).name);
      int32_t provider = d.terminal(u.terminal).provider;
      std::string_view key = d.route_scope(u.limit) == dsl::kScopeTerminal ? t : d.object_name(OK::Provider, provider);
      p = o.room(64 + sz(t, plain) + 2 * sz(l, plain) + sz(key, plain));
      if (i) *p++ = ',';
      p = str(lit(p, "{\"terminal\":"), t, plain);
      p = str(lit(p, ",\"limit\":"), l, plain);
      // "missing": "turnover.<limit>.<terminal or provider>", written in pieces.
      p = unquoted(lit(p, ",\"missing\":\"turnover."), l, plain);
      *p++ = '.';
      p = unquoted(p, key, plain);
      p = lit(p, "\"}");
      o.commit(p);
    }
    p = o.room(1);
    *p++ = ']';
    o.commit(p);
  }
  missing(o, r.missing);
  if (explain) strings(o, ",\"explain\":[", r.explain, plain);
  p = o.room(1);
  *p++ = '}';
  o.commit(p);
}

void write_route(Out& o, const RouteResult& r, ProgramBlocks& blocks, const Program& d, bool names_plain,
                 bool explain) {
  RouteMemo& memo = blocks.route;
  if (!explain && memo.holds(r)) {
    o.commit(block(o.room(memo.text.size()), memo.text));
    return;
  }
  const size_t from = o.length();
  write_route_parts(o, r, blocks, d, names_plain, explain);
  if (!explain && RouteMemo::fits(r, d)) memo.keep(r, o.since(from));
}


// Room for a scope key: its fixed pieces as they are, its values (from the
// context) escaped unless `plain`, and the quotes.
size_t scope_key_size(const ScopeKey& k, bool plain) {
  size_t n = 2;
  k.spell([&](std::string_view piece, bool is_value) { n += is_value && !plain ? 6 * piece.size() : piece.size(); });
  return n;
}

// A scope key as a JSON string, spelled from its parts: copied, then (unless
// `plain`: every part is known to need no escape) the copy scanned once — an
// escape per value costs more than the usual key's copy; only a key whose
// value needs an escape is spelled again, escaped.
char* scope_key(char* p, const ScopeKey& k, bool plain) {
  *p++ = '"';
  char* const start = p;
  k.spell([&](std::string_view piece, bool) { p = json::bytes::copy(p, piece.data(), piece.size()); });
  const auto n = static_cast<size_t>(p - start);
  if (!plain && json::bytes::first_special(start, n, false) != n) {
    p = start;
    k.spell([&](std::string_view piece, bool is_value) { p = unquoted(p, piece, !is_value); });
  }
  *p++ = '"';
  return p;
}

void write_limit(Out& o, const LimitResult& l, ProgramBlocks& blocks, const Program& d, bool names_plain,
                 bool context_plain, bool explain, bool first) {
  LimitBlocks& b = blocks.limit(d, l.limit);
  const std::string& open = b.open[l.status == LimitResult::Status::Applies ? 0 : 1];
  bool plain = names_plain;
  // A scope key joins our words, the program's names and the context's texts.
  const bool key_plain = names_plain && context_plain;
  if (l.has_window && (!b.has_window || b.window_start != l.window_start || b.window_end != l.window_end))
    render_window(b, l, d);
  const std::string& window_bound = l.has_window ? b.window : b.bound;  // the window ends with the bound
  size_t n = 120 + kWord + kInt + open.size() + window_bound.size() + scope_key_size(l.scope_key, key_plain) +
             sz(l.error, false) + (explain ? 12 + sz(l.explain, plain) : 0);
  char* p = o.room(n);
  if (!first) *p++ = ',';
  p = block(p, open);
  if (l.has_scope_key) p = scope_key(lit(p, ",\"scope_key\":"), l.scope_key, key_plain);
  p = block(p, window_bound);
  if (l.verdict != LimitResult::Verdict::None) {
    p = str(lit(p, ",\"verdict\":"), verdict_name(l.verdict), true);
    if (l.verdict == LimitResult::Verdict::Error) p = str(lit(p, ",\"error\":"), l.error, false);
    if (l.verdict == LimitResult::Verdict::Within || l.verdict == LimitResult::Verdict::Exceeded) {
      p = integer(lit(p, ",\"turnover_after\":"), l.turnover_after);
    }
  }
  if (l.missing) {
    o.commit(p);
    missing(o, l.missing);
    p = o.room(12 + (explain ? sz(l.explain, plain) : 0));
  }
  if (explain) p = str(lit(p, ",\"explain\":"), l.explain, plain);
  *p++ = '}';
  o.commit(p);
}

// `context_plain`: every text of the context is plain (the fast reader read
// it: it declines escapes, control characters and bytes >= 0x80), so the
// texts the result takes from it (a merchant's account ids, a scope key's
// parts) are copied without a scan when the program's are.
void write_all(const EvalResult& r, const Program& d, bool explain, bool plain, bool context_plain,
               std::string& out) {
  const bool names_plain = plain && d.json_plain();
  ProgramBlocks& blocks = ProgramBlocks::of(d, names_plain);
  Out o(out);
  write_terms(o, r.terms, d, names_plain, explain);
  write_cash_flow(o, r.cash_flow, blocks, d, names_plain, context_plain, explain);
  write_route(o, r.route, blocks, d, names_plain, explain);
  o.commit(lit(o.room(16), ",\"limits\":["));
  bool first = true;
  for (const LimitResult& l : r.limits) {
    if (l.status == LimitResult::Status::NotApplies) continue;
    write_limit(o, l, blocks, d, names_plain, context_plain, explain, first);
    first = false;
  }
  o.commit(lit(o.room(32), "],\"limits_not_applicable\":["));
  first = true;
  for (const LimitResult& l : r.limits) {
    if (l.status != LimitResult::Status::NotApplies) continue;
    const std::string& name = blocks.limit(d, l.limit).name;
    char* p = o.room(name.size() + 1);
    if (!first) *p++ = ',';
    first = false;
    o.commit(block(p, name));
  }
  o.commit(lit(o.room(2), "]}"));
}

}  // namespace

void write_result(const EvalResult& r, const Program& d, bool explain, std::string& out) {
  write_all(r, d, explain, true, false, out);
}

void write_result(const EvalResult& r, const Program& d, bool explain, bool plain, std::string& out) {
  write_all(r, d, explain, plain, false, out);
}

void write_error(const Error& e, std::string& out) {
  paydomain::json::Writer w(out);
  w.begin_object();
  w.key("error");
  w.begin_object();
  w.field("path", e.path);
  w.field("message", e.message);
  w.end_object();
  w.end_object();
}

Status evaluate_text(const Program& d, std::string_view context, bool explain, std::string& out) {
  // One context and one result per thread, reused: their strings and lists
  // keep their buffers from one evaluation to the next.
  thread_local Context ctx;
  thread_local EvalResult result;
  bool fast = false;
  if (Status s = parse_context_into(context, d, ctx, &fast); !s) return s;
  EvalOptions opt;
  opt.explain = explain;
  evaluate(d, ctx, opt, result);
  write_all(result, d, explain, true, fast, out);
  return Ok{};
}

}  // namespace paydomain::evaluator
