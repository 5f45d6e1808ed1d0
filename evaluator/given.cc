#include "evaluator/given.h"

#include <map>

#include "dsl/schema.h"
#include "json/writer.h"

namespace paydomain::evaluator {
namespace {

// The context being built: a scalar (its JSON text) or an object of members,
// in name order. As deep as the context's paths (three levels: "health",
// its id, the metric), so writing it recurses no deeper.
struct Node {
  std::string scalar;
  std::map<std::string, Node, std::less<>> members;

  Node& member(std::string_view name) {
    scalar.clear();
    auto it = members.find(name);
    if (it == members.end()) it = members.emplace(std::string(name), Node{}).first;
    return it->second;
  }
  // The node at a dotted path ("payment_tool.payment_system").
  Node& at(std::string_view path) {
    Node* n = this;
    for (size_t start = 0;;) {
      size_t dot = path.find('.', start);
      n = &n->member(path.substr(start, dot - start));
      if (dot == std::string_view::npos) return *n;
      start = dot + 1;
    }
  }
  void set_string(std::string_view s) {
    members.clear();
    scalar.clear();
    json::Writer(scalar).string(s);
  }
  void set_integer(int64_t v) {
    members.clear();
    scalar.clear();
    json::Writer(scalar).integer(v);
  }
  void set_money(int64_t minor, std::string_view currency) {
    members.clear();
    member("amount").set_integer(minor);
    member("currency").set_string(currency);
  }

  void write(json::Writer& w) const {
    if (members.empty() && !scalar.empty()) return w.raw(scalar);
    w.begin_object();
    for (const auto& [name, node] : members) {
      w.key(name);
      node.write(w);
    }
    w.end_object();
  }
};

std::string value_text(const dsl::Value& v) {
  switch (v.kind) {
    case dsl::Value::Kind::Number: return v.number.text();
    case dsl::Value::Kind::Percent: return v.number.text() + "%";
    default: return v.text;
  }
}

std::string_view path_of(dsl::FieldType t) {
  for (const dsl::ContextField& f : dsl::kContextFields)
    if (f.type == t) return f.path;
  return {};
}

}  // namespace

std::string given_context_json(const dsl::Object& test) {
  Node root;
  if (const dsl::Clause* given = test.find(dsl::Clause::Kind::Given)) {
    for (const dsl::GivenEntry& g : given->given) {
      switch (g.kind) {
        case dsl::GivenEntry::Kind::Health: {
          Node& metric = root.at(path_of(dsl::FieldType::Health)).member(g.key.text).member(g.metric.text);
          if (g.value.kind == dsl::Value::Kind::Percent) {
            metric.set_string(value_text(g.value));
          } else {
            metric.set_integer(static_cast<int64_t>(g.value.number.units));
          }
          break;
        }
        case dsl::GivenEntry::Kind::Turnover: {
          Node& limit = root.at(path_of(dsl::FieldType::Turnover)).member(g.key.text);
          // A route-scoped limit's counters are keyed by terminal (or provider).
          Node& counter = g.metric.text.empty() ? limit : limit.member(g.metric.text);
          if (g.value.kind == dsl::Value::Kind::Money) {
            counter.set_money(g.value.minor, g.value.text);
          } else {
            counter.set_integer(static_cast<int64_t>(g.value.number.units));
          }
          break;
        }
        case dsl::GivenEntry::Kind::Field: {
          // The checker accepted the name: it is a field of the table.
          const dsl::ContextField* f = dsl::find_context_field(g.key.text);
          if (!f) break;
          if (f->type == dsl::FieldType::Money) {
            root.at(f->path).set_money(g.value.minor, g.value.text);
          } else if (f->type == dsl::FieldType::Number) {
            root.at(f->path).set_integer(static_cast<int64_t>(g.value.number.units));
          } else {
            root.at(f->path).set_string(value_text(g.value));
          }
          break;
        }
      }
    }
  }
  std::string out;
  {
    json::Writer w(out);
    root.write(w);
  }
  return out;
}

}  // namespace paydomain::evaluator
