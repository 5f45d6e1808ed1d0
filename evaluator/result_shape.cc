#include "evaluator/result_shape.h"

namespace paydomain::evaluator::result_text {
namespace {

// The words of a shape being built. Each element first checks there is room
// for its words (add() does not). `kChecked`: a view that is not the
// program's fails the shape (its bytes may change while its place does not);
// unchecked, the words are only compared with a recorded template's, whose
// views were checked: the same place, the same bytes of the program.
template <bool kChecked>
class Words {
 public:
  Words(Shape& s, const Program& d)
      : s_(s), at_(s.words), base_(reinterpret_cast<uintptr_t>(d.bytes().data())), bytes_(d.bytes().size()) {}
  bool room(size_t n) const { return static_cast<size_t>(s_.words + Shape::kWords - at_) >= n; }
  void add(uint64_t w) { *at_++ = w; }
  // A text of the program's: its place and length; (0, 0) when empty.
  void view(std::string_view v) {
    const uintptr_t at = reinterpret_cast<uintptr_t>(v.data()) - base_;
    const size_t n = v.size();
    if constexpr (kChecked) foreign_ |= n != 0 && (at > bytes_ || n > bytes_ - at);
    add(n == 0 ? 0 : at);
    add(n);
  }
  // A posting's account: the program's (a fixed text), the context's (a
  // value) or none.
  void account(std::string_view v) {
    const uintptr_t at = reinterpret_cast<uintptr_t>(v.data()) - base_;
    if (v.empty() || (at <= bytes_ && v.size() <= bytes_ - at)) return view(v);
    add(~uint64_t{0});
    add(0);
  }
  template <class Views>
  bool views(const Views& v) {
    if (!room(2 * v.size() + 1)) return false;
    add(v.size());
    for (std::string_view x : v) view(x);
    return true;
  }
  // The shape, unless a view was foreign.
  bool done() {
    s_.size = static_cast<size_t>(at_ - s_.words);
    return !foreign_;
  }

 private:
  Shape& s_;
  uint64_t* at_;
  uintptr_t base_;
  size_t bytes_;
  bool foreign_ = false;
};

uint64_t word(int64_t v) { return static_cast<uint64_t>(v); }
template <class E>
uint64_t tag(E e) {
  return static_cast<uint64_t>(e);
}

template <bool kChecked>
bool shape(const EvalResult& r, const Program& d, bool explain, Shape& s) {
  const TermsResult& t = r.terms;
  const CashFlowResult& cf = r.cash_flow;
  const RouteResult& rt = r.route;
  if (!t.reasons.empty() || !cf.error.empty() || !rt.decline_built.empty()) return false;
  Words<kChecked> w(s, d);
  // The heads: fewer words than Shape::kWords.
  w.add(explain);
  w.add(tag(t.verdict));
  w.add(word(t.tariff));
  w.view(t.tariff_from);
  w.add(t.missing);
  w.add(word(t.hold_lifetime));
  w.view(t.hold_unit);
  w.add(tag(cf.status));
  w.add(cf.missing);
  w.add(tag(rt.status));
  w.add(word(rt.terminal));
  w.add(word(rt.provider));
  w.view(rt.decline_reason);
  w.add(rt.missing);
  w.add(r.limits.size());
  if (explain && !(w.views(t.explain) && w.views(cf.explain) && w.views(rt.explain))) return false;
  if (!w.views(cf.possibilities)) return false;

  if (!w.room(16 * cf.postings.size() + 1)) return false;  // five views, two accounts, two words
  w.add(cf.postings.size());
  for (const PostingResult& x : cf.postings) {
    w.view(x.from);
    w.view(x.to);
    w.view(x.details);
    if (explain) w.view(x.rule);
    w.view(x.amount.currency);
    w.add(x.provider);
    w.account(x.from_account);
    w.account(x.to_account);
    w.add(x.missing);
  }

  const size_t route_words = rt.candidates.size() + 3 * rt.rejected.size() + rt.possible.size() +
                             2 * rt.undecided_limits.size() + 4;
  if (!w.room(route_words)) return false;
  w.add(rt.candidates.size());
  for (int32_t c : rt.candidates) w.add(word(c));
  w.add(rt.possible.size());
  for (int32_t c : rt.possible) w.add(word(c));
  w.add(rt.rejected.size());
  for (const RouteResult::Rejected& x : rt.rejected) {
    if (!x.built.empty()) return false;
    w.add(word(x.terminal));
    w.view(x.reason);
  }
  w.add(rt.undecided_limits.size());
  for (const RouteResult::UndecidedLimit& u : rt.undecided_limits) {
    w.add(word(u.terminal));
    w.add(word(u.limit));
  }

  if (!w.room(11 * r.limits.size())) return false;
  for (const LimitResult& l : r.limits) {
    w.add(word(l.limit));
    w.add(tag(l.status));
    if (l.status == LimitResult::Status::NotApplies) continue;
    if (l.verdict == LimitResult::Verdict::Error) return false;
    w.add(l.has_scope_key);
    w.add(l.has_window ? word(l.window_start) : 0);
    w.add(l.has_window ? word(l.window_end) : 0);
    w.add(l.has_window);
    w.add(tag(l.verdict));
    w.add(l.missing);
    if (explain) w.view(l.explain);
  }
  return w.done();
}

}  // namespace

bool shape_of(const EvalResult& r, const Program& d, bool explain, bool checked, Shape& s) {
  return checked ? shape<true>(r, d, explain, s) : shape<false>(r, d, explain, s);
}

}  // namespace paydomain::evaluator::result_text
