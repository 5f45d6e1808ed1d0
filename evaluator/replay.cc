#include "evaluator/replay.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>

#include "evaluator/batch.h"
#include "evaluator/context_json.h"
#include "evaluator/evaluate.h"
#include "evaluator/impact_region.h"

namespace paydomain::evaluator {

namespace {

struct Line {
  size_t number = 0, byte = 0;
  std::string_view text;
};

using Key = std::tuple<std::string, std::string, std::string>;  // currency, from, to
using Sums = std::map<Key, std::pair<__int128, __int128>>;

}  // namespace

Result<ReplayReport> replay(const CompiledDomain& before, const CompiledDomain& after, std::string_view jsonl,
                            const ReplayOptions& options) {
  std::vector<Line> lines;
  for (size_t pos = 0, number = 1; pos < jsonl.size(); ++number) {
    size_t end = jsonl.find('\n', pos);
    if (end == std::string_view::npos) end = jsonl.size();
    std::string_view text = jsonl.substr(pos, end - pos);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") != std::string_view::npos) lines.push_back({number, pos, text});
    pos = end + 1;
  }
  struct Outcome {
    std::optional<Error> error;
    bool changed = false;
    ReplayChange change;
  };
  std::vector<Outcome> out(lines.size());
  std::mutex m;
  Sums sums;
  for_each_block(lines.size(), options.threads, [&](size_t from, size_t to) {
    Sums local;
    Context ca, cb;
    EvalResult ra, rb;
    for (size_t i = from; i < to; ++i) {
      const Line& l = lines[i];
      auto fail = [&](const Error& e, const char* side) {
        out[i].error = Error{"", "line " + std::to_string(l.number) + " (byte " + std::to_string(l.byte) + ")" + side +
                                     ": " + e.text()};
      };
      if (Status s = parse_context_into(l.text, before, ca); !s) {
        fail(s.error(), "");
        continue;
      }
      if (Status s = parse_context_into(l.text, after, cb); !s) {
        fail(s.error(), ", at the new revision");
        continue;
      }
      evaluate(before, ca, {}, ra);
      evaluate(after, cb, {}, rb);
      for (const PostingResult& p : ra.cash_flow.postings) {
        local[{std::string(p.amount.currency), std::string(p.from), std::string(p.to)}].first += p.amount.minor;
      }
      for (const PostingResult& p : rb.cash_flow.postings) {
        local[{std::string(p.amount.currency), std::string(p.from), std::string(p.to)}].second += p.amount.minor;
      }
      PaymentAnswer a = answer_of(before, ra), b = answer_of(after, rb);
      if (a == b) continue;
      Outcome& o = out[i];
      o.changed = true;
      o.change.line = l.number;
      o.change.fee = fees_differ(a, b);
      o.change.route = a.route != b.route;
      o.change.terms = a.terms != b.terms;
      o.change.limits = limits_differ(a, b);
      o.change.context = std::string(l.text);
      o.change.before = std::move(a);
      o.change.after = std::move(b);
    }
    std::lock_guard lock(m);
    for (auto& [k, v] : local) {
      auto& s = sums[k];
      s.first += v.first;
      s.second += v.second;
    }
  });
  ReplayReport r;
  r.payments = lines.size();
  for (Outcome& o : out) {
    if (o.error) return *o.error;
    if (!o.changed) continue;
    ++r.changed;
    r.fee_changed += o.change.fee;
    r.route_changed += o.change.route;
    r.terms_changed += o.change.terms;
    r.limits_changed += o.change.limits;
    if (r.changes.size() < options.max_changes) {
      r.changes.push_back(std::move(o.change));
    } else {
      ++r.more_changes;
    }
  }
  for (auto& [k, v] : sums) {
    MoneyMoved mm;
    std::tie(mm.currency, mm.from, mm.to) = k;
    int32_t cur = after.vocab.object(dsl::ObjectKind::Currency, mm.currency);
    const CompiledDomain& d = cur >= 0 ? after : before;
    if (cur < 0) cur = before.vocab.object(dsl::ObjectKind::Currency, mm.currency);
    mm.exponent = cur >= 0 ? d.exponents[static_cast<size_t>(cur)] : 0;
    mm.before = v.first;
    mm.after = v.second;
    r.money.push_back(std::move(mm));
  }
  return r;
}

}  // namespace paydomain::evaluator
