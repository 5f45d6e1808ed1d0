#include "domain_store/diff.h"

#include <map>

#include "domain_store/objects.h"
#include "domain_store/text_diff.h"
#include "dsl/formatter.h"

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
      out.push_back({path, std::nullopt, text});
    } else if (*it->second != text) {
      out.push_back({path, *it->second, text});
    }
  }
  for (const auto& [path, text] : a) {
    if (!in_b.count(path)) out.push_back({path, text, std::nullopt});
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
  return out;
}

std::string describe(const RevisionDiff& diff) {
  std::string out;
  for (const ObjectDiff& d : diff.objects) {
    char mark = d.change == ObjectDiff::Change::Added ? '+' : d.change == ObjectDiff::Change::Removed ? '-' : '~';
    out += std::string(1, mark) + " " + d.key.display();
    if (d.change != ObjectDiff::Change::Changed) {
      out += " (" + std::string(to_string(d.change)) + ")\n";
      continue;
    }
    if (d.parts.empty()) {
      out += ": comments or layout only\n";
      continue;
    }
    out += "\n";
    for (const PartChange& p : d.parts) out += "    " + p.path + ": " + p.brief() + "\n";
  }
  return out;
}

}  // namespace paydomain::store
