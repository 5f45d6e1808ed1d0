// `paydomain serve` started while PostgreSQL is down: it keeps retrying the
// store and comes up when the database returns; SIGTERM while it waits
// stops it cleanly. (A SQLite path that is no store fails at once.)
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <nlohmann/json.hpp>

#include "tests/postgres/cluster.h"
#include "tests/server/server_harness.h"

namespace paydomain::testing {
namespace {

// A `serve` process whose start the test watches through its log.
class ServeProcess {
 public:
  ServeProcess(const std::string& db, const std::filesystem::path& log) : log_(log) {
    std::string cmd = "exec " + paydomain_bin() + " serve --db '" + db + "' --listen 127.0.0.1:0 --threads 2 >" +
                      log.string() + " 2>&1";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  std::string log() const { return slurp_file(log_); }
  // Waits until the log holds `text`; false if the process exited first or
  // a minute passed (a hang is a failure, not a timing assertion).
  bool wait_for(const std::string& text) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (log().find(text) != std::string::npos) return true;
      if (exited()) return log().find(text) != std::string::npos;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  bool exited() {
    if (pid_ <= 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return true;
  }
  // Waits for the process to end by itself: its exit code (-1 if not within 60 s).
  int wait_exit() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!exited() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return pid_ > 0 ? -1 : exit_code_;
  }
  // SIGTERM, then the exit code (-1: killed by a signal or no exit in 60 s).
  int terminate() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!exited() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return pid_ > 0 ? -1 : exit_code_;
  }
  // The port of the log's line `msg` ("listening", or "waiting for the store").
  uint16_t port(const std::string& msg = "listening") const {
    std::string text = log();
    size_t at = text.find("\"msg\":\"" + msg + "\"");
    size_t p = text.find("\"port\":", at);
    return static_cast<uint16_t>(std::stoi(text.substr(p + 7)));
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  int exit_code_ = -2;
};

class StartDuringOutage : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    cluster_ = PgCluster::shared(&why);
    ASSERT_NE(cluster_, nullptr) << why;
    url_ = cluster_->create_database();
    std::string out;
    ASSERT_EQ(run_command(paydomain_bin() + " init --db '" + url_ + "' --from " + source_dir() + "/examples/acme 2>&1",
                          &out),
              0)
        << out;
    ASSERT_EQ(run_command(paydomain_bin() + " token create --db '" + url_ + "' --role reader --name core 2>/dev/null",
                          &reader_),
              0);
    while (!reader_.empty() && reader_.back() == '\n') reader_.pop_back();
    dir_ = std::filesystem::temp_directory_path() / ("paydomain-startoutage-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (cluster_) cluster_->start();  // the next test needs it up, whatever happened here
    std::filesystem::remove_all(dir_);
  }

  PgCluster* cluster_ = nullptr;
  std::string url_, reader_;
  std::filesystem::path dir_;
};

TEST_F(StartDuringOutage, ServeComesUpWhenTheDatabaseReturns) {
  ASSERT_TRUE(cluster_->stop());
  ServeProcess serve(url_, dir_ / "serve.log");
  // It tried, failed, and waits: it has not exited.
  ASSERT_TRUE(serve.wait_for("retrying in")) << serve.log();
  EXPECT_NE(serve.log().find("cannot open store"), std::string::npos) << serve.log();
  EXPECT_EQ(serve.log().find("\"msg\":\"listening\""), std::string::npos) << serve.log();
  ASSERT_FALSE(serve.exited()) << serve.log();
  // Meanwhile it answers on its address: alive, not ready, and why.
  ASSERT_TRUE(serve.wait_for("\"msg\":\"waiting for the store\"")) << serve.log();
  const uint16_t waiting_port = serve.port("waiting for the store");
  {
    HttpClient waiting(waiting_port);
    auto alive = waiting.request("GET", "/healthz");
    EXPECT_EQ(alive.status, 200) << alive.body;
    auto not_ready = waiting.request("GET", "/readyz");
    EXPECT_EQ(not_ready.status, 503) << not_ready.body;
    auto error = nlohmann::json::parse(not_ready.body)["error"];
    EXPECT_EQ(error["code"], "not-ready") << not_ready.body;
    EXPECT_NE(error["message"].get<std::string>().find("waiting for the store: cannot open store"), std::string::npos)
        << not_ready.body;
    EXPECT_EQ(waiting.request("GET", "/v1/head", "", {{"Authorization", "Bearer " + reader_}}).status, 503);
  }

  ASSERT_TRUE(cluster_->start());
  ASSERT_TRUE(serve.wait_for("\"msg\":\"listening\"")) << serve.log();
  EXPECT_EQ(serve.port(), waiting_port) << "the port it picked while waiting is the service's";
  EXPECT_NE(serve.log().find("store opened"), std::string::npos) << serve.log();
  HttpClient client(serve.port());
  auto head = client.request("GET", "/v1/head", "", {{"Authorization", "Bearer " + reader_}});
  ASSERT_EQ(head.status, 200) << head.body;
  EXPECT_EQ(nlohmann::json::parse(head.body)["revision"], 1);
  auto ready = client.request("GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(serve.terminate(), 0) << serve.log();
}

TEST_F(StartDuringOutage, SigtermWhileWaitingStopsCleanly) {
  ASSERT_TRUE(cluster_->stop());
  ServeProcess serve(url_, dir_ / "serve.log");
  ASSERT_TRUE(serve.wait_for("retrying in")) << serve.log();
  EXPECT_EQ(serve.terminate(), 0) << serve.log();
  EXPECT_EQ(serve.log().find("\"msg\":\"listening\""), std::string::npos) << serve.log();
}

TEST_F(StartDuringOutage, ASqliteStoreThatIsMissingFailsAtOnce) {
  ServeProcess serve((dir_ / "none.db").string(), dir_ / "serve.log");
  // Exits by itself (no retry loop) with the reason.
  EXPECT_EQ(serve.wait_exit(), 1) << serve.log();
  EXPECT_NE(serve.log().find("cannot open store"), std::string::npos) << serve.log();
  EXPECT_EQ(serve.log().find("retrying in"), std::string::npos) << serve.log();
}

}  // namespace
}  // namespace paydomain::testing
