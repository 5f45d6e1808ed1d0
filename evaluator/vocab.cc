#include "evaluator/vocab.h"

#include <algorithm>
#include <cstring>

#include "dsl/schema.h"
#include "evaluator/condition.h"
#include "evaluator/name_hash.h"

namespace paydomain::evaluator {
namespace {

void collect_text(const dsl::Condition& c, std::array<std::vector<std::string>, kAttrCount>& out) {
  if (c.kind != dsl::Condition::Kind::Compare) {
    for (const auto& k : c.children) collect_text(k, out);
    return;
  }
  const dsl::AttributeInfo* a = dsl::find_attribute(c.attribute.text);
  if (!a || a->type != dsl::AttrType::Text) return;
  auto i = static_cast<size_t>(a - dsl::attributes().data());
  for (const dsl::Value& v : c.operands) {
    if (v.kind == dsl::Value::Kind::List) {
      for (const dsl::Value& item : v.items) out[i].push_back(item.text);
    } else {
      out[i].push_back(v.text);
    }
  }
}

void collect_text(const dsl::CashFlow& cf, std::array<std::vector<std::string>, kAttrCount>& out) {
  for (const auto& arm : cf.arms) {
    if (!arm.otherwise) collect_text(arm.condition, out);
    collect_text(arm.body, out);
  }
}

}  // namespace

bool reference_kind(Attr a, dsl::ObjectKind& kind) {
  const dsl::AttributeInfo& info = dsl::attributes()[idx(a)];
  if (info.type != dsl::AttrType::Reference) return false;
  kind = info.ref_kind;
  return true;
}

int32_t Vocab::Table::find(std::string_view s) const {
  return name_table_find(slots.data(), slots.size(), [&](int32_t id) -> std::string_view { return names[static_cast<size_t>(id)]; }, s);
}

int32_t Vocab::Table::add(const std::string& s) {
  int32_t found = find(s);
  if (found >= 0) return found;
  names.push_back(s);
  if (names.size() * 2 > slots.size()) {
    slots.assign(std::max<size_t>(16, slots.size() * 2), -1);
    for (size_t n = 0; n < names.size(); ++n) {
      size_t mask = slots.size() - 1, i = name_hash(names[n]) & mask;
      while (slots[i] >= 0) i = (i + 1) & mask;
      slots[i] = static_cast<int32_t>(n);
    }
  } else {
    size_t mask = slots.size() - 1, i = name_hash(s) & mask;
    while (slots[i] >= 0) i = (i + 1) & mask;
    slots[i] = static_cast<int32_t>(names.size() - 1);
  }
  return static_cast<int32_t>(names.size() - 1);
}

Vocab::Vocab(const dsl::Domain& domain) {
  for (const dsl::Object& o : domain.objects) objects_[static_cast<size_t>(o.kind)].add(o.id.text);
  std::array<std::vector<std::string>, kAttrCount> text;
  for (const dsl::Object& o : domain.objects) {
    for (const dsl::Clause& c : o.clauses) {
      if (c.condition) collect_text(*c.condition, text);
      if (c.cash_flow) collect_text(*c.cash_flow, text);
      if (c.refunds && c.refunds->fees) collect_text(*c.refunds->fees, text);
      if (c.chargebacks && c.chargebacks->fees) collect_text(*c.chargebacks->fees, text);
      if (c.chargebacks && c.chargebacks->reserve) collect_text(*c.chargebacks->reserve, text);
      if (c.routing && c.routing->condition) collect_text(*c.routing->condition, text);
      if (c.binding && c.binding->condition) collect_text(*c.binding->condition, text);
    }
  }
  for (int i = 0; i < kAttrCount; ++i) {
    const dsl::AttributeInfo& info = dsl::attributes()[i];
    if (info.type == dsl::AttrType::Enum) {
      for (std::string_view v : info.values) attrs_[i].add(std::string(v));
    } else if (info.type == dsl::AttrType::Text) {
      for (const std::string& s : text[i]) attrs_[i].add(s);
    }
  }
}

int32_t Vocab::object(dsl::ObjectKind kind, std::string_view id) const {
  const Table& t = objects_[static_cast<size_t>(kind)];
  return t.find(id);
}

const std::string& Vocab::object_name(dsl::ObjectKind kind, int32_t index) const {
  return objects_[static_cast<size_t>(kind)].names[static_cast<size_t>(index)];
}

int32_t Vocab::object_count(dsl::ObjectKind kind) const {
  return static_cast<int32_t>(objects_[static_cast<size_t>(kind)].names.size());
}

const Vocab::Table& Vocab::table(Attr a) const {
  dsl::ObjectKind k;
  if (reference_kind(a, k)) return objects_[static_cast<size_t>(k)];
  return attrs_[idx(a)];
}

bool Vocab::has_other(Attr a) const { return dsl::attributes()[idx(a)].type == dsl::AttrType::Text; }

int32_t Vocab::size(Attr a) const {
  return static_cast<int32_t>(table(a).names.size()) + (has_other(a) ? 1 : 0);
}

int32_t Vocab::find(Attr a, std::string_view value) const {
  const Table& t = table(a);
  int32_t id = t.find(value);
  if (id >= 0) return id;
  return has_other(a) ? static_cast<int32_t>(t.names.size()) : -1;
}

std::string_view Vocab::name(Attr a, int32_t id) const {
  const Table& t = table(a);
  if (id >= 0 && static_cast<size_t>(id) < t.names.size()) return t.names[static_cast<size_t>(id)];
  return "(other)";
}

std::string vocabulary_digest(const dsl::Domain& domain, const Vocab& vocab, const std::vector<int32_t>& exponents) {
  std::string v;
  for (const dsl::Object& o : domain.objects) {
    if (o.kind != dsl::ObjectKind::Criterion || o.span.file >= domain.files.size()) continue;
    const std::string& text = domain.files[o.span.file].text;
    if (o.span.offset <= o.span.end_offset && o.span.end_offset <= text.size()) {
      v.append(text, o.span.offset, o.span.end_offset - o.span.offset).push_back('\x1d');
    }
  }
  for (int a = 0; a < kAttrCount; ++a) {
    Attr attr = static_cast<Attr>(a);
    if (!is_categorical(attr)) continue;
    v += std::to_string(a) + ':';
    for (int32_t id = 0; id < vocab.size(attr); ++id) v.append(vocab.name(attr, id)).push_back('\x1f');
    v.push_back('\x1e');
  }
  for (int k = 0; k < dsl::kObjectKindCount; ++k) {
    auto kind = static_cast<dsl::ObjectKind>(k);
    for (int32_t i = 0; i < vocab.object_count(kind); ++i) v.append(vocab.object_name(kind, i)).push_back('\x1f');
    v.push_back('\x1e');
  }
  for (int32_t e : exponents) v += std::to_string(e) + ',';
  uint64_t fnv = 1469598103934665603ull;
  for (unsigned char ch : v) fnv = (fnv ^ ch) * 1099511628211ull;
  return std::to_string(std::hash<std::string>{}(v)) + '.' + std::to_string(fnv) + '.' + std::to_string(v.size());
}

}  // namespace paydomain::evaluator
