#include "dsl/inheritance.h"

#include <algorithm>
#include <cstdint>
#include <set>

namespace paydomain::dsl {
namespace {

using CK = Clause::Kind;

// Parts a tariff never inherits: they describe the tariff itself.
bool own_only(CK k) { return k == CK::Name || k == CK::Description; }

}  // namespace

Inheritance::Inheritance(const Domain& domain) : domain_(domain) {
  for (const Object& o : domain.objects) {
    if (o.kind == ObjectKind::Tariff) tariffs_.emplace(o.id.text, &o);  // the first of duplicate ids, as the checker
  }
}

const Object* Inheritance::tariff(std::string_view id) const {
  auto it = tariffs_.find(id);
  return it == tariffs_.end() ? nullptr : it->second;
}

std::vector<const Object*> Inheritance::chain(const Object& t) const {
  std::vector<const Object*> out{&t};
  for (const Object* o = &t; o->parent;) {
    const Object* p = tariff(o->parent->text);
    if (!p || std::find(out.begin(), out.end(), p) != out.end()) break;
    out.push_back(p);
    o = p;
  }
  return out;
}

Flattened Inheritance::flatten(const Object& t) const {
  Flattened f;
  f.object.kind = t.kind;
  f.object.id = t.id;
  f.object.span = t.span;
  f.object.parent = t.parent;
  std::set<CK> named;  // clause kinds a nearer tariff gives
  std::set<std::string> bound_currencies;
  size_t refunds = SIZE_MAX;  // index of the merged `refunds` clause, once one is seen
  bool own = true;
  for (const Object* o : chain(t)) {
    std::set<CK> here;
    for (const Clause& c : o->clauses) {
      here.insert(c.kind);
      if (c.kind == CK::AmountBounds) {
        // One currency at a time (a tariff's own repeated bound is the checker's error, kept as written).
        if (!bound_currencies.insert(c.low.currency.text).second && !own) continue;
      } else if (c.kind == CK::Refunds && c.refunds && refunds != SIZE_MAX) {
        // One item at a time, into the nearest `refunds` block.
        RefundRules& r = *f.object.clauses[refunds].refunds;
        if (!r.allowed && c.refunds->allowed) {
          r.allowed = c.refunds->allowed;
          f.refunds_allowed_from = o;
        }
        if (!r.partial && c.refunds->partial) {
          r.partial = c.refunds->partial;
          f.refunds_partial_from = o;
        }
        if (!r.fees && c.refunds->fees) {
          r.fees = c.refunds->fees;
          f.refund_fees_from = o;
        }
        if (!r.within && c.refunds->within) {
          r.within = c.refunds->within;
          f.refunds_within_from = o;
        }
        continue;
      } else if (!own && (own_only(c.kind) || named.count(c.kind))) {
        continue;
      }
      if (c.kind == CK::Refunds && c.refunds) {
        refunds = f.object.clauses.size();
        if (c.refunds->allowed) f.refunds_allowed_from = o;
        if (c.refunds->partial) f.refunds_partial_from = o;
        if (c.refunds->fees) f.refund_fees_from = o;
        if (c.refunds->within) f.refunds_within_from = o;
      }
      f.object.clauses.push_back(c);
      f.from.push_back(o);
    }
    named.insert(here.begin(), here.end());
    own = false;
  }
  return f;
}

std::string Inheritance::ancestors_text(const Object& t) const {
  std::string out;
  std::vector<const Object*> c = chain(t);
  for (size_t i = 1; i < c.size(); ++i) {
    const Object& o = *c[i];
    out += '\n' + std::to_string(o.span.file) + ':' + std::to_string(o.span.line) + '\n';
    if (o.span.file < domain_.files.size()) {
      const std::string& text = domain_.files[o.span.file].text;
      if (o.span.offset <= o.span.end_offset && o.span.end_offset <= text.size())
        out.append(text, o.span.offset, o.span.end_offset - o.span.offset);
    }
  }
  return out;
}

std::string inherited_note(const std::vector<const Object*>& chain, const Object* from) {
  if (chain.empty() || from == chain[0]) return "";
  std::string out = ", inherited by tariff " + chain[0]->id.text;
  std::string through;
  for (size_t i = 1; i < chain.size() && chain[i] != from; ++i) through += (through.empty() ? "" : ", ") + chain[i]->id.text;
  if (!through.empty()) out += " through " + through;
  return out;
}

}  // namespace paydomain::dsl
