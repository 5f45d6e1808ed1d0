// What the follower and processing-core tests share: a commit that changes
// an evaluation's answer (tariff `followed`, a fee of `percent`% that no
// test block of examples/acme checks, so the tests gate lets it through),
// the context that sees it, the fee an artifact computes for it, and a wait
// for a condition (never a guessed sleep).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "client/client.h"
#include "tests/server/server_harness.h"

namespace paydomain::testing {

// A 6000.00 RUB Mastercard payment under `tariff` ("standard": 1%, 60.00 RUB).
inline std::string fee_context(const std::string& tariff) {
  return R"({"operation": "payment", "party": "acme-retail-llc", "shop": "shop-1", "flow": "instant",
    "time": "2026-11-25T12:00:00Z", "tariff": ")" + tariff + R"(", "amount": {"amount": 600000, "currency": "RUB"},
    "payment_tool": {"kind": "bank_card", "payment_system": "mastercard", "issuer_country": "RU", "token": "card-5f1e"},
    "category": "retail", "risk": "low", "payment_key": "order-1001"})";
}

inline std::string followed_tariff(int percent) {
  return "tariff followed {\n  name \"Followed\"\n  currencies [RUB]\n  categories [retail]\n"
         "  payment_methods [bank_card(mastercard)]\n  fees {\n"
         "    merchant.settlement -> system.settlement : " + std::to_string(percent) + "% of amount \"fee\"\n  }\n}\n";
}

// Commits tariff `followed` at `percent`% on top of head; the new revision.
inline int64_t commit_fee(ServerProcess& s, int percent) {
  auto head = nlohmann::json::parse(s.call("GET", "/v1/head", s.tokens().reader).body);
  int64_t base = head["revision"];
  auto has = s.call("GET", "/v1/revisions/" + std::to_string(base) + "/objects/tariff/followed", s.tokens().reader);
  nlohmann::json op = {{"op", has.status == 200 ? "update" : "insert"}, {"kind", "tariff"}, {"id", "followed"},
                       {"text", followed_tariff(percent)}};
  nlohmann::json body = {{"base", base}, {"message", "fee " + std::to_string(percent)}, {"ops", {op}}};
  auto r = s.call("POST", "/v1/commits", s.tokens().editor, body.dump());
  if (r.status != 201) ADD_FAILURE() << r.body;
  return r.status == 201 ? nlohmann::json::parse(r.body)["revision"].get<int64_t>() : -1;
}

// The merchant's fee (merchant.settlement -> system.settlement) in minor
// units for fee_context(tariff) at `art`; -1 when there is none (e.g. the
// tariff does not exist at that revision).
inline int64_t fee_at(const std::shared_ptr<const client::Artifact>& art, const std::string& tariff = "followed") {
  if (!art) return -1;
  auto ctx = art->read_context(fee_context(tariff));
  if (!ctx) return -1;
  auto result = art->evaluate(*ctx);
  for (const auto& p : result.cash_flow.postings)
    if (p.from == "merchant.settlement" && p.to == "system.settlement") return p.amount.minor;
  return -1;
}

// The artifact of `rev` as the service serves it.
inline std::string compiled_bytes(ServerProcess& s, int64_t rev) {
  auto r = s.call("GET", "/v1/revisions/" + std::to_string(rev) + "/compiled", s.tokens().reader);
  if (r.status != 200) ADD_FAILURE() << "GET compiled " << rev << ": " << r.status << " " << r.body;
  return r.body;
}

// Polls `pred` until true or a generous minute passed.
template <class Pred>
bool eventually(Pred pred, std::chrono::seconds within = std::chrono::seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// The revisions cached in `dir` (its *.pdc files).
inline std::set<int64_t> cached_revisions(const std::filesystem::path& dir) {
  std::set<int64_t> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".pdc") out.insert(std::stoll(e.path().stem().string()));
  return out;
}

// A fresh temporary directory, removed by the destructor.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name) {
    static int n = 0;
    path = std::filesystem::temp_directory_path() /
           ("paydomain-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    if (!std::getenv("PAYDOMAIN_KEEP_TEST_DIRS")) std::filesystem::remove_all(path);
  }
};

}  // namespace paydomain::testing
