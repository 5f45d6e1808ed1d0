#include "evaluator/condition.h"

#include <algorithm>
#include <limits>

#include "dsl/schema.h"
#include "evaluator/vocab.h"
#include "evaluator/zoned_time.h"

namespace paydomain::evaluator {
namespace {

using Op = dsl::CompareOp;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

int64_t inc(int64_t v) { return v == kMax ? kMax : v + 1; }

Error fail(const dsl::Condition& c, const std::string& msg) {
  return Error{"line " + std::to_string(c.span.line), msg};
}

// Half-open ranges matching `attr op operands`, clipped to the attribute's domain.
std::vector<std::pair<int64_t, int64_t>> ranges_for(Attr attr, Op op, int64_t v, int64_t v2) {
  auto [lo, hi] = ordered_domain(attr);
  std::vector<std::pair<int64_t, int64_t>> r;
  switch (op) {
    case Op::Eq:
    case Op::Ne: r = {{v, inc(v)}}; break;  // Ne negates
    case Op::Lt: r = {{lo, v}}; break;
    case Op::Le: r = {{lo, inc(v)}}; break;
    case Op::Gt: r = {{inc(v), hi}}; break;
    case Op::Ge: r = {{v, hi}}; break;
    case Op::Between:
      if (v <= v2) {
        r = {{v, inc(v2)}};
      } else {  // a time range past midnight: 22:00 .. 06:00
        r = {{v, hi}, {lo, inc(v2)}};
      }
      break;
    default: break;
  }
  std::vector<std::pair<int64_t, int64_t>> out;
  for (auto [a, b] : r) {
    a = std::max(a, lo);
    b = std::min(b, hi);
    if (a < b) out.emplace_back(a, b);
  }
  return out;
}

int64_t minutes(const std::string& hhmm) {
  return std::stoll(hhmm.substr(0, 2)) * 60 + std::stoll(hhmm.substr(3, 2));
}

Result<Cond> compare_utc(const dsl::Condition& c, const Vocab& vocab);

// A comparison; `weekday("Europe/Moscow") ...` compiled as in UTC, then read in its zone.
Result<Cond> compare(const dsl::Condition& c, const Vocab& vocab) {
  Result<Cond> utc = compare_utc(c, vocab);
  if (!utc || !c.zone) return utc;
  if (utc->kind != Cond::Kind::Atom) return fail(c, "only weekday and time are read in a time zone");
  Result<Cond> local = localize(utc->atom, c.zone->text);
  if (!local) return fail(c, local.error().message);
  return local;
}

Result<Cond> compare_utc(const dsl::Condition& c, const Vocab& vocab) {
  const dsl::AttributeInfo* info = dsl::find_attribute(c.attribute.text);
  if (!info) return fail(c, "unknown attribute '" + c.attribute.text + "'");
  Attr attr = static_cast<Attr>(info - dsl::attributes().data());
  Cond out;
  out.kind = Cond::Kind::Atom;
  Atom& a = out.atom;
  a.attr = attr;
  a.negate = c.op == Op::Ne || c.op == Op::NotIn || c.op == Op::IsNot;
  if (c.operands.empty()) return fail(c, "comparison without operand");
  const dsl::Value& v0 = c.operands[0];
  // Flattens `x` or `[x, y]` into a list of values.
  auto values = [&]() {
    std::vector<const dsl::Value*> vs;
    if (v0.kind == dsl::Value::Kind::List) {
      for (const auto& item : v0.items) vs.push_back(&item);
    } else {
      vs.push_back(&v0);
    }
    return vs;
  };
  switch (info->type) {
    case dsl::AttrType::Money: {
      a.kind = Atom::Kind::InRanges;
      a.currency = vocab.object(dsl::ObjectKind::Currency, v0.text);
      if (a.currency < 0) return fail(c, "unknown currency '" + v0.text + "'");
      int64_t v2 = c.operands.size() > 1 ? c.operands[1].minor : 0;
      a.ranges = ranges_for(attr, c.op, v0.minor, v2);
      return out;
    }
    case dsl::AttrType::TimeOfDay:
    case dsl::AttrType::Number: {
      a.kind = Atom::Kind::InRanges;
      auto num = [&](const dsl::Value& v) {
        return info->type == dsl::AttrType::TimeOfDay ? minutes(v.text) : v.number.units;
      };
      a.ranges = ranges_for(attr, c.op, num(v0), c.operands.size() > 1 ? num(c.operands[1]) : 0);
      return out;
    }
    case dsl::AttrType::Share: {
      a.kind = Atom::Kind::Share;
      a.negate = false;
      if (c.op == Op::Between) {
        Cond both;
        both.kind = Cond::Kind::And;
        Cond lo = out, hi = out;
        lo.atom.op = Op::Ge;
        lo.atom.share = c.operands[0].number;
        hi.atom.op = Op::Le;
        hi.atom.share = c.operands[1].number;
        both.kids = {lo, hi};
        return both;
      }
      a.op = c.op;
      a.share = v0.number;
      return out;
    }
    case dsl::AttrType::BinPrefix: {
      a.kind = c.op == Op::StartsWith ? Atom::Kind::BinPrefix : Atom::Kind::BinExact;
      for (const dsl::Value* v : values()) a.strings.push_back(v->text);
      return out;
    }
    case dsl::AttrType::Reference:
    case dsl::AttrType::Enum:
    case dsl::AttrType::Text: {
      a.kind = Atom::Kind::InSet;
      bool ordered = c.op == Op::Lt || c.op == Op::Le || c.op == Op::Gt || c.op == Op::Ge;
      if (ordered) {  // risk: ordered by its declared levels
        int32_t r = vocab.find(attr, v0.text);
        if (r < 0) return fail(c, "unknown value '" + v0.text + "'");
        for (int32_t id = 0; id < vocab.size(attr); ++id) {
          bool in = (c.op == Op::Lt && id < r) || (c.op == Op::Le && id <= r) || (c.op == Op::Gt && id > r) ||
                    (c.op == Op::Ge && id >= r);
          if (in) a.ids.push_back(id);
        }
        return out;
      }
      for (const dsl::Value* v : values()) {
        int32_t id = vocab.find(attr, v->text);
        if (id < 0) return fail(c, "unknown " + c.attribute.text + " '" + v->text + "'");
        a.ids.push_back(id);
      }
      std::sort(a.ids.begin(), a.ids.end());
      a.ids.erase(std::unique(a.ids.begin(), a.ids.end()), a.ids.end());
      return out;
    }
  }
  return fail(c, "unsupported comparison");
}

}  // namespace

std::pair<int64_t, int64_t> ordered_domain(Attr a) {
  if (a == Attr::TimeOfDay) return {0, 24 * 60};
  // Every instant a context can give (years 0000 to 9999) and more.
  if (a == Attr::Instant) return {-(int64_t{1} << 40), int64_t{1} << 40};
  return {0, kMax};  // amounts and latencies are never negative
}

Result<Cond> compile_condition(const dsl::Condition& c, const Vocab& vocab, const CompiledCriteria& criteria) {
  if (c.kind == dsl::Condition::Kind::Compare) return compare(c, vocab);
  if (c.kind == dsl::Condition::Kind::Criterion) {
    auto it = criteria.find(c.attribute.text);
    if (it == criteria.end()) return fail(c, "unknown criterion '" + c.attribute.text + "'");
    return it->second;
  }
  Cond out;
  out.kind = c.kind == dsl::Condition::Kind::And ? Cond::Kind::And
             : c.kind == dsl::Condition::Kind::Or ? Cond::Kind::Or
                                                   : Cond::Kind::Not;
  for (const auto& k : c.children) {
    auto r = compile_condition(k, vocab, criteria);
    if (!r) return r.error();
    out.kids.push_back(std::move(*r));
  }
  return out;
}

void named_criteria(const dsl::Condition& c, std::vector<std::string>& out) {
  if (c.kind == dsl::Condition::Kind::Criterion && std::find(out.begin(), out.end(), c.attribute.text) == out.end()) {
    out.push_back(c.attribute.text);
  }
  for (const dsl::Condition& k : c.children) named_criteria(k, out);
}

Tri eval_atom(const Atom& a, const Facts& f) {
  return atom_truth(a.kind, a.attr, a.negate, a.currency, a.ids, a.ranges,
                    [](const std::pair<int64_t, int64_t>& r) { return r; }, a.strings, a.op, a.share, f);
}

Tri eval(const Cond& c, const Facts& f) {
  switch (c.kind) {
    case Cond::Kind::True: return Tri::True;
    case Cond::Kind::Atom: return eval_atom(c.atom, f);
    case Cond::Kind::Not: return negate(eval(c.kids[0], f));
    case Cond::Kind::And: {
      Tri r = Tri::True;
      for (const Cond& k : c.kids) {
        r = combine_and(r, eval(k, f));
        if (r == Tri::False) return r;
      }
      return r;
    }
    case Cond::Kind::Or: {
      Tri r = Tri::False;
      for (const Cond& k : c.kids) {
        r = combine_or(r, eval(k, f));
        if (r == Tri::True) return r;
      }
      return r;
    }
  }
  return Tri::Unknown;
}

Tri eval_traced(const Cond& c, const Facts& f, std::string& trace) {
  switch (c.kind) {
    case Cond::Kind::True: return Tri::True;
    case Cond::Kind::Atom: {
      Tri t = eval_atom(c.atom, f);
      trace.push_back(static_cast<char>('0' + static_cast<int>(t)));
      return t;
    }
    case Cond::Kind::Not: return negate(eval_traced(c.kids[0], f, trace));
    case Cond::Kind::And: {
      Tri r = Tri::True;
      for (const Cond& k : c.kids) r = combine_and(r, eval_traced(k, f, trace));
      return r;
    }
    case Cond::Kind::Or: {
      Tri r = Tri::False;
      for (const Cond& k : c.kids) r = combine_or(r, eval_traced(k, f, trace));
      return r;
    }
  }
  return Tri::Unknown;
}

const Atom* first_unknown_atom(const Cond& c, const Facts& f) {
  if (c.kind == Cond::Kind::Atom) return eval_atom(c.atom, f) == Tri::Unknown ? &c.atom : nullptr;
  for (const Cond& k : c.kids) {
    if (eval(k, f) != Tri::Unknown) continue;  // decided subtrees cannot change the outcome
    if (const Atom* a = first_unknown_atom(k, f)) return a;
  }
  return nullptr;
}

Cond cond_all(std::vector<Cond> kids) {
  Cond c;
  if (kids.empty()) return c;
  c.kind = Cond::Kind::And;
  c.kids = std::move(kids);
  return c;
}

Cond cond_any(std::vector<Cond> kids) {
  Cond c;
  c.kind = Cond::Kind::Or;
  c.kids = std::move(kids);
  return c;
}

Cond cond_not(const Cond& c) {
  Cond n;
  n.kind = Cond::Kind::Not;
  n.kids.push_back(c);
  return n;
}

Cond cond_in(Attr a, std::vector<int32_t> ids) {
  Cond c;
  c.kind = Cond::Kind::Atom;
  c.atom.kind = Atom::Kind::InSet;
  c.atom.attr = a;
  std::sort(ids.begin(), ids.end());
  c.atom.ids = std::move(ids);
  return c;
}

}  // namespace paydomain::evaluator
