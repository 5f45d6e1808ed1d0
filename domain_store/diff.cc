#include "domain_store/diff.h"

#include <algorithm>
#include <map>
#include <set>

#include "domain_store/objects.h"
#include "domain_store/text_diff.h"
#include "dsl/formatter.h"
#include "dsl/inheritance.h"

namespace paydomain::store {
namespace {

// Words split at spaces, a quoted string (details, with \" escapes) being one
// word: trimming must never cut a change summary inside a string.
std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    bool quoted = false;
    while (j < s.size() && (quoted || s[j] != ' ')) {
      if (s[j] == '\\' && quoted && j + 1 < s.size()) {
        j += 2;
        continue;
      }
      if (s[j] == '"') quoted = !quoted;
      ++j;
    }
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string join(const std::vector<std::string>& w, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) out += (out.empty() ? "" : " ") + w[i];
  return out;
}

using Parts = std::vector<std::pair<std::string, std::string>>;

Parts parts_of(const ObjectKey& key, const std::string& text) {
  auto parsed = parse_object_text(key, text);
  if (!parsed) return {};
  dsl::Domain empty;
  return dsl::object_parts(empty, parsed->object);
}

// ---- inherited parts ---------------------------------------------------------

struct Origin {
  std::string text;
  const dsl::Object* from = nullptr;
};

// A flattened tariff's parts by path, each with the tariff it is written in.
// Paths as object_parts() names them, but `amount between` by currency
// (inherited one currency at a time, so a number would not name the same bound).
std::map<std::string, Origin> flattened_parts(const dsl::Domain& d, const dsl::Flattened& f) {
  std::map<std::string, Origin> out;
  for (size_t i = 0; i < f.object.clauses.size(); ++i) {
    const dsl::Clause& c = f.object.clauses[i];
    dsl::Object one;
    one.kind = f.object.kind;
    one.clauses.push_back(c);
    for (auto& [path, text] : dsl::object_parts(d, one)) {
      std::string p = c.kind == dsl::Clause::Kind::AmountBounds ? "amount between " + c.low.currency.text : path;
      const dsl::Object* from = f.item_from(p, f.from[i]);
      out.emplace(std::move(p), Origin{std::move(text), from});
    }
  }
  return out;
}

// The parts a tariff inherits that differ between the sides. A part its own
// text gives at either side is left to its own diff.
std::vector<PartChange> inherited_parts(const dsl::Domain (&d)[2], const dsl::Inheritance (&inh)[2],
                                        const dsl::Object* (&t)[2]) {
  std::map<std::string, Origin> parts[2] = {flattened_parts(d[0], inh[0].flatten(*t[0])),
                                            flattened_parts(d[1], inh[1].flatten(*t[1]))};
  std::set<std::string> paths;
  for (const auto& side : parts)
    for (const auto& [path, _] : side) paths.insert(path);
  std::vector<PartChange> out;
  for (const std::string& path : paths) {
    const Origin* x[2] = {nullptr, nullptr};
    for (int s = 0; s < 2; ++s) {
      auto it = parts[s].find(path);
      if (it != parts[s].end()) x[s] = &it->second;
    }
    if ((x[0] && x[0]->from == t[0]) || (x[1] && x[1]->from == t[1])) continue;  // its own
    if (x[0] && x[1] && x[0]->text == x[1]->text) continue;
    PartChange pc{path, std::nullopt, std::nullopt, ""};
    if (x[0]) pc.before = x[0]->text;
    if (x[1]) pc.after = x[1]->text;
    const dsl::Object* from = x[1] ? x[1]->from : x[0]->from;
    pc.from = from ? from->id.text : "";
    out.push_back(std::move(pc));
  }
  return out;
}

// Adds to `out` what tariffs extending a changed tariff inherit of the
// change. Reads every tariff of `to` (one checkout, only when the diff
// changes a tariff); the `from` side is `to` with the diff's changes undone.
Status add_inherited(Store& store, RevisionDiff& out) {
  std::set<std::string> changed;
  for (const ObjectDiff& d : out.objects)
    if (d.key.kind == dsl::ObjectKind::Tariff) changed.insert(d.key.id);
  if (changed.empty()) return Ok{};
  auto all = store.checkout(out.to);
  if (!all) return all.take_error();
  std::map<std::string, std::string> texts[2];
  for (const StoredObject& o : *all)
    if (o.key.kind == dsl::ObjectKind::Tariff) texts[1][o.key.id] = o.text;
  texts[0] = texts[1];
  for (const ObjectDiff& d : out.objects) {
    if (d.key.kind != dsl::ObjectKind::Tariff) continue;
    if (d.before) {
      texts[0][d.key.id] = d.before->text;
    } else {
      texts[0].erase(d.key.id);
    }
  }
  dsl::Domain d[2];
  bool any_parent = false;
  for (int s = 0; s < 2; ++s) {
    for (const auto& [id, text] : texts[s]) {
      auto parsed = parse_object_text(ObjectKey{dsl::ObjectKind::Tariff, id}, text);
      if (!parsed) continue;
      any_parent = any_parent || parsed->object.parent.has_value();
      d[s].objects.push_back(std::move(parsed->object));
    }
  }
  if (!any_parent) return Ok{};
  const dsl::Inheritance inh[2] = {dsl::Inheritance(d[0]), dsl::Inheritance(d[1])};
  std::map<ObjectKey, ObjectDiff*> own;
  for (ObjectDiff& od : out.objects) own[od.key] = &od;
  std::vector<ObjectDiff> added;
  for (const auto& [id, _] : texts[1]) {
    const dsl::Object* t[2] = {inh[0].tariff(id), inh[1].tariff(id)};
    if (!t[0] || !t[1] || (!t[0]->parent && !t[1]->parent)) continue;  // added, removed, or inherits nothing
    bool touched = false;
    for (int s = 0; s < 2 && !touched; ++s) {
      auto chain = inh[s].chain(*t[s]);
      touched = std::any_of(chain.begin() + 1, chain.end(), [&](const dsl::Object* o) { return changed.count(o->id.text) > 0; });
    }
    if (!touched) continue;
    std::vector<PartChange> parts = inherited_parts(d, inh, t);
    if (parts.empty()) continue;
    ObjectKey key{dsl::ObjectKind::Tariff, id};
    if (auto it = own.find(key); it != own.end()) {
      for (PartChange& p : parts) it->second->parts.push_back(std::move(p));
    } else {
      ObjectDiff od;
      od.key = key;
      od.change = ObjectDiff::Change::Inherited;
      od.parts = std::move(parts);
      added.push_back(std::move(od));
    }
  }
  for (ObjectDiff& od : added) out.objects.push_back(std::move(od));
  std::sort(out.objects.begin(), out.objects.end(), [](const ObjectDiff& a, const ObjectDiff& b) { return a.key < b.key; });
  return Ok{};
}

}  // namespace

