// What reading a JSON request body costs on the routes whose bodies pass the
// App's gate (Body::Checked: commits, check, evaluate on a working copy):
// the gate itself (json::structure_error: depth and repeated members, one
// non-recursive pass), the document tree the handlers built before
// (nlohmann::json::parse), and what they do now (JsonObject + read_files on
// json::Reader). The body is the examples/acme working copy as a commit.
// Prints nanoseconds per body and per byte; no target (docs/api.md).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "json/reader.h"
#include "server/json_util.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string commit_body() {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& e : std::filesystem::directory_iterator(PAYDOMAIN_SOURCE_DIR "/examples/acme")) {
    if (e.path().extension() != ".pd") continue;
    std::ifstream in(e.path());
    std::ostringstream ss;
    ss << in.rdbuf();
    files.push_back({{"name", e.path().filename().string()}, {"text", ss.str()}});
  }
  return nlohmann::json{{"base", 1}, {"message", "bench"}, {"files", files}}.dump();
}

template <class F>
double ns_per_call(F&& f) {
  int n = 0;
  auto start = Clock::now();
  auto until = start + std::chrono::milliseconds(500);
  while (Clock::now() < until) {
    for (int i = 0; i < 16; ++i) f();
    n += 16;
  }
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() / n;
}

}  // namespace

int main() {
  using namespace paydomain;
  const std::string body = commit_body();
  size_t sink = 0;
  double gate = ns_per_call([&] { sink += json::structure_error(body, 256).size(); });
  double tree = ns_per_call([&] { sink += nlohmann::json::parse(body).size(); });
  double reader = ns_per_call([&] {
    auto obj = server::read_body(body);
    if (!obj) std::abort();
    auto files = server::read_files(*obj);
    if (!files) std::abort();
    sink += files->size();
  });
  auto line = [&](const char* what, double ns) {
    std::printf("  %-44s %9.1f us  (%.2f ns/byte)\n", what, ns / 1000, ns / static_cast<double>(body.size()));
  };
  std::printf("request body of a working-copy commit (%zu bytes, examples/acme):\n", body.size());
  line("body gate (structure_error)", gate);
  line("document tree (nlohmann::json::parse)", tree);
  line("handlers now (JsonObject + read_files)", reader);
  std::printf("  gate + handler read: %.1f us, vs gate + tree before: %.1f us (%s)\n", (gate + reader) / 1000,
              (gate + tree) / 1000, sink ? "ok" : "?");
  return 0;
}
