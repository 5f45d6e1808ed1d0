#include "evaluator/result_json.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "dsl/schema.h"
#include "evaluator/context_json.h"
#include "evaluator/result_blocks.h"
#include "evaluator/result_text.h"
#include "json/writer.h"

namespace paydomain::evaluator {
namespace {

using OK = dsl::ObjectKind;
using result_text::block, result_text::in_program, result_text::integer, result_text::lit, result_text::str,
    result_text::sz, result_text::unquoted, result_text::kInt, result_text::kWord;
using result_text::ProgramBlocks, result_text::LimitBlocks, result_text::PostingBlocks;
using result_text::ResultTemplate, result_text::Shape, result_text::Slot;

// A result of a shape written before (the last eight per program and
// thread, result_shape.h) is written from that shape's template: its text
// appended whole, this result's values (amounts, context accounts, scope
// keys, turnovers) written over the recorded ones'. Any other result is
// written element by element as below, recording the template of its shape.
//
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
  // The length up to `p`, a cursor into the room.
  size_t offset(const char* p) const { return static_cast<size_t>(p - s_.data()); }

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

// Notes the places of the per-payment values in the text being written for
// a new template (result_shape.h); `start`: where the result's text begins.
struct Recorder {
  std::vector<Slot>& slots;
  const Out& o;
  size_t start;
  void slot(Slot::Kind kind, size_t index, const char* begin, const char* end) {
    slots.push_back({static_cast<uint32_t>(o.offset(begin) - start), static_cast<uint32_t>(o.offset(end) - start),
                     kind, static_cast<uint32_t>(index)});
  }
};

// An account the writer takes from the context (not the program's): a value.
[[gnu::always_inline]] inline char* account_value(char* p, std::string_view a, bool plain, Recorder* rec, Slot::Kind kind,
                                            size_t index, const Program& d) {
  char* const begin = p;
  p = str(p, a, plain);
  if (rec && !in_program(d, a)) rec->slot(kind, index, begin, p);
  return p;
}

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

// A posting's middle, after its opening up to the amount: the amount, its
// currency (the payment's), the side and the accounts behind the roles
// (evaluator/accounts.h). A merchant's account id comes from the context:
// escaped unless the fast reader read it (it reads plain strings only).
struct PostingMiddle {
  bool from_plain, to_plain;
  size_t room;  // its widest text
  PostingMiddle(const PostingResult& x, const Program& d, bool names_plain, bool context_plain)
      : from_plain(names_plain && (context_plain || in_program(d, x.from_account))),
        to_plain(names_plain && (context_plain || in_program(d, x.to_account))),
        room(72 + kInt + sz(x.amount.currency, names_plain) + sz(x.from_account, from_plain) +
             sz(x.to_account, to_plain)) {}
  [[gnu::always_inline]] char* write(char* p, const PostingResult& x, const Program& d, bool names_plain,
                                     size_t index, Recorder* rec) const {
    char* const amount = p;
    p = integer(p, x.amount.minor);
    if (rec) rec->slot(Slot::Kind::Amount, index, amount, p);
    p = str(lit(p, ",\"currency\":"), x.amount.currency, names_plain);
    p = x.provider ? lit(p, "},\"side\":\"provider\"") : lit(p, "},\"side\":\"merchant\"");
    if (!x.from_account.empty())
      p = account_value(lit(p, ",\"from_account\":"), x.from_account, from_plain, rec, Slot::Kind::FromAccount, index, d);
    if (!x.to_account.empty())
      p = account_value(lit(p, ",\"to_account\":"), x.to_account, to_plain, rec, Slot::Kind::ToAccount, index, d);
    return p;
  }
};

// A posting written from its own texts (one not from its record's, see
// ProgramBlocks::posting).
[[gnu::noinline]] void write_posting_texts(Out& o, const PostingResult& x, const Program& d, bool names_plain,
                                           bool context_plain, bool explain, size_t index, Recorder* rec) {
  const bool first = index == 0;
  bool plain = names_plain;
  char* p = o.room(48 + sz(x.from, plain) + sz(x.to, plain));  // up to the amount
  if (!first) *p++ = ',';
  p = str(lit(p, "{\"from\":"), x.from, plain);
  p = lit(str(lit(p, ",\"to\":"), x.to, plain), ",\"amount\":{\"amount\":");
  o.commit(p);
  const PostingMiddle middle(x, d, names_plain, context_plain);
  o.commit(middle.write(o.room(middle.room), x, d, names_plain, index, rec));
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
[[gnu::always_inline]] inline void write_posting(Out& o, const PostingResult& x, ProgramBlocks& blocks,
                                                const Program& d, bool names_plain, bool context_plain, bool explain,
                                                size_t index, Recorder* rec) {
  PostingBlocks* b = blocks.posting(x, d);
  if (!b) return write_posting_texts(o, x, d, names_plain, context_plain, explain, index, rec);
  const bool first = index == 0;
  const PostingMiddle middle(x, d, names_plain, context_plain);
  const std::string& tail = b->tail[explain];
  char* p = o.room(8 + b->head.size() + middle.room + tail.size());
  if (!first) *p++ = ',';
  p = middle.write(block(p, b->head), x, d, names_plain, index, rec);
  if (x.missing) {
    o.commit(p);
    missing(o, x.missing);
    p = o.room(tail.size());
  }
  o.commit(block(p, tail));
}

void write_cash_flow(Out& o, const CashFlowResult& cf, ProgramBlocks& blocks, const Program& d, bool names_plain,
                     bool context_plain, bool explain, Recorder* rec) {
  char* p = lit(o.room(48 + kWord), ",\"cash_flow\":{\"status\":");
  p = lit(str(p, cash_flow_status(cf.status), true), ",\"postings\":[");
  o.commit(p);
  for (size_t i = 0; i < cf.postings.size(); ++i)
    write_posting(o, cf.postings[i], blocks, d, names_plain, context_plain, explain, i, rec);
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

void write_route(Out& o, const RouteResult& r, ProgramBlocks& blocks, const Program& d, bool names_plain,
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
                 bool context_plain, bool explain, bool first, size_t index, Recorder* rec) {
  LimitBlocks& b = blocks.limit(d, l.limit);
  const std::string& open = b.open[l.status == LimitResult::Status::Applies ? 0 : 1];
  bool plain = names_plain;
  // A scope key joins our words, the program's names and the context's texts.
  const bool key_plain = names_plain && context_plain;
  const std::string& window_bound = l.has_window ? blocks.window_bound(b, l, d) : b.bound;
  size_t n = 120 + kWord + kInt + open.size() + window_bound.size() + scope_key_size(l.scope_key, key_plain) +
             sz(l.error, false) + (explain ? 12 + sz(l.explain, plain) : 0);
  char* p = o.room(n);
  if (!first) *p++ = ',';
  p = block(p, open);
  if (l.has_scope_key) {
    p = lit(p, ",\"scope_key\":");
    char* const key = p;
    p = scope_key(p, l.scope_key, key_plain);
    if (rec) rec->slot(Slot::Kind::ScopeKey, index, key, p);
  }
  p = block(p, window_bound);
  if (l.verdict != LimitResult::Verdict::None) {
    p = str(lit(p, ",\"verdict\":"), verdict_name(l.verdict), true);
    if (l.verdict == LimitResult::Verdict::Error) p = str(lit(p, ",\"error\":"), l.error, false);
    if (l.verdict == LimitResult::Verdict::Within || l.verdict == LimitResult::Verdict::Exceeded) {
      p = lit(p, ",\"turnover_after\":");
      char* const turnover = p;
      p = integer(p, l.turnover_after);
      if (rec) rec->slot(Slot::Kind::Turnover, index, turnover, p);
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

// A value's room: its widest text.
size_t value_room(const Slot& s, const EvalResult& r, bool plain) {
  switch (s.kind) {
    case Slot::Kind::Amount:
    case Slot::Kind::Turnover: break;
    case Slot::Kind::FromAccount: return sz(r.cash_flow.postings[s.index].from_account, plain);
    case Slot::Kind::ToAccount: return sz(r.cash_flow.postings[s.index].to_account, plain);
    case Slot::Kind::ScopeKey: return scope_key_size(r.limits[s.index].scope_key, plain);
  }
  return kInt;
}

char* value(char* p, const Slot& s, const EvalResult& r, bool plain) {
  switch (s.kind) {
    case Slot::Kind::Amount: return integer(p, r.cash_flow.postings[s.index].amount.minor);
    case Slot::Kind::FromAccount: return str(p, r.cash_flow.postings[s.index].from_account, plain);
    case Slot::Kind::ToAccount: return str(p, r.cash_flow.postings[s.index].to_account, plain);
    case Slot::Kind::ScopeKey: return scope_key(p, r.limits[s.index].scope_key, plain);
    case Slot::Kind::Turnover: break;
  }
  return integer(p, r.limits[s.index].turnover_after);
}

// A result of a template's shape: the template's text appended whole (a
// copy, where growing the string would zero-fill it first), each value of
// this result's written over the recorded one's place; a value of another
// length moves the text after it (copied again from the template).
void write_from_template(const ResultTemplate& t, const EvalResult& r, bool values_plain, std::string& out) {
  size_t values = 0;
  for (const Slot& s : t.slots) values += value_room(s, r, values_plain);
  const size_t start = out.size(), n = t.text.size();
  out.append(t.text);
  out.resize(start + n + values);
  char* const p = out.data() + start;
  ptrdiff_t shift = 0;  // of the text after the values written so far
  for (const Slot& s : t.slots) {
    char* const end = value(p + s.begin + shift, s, r, values_plain);
    char* const recorded_end = p + s.end + shift;
    if (end != recorded_end) {
      std::memcpy(end, t.text.data() + s.end, n - s.end);
      shift += end - recorded_end;
    }
  }
  out.resize(static_cast<size_t>(static_cast<ptrdiff_t>(start + n) + shift));
}

// `context_plain`: every text of the context is plain (the fast reader read
// it: it declines escapes, control characters and bytes >= 0x80), so the
// texts the result takes from it (a merchant's account ids, a scope key's
// parts) are copied without a scan when the program's are.
void write_all(const EvalResult& r, const Program& d, bool explain, bool plain, bool context_plain,
               std::string& out) {
  const bool names_plain = plain && d.json_plain();
  ProgramBlocks& blocks = ProgramBlocks::of(d, names_plain);
  // A context's values are plain when it was read plain and the program's texts are.
  const bool values_plain = names_plain && context_plain;
  thread_local Shape shape;
  if (result_text::shape_of(r, d, explain, false, shape)) {
    if (const ResultTemplate* t = blocks.result_template(shape)) return write_from_template(*t, r, values_plain, out);
  }
  Out o(out);
  ResultTemplate* recording =
      result_text::shape_of(r, d, explain, true, shape) ? &blocks.next_template() : nullptr;
  std::optional<Recorder> recorder;
  if (recording) recorder.emplace(Recorder{recording->slots, o, o.length()});
  Recorder* rec = recorder ? &*recorder : nullptr;
  write_terms(o, r.terms, d, names_plain, explain);
  write_cash_flow(o, r.cash_flow, blocks, d, names_plain, context_plain, explain, rec);
  write_route(o, r.route, blocks, d, names_plain, explain);
  o.commit(lit(o.room(16), ",\"limits\":["));
  bool first = true;
  for (size_t i = 0; i < r.limits.size(); ++i) {
    const LimitResult& l = r.limits[i];
    if (l.status == LimitResult::Status::NotApplies) continue;
    write_limit(o, l, blocks, d, names_plain, context_plain, explain, first, i, rec);
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
  if (recording) {
    recording->text.assign(o.since(rec->start));
    recording->shape.assign(shape.words, shape.words + shape.size);
    recording->ready = true;
  }
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
