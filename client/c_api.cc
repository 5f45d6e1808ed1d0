// The C ABI (client/paydomain_client.h) over client/client.h. Nothing
// throws across it: every entry point catches what the standard library may
// throw (allocation) and answers with a status.
#include "client/paydomain_client.h"

#include <cstring>
#include <new>

#include "client/client.h"
#include "evaluator/result_json.h"

using paydomain::client::Artifact;

struct pd_artifact {
  std::shared_ptr<const Artifact> a;
};

struct pd_result {
  std::shared_ptr<const Artifact> a;  // the revision its strings point into
  paydomain::client::Context context;
  paydomain::client::EvalResult result;
  bool has = false;
  bool explain = false;
};

namespace {

void put_error(char* err, size_t cap, std::string_view msg) {
  if (!err || cap == 0) return;
  size_t n = std::min(msg.size(), cap - 1);
  std::memcpy(err, msg.data(), n);
  err[n] = '\0';
}

pd_status put(std::string_view s, char* buf, size_t cap, size_t* needed) {
  if (needed) *needed = s.size() + 1;
  if (!buf || cap < s.size() + 1) return PD_E_BUFFER;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return PD_OK;
}

template <class F>
pd_status guarded(char* err, size_t cap, F f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    put_error(err, cap, "out of memory");
    return PD_E_ARGUMENT;
  }
}

pd_status adopt(paydomain::client::Result<std::shared_ptr<const Artifact>> r, pd_status code, pd_artifact** out,
                char* err, size_t err_cap) {
  if (!r) {
    put_error(err, err_cap, r.error().text());
    return code;
  }
  *out = new pd_artifact{std::move(*r)};
  return PD_OK;
}

}  // namespace

extern "C" {

int pd_abi_version(void) { return PD_ABI_VERSION; }

pd_status pd_artifact_load(const void* bytes, size_t size, pd_artifact** out, char* err, size_t err_cap) {
  if (!out || (!bytes && size)) return PD_E_ARGUMENT;
  *out = nullptr;
  return guarded(err, err_cap, [&] {
    std::string b(static_cast<const char*>(bytes), size);
    return adopt(Artifact::load(std::move(b)), PD_E_ARTIFACT, out, err, err_cap);
  });
}

pd_status pd_artifact_load_file(const char* path, pd_artifact** out, char* err, size_t err_cap) {
  if (!out || !path) return PD_E_ARGUMENT;
  *out = nullptr;
  return guarded(err, err_cap, [&] {
    auto r = Artifact::load_file(path);
    // An unreadable file and a bad artifact differ: the message says which.
    pd_status code = !r && r.error().message.rfind("cannot ", 0) == 0 ? PD_E_IO : PD_E_ARTIFACT;
    return adopt(std::move(r), code, out, err, err_cap);
  });
}

void pd_artifact_free(pd_artifact* artifact) { delete artifact; }

uint64_t pd_artifact_revision(const pd_artifact* artifact) { return artifact ? artifact->a->revision() : 0; }

pd_status pd_artifact_source_hash(const pd_artifact* artifact, char* buf, size_t cap, size_t* needed) {
  if (!artifact) return PD_E_ARGUMENT;
  return put(artifact->a->source_hash(), buf, cap, needed);
}

void pd_artifact_format(const pd_artifact* artifact, uint16_t* major, uint16_t* minor) {
  if (!artifact) return;
  if (major) *major = artifact->a->format_major();
  if (minor) *minor = artifact->a->format_minor();
}

pd_result* pd_result_new(void) { return new (std::nothrow) pd_result(); }

void pd_result_free(pd_result* result) { delete result; }

pd_status pd_evaluate_json(const pd_artifact* artifact, const char* context, size_t context_len, int explain,
                           pd_result* result, char* err, size_t err_cap) {
  if (!artifact || !result || (!context && context_len)) return PD_E_ARGUMENT;
  return guarded(err, err_cap, [&] {
    result->has = false;
    result->a = artifact->a;
    auto s = artifact->a->read_context(std::string_view(context ? context : "", context_len), result->context);
    if (!s) {
      put_error(err, err_cap, s.error().text());
      return PD_E_CONTEXT;
    }
    paydomain::client::EvalOptions opt;
    opt.explain = explain != 0;
    artifact->a->evaluate(result->context, opt, result->result);
    result->has = true;
    result->explain = opt.explain;
    return PD_OK;
  });
}

pd_status pd_result_json(const pd_result* result, char* buf, size_t cap, size_t* needed) {
  if (!result || !result->has) return PD_E_ARGUMENT;
  return guarded(nullptr, 0, [&] {
    std::string out;
    paydomain::evaluator::write_result(result->result, result->a->program(), result->explain, out);
    return put(out, buf, cap, needed);
  });
}

pd_terms pd_result_terms(const pd_result* result) {
  if (!result || !result->has) return PD_TERMS_UNDETERMINED;
  switch (result->result.terms.verdict) {
    case paydomain::client::TermsResult::Verdict::Allowed: return PD_TERMS_ALLOWED;
    case paydomain::client::TermsResult::Verdict::Forbidden: return PD_TERMS_FORBIDDEN;
    default: return PD_TERMS_UNDETERMINED;
  }
}

pd_route pd_result_route(const pd_result* result) {
  if (!result || !result->has) return PD_ROUTE_NO_ROUTING;
  return static_cast<pd_route>(result->result.route.status);
}

pd_status pd_result_terminal(const pd_result* result, char* buf, size_t cap, size_t* needed) {
  if (!result || !result->has) return PD_E_ARGUMENT;
  const auto& r = result->result.route;
  std::string_view name = r.status == paydomain::client::RouteResult::Status::Chosen
                              ? result->a->object_name(paydomain::client::ObjectKind::Terminal, r.terminal)
                              : std::string_view{};
  return put(name, buf, cap, needed);
}

size_t pd_result_posting_count(const pd_result* result) {
  return result && result->has ? result->result.cash_flow.postings.size() : 0;
}

pd_status pd_result_posting(const pd_result* result, size_t index, int64_t* amount_minor, char* from, size_t from_cap,
                            char* to, size_t to_cap, char* currency, size_t currency_cap) {
  if (!result || !result->has || index >= result->result.cash_flow.postings.size()) return PD_E_ARGUMENT;
  const auto& p = result->result.cash_flow.postings[index];
  if (amount_minor) *amount_minor = p.amount.minor;
  pd_status s = PD_OK;
  if (from && put(p.from, from, from_cap, nullptr) != PD_OK) s = PD_E_BUFFER;
  if (to && put(p.to, to, to_cap, nullptr) != PD_OK) s = PD_E_BUFFER;
  if (currency && put(p.amount.currency, currency, currency_cap, nullptr) != PD_OK) s = PD_E_BUFFER;
  return s;
}

pd_status pd_result_posting_accounts(const pd_result* result, size_t index, char* from_account, size_t from_cap,
                                     char* to_account, size_t to_cap) {
  if (!result || !result->has || index >= result->result.cash_flow.postings.size()) return PD_E_ARGUMENT;
  const auto& p = result->result.cash_flow.postings[index];
  pd_status s = PD_OK;
  if (from_account && put(p.from_account, from_account, from_cap, nullptr) != PD_OK) s = PD_E_BUFFER;
  if (to_account && put(p.to_account, to_account, to_cap, nullptr) != PD_OK) s = PD_E_BUFFER;
  return s;
}

}  // extern "C"
