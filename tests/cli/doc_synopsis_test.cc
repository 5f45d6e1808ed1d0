// The docs' command synopses against the binary: every option a command's
// `--help` lists appears in its synopsis (docs/api.md for serve, docs/store.md
// for the store commands), and every table of the docs is well formed.
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/cli_fixture.h"

namespace paydomain {
namespace {

namespace fs = std::filesystem;
using DocSynopsis = testing::CliTest;

const fs::path kSource = PAYDOMAIN_SOURCE_DIR;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Each command's synopsis in DOC: the fenced lines starting `paydomain CMD`
// and the indented lines that continue them.
std::map<std::string, std::string> synopses(const std::string& doc) {
  std::map<std::string, std::string> out;
  bool fenced = false;
  std::string current;
  for (const std::string& l : lines_of(testing::slurp(kSource / doc))) {
    if (l.rfind("```", 0) == 0) {
      fenced = !fenced;
      current.clear();
      continue;
    }
    if (!fenced) continue;
    if (l.rfind("paydomain ", 0) == 0) {
      current = l.substr(10, l.find(' ', 10) - 10);
      out[current] += l + "\n";
    } else if (!current.empty() && !l.empty() && l[0] == ' ') {
      out[current] += l + "\n";
    } else {
      current.clear();
    }
  }
  return out;
}

// The options `paydomain CMD --help` lists, each as its spellings
// ("-m,--message" -> {"-m", "--message"}); --help and --json left out
// (--json is documented once for every command).
std::vector<std::set<std::string>> options(const std::string& help) {
  std::vector<std::set<std::string>> out;
  for (const std::string& l : lines_of(help)) {
    size_t at = l.find_first_not_of(' ');
    if (at == 0 || at == std::string::npos || l[at] != '-') continue;
    std::string all = l.substr(at, l.find(' ', at) - at);
    std::set<std::string> names;
    for (size_t from = 0; from <= all.size();) {
      size_t comma = all.find(',', from);
      if (comma == std::string::npos) comma = all.size();
      names.insert(all.substr(from, comma - from));
      from = comma + 1;
    }
    if (names.count("--help") || names.count("--json")) continue;
    out.push_back(names);
  }
  return out;
}

// FLAG as a whole word of TEXT (--db, not --db-path).
bool mentions(const std::string& text, const std::string& flag) {
  auto part = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; };
  for (size_t at = text.find(flag); at != std::string::npos; at = text.find(flag, at + 1)) {
    bool before = at == 0 || !part(text[at - 1]);
    bool after = at + flag.size() == text.size() || !part(text[at + flag.size()]);
    if (before && after) return true;
  }
  return false;
}

TEST_F(DocSynopsis, EveryOptionOfEachCommandIsInItsSynopsis) {
  const std::pair<const char*, std::vector<std::string>> docs[] = {
      {"docs/api.md", {"serve"}},
      {"docs/store.md", {"init", "commit", "log", "show", "diff", "checkout", "revert", "restore", "fsck", "backup"}},
      {"docs/impact.md", {"impact"}},
  };
  for (const auto& [doc, commands] : docs) {
    auto shown = synopses(doc);
    for (const std::string& cmd : commands) {
      ASSERT_TRUE(shown.count(cmd)) << doc << " has no synopsis of `paydomain " << cmd << "`";
      auto help = run(cmd + " --help");
      ASSERT_EQ(help.code, 0) << help.err;
      auto opts = options(help.out);
      EXPECT_FALSE(opts.empty()) << help.out;
      for (const auto& spellings : opts) {
        bool found = false;
        for (const std::string& s : spellings) found |= mentions(shown[cmd], s);
        EXPECT_TRUE(found) << doc << ": the synopsis of `paydomain " << cmd << "` lacks " << *spellings.rbegin() << "\n"
                           << shown[cmd];
      }
    }
  }
}

// A table row with more or fewer cells than its header renders wrongly (or
// not as a table at all). Cells are split at '|' outside `code`.
TEST_F(DocSynopsis, EveryTableRowOfTheDocsHasItsHeadersCells) {
  auto cells = [](const std::string& row) {
    int n = 0;
    bool code = false;
    for (size_t i = 0; i < row.size(); ++i) {
      if (row[i] == '`') code = !code;
      if (row[i] == '\\')
        ++i;
      else if (row[i] == '|' && !code)
        ++n;
    }
    return n;
  };
  std::vector<fs::path> docs = {kSource / "README.md"};
  for (const auto& e : fs::directory_iterator(kSource / "docs"))
    if (e.path().extension() == ".md") docs.push_back(e.path());
  int tables = 0;
  for (const fs::path& doc : docs) {
    auto ls = lines_of(testing::slurp(doc));
    bool fenced = false;
    for (size_t i = 0; i < ls.size(); ++i) {
      if (ls[i].rfind("```", 0) == 0) fenced = !fenced;
      if (fenced || ls[i].rfind("|", 0) != 0) continue;
      // A table: header, separator, rows, until a line not starting with '|'.
      int header = cells(ls[i]);
      std::string sep = i + 1 < ls.size() ? ls[i + 1] : "";
      EXPECT_TRUE(sep.rfind("|-", 0) == 0 || sep.rfind("| -", 0) == 0 || sep.rfind("|:", 0) == 0)
          << doc.filename().string() << ":" << i + 1 << ": a table row with no header above it";
      ++tables;
      for (; i < ls.size() && ls[i].rfind("|", 0) == 0; ++i)
        EXPECT_EQ(cells(ls[i]), header) << doc.filename().string() << ":" << i + 1 << ": " << ls[i];
    }
  }
  EXPECT_GT(tables, 20);
}

}  // namespace
}  // namespace paydomain
