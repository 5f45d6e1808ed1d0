// The fixed texts of a program's results, rendered once per program and
// thread and copied as blocks by the result writer (evaluator/result_json.cc).
// Nearly all of a result's text is the program's own (names, reasons,
// details): the writer renders each such part the first time it writes it
// and copies it after. An entry is kept for each of the last few programs
// a thread wrote (by load id, never reused); a program's entry reuses the
// buffers of the one it replaces. A block rendered from a view of the
// result is kept with that view and used only for the same view (the same
// bytes of the same program: its bytes never change), so a result edited
// by hand is written from its own texts. An entry also keeps the templates
// of the last shapes of results written (result_shape.h): with them most
// results are written without these blocks. Internal to the writer.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "evaluator/eval_result.h"
#include "evaluator/program.h"
#include "evaluator/result_shape.h"
#include "evaluator/result_text.h"

namespace paydomain::evaluator::result_text {

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
// the '}'), with the views they were rendered from.
struct PostingBlocks {
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

class ProgramBlocks {
 public:
  // The entry of `d` (its texts written escaped unless `plain`), this thread's.
  static ProgramBlocks& of(const Program& d, bool plain) {
    for (ProgramBlocks& x : memo_)
      if (x.program_ == d.load_id() && x.plain_ == plain) return x;
    return replace(d, plain);
  }

  LimitBlocks& limit(const Program& d, int32_t i) {
    LimitBlocks& b = limits_[static_cast<size_t>(i)];
    if (!b.ready) render_limit(b, d, i);
    return b;
  }
  // The window of `l` (a limit of this program's) followed by its bound.
  const std::string& window_bound(LimitBlocks& b, const LimitResult& l, const Program& d) {
    if (!b.has_window || b.window_start != l.window_start || b.window_end != l.window_end) render_window(b, l, d);
    return b.window;
  }

  // The texts of posting `x`, or nullptr when they are not its record's (or
  // it has none). Valid until the next call.
  PostingBlocks* posting(const PostingResult& x, const Program& d) {
    if (x.record < 0 || static_cast<size_t>(x.record) >= posting_slots_.size()) return nullptr;
    if (const int32_t slot = posting_slots_[static_cast<size_t>(x.record)]; slot >= 0) {
      PostingBlocks& b = postings_[static_cast<size_t>(slot)];
      if (same(b.from, x.from) && same(b.to, x.to) && same(b.details, x.details) && same(b.rule, x.rule)) return &b;
    }
    return render_posting(x, d);
  }

  TerminalBlocks& terminal(const Program& d, int32_t t) {
    TerminalBlocks& b = terminals_[static_cast<size_t>(t)];
    if (!b.ready) render_terminal(b, d, t);
    return b;
  }

  // ,"terminal":"<name>" and, when `provider` >= 0, ,"provider":"<name>".
  const std::string& chosen(const Program& d, int32_t t, int32_t provider) {
    TerminalBlocks& b = terminal(d, t);
    if (b.chosen_provider != provider) render_chosen(b, d, provider);
    return b.chosen;
  }

  // {"terminal":...,"reason":...} of `x`, or nullptr when its reason is
  // built or not the program's.
  const std::string* rejected(const RouteResult::Rejected& x, const Program& d) {
    if (!x.built.empty() || !in_program(d, x.reason)) return nullptr;
    TerminalBlocks& b = terminal(d, x.terminal);
    for (const TerminalBlocks::Rejected& r : b.rejected)
      if (same(r.reason, x.reason)) return &r.text;
    return &render_rejected(b, x);
  }


  // The template of shape `s`, or nullptr.
  const ResultTemplate* result_template(const Shape& s) const {
    for (const ResultTemplate& t : templates_)
      if (t.holds(s)) return &t;
    return nullptr;
  }
  // The oldest template, emptied to record a new shape's.
  ResultTemplate& next_template() {
    ResultTemplate& t = templates_[next_template_];
    next_template_ = (next_template_ + 1) % kTemplates;
    t.ready = false;
    t.slots.clear();
    return t;
  }

 private:
  static constexpr size_t kPrograms = 4;
  // A day's payments take a few shapes (routes, verdicts, windows): on 64
  // varied acme contexts the writer took 1,837 instructions with eight,
  // 2,065 with four.
  static constexpr size_t kTemplates = 8;
  static thread_local std::array<ProgramBlocks, kPrograms> memo_;
  static thread_local size_t victim_;
  // The oldest entry, emptied for `d`.
  static ProgramBlocks& replace(const Program& d, bool plain);
  void reset(const Program& d, bool plain);
  void render_limit(LimitBlocks& b, const Program& d, int32_t i);
  void render_window(LimitBlocks& b, const LimitResult& l, const Program& d);
  PostingBlocks* render_posting(const PostingResult& x, const Program& d);
  void render_terminal(TerminalBlocks& b, const Program& d, int32_t t);
  void render_chosen(TerminalBlocks& b, const Program& d, int32_t provider);
  const std::string& render_rejected(TerminalBlocks& b, const RouteResult::Rejected& x);

  uint64_t program_ = 0;  // load id; 0: none
  bool plain_ = false;
  std::vector<LimitBlocks> limits_;
  // By posting record, the index in postings_ of its blocks, or -1: a large
  // program's thousands of postings cost four bytes each until written.
  std::vector<int32_t> posting_slots_;
  std::vector<PostingBlocks> postings_;
  std::vector<TerminalBlocks> terminals_;
  std::array<ResultTemplate, kTemplates> templates_;
  size_t next_template_ = 0;
};

}  // namespace paydomain::evaluator::result_text
