/* The embeddable evaluator's C ABI: load a compiled revision (an artifact,
 * docs/artifact.md), evaluate payment contexts in process. For cores written
 * in C, Erlang (NIF), Go (cgo), Java (FFM), Python (ctypes): plain C types,
 * opaque handles, caller-owned buffers, error codes with messages.
 *
 * Stability: functions are only ever added; PD_ABI_VERSION grows with them.
 * Threads: a pd_artifact is immutable; evaluate it from any number of
 * threads at once. A pd_result belongs to one thread at a time.
 * Memory: the library allocates only inside handles; every buffer it writes
 * is the caller's, with its capacity passed in. A too small buffer gives
 * PD_E_BUFFER and the size needed in *needed (when not NULL).
 * How a core embeds it: docs/client.md. */
#ifndef PAYDOMAIN_CLIENT_H
#define PAYDOMAIN_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PD_ABI_VERSION 1

typedef enum pd_status {
  PD_OK = 0,
  PD_E_ARGUMENT = 1, /* a NULL handle or pointer where one is required */
  PD_E_IO = 2,       /* the artifact file cannot be read */
  PD_E_ARTIFACT = 3, /* the artifact is damaged, truncated or of an unknown major format */
  PD_E_CONTEXT = 4,  /* the context JSON is malformed or names unknown ids */
  PD_E_BUFFER = 5    /* the caller's buffer is too small (see *needed) */
} pd_status;

typedef struct pd_artifact pd_artifact; /* one loaded revision */
typedef struct pd_result pd_result;     /* one evaluation's answer, reusable */

/* The ABI version of the library actually loaded. */
int pd_abi_version(void);

/* Loads and validates an artifact (copies the bytes). On failure *out is
 * NULL and err (when not NULL, err_cap > 0) holds a NUL-terminated message,
 * cut to err_cap - 1 bytes. */
pd_status pd_artifact_load(const void* bytes, size_t size, pd_artifact** out, char* err, size_t err_cap);
pd_status pd_artifact_load_file(const char* path, pd_artifact** out, char* err, size_t err_cap);
/* Releases the handle. Results already computed stay readable until freed
 * (they hold the revision). NULL is allowed. */
void pd_artifact_free(pd_artifact* artifact);

uint64_t pd_artifact_revision(const pd_artifact* artifact);
/* The revision's source hash (hex, NUL-terminated). */
pd_status pd_artifact_source_hash(const pd_artifact* artifact, char* buf, size_t cap, size_t* needed);
/* The artifact's format version. */
void pd_artifact_format(const pd_artifact* artifact, uint16_t* major, uint16_t* minor);

/* A result handle, reused across evaluations (its buffers are kept). */
pd_result* pd_result_new(void);
void pd_result_free(pd_result* result);

/* Evaluates one context given as the JSON of POST /v1/evaluate. explain:
 * non-zero fills the explanations. On PD_E_CONTEXT, err holds "path: message". */
pd_status pd_evaluate_json(const pd_artifact* artifact, const char* context, size_t context_len, int explain,
                           pd_result* result, char* err, size_t err_cap);

/* The last result as the JSON POST /v1/evaluate answers (the same bytes,
 * with explanations when it was evaluated with explain), NUL-terminated. */
pd_status pd_result_json(const pd_result* result, char* buf, size_t cap, size_t* needed);

/* Parts of the last result, without JSON. */
typedef enum pd_terms { PD_TERMS_ALLOWED = 0, PD_TERMS_FORBIDDEN = 1, PD_TERMS_UNDETERMINED = 2 } pd_terms;
typedef enum pd_route {
  PD_ROUTE_CHOSEN = 0,
  PD_ROUTE_DECLINED = 1,
  PD_ROUTE_NO_ROUTE = 2,
  PD_ROUTE_UNDETERMINED = 3,
  PD_ROUTE_NO_ROUTING = 4
} pd_route;
pd_terms pd_result_terms(const pd_result* result);
pd_route pd_result_route(const pd_result* result);
/* The chosen terminal's id (PD_ROUTE_CHOSEN), NUL-terminated; "" otherwise. */
pd_status pd_result_terminal(const pd_result* result, char* buf, size_t cap, size_t* needed);
/* The cash flow's postings: how many, and one of them (amount in minor units;
 * the strings NUL-terminated into the caller's buffers). */
size_t pd_result_posting_count(const pd_result* result);
pd_status pd_result_posting(const pd_result* result, size_t index, int64_t* amount_minor, char* from, size_t from_cap,
                            char* to, size_t to_cap, char* currency, size_t currency_cap);
/* The account ids behind a posting's roles (docs/evaluation.md, "Accounts"),
 * NUL-terminated; "" for an account the result leaves unresolved. Ids are
 * decimal text (or the merchant's strings), never numbers: they exceed 2^53. */
pd_status pd_result_posting_accounts(const pd_result* result, size_t index, char* from_account, size_t from_cap,
                                     char* to_account, size_t to_cap);

#ifdef __cplusplus
}
#endif

#endif /* PAYDOMAIN_CLIENT_H */
