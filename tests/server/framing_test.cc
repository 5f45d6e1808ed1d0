// HTTP framing and connection handling over a real server, one regression
// test per finding of the hardening issue: long trailers (the crash),
// Transfer-Encoding smuggling, obs-fold, HEAD and OPTIONS, idle sockets
// that never send a byte, per-client caps, and requests that arrive while
// the server stops. Tests assert behaviour and order, never elapsed time.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "tests/server/server_harness.h"

namespace paydomain::testing {
namespace {

using nlohmann::json;

void expect_json_error(const HttpResponse& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  json j = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(j.is_object() && j.contains("error")) << r.body;
  EXPECT_EQ(j["error"]["code"], code) << r.body;
}

// Sends raw bytes on a fresh connection; the response, then whether the
// server closed the connection after it.
HttpResponse send_alone(const ServerProcess& s, const std::string& bytes, bool* closed = nullptr) {
  HttpClient c(s.port());
  c.send_raw(bytes);
  HttpResponse r = c.read_response();
  if (closed) *closed = c.closed_by_peer(std::chrono::milliseconds(5000));
  return r;
}

void expect_alive(ServerProcess& s) { EXPECT_EQ(s.call("GET", "/healthz", "").status, 200); }

TEST(Framing, LongTrailerFieldIsRefusedAndTheServerLives) {
  ServerProcess s;
  for (size_t len : {size_t(65535), size_t(70000), size_t(20000)}) {
    std::string req = "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " +
                      std::string(len, 't') + "\r\n\r\n";
    bool closed = false;
    HttpResponse r = send_alone(s, req, &closed);
    expect_json_error(r, 431, "headers-too-large");
    EXPECT_TRUE(closed);
    expect_alive(s);
  }
}

TEST(Framing, TrailersNeverBecomeHeaders) {
  ServerProcess s;
  // A token smuggled in a trailer does not authenticate.
  std::string body = R"({"files": []})";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  std::string req = "POST /v1/check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(size) +
                    "\r\n" + body + "\r\n0\r\nAuthorization: Bearer " + s.tokens().admin + "\r\n\r\n";
  expect_json_error(send_alone(s, req), 401, "unauthenticated");
  // With the token in the header, the same chunked request with a trailer works.
  req = "POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + s.tokens().editor +
        "\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(size) + "\r\n" + body + "\r\n0\r\nX-Trailer: 1\r\n\r\n";
  EXPECT_EQ(send_alone(s, req).status, 200);
}

TEST(Framing, TransferEncodingOtherThanFinalChunkedIsRefusedAndClosed) {
  ServerProcess s;
  struct {
    std::string te;
    int status;
    std::string code;
  } cases[] = {
      {"xchunked", 400, "bad-request"},
      {"chunked, identity", 400, "bad-request"},
      {"identity", 400, "bad-request"},
      {"chunked, chunked", 400, "bad-request"},
      {"gzip, chunked", 501, "not-implemented"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.te);
    // What follows the headers would be a second, smuggled request if the
    // body were taken as absent.
    std::string req = "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + c.te +
                      "\r\n\r\n0\r\n\r\nGET /v1/head HTTP/1.1\r\nHost: x\r\n\r\n";
    HttpClient conn(s.port());
    conn.send_raw(req);
    expect_json_error(conn.read_response(), c.status, c.code);
    EXPECT_TRUE(conn.closed_by_peer(std::chrono::milliseconds(5000)));  // no second response
  }
  bool closed = false;
  expect_json_error(send_alone(s,
                               "POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                               &closed),
                    400, "bad-request");
  EXPECT_TRUE(closed);
  // Case does not matter in a transfer coding.
  EXPECT_EQ(send_alone(s, "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n").status,
            405);
}

TEST(Framing, ObsFoldAndRepeatedHostAreRefused) {
  ServerProcess s;
  bool closed = false;
  expect_json_error(send_alone(s, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n", &closed), 400,
                    "bad-request");
  EXPECT_TRUE(closed);
  expect_json_error(send_alone(s, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tfolded\r\n\r\n"), 400,
                    "bad-request");
  expect_json_error(send_alone(s, "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"), 400, "bad-request");
  expect_alive(s);
}

TEST(Framing, HeadAnswersLikeGetWithoutABody) {
  ServerProcess s;
  HttpClient c(s.port());
  auto get = c.request("GET", "/v1/head", "", {{"Authorization", s.bearer(s.tokens().reader)}});
  ASSERT_EQ(get.status, 200);
  c.send_raw("HEAD /v1/head HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + s.tokens().reader +
             "\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  HttpResponse head = c.read_response(true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(get.body.size()));
  EXPECT_EQ(head.body, "");
  // The next pipelined response follows at once: no body bytes in between.
  auto next = c.read_response();
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.body.substr(0, 1), "{");
  // HEAD needs the same role as GET.
  HttpClient d(s.port());
  d.send_raw("HEAD /v1/head HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(d.read_response(true).status, 401);
}

TEST(Framing, OptionsListsTheAllowedMethods) {
  ServerProcess s;
  HttpClient c(s.port());
  auto r = c.request("OPTIONS", "/v1/revisions/1/evaluate");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("allow"), "POST, OPTIONS");
  r = c.request("OPTIONS", "/v1/head");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("allow"), "GET, HEAD, OPTIONS");
  r = c.request("OPTIONS", "*");
  EXPECT_EQ(r.status, 204);
  for (const char* m : {"GET", "POST", "DELETE", "HEAD", "OPTIONS"})
    EXPECT_NE(r.header("allow").find(m), std::string::npos) << m;
  expect_json_error(c.request("OPTIONS", "/v1/nothing-here"), 404, "not-found");
  // A 405 names HEAD and OPTIONS too.
  r = c.request("DELETE", "/v1/head");
  expect_json_error(r, 405, "method-not-allowed");
  EXPECT_EQ(r.header("allow"), "GET, HEAD, OPTIONS");
}

TEST(Connections, ANewConnectionThatSendsNothingIsClosedSoon) {
  // The first-byte deadline is much shorter than the idle timeout.
  ServerProcess s("--first-byte-timeout-ms 300 --idle-timeout-ms 60000");
  HttpClient silent(s.port());
  EXPECT_TRUE(silent.closed_by_peer(std::chrono::milliseconds(30000)));
  // A connection that has been served waits for the idle timeout instead.
  HttpClient used(s.port());
  EXPECT_EQ(used.request("GET", "/healthz").status, 200);
  HttpClient silent2(s.port());
  EXPECT_TRUE(silent2.closed_by_peer(std::chrono::milliseconds(30000)));
  EXPECT_FALSE(used.closed_by_peer(std::chrono::milliseconds(0)));
  EXPECT_EQ(used.request("GET", "/healthz").status, 200);
}

TEST(Connections, OneClientAddressIsCapped) {
  ServerProcess s("--max-connections-per-client 4 --max-connections 64");
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<HttpClient>(s.port()));
    ASSERT_EQ(held.back()->request("GET", "/healthz").status, 200);
  }
  HttpClient extra(s.port());
  expect_json_error(extra.read_response(), 429, "too-many-connections");
  held.pop_back();
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    try {
      served = s.call("GET", "/healthz", "").status == 200;
    } catch (const std::exception&) {
    }
  }
  EXPECT_TRUE(served);
}

TEST(Connections, IdleSocketsAtTheCapMakeRoomForClientsThatBehave) {
  ServerProcess s("--max-connections 8 --max-connections-per-client 0 --first-byte-timeout-ms 60000");
  std::vector<std::unique_ptr<HttpClient>> silent;
  for (int i = 0; i < 8; ++i) silent.push_back(std::make_unique<HttpClient>(s.port()));
  // Every slot is held by a socket that never sent a byte; a real client is
  // still served, again and again, each time in place of one of them.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(s.call("GET", "/healthz", "").status, 200);
  int closed = 0;
  for (auto& c : silent) closed += c->closed_by_peer(std::chrono::milliseconds(2000));
  EXPECT_GE(closed, 1);
}

TEST(Shutdown, ARequestArrivingAtTheStopOnAKeepAliveConnectionIsAnswered) {
  ServerProcess s("--shutdown-grace-ms 5000");
  std::vector<std::unique_ptr<HttpClient>> conns;
  for (int i = 0; i < 4; ++i) {
    conns.push_back(std::make_unique<HttpClient>(s.port()));
    ASSERT_EQ(conns.back()->request("GET", "/healthz").status, 200);
  }
  ASSERT_EQ(::kill(s.pid(), SIGTERM), 0);
  // One request races the signal; the others are sent once the server has
  // begun to stop (it logs so). Each gets its response.
  EXPECT_EQ(conns[0]->request("GET", "/healthz").status, 200);
  for (int i = 0; i < 3000 && s.log().find("\"msg\":\"shutdown\"") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_NE(s.log().find("\"msg\":\"shutdown\""), std::string::npos);
  for (size_t i = 1; i < conns.size(); ++i) {
    auto r = conns[i]->request("GET", "/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("connection"), "close");  // and then the connection closes
  }
  EXPECT_EQ(s.terminate(), 0);
}

}  // namespace
}  // namespace paydomain::testing