std::string PartChange::brief() const {
  if (!before) return "added: " + *after;
  if (!after) return "removed: " + *before;
  // Trim the words both sides share at the start and the end.
  auto a = words(*before), b = words(*after);
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  std::string x = join(a, pre, a.size() - suf), y = join(b, pre, b.size() - suf);
  if (x.empty() || y.empty()) return *before + " -> " + *after;
  return x + " -> " + y;
}

std::string_view to_string(ObjectDiff::Change change) {
  switch (change) {
    case ObjectDiff::Change::Added: return "added";
    case ObjectDiff::Change::Removed: return "removed";
    case ObjectDiff::Change::Changed: return "changed";
    case ObjectDiff::Change::Inherited: return "inherited";
  }
  return "?";
}

std::vector<PartChange> diff_object_parts(const ObjectKey& key, const std::string& before, const std::string& after) {
  Parts a = parts_of(key, before), b = parts_of(key, after);
  std::map<std::string, const std::string*> in_a;
  for (const auto& [path, text] : a) in_a[path] = &text;
  std::map<std::string, bool> in_b;
  std::vector<PartChange> out;
  // In the new object's order, then what disappeared in the old order.
  for (const auto& [path, text] : b) {
    in_b[path] = true;
    auto it = in_a.find(path);
    if (it == in_a.end()) {
      out.push_back({path, std::nullopt, text, ""});
    } else if (*it->second != text) {
      out.push_back({path, *it->second, text, ""});
    }
  }
  for (const auto& [path, text] : a) {
    if (!in_b.count(path)) out.push_back({path, text, std::nullopt, ""});
  }
  return out;
}

Result<RevisionDiff> diff_revisions(Store& store, Rev from, Rev to, const DiffOptions& options) {
  auto changes = store.changes(from, to);
  if (!changes) return changes.take_error();
  RevisionDiff out;
  out.from = from;
  out.to = to;
  for (auto& c : *changes) {
    ObjectDiff d;
    d.key = c.key;
    d.change = !c.before ? ObjectDiff::Change::Added : !c.after ? ObjectDiff::Change::Removed : ObjectDiff::Change::Changed;
    d.before = std::move(c.before);
    d.after = std::move(c.after);
    if (options.parts && d.change == ObjectDiff::Change::Changed) {
      d.parts = diff_object_parts(d.key, d.before->text, d.after->text);
    }
    if (options.text) {
      // Line numbers count within the object's canonical text, so name the object.
      std::string label_a = d.before ? d.key.display() + " @" + std::to_string(from) + " (" + d.before->path + ")" : "/dev/null";
      std::string label_b = d.after ? d.key.display() + " @" + std::to_string(to) + " (" + d.after->path + ")" : "/dev/null";
      d.unified = unified_diff(d.before ? d.before->text : "", d.after ? d.after->text : "", label_a, label_b,
                               options.context);
    }
    out.objects.push_back(std::move(d));
  }
  if (options.parts) {
    if (auto st = add_inherited(store, out); !st) return st.take_error();
  }
  return out;
}

std::string describe(const RevisionDiff& diff) {
  std::string out;
  for (const ObjectDiff& d : diff.objects) {
    char mark = d.change == ObjectDiff::Change::Added ? '+' : d.change == ObjectDiff::Change::Removed ? '-' : '~';
    out += std::string(1, mark) + " " + d.key.display();
    if (d.change == ObjectDiff::Change::Added || d.change == ObjectDiff::Change::Removed) {
      out += " (" + std::string(to_string(d.change)) + ")\n";
      continue;
    }
    if (d.parts.empty()) {
      out += ": comments or layout only\n";
      continue;
    }
    out += d.change == ObjectDiff::Change::Inherited ? " (inherited)\n" : "\n";
    for (const PartChange& p : d.parts) {
      out += "    " + p.path + ": " + p.brief() + (p.from.empty() ? "" : " (inherited from tariff " + p.from + ")") + "\n";
    }
  }
  return out;
}

}  // namespace paydomain::store
