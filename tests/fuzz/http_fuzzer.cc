// Fuzz target: any bytes as what one client sends on one connection, through
// the real request pipeline: the RequestReader (request line, headers,
// Content-Length and chunked bodies, trailers, pipelining), then the App
// (routing, authentication, roles, body checks) and the Service's handlers
// over a real SQLite store seeded from examples/acme.
//
// The first byte picks how the rest is cut into reads (so framing is tried
// at every split point). "Bearer reader|editor|admin" in a request is
// replaced by that role's real token, so the fuzzer reaches every handler.
// Findings: crashes, sanitizer reports, a handler that never answers, and a
// 4xx/5xx whose body is not the API's JSON error shape.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "server/request_reader.h"
#include "tests/support/in_process_service.h"

namespace {

namespace ps = paydomain::server;
using paydomain::testing::InProcessService;

InProcessService& service() {
  static InProcessService* s = new InProcessService();  // lives for the process
  return *s;
}

void handle(ps::Request req) {
  InProcessService& s = service();
  auto it = req.headers.find("authorization");
  if (it != req.headers.end() && it->second.rfind("Bearer ", 0) == 0) {
    std::string role = it->second.substr(7);
    if (std::string real = s.bearer(role); !real.empty()) it->second = real;
  }
  auto res = s.handle(std::move(req));
  if (!res) {
    std::fprintf(stderr, "a request was never answered\n");
    std::abort();
  }
  if (res->status < 100 || res->status > 599) std::abort();
  if (res->status >= 400) {
    auto j = nlohmann::json::parse(res->body, nullptr, false);
    if (!j.is_object() || !j.contains("error") || !j["error"].is_object() || !j["error"]["code"].is_string() ||
        !j["error"]["message"].is_string() || !j["error"]["path"].is_string()) {
      std::fprintf(stderr, "error response not in the API's shape: %d %s\n", res->status, res->body.c_str());
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  service();
  size_t step = data[0] == 0 ? size : data[0];  // bytes per read
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  ps::RequestReader reader(2048, 16384);
  std::string pending;
  for (size_t at = 0; at < input.size(); at += step) {
    pending.append(input.substr(at, step));
    while (true) {
      size_t used = reader.parse(pending);
      pending.erase(0, used);
      if (reader.error()) return 0;  // answered with the error, then the connection closes
      if (!reader.done()) break;
      bool keep_alive = reader.keep_alive();
      handle(reader.take());
      if (!keep_alive) return 0;  // the connection closes after this response
      if (pending.empty()) break;
    }
  }
  return 0;
}
