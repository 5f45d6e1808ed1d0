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

namespace {

// The items of `from` (written in `o`) that `into` does not give yet.
void merge_terms(OperationTerms& into, const OperationTerms& from, const Object* o, Flattened::TermsFrom& items) {
  auto item = [o](auto& to, const auto& value, const Object*& written_in) {
    if (to || !value) return;
    to = value;
    written_in = o;
  };
  item(into.allowed, from.allowed, items.allowed);
  item(into.partial, from.partial, items.partial);
  item(into.within, from.within, items.within);
  item(into.fees, from.fees, items.fees);
  item(into.reserve, from.reserve, items.reserve);
}

}  // namespace

const Object* Flattened::item_from(std::string_view path, const Object* fallback) const {
  for (auto [block, items] : {std::pair{std::string_view("refunds/"), &refunds_from},
                              std::pair{std::string_view("captures/"), &captures_from},
                              std::pair{std::string_view("chargebacks/"), &chargebacks_from}}) {
    if (path.substr(0, block.size()) != block) continue;
    std::string_view item = path.substr(block.size());
    item = item.substr(0, item.find('/'));
    if (item == "allowed") return items->allowed;
    if (item == "partial") return items->partial;
    if (item == "within") return items->within;
    if (item == "fees") return items->fees;
    if (item == "reserve") return items->reserve;
  }
  return fallback;
}

Flattened Inheritance::flatten(const Object& t) const {
  Flattened f;
  f.object.kind = t.kind;
  f.object.id = t.id;
  f.object.span = t.span;
  f.object.parent = t.parent;
  std::set<CK> named;  // clause kinds a nearer tariff gives
  std::set<std::string> bound_currencies;
  // Index of the merged `refunds` / `captures` / `chargebacks` clause, once one is seen.
  size_t refunds = SIZE_MAX, captures = SIZE_MAX, chargebacks = SIZE_MAX;
  bool own = true;
  for (const Object* o : chain(t)) {
    std::set<CK> here;
    for (const Clause& c : o->clauses) {
      here.insert(c.kind);
      const bool terms = c.terms() && *c.terms();
      size_t& merged = c.kind == CK::Captures ? captures : c.kind == CK::Chargebacks ? chargebacks : refunds;
      Flattened::TermsFrom& items = c.kind == CK::Captures      ? f.captures_from
                                    : c.kind == CK::Chargebacks ? f.chargebacks_from
                                                                : f.refunds_from;
      if (c.kind == CK::AmountBounds) {
        // One currency at a time (a tariff's own repeated bound is the checker's error, kept as written).
        if (!bound_currencies.insert(c.low.currency.text).second && !own) continue;
      } else if (terms && merged != SIZE_MAX) {
        // One item at a time, into the nearest block of its kind.
        merge_terms(**f.object.clauses[merged].terms(), **c.terms(), o, items);
        continue;
      } else if (!own && (own_only(c.kind) || named.count(c.kind))) {
        continue;
      }
      if (terms) {
        merged = f.object.clauses.size();
        OperationTerms none;
        merge_terms(none, **c.terms(), o, items);
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
