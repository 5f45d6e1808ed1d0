#include "server/token_auth.h"

#include <charconv>
#include <memory>
#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include "domain_store/json.h"
#include "server/json_util.h"

namespace paydomain::server {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// With the algorithm fetched once and a context per thread: OpenSSL 3's
// one-shot EVP_Digest fetches and allocates on every call, which was most of
// the hot path's authentication cost.
std::optional<TokenAuth::Digest> TokenAuth::digest(std::string_view token) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  Digest out{};
  unsigned int len = 0;
  if (!md || !ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), token.data(), token.size()) != 1 || EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 ||
      len != out.size())
    return std::nullopt;
  return out;
}

std::optional<Caller> TokenAuth::authenticate(std::string_view token) {
  std::optional<Digest> key = digest(token);
  auto now = Clock::now();
  if (key) {
    std::lock_guard lock(mu_);
    auto it = cache_.find(*key);
    if (it != cache_.end() && it->second.expires > now) return it->second.caller;
  }
  std::optional<Caller> caller;
  bool cacheable = key.has_value();  // without a digest, the store decides every time
  auto found = tokens_.lookup(token);
  if (found) {
    Access role;
    if (access_from_string(found->role, role)) caller = Caller{found->name, role};
  } else if (found.error().code != store::ErrorCode::NotFound) {
    // A busy or unreachable database is no answer about the token: the last
    // answer, even expired, stands until it can answer again.
    if (!key) return std::nullopt;
    std::lock_guard lock(mu_);
    auto it = cache_.find(*key);
    return it != cache_.end() ? it->second.caller : std::nullopt;
  }
  if (cacheable) {
    std::lock_guard lock(mu_);
    if (cache_.size() > 10000) cache_.clear();  // bounded even under a flood of bad tokens
    cache_[*key] = Cached{caller, now + ttl_};
  }
  return caller;
}

void TokenAuth::forget_all() {
  std::lock_guard lock(mu_);
  cache_.clear();
}

void TokenAuth::add_routes(Router& r) {
  r.add("GET", "/v1/whoami", Access::Reader, [](Request&, const Caller& caller, Done done) {
    done(json_response(200, {{"name", caller.name}, {"role", to_string(caller.role)}}));
  });
  r.add("GET", "/v1/tokens", Access::Admin, [this](Request&, const Caller&, Done done) {
    auto list = tokens_.list();
    if (!list) return done(to_response(store_error(list.error())));
    json items = json::array();
    for (const auto& t : list.value()) items.push_back(store::to_json(t));
    done(json_response(200, {{"tokens", items}}));
  });
  // POST /v1/tokens {"role", "name"}: the token is in this answer only.
  r.add("POST", "/v1/tokens", Access::Admin, [this](Request& req, const Caller&, Done done) {
    auto body = read_body(req.body, "an object {\"role\", \"name\"}");
    if (!body) return done(to_response(body.error()));
    const std::string_view* role_text = body->find("role");
    const std::string_view* name_text = body->find("name");
    auto role = read_string(role_text ? *role_text : "", "/role", "one of \"reader\", \"editor\", \"admin\"");
    if (!role) return done(to_response(role.error()));
    auto name = read_string(name_text ? *name_text : "", "/name");
    if (!name) return done(to_response(name.error()));
    auto t = tokens_.create(*role, *name);
    if (!t) return done(to_response(store_error(t.error())));
    json j = store::to_json(t->info);
    j["token"] = t->token;
    Response res = json_response(201, j);
    res.headers.emplace_back("Cache-Control", "no-store");
    done(std::move(res));
  });
  r.add("DELETE", "/v1/tokens/{id}", Access::Admin, [this](Request& req, const Caller&, Done done) {
    const std::string& text = req.params[0];
    int64_t id = -1;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || p != text.data() + text.size() || id < 0)
      return done(error_response(400, "bad-parameter", "a token id is a non-negative integer"));
    if (store::Status s = tokens_.revoke(id); !s) return done(to_response(store_error(s.error())));
    forget_all();
    done(json_response(200, {{"revoked", id}}));
  });
}

}  // namespace paydomain::server
