#include "evaluator/result_blocks.h"


#include "dsl/schema.h"
#include "evaluator/time.h"

namespace paydomain::evaluator::result_text {
namespace {

using OK = dsl::ObjectKind;

// `s` = the text `write` writes (at most `bound` bytes).
template <class Write>
void render(std::string& s, size_t bound, Write&& write) {
  s.resize(bound);
  s.resize(static_cast<size_t>(write(s.data()) - s.data()));
}

}  // namespace

thread_local std::array<ProgramBlocks, ProgramBlocks::kPrograms> ProgramBlocks::memo_;
thread_local size_t ProgramBlocks::victim_ = 0;

ProgramBlocks& ProgramBlocks::replace(const Program& d, bool plain) {
  ProgramBlocks& e = memo_[victim_];
  victim_ = (victim_ + 1) % kPrograms;
  e.reset(d, plain);
  return e;
}

void ProgramBlocks::reset(const Program& d, bool plain) {
  program_ = d.load_id();
  plain_ = plain;
  for (ResultTemplate& t : templates_) t.ready = false;  // its shape names places in the old program
  for (LimitBlocks& b : limits_) b.ready = false;
  for (TerminalBlocks& b : terminals_) {
    b.ready = false;
    b.chosen_provider = -2;
    for (TerminalBlocks::Rejected& r : b.rejected) r.reason = {};
  }
  limits_.resize(static_cast<size_t>(d.limit_count()));
  posting_slots_.assign(d.count(pdc::Sec::Postings), -1);
  postings_.clear();
  terminals_.resize(static_cast<size_t>(d.object_count(OK::Terminal)));
}

void ProgramBlocks::render_limit(LimitBlocks& b, const Program& d, int32_t i) {
  const pdc::Limit& cl = d.limit(i);
  const bool plain = plain_;
  const std::string_view name = d.str(cl.name), timezone = d.str(cl.timezone);
  const std::string_view period = dsl::limit_periods()[static_cast<size_t>(cl.period)];
  const std::string_view currency = cl.is_count ? std::string_view{} : d.object_name(OK::Currency, cl.currency);
  for (int status = 0; status < 2; ++status) {
    render(b.open[status], 64 + kWord + sz(name, plain) + sz(timezone, plain), [&](char* p) {
      p = str(lit(p, "{\"limit\":"), name, plain);
      p = status == 0 ? lit(p, ",\"status\":\"applies\"") : lit(p, ",\"status\":\"undetermined\"");
      p = str(lit(p, ",\"period\":"), period, true);
      return str(lit(p, ",\"timezone\":"), timezone, plain);
    });
  }
  render(b.bound, 64 + kInt + sz(currency, plain), [&](char* p) {
    p = integer(cl.is_count ? lit(p, ",\"bound\":{\"count\":") : lit(p, ",\"bound\":{\"amount\":"), cl.bound);
    if (!cl.is_count) p = str(lit(p, ",\"currency\":"), currency, plain);
    return cl.inclusive ? lit(p, ",\"inclusive\":true}") : lit(p, ",\"inclusive\":false}");
  });
  render(b.name, sz(name, plain), [&](char* p) { return str(p, name, plain); });
  b.ready = true;
  b.has_window = false;
}

// Digits, '-', ':', 'T', 'Z' and '+': nothing to escape.
void ProgramBlocks::render_window(LimitBlocks& b, const LimitResult& l, const Program& d) {
  const LimitZone zone = d.limit_zone(l.limit);
  render(b.window, 48 + 2 * sizeof(TimeText::data) + b.bound.size(), [&](char* p) {
    p = str(lit(p, ",\"window\":{\"start\":"),
            format_time_text(l.window_start, zone.offset_at(l.window_start)).view(), true);
    p = str(lit(p, ",\"end\":"), format_time_text(l.window_end, zone.offset_at(l.window_end)).view(), true);
    *p++ = '}';
    return block(p, b.bound);
  });
  b.has_window = true;
  b.window_start = l.window_start;
  b.window_end = l.window_end;
}

PostingBlocks* ProgramBlocks::render_posting(const PostingResult& x, const Program& d) {
  const pdc::Posting& rec = d.at<pdc::Posting>(pdc::Sec::Postings)[x.record];
  if (!same(d.str(rec.from), x.from) || !same(d.str(rec.to), x.to) || !same(d.str(rec.details), x.details) ||
      !same(d.str(rec.explain), x.rule))
    return nullptr;
  int32_t& slot = posting_slots_[static_cast<size_t>(x.record)];
  if (slot < 0) {
    slot = static_cast<int32_t>(postings_.size());
    postings_.emplace_back();
  }
  PostingBlocks& b = postings_[static_cast<size_t>(slot)];
  const bool plain = plain_;
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
  return &b;
}

void ProgramBlocks::render_terminal(TerminalBlocks& b, const Program& d, int32_t t) {
  const std::string_view name = d.object_name(OK::Terminal, t);
  render(b.name, sz(name, plain_), [&](char* p) { return str(p, name, plain_); });
  b.ready = true;
}

void ProgramBlocks::render_chosen(TerminalBlocks& b, const Program& d, int32_t provider) {
  const std::string_view pr = provider >= 0 ? d.object_name(OK::Provider, provider) : std::string_view{};
  render(b.chosen, 32 + b.name.size() + sz(pr, plain_), [&](char* p) {
    p = block(lit(p, ",\"terminal\":"), b.name);
    return provider >= 0 ? str(lit(p, ",\"provider\":"), pr, plain_) : p;
  });
  b.chosen_provider = provider;
}

const std::string& ProgramBlocks::render_rejected(TerminalBlocks& b, const RouteResult::Rejected& x) {
  TerminalBlocks::Rejected& r = b.rejected[b.next];
  b.next = (b.next + 1) % std::size(b.rejected);
  render(r.text, 32 + b.name.size() + sz(x.reason, plain_), [&](char* p) {
    p = block(lit(p, "{\"terminal\":"), b.name);
    p = str(lit(p, ",\"reason\":"), x.reason, plain_);
    *p++ = '}';
    return p;
  });
  r.reason = x.reason;
  return r.text;
}

}  // namespace paydomain::evaluator::result_text
