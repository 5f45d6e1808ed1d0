#include "evaluator/result_json.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

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

void missing(Out& o, uint64_t m) {
  if (m) strings(o, ",\"missing\":[", missing_names(m), false);
}

// ,"key":["yb_3ds",...] by terminal index.
template <size_t N>
void terminals(Out& o, const char (&prefix)[N], const Program& d, bool names_plain, const std::vector<int32_t>& v) {
  char* p = lit(o.room(N), prefix);
  for (size_t i = 0; i < v.size(); ++i) {
    std::string_view name = d.object_name(OK::Terminal, v[i]);
    o.commit(p);
    p = o.room(sz(name, names_plain) + 1);
    if (i) *p++ = ',';
    p = str(p, name, names_plain);
  }
  o.commit(p);
  p = o.room(1);
  *p++ = ']';
  o.commit(p);
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

void write_posting(Out& o, const PostingResult& x, const Program& d, bool names_plain, bool context_plain,
                   bool explain, bool first) {
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

void write_cash_flow(Out& o, const CashFlowResult& cf, const Program& d, bool names_plain, bool context_plain,
                     bool explain) {
  char* p = lit(o.room(48 + kWord), ",\"cash_flow\":{\"status\":");
  p = lit(str(p, cash_flow_status(cf.status), true), ",\"postings\":[");
  o.commit(p);
  for (size_t i = 0; i < cf.postings.size(); ++i)
    write_posting(o, cf.postings[i], d, names_plain, context_plain, explain, i == 0);
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

void write_route(Out& o, const RouteResult& r, const Program& d, bool names_plain, bool explain) {
  bool plain = names_plain;
  char* p = lit(o.room(32 + kWord), ",\"route\":{\"status\":");
  o.commit(str(p, route_status(r.status), true));
  if (r.status == RouteResult::Status::Chosen) {
    std::string_view t = d.object_name(OK::Terminal, r.terminal);
    p = str(lit(o.room(16 + sz(t, plain)), ",\"terminal\":"), t, plain);
    o.commit(p);
    if (r.provider >= 0) {
      std::string_view pr = d.object_name(OK::Provider, r.provider);
      o.commit(str(lit(o.room(16 + sz(pr, plain)), ",\"provider\":"), pr, plain));
    }
    terminals(o, ",\"candidates\":[", d, names_plain, r.candidates);
  }
  if (r.status == RouteResult::Status::Declined) {
    const bool why_plain = plain && r.decline_built.empty();  // a built reason is scanned
    o.commit(str(lit(o.room(24 + sz(r.decline(), why_plain)), ",\"decline_reason\":"), r.decline(), why_plain));
  }
  if (r.status == RouteResult::Status::Undetermined) terminals(o, ",\"possible\":[", d, names_plain, r.possible);
  if (!r.rejected.empty()) {
    o.commit(lit(o.room(16), ",\"rejected\":["));
    for (size_t i = 0; i < r.rejected.size(); ++i) {
      const auto& x = r.rejected[i];
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

// The parts of a limit's answer that depend only on the program, rendered
// once per program and thread and copied as blocks: its opening up to the
// time zone, one per status ({"limit":"<name>","status":"applies",
// "period":"day","timezone":"<zone>"), and its bound (,"bound":{...,
// "inclusive":true}). Kept for the last few programs a thread wrote (by load
// id, never reused), filled per limit when first written; a program's
// entry reuses the buffers of the one it replaces. The last window written
// for the limit is kept too (,"window":{"start":...,"end":...}): a day's
// payments share it.
struct LimitBlocks {
  std::string open[2];  // by status: applies, undetermined
  std::string bound;
  bool ready = false;
  bool has_window = false;
  int64_t window_start = 0, window_end = 0;
  std::string window;
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
  b.ready = true;
  b.has_window = false;
}

// Digits, '-', ':', 'T', 'Z' and '+': nothing to escape.
[[gnu::noinline]] void render_window(LimitBlocks& b, const LimitResult& l, const Program& d) {
  const LimitZone zone = d.limit_zone(l.limit);
  b.window.resize(48 + 2 * sizeof(TimeText::data));
  char* p = b.window.data();
  p = str(lit(p, ",\"window\":{\"start\":"), format_time_text(l.window_start, zone.offset_at(l.window_start)).view(),
          true);
  p = str(lit(p, ",\"end\":"), format_time_text(l.window_end, zone.offset_at(l.window_end)).view(), true);
  *p++ = '}';
  b.window.resize(static_cast<size_t>(p - b.window.data()));
  b.has_window = true;
  b.window_start = l.window_start;
  b.window_end = l.window_end;
}

LimitBlocks& limit_blocks(const Program& d, int32_t limit, bool plain) {
  struct Entry {
    uint64_t program = 0;  // load id; 0: none
    bool plain = false;
    std::vector<LimitBlocks> limits;
  };
  constexpr size_t kPrograms = 4;
  thread_local std::array<Entry, kPrograms> memo;
  thread_local size_t victim = 0;
  Entry* e = nullptr;
  for (Entry& x : memo)
    if (x.program == d.load_id() && x.plain == plain) e = &x;
  if (!e) {
    e = &memo[victim];
    victim = (victim + 1) % kPrograms;
    e->program = d.load_id();
    e->plain = plain;
    for (LimitBlocks& b : e->limits) b.ready = false;
    e->limits.resize(static_cast<size_t>(d.limit_count()));
  }
  LimitBlocks& b = e->limits[static_cast<size_t>(limit)];
  if (!b.ready) render_limit(b, d.limit(limit), d, plain);
  return b;
}

[[gnu::always_inline]] inline char* block(char* p, const std::string& s) {
  return json::bytes::copy(p, s.data(), s.size());
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

void write_limit(Out& o, const LimitResult& l, const Program& d, bool names_plain, bool context_plain, bool explain,
                 bool first) {
  LimitBlocks& b = limit_blocks(d, l.limit, names_plain);
  const std::string& open = b.open[l.status == LimitResult::Status::Applies ? 0 : 1];
  bool plain = names_plain;
  // A scope key joins our words, the program's names and the context's texts.
  const bool key_plain = names_plain && context_plain;
  if (l.has_window && (!b.has_window || b.window_start != l.window_start || b.window_end != l.window_end))
    render_window(b, l, d);
  size_t n = 120 + kWord + kInt + open.size() + b.bound.size() + scope_key_size(l.scope_key, key_plain) +
             (l.has_window ? b.window.size() : 0) + sz(l.error, false) + (explain ? 12 + sz(l.explain, plain) : 0);
  char* p = o.room(n);
  if (!first) *p++ = ',';
  p = block(p, open);
  if (l.has_scope_key) p = scope_key(lit(p, ",\"scope_key\":"), l.scope_key, key_plain);
  if (l.has_window) p = block(p, b.window);
  p = block(p, b.bound);
  if (l.verdict != LimitResult::Verdict::None) {
    p = str(lit(p, ",\"verdict\":"), verdict_name(l.verdict), true);
    if (l.verdict == LimitResult::Verdict::Error) p = str(lit(p, ",\"error\":"), l.error, false);
    if (l.verdict == LimitResult::Verdict::Within || l.verdict == LimitResult::Verdict::Exceeded) {
      p = integer(lit(p, ",\"turnover_after\":"), l.turnover_after);
    }
  }
  o.commit(p);
  missing(o, l.missing);
  p = o.room(12 + (explain ? sz(l.explain, plain) : 0));
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
  Out o(out);
  write_terms(o, r.terms, d, names_plain, explain);
  write_cash_flow(o, r.cash_flow, d, names_plain, context_plain, explain);
  write_route(o, r.route, d, names_plain, explain);
  o.commit(lit(o.room(16), ",\"limits\":["));
  bool first = true;
  for (const LimitResult& l : r.limits) {
    if (l.status == LimitResult::Status::NotApplies) continue;
    write_limit(o, l, d, names_plain, context_plain, explain, first);
    first = false;
  }
  o.commit(lit(o.room(32), "],\"limits_not_applicable\":["));
  first = true;
  for (const LimitResult& l : r.limits) {
    if (l.status != LimitResult::Status::NotApplies) continue;
    std::string_view name = d.str(d.limit(l.limit).name);
    char* p = o.room(sz(name, names_plain) + 1);
    if (!first) *p++ = ',';
    first = false;
    o.commit(str(p, name, names_plain));
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
