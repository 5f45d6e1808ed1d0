#include "dsl/diagnostics.h"

#include <algorithm>
#include <cctype>

#include "base/str_cat.h"
#include "dsl/utf8.h"

namespace paydomain::dsl {

Diagnostic& Diagnostics::push(Severity s, const Span& at, std::string code, std::string message) {
  Diagnostic d;
  d.severity = s;
  if (files_ && at.file < files_->size()) d.file = (*files_)[at.file].path;
  d.line = at.line;
  d.column = at.column;
  if (at.end_offset > at.offset && at.end_line == at.line) d.length = at.end_offset - at.offset;
  d.code = std::move(code);
  d.message = std::move(message);
  items_.push_back(std::move(d));
  return items_.back();
}

Diagnostic& Diagnostics::error(const Span& at, std::string code, std::string message) {
  return push(Severity::Error, at, std::move(code), std::move(message));
}

Diagnostic& Diagnostics::warning(const Span& at, std::string code, std::string message) {
  return push(Severity::Warning, at, std::move(code), std::move(message));
}

size_t Diagnostics::error_count() const {
  return std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

size_t Diagnostics::warning_count() const { return items_.size() - error_count(); }

void Diagnostics::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.line != b.line) return a.line < b.line;
    return a.column < b.column;
  });
}

namespace {

// Where each line of a text starts: line L (1-based) is text[starts[L-1] ..
// the next '\n'). render_all builds it once per file, so rendering N
// diagnostics of one big file does not scan the file N times.
std::vector<size_t> line_starts(std::string_view text) {
  std::vector<size_t> starts{0};
  for (size_t i = text.find('\n'); i != std::string_view::npos; i = text.find('\n', i + 1)) starts.push_back(i + 1);
  return starts;
}

std::string render_at(const Diagnostic& d, std::string_view source, const std::vector<size_t>& starts) {
  std::string out = d.file.empty() ? "<input>" : d.file;
  if (d.line > 0) out += str_cat(":", std::to_string(d.line), ":", std::to_string(d.column));
  out += d.severity == Severity::Error ? ": error: " : ": warning: ";
  out += d.message;
  if (!d.object.empty()) out += " (in " + d.object + ")";
  out += "\n";
  if (d.line > 0 && !source.empty() && d.line <= starts.size()) {
    // The line's text.
    size_t start = starts[d.line - 1];
    size_t end = source.find('\n', start);
    std::string_view line = source.substr(start, end == std::string_view::npos ? source.size() - start : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string gutter = std::to_string(d.line);
    out += " " + gutter + " | " + std::string(line) + "\n";
    std::string pad(gutter.size() + 1, ' ');
    std::string caret_pad;
    // Tabs stay tabs so the caret lines up under the same characters.
    std::string_view before = line.substr(0, utf8_byte_offset(line, d.column > 0 ? d.column - 1 : 0));
    for (size_t i = 0, n = 0; i < before.size(); ++i) {
      if ((static_cast<unsigned char>(before[i]) & 0xC0) == 0x80) continue;
      caret_pad += before[i] == '\t' ? '\t' : ' ';
      ++n;
    }
    size_t remaining = utf8_length(line.substr(before.size()));
    size_t len = std::max<size_t>(1, std::min<size_t>(d.length, std::max<size_t>(remaining, 1)));
    out += " " + pad + "| " + caret_pad + "^" + std::string(len - 1, '~') + "\n";
  }
  if (!d.expected.empty()) out += "  expected: " + d.expected + "\n";
  if (!d.suggestion.empty()) out += "  did you mean '" + d.suggestion + "'?\n";
  return out;
}

}  // namespace

std::string render(const Diagnostic& d, std::string_view source) { return render_at(d, source, line_starts(source)); }

std::string render_all(const std::vector<Diagnostic>& ds, const std::vector<SourceFile>& files) {
  std::string out;
  std::vector<std::vector<size_t>> starts(files.size());
  std::vector<bool> indexed(files.size(), false);
  for (const Diagnostic& d : ds) {
    std::string_view src;
    size_t fi = files.size();
    for (size_t i = 0; i < files.size(); ++i) {
      if (files[i].path == d.file) {
        src = files[i].text;
        fi = i;
        break;
      }
    }
    if (fi == files.size()) {
      out += render(d, src);
      continue;
    }
    if (!indexed[fi]) {
      starts[fi] = line_starts(src);
      indexed[fi] = true;
    }
    out += render_at(d, src, starts[fi]);
  }
  return out;
}

namespace {
size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment distance: insert, delete, substitute, and swap
  // of two neighbours each cost one; case is ignored.
  auto eq = [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); };
  std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (eq(a[i - 1], b[j - 1]) ? 0 : 1)});
      if (i > 1 && j > 1 && eq(a[i - 1], b[j - 2]) && eq(a[i - 2], b[j - 1])) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.size()];
}
}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const std::string& c : candidates) {
    if (c == word) continue;
    size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // Plausible typo: at most a third of the word wrong (at least one edit).
  size_t allowed = std::max<size_t>(1, std::max(word.size(), best.size()) / 3);
  return best_d <= allowed ? best : std::string();
}

}  // namespace paydomain::dsl
