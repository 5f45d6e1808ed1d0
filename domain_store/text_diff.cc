#include "domain_store/text_diff.h"

#include <algorithm>

namespace paydomain::store {
namespace {

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string_view::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace

std::vector<LineEdit> diff_lines(std::string_view text_a, std::string_view text_b) {
  const auto a = split_lines(text_a), b = split_lines(text_b);
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  const int max = n + m;
  // v[k + offset] = furthest x on diagonal k; trace[d] saves v before step d
  // (only the slice -d-1..d+1 that backtracking reads), so memory is O(D^2).
  const int offset = max + 1;
  std::vector<int> v(2 * max + 3, 0);
  std::vector<std::vector<int>> trace;
  int found = -1;
  for (int d = 0; d <= max && found < 0; ++d) {
    trace.emplace_back(v.begin() + (offset - d - 1), v.begin() + (offset + d + 2));
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1]
                                                                                 : v[offset + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && a[x] == b[y]) ++x, ++y;
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  std::vector<LineEdit> out;
  int x = n, y = m;
  for (int d = found; d >= 0; --d) {
    const std::vector<int>& saved = trace[d];
    auto at = [&](int k) { return saved[k + d + 1]; };
    int k = x - y;
    int prev_k = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
    int prev_x = at(prev_k), prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) {
      out.push_back({LineEdit::Kind::Keep, a[x - 1]});
      --x, --y;
    }
    if (d == 0) break;
    if (x == prev_x) {
      out.push_back({LineEdit::Kind::Insert, b[y - 1]});
    } else {
      out.push_back({LineEdit::Kind::Delete, a[x - 1]});
    }
    x = prev_x, y = prev_y;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::string unified_diff(std::string_view a, std::string_view b, std::string_view label_a, std::string_view label_b,
                         int context) {
  const auto edits = diff_lines(a, b);
  const int total = static_cast<int>(edits.size());
  std::string out;
  int i = 0;
  // Line numbers (1-based) in a and b at edit i.
  std::vector<int> line_a(total + 1), line_b(total + 1);
  line_a[0] = line_b[0] = 1;
  for (int j = 0; j < total; ++j) {
    line_a[j + 1] = line_a[j] + (edits[j].kind != LineEdit::Kind::Insert);
    line_b[j + 1] = line_b[j] + (edits[j].kind != LineEdit::Kind::Delete);
  }
  while (i < total) {
    while (i < total && edits[i].kind == LineEdit::Kind::Keep) ++i;
    if (i == total) break;
    // A hunk: from `context` keeps before the change to `context` keeps after
    // the last change that is within 2*context of the previous one.
    int start = std::max(0, i - context);
    int end = i;
    while (end < total) {
      if (edits[end].kind != LineEdit::Kind::Keep) {
        ++end;
        continue;
      }
      int run = end;
      while (run < total && edits[run].kind == LineEdit::Kind::Keep) ++run;
      if (run == total || run - end > 2 * context) {
        end = std::min(run, end + context);
        break;
      }
      end = run;
    }
    if (out.empty()) out += "--- " + std::string(label_a) + "\n+++ " + std::string(label_b) + "\n";
    int count_a = line_a[end] - line_a[start], count_b = line_b[end] - line_b[start];
    // An empty side is numbered by the line before it, as diff(1) does.
    int from_a = count_a ? line_a[start] : line_a[start] - 1;
    int from_b = count_b ? line_b[start] : line_b[start] - 1;
    out += "@@ -" + std::to_string(from_a) + "," + std::to_string(count_a) + " +" + std::to_string(from_b) + "," +
           std::to_string(count_b) + " @@\n";
    for (int j = start; j < end; ++j) {
      char mark = edits[j].kind == LineEdit::Kind::Keep ? ' ' : edits[j].kind == LineEdit::Kind::Delete ? '-' : '+';
      out += mark;
      out += edits[j].line;
      out += '\n';
    }
    i = end;
  }
  return out;
}

}  // namespace paydomain::store
