// The docs' command examples, run for real: every fenced block marked with a
// `<!-- doctest -->` comment in README.md and docs/{language,evaluation,store}.md
// is a session of `$ COMMAND` lines, each followed by what it prints (stdout
// and stderr together, exactly). Each session runs in a fresh temp dir holding
// a copy of examples/, with the real `paydomain` first on PATH (PAYDOMAIN_BIN
// when set, else the one this build made). Comments before a block set it up:
//   <!-- doctest: sh CMD -->      a hidden command run first (not compared)
//   <!-- doctest: file NAME -->   the next fenced block is the file NAME
//   <!-- doctest: output CMD -->  the next fenced block is all that CMD prints
// Only timestamps are normalised (they differ on every run). A block that
// starts with "$ " and is not marked fails the test, so no example escapes.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/cli_fixture.h"

namespace paydomain {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = PAYDOMAIN_SOURCE_DIR;
const char* const kDocs[] = {"README.md", "docs/language.md", "docs/evaluation.md", "docs/store.md", "docs/impact.md"};

struct Step {
  enum Kind { Sh, File, Run } kind;
  std::string arg;   // the command, or the file's name
  std::string text;  // File: its content; Run: what the doc says it prints
  int line = 0;      // where the doc says so
};

struct Session {
  std::string doc;
  int line = 0;
  std::vector<Step> steps;
};

struct Fence {
  int line;                        // of the opening ```
  std::string body;                // lines between the fences, each ending in '\n'
  std::vector<std::string> marks;  // `doctest...` comments right above it
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

std::vector<Fence> fences(const std::string& text) {
  std::vector<std::string> ls = lines_of(text);
  std::vector<Fence> out;
  for (size_t i = 0; i < ls.size(); ++i) {
    if (!starts_with(ls[i], "```")) continue;
    Fence f{static_cast<int>(i + 1), "", {}};
    for (size_t j = i; j-- > 0 && starts_with(ls[j], "<!-- doctest");) {
      std::string m = ls[j].substr(5, ls[j].rfind("-->") - 5);
      while (!m.empty() && m.back() == ' ') m.pop_back();
      f.marks.insert(f.marks.begin(), m);
    }
    size_t k = i + 1;
    for (; k < ls.size() && !starts_with(ls[k], "```"); ++k) f.body += ls[k] + "\n";
    out.push_back(f);
    i = k;
  }
  return out;
}

// The sessions of one doc; a "$ " block without a mark is reported.
std::vector<Session> sessions(const std::string& doc, std::vector<std::string>* unmarked) {
  std::string text = testing::slurp(kSource / doc);
  std::vector<Session> out;
  Session pending{doc, 0, {}};
  for (const Fence& f : fences(text)) {
    bool run = false;
    for (const std::string& m : f.marks) {
      if (m == "doctest") {
        run = true;
      } else if (starts_with(m, "doctest: sh ")) {
        pending.steps.push_back({Step::Sh, m.substr(12), "", f.line});
      } else if (starts_with(m, "doctest: file ")) {
        pending.steps.push_back({Step::File, m.substr(14), f.body, f.line});
      } else if (starts_with(m, "doctest: output ")) {
        pending.steps.push_back({Step::Run, m.substr(16), f.body, f.line});
        run = true;
      } else {
        ADD_FAILURE() << doc << ":" << f.line << ": unknown doctest mark '" << m << "'";
      }
    }
    bool plain = false;
    for (const std::string& m : f.marks) plain |= m == "doctest";
    if (plain) {
      std::vector<std::string> ls = lines_of(f.body);
      for (size_t i = 0; i < ls.size(); ++i) {
        if (!starts_with(ls[i], "$ ")) {
          ADD_FAILURE() << doc << ":" << f.line + 1 + i << ": output before any `$ ` command";
          break;
        }
        Step s{Step::Run, ls[i].substr(2), "", f.line + 1 + static_cast<int>(i)};
        while (i + 1 < ls.size() && !starts_with(ls[i + 1], "$ ")) s.text += ls[++i] + "\n";
        pending.steps.push_back(s);
      }
    } else if (!run && starts_with(f.body, "$ ")) {
      unmarked->push_back(doc + ":" + std::to_string(f.line));
    }
    if (run) {
      pending.line = f.line;
      out.push_back(std::move(pending));
      pending = Session{doc, 0, {}};
    }
  }
  if (!pending.steps.empty()) ADD_FAILURE() << doc << ": doctest setup with no session after it";
  return out;
}

// What varies from run to run: the times of commits (2026-12-02T16:56:03.968Z).
std::string normalised(const std::string& s) {
  auto digits = [&](size_t at, size_t n) {
    for (size_t i = at; i < at + n; ++i)
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    return true;
  };
  auto is = [&](size_t at, char c) { return at < s.size() && s[at] == c; };
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (digits(i, 4) && is(i + 4, '-') && digits(i + 5, 2) && is(i + 7, '-') && digits(i + 8, 2) && is(i + 10, 'T') &&
        digits(i + 11, 2) && is(i + 13, ':') && digits(i + 14, 2) && is(i + 16, ':') && digits(i + 17, 2)) {
      size_t end = i + 19;
      if (is(end, '.'))
        for (++end; digits(end, 1);) ++end;
      if (is(end, 'Z')) {
        out += "<time>";
        i = end + 1;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

std::string binary() {
  const char* env = std::getenv("PAYDOMAIN_BIN");
  return env && *env ? env : PAYDOMAIN_CLI;
}

class DocExamples : public testing::CliTest {
 protected:
  // Runs CMD with sh in the session's directory; stdout and stderr together.
  std::string sh(const std::string& cmd) {
    testing::CliTest::file("work/.cmd.sh", cmd + "\n");
    std::string line = "cd '" + (dir_ / "work").string() + "' && PATH='" + (dir_ / "bin").string() +
                       "':\"$PATH\" sh .cmd.sh >'" + (dir_ / "out").string() + "' 2>&1";
    int status = std::system(line.c_str());
    (void)status;  // the exit code is not part of what the docs show
    return testing::slurp(dir_ / "out");
  }

  void run_session(const Session& s) {
    fs::remove_all(dir_ / "work");
    fs::create_directories(dir_ / "work");
    fs::create_directories(dir_ / "bin");
    fs::remove(dir_ / "bin" / "paydomain");
    fs::create_symlink(fs::absolute(binary()), dir_ / "bin" / "paydomain");
    fs::copy(kSource / "examples", dir_ / "work" / "examples", fs::copy_options::recursive);
    for (const Step& step : s.steps) {
      SCOPED_TRACE(s.doc + ":" + std::to_string(step.line));
      switch (step.kind) {
        case Step::File: file("work/" + step.arg, step.text); break;
        case Step::Sh: sh(step.arg); break;
        case Step::Run:
          EXPECT_EQ(normalised(step.text), normalised(sh(step.arg)))
              << s.doc << ":" << step.line << ": `" << step.arg << "` prints otherwise than the doc says";
          break;
      }
    }
    fs::remove(dir_ / "work" / ".cmd.sh");
  }
};

TEST_F(DocExamples, EveryMarkedExampleOfTheDocsPrintsWhatTheDocSays) {
  int count = 0;
  for (const char* doc : kDocs) {
    std::vector<std::string> unmarked;
    std::vector<Session> all = sessions(doc, &unmarked);
    for (const std::string& where : unmarked)
      ADD_FAILURE() << where << ": a `$ ` example not marked <!-- doctest --> (mark it, so a test runs it)";
    for (const Session& s : all) {
      run_session(s);
      ++count;
    }
  }
  // README and language.md have examples of their own; a parser that found
  // none would pass vacuously.
  EXPECT_GE(count, 8);
}

TEST_F(DocExamples, EachDocWithExamplesHasSome) {
  for (const char* doc : kDocs) {
    std::vector<std::string> unmarked;
    EXPECT_FALSE(sessions(doc, &unmarked).empty()) << doc;
  }
}

// The checker of this test: a doc whose output drifted fails, with the doc's line.
TEST_F(DocExamples, ADriftedExampleFails) {
  Session s{"drift.md", 1, {{Step::Run, "paydomain check examples/acme", "ok: 1 objects in 6 files\n", 2}}};
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter catcher(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    run_session(s);
  }
  ASSERT_EQ(failures.size(), 1);
  std::string msg = failures.GetTestPartResult(0).message();
  EXPECT_NE(msg.find("drift.md:2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("ok: 1 objects"), std::string::npos) << msg;
}

}  // namespace
}  // namespace paydomain
