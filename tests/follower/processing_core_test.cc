// The example processing core (examples/processing_core) against a real
// server: it follows new revisions while payments in flight keep theirs, and
// starts from its cache while the service is down.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/follower/follower_support.h"

namespace paydomain::testing {
namespace {

using nlohmann::json;

// The core as a child: lines in through a pipe, lines out into a file.
class Core {
 public:
  Core(const std::string& url, const std::string& token, const std::filesystem::path& dir)
      : out_(dir / ("core-" + std::to_string(runs_++) + ".out")) {
    std::ofstream(out_).flush();  // exists (empty) before the child runs
    int in[2];
    if (::pipe(in) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      int fd = ::open(out_.c_str(), O_WRONLY | O_APPEND);
      ::dup2(fd, 1);
      ::close(in[1]);
      std::string cache = (dir / "cache").string();
      ::execl(PAYDOMAIN_PROCESSING_CORE, "processing_core", "--url", url.c_str(), "--token", token.c_str(), "--cache",
              cache.c_str(), "--keep", "1", "--wait-s", "60", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(in[0]);
    in_ = in[1];
  }
  ~Core() {
    if (in_ >= 0) finish();
  }
  // Sends one line and returns the core's answer to it.
  json send(const json& line) {
    std::string text = line.dump() + "\n";
    EXPECT_EQ(::write(in_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ++sent_;
    std::vector<std::string> lines;
    EXPECT_TRUE(eventually([&] { return (lines = output()).size() >= sent_; })) << "no answer to " << text;
    return lines.size() >= sent_ ? json::parse(lines[sent_ - 1]) : json();
  }
  // Closes its input; its exit code.
  int finish() {
    ::close(in_);
    in_ = -1;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::vector<std::string> output() const {
    std::vector<std::string> lines;
    std::istringstream text(slurp_file(out_));
    std::string line;
    while (std::getline(text, line)) lines.push_back(line);
    return lines;
  }

 private:
  static inline int runs_ = 0;
  std::filesystem::path out_;
  pid_t pid_ = -1;
  int in_ = -1;
  size_t sent_ = 0;
};

json step(const std::string& payment, const std::string& name, bool last = false) {
  json s = {{"payment", payment}, {"step", name}, {"context", json::parse(fee_context("followed"))}};
  if (last) s["last"] = true;
  return s;
}

TEST(ProcessingCore, PaymentsKeepTheirRevisionWhileHeadMoves) {
  ServerProcess srv;
  TempDir dir("processing-core");
  ASSERT_EQ(commit_fee(srv, 3), 2);
  std::string url = "http://127.0.0.1:" + std::to_string(srv.port());
  {
    Core core(url, srv.tokens().reader, dir.path);
    EXPECT_EQ(core.send({{"command", "wait_head"}, {"revision", 2}})["state"]["revision"], 2);
    json p1 = core.send(step("p1", "payment"));
    EXPECT_EQ(p1["revision"], 2) << p1;
    EXPECT_EQ(p1["terms"], "allowed") << p1;
    EXPECT_EQ(p1["postings"][0]["amount"], 18000) << p1;

    ASSERT_EQ(commit_fee(srv, 5), 3);
    EXPECT_EQ(core.send({{"command", "wait_head"}, {"revision", 3}})["state"]["held"], json::array({2, 3}));
    json capture = core.send(step("p1", "capture"));
    EXPECT_EQ(capture["revision"], 2) << capture;
    EXPECT_EQ(capture["postings"][0]["amount"], 18000) << capture;
    json p2 = core.send(step("p2", "payment"));
    EXPECT_EQ(p2["revision"], 3) << p2;
    EXPECT_EQ(p2["postings"][0]["amount"], 30000) << p2;
    EXPECT_EQ(core.send(step("p1", "refund", true))["revision"], 2);

    json state = core.send({{"command", "state"}})["state"];
    EXPECT_EQ(state["held"], json::array({3})) << state;  // p1 ended: revision 2 let go (keep 1)
    EXPECT_EQ(state["pinned"], json::array({3})) << state;
    EXPECT_EQ(state["from_cache"], false);
    EXPECT_NE(core.send(json{{"payment", "p3"}})["error"], nullptr);
    EXPECT_EQ(core.finish(), 0);
  }
  ASSERT_EQ(srv.terminate(), 0);

  // Restarted while the service is down: it evaluates at its cached head.
  Core core(url, srv.tokens().reader, dir.path);
  json p3 = core.send(step("p3", "payment"));
  EXPECT_EQ(p3["revision"], 3) << p3;
  EXPECT_EQ(p3["postings"][0]["amount"], 30000) << p3;
  EXPECT_EQ(core.send({{"command", "state"}})["state"]["from_cache"], true);
  EXPECT_EQ(core.finish(), 0);
}

}  // namespace
}  // namespace paydomain::testing
