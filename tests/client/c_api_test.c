/* The C ABI from plain C: load the artifact `paydomain compile` wrote for
 * examples/acme (argv[1]), evaluate a payment, read the answer. Exits
 * non-zero naming the first check that fails. */
#include <stdio.h>
#include <string.h>

#include "client/paydomain_client.h"

static int failures = 0;
#define CHECK(cond)                                              \
  do {                                                           \
    if (!(cond)) {                                               \
      fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                \
    }                                                            \
  } while (0)

static const char* kPayment =
    "{\"tariff\": \"standard\", \"amount\": {\"amount\": 600000, \"currency\": \"RUB\"},"
    " \"payment_tool\": {\"kind\": \"bank_card\", \"payment_system\": \"mastercard\"},"
    " \"category\": \"retail\", \"risk\": \"low\", \"payment_key\": \"pay-1\","
    " \"payment_institution\": \"acme_ru\", \"residence\": \"RU\", \"realm\": \"live\", \"merchant_accounts\": {\"settlement\": \"40702810500000012345\"}}";

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: c_api_test ACME.pdc\n");
    return 2;
  }
  char err[256] = "";
  pd_artifact* a = NULL;
  CHECK(pd_abi_version() == PD_ABI_VERSION);
  CHECK(pd_artifact_load_file(argv[1], &a, err, sizeof err) == PD_OK);
  if (!a) {
    fprintf(stderr, "load: %s\n", err);
    return 1;
  }
  uint16_t major = 0, minor = 0;
  pd_artifact_format(a, &major, &minor);
  CHECK(major == 2); /* format 2.0: the flat layout (docs/artifact.md) */
  char hash[80];
  size_t needed = 0;
  CHECK(pd_artifact_source_hash(a, hash, sizeof hash, &needed) == PD_OK && strlen(hash) == 64);

  pd_result* r = pd_result_new();
  CHECK(pd_evaluate_json(a, kPayment, strlen(kPayment), 0, r, err, sizeof err) == PD_OK);
  CHECK(pd_result_terms(r) == PD_TERMS_ALLOWED);
  CHECK(pd_result_route(r) == PD_ROUTE_CHOSEN);
  char terminal[64];
  CHECK(pd_result_terminal(r, terminal, sizeof terminal, NULL) == PD_OK && terminal[0] != '\0');
  CHECK(pd_result_posting_count(r) >= 1);
  int found = 0;
  for (size_t i = 0; i < pd_result_posting_count(r); ++i) {
    int64_t minor_units = 0;
    char from[64], to[64], cur[8];
    CHECK(pd_result_posting(r, i, &minor_units, from, sizeof from, to, sizeof to, cur, sizeof cur) == PD_OK);
    if (strcmp(from, "merchant.settlement") == 0 && strcmp(to, "system.settlement") == 0) {
      CHECK(minor_units == 6000 && strcmp(cur, "RUB") == 0);
      /* The final cash flow: the merchant's account from the context, Acme Pay Russia's ruble account. */
      char from_account[40], to_account[40], tiny[4];
      CHECK(pd_result_posting_accounts(r, i, from_account, sizeof from_account, to_account, sizeof to_account) == PD_OK);
      CHECK(strcmp(from_account, "40702810500000012345") == 0 && strcmp(to_account, "40701810000000000010") == 0);
      CHECK(pd_result_posting_accounts(r, i, tiny, sizeof tiny, NULL, 0) == PD_E_BUFFER);
      found = 1;
    }
  }
  CHECK(found);
  CHECK(pd_result_posting_accounts(r, pd_result_posting_count(r), NULL, 0, NULL, 0) == PD_E_ARGUMENT);

  /* The JSON answer: a too small buffer says how much it needs. */
  char small[8];
  CHECK(pd_result_json(r, small, sizeof small, &needed) == PD_E_BUFFER && needed > sizeof small);
  char json[16384];
  CHECK(needed < sizeof json && pd_result_json(r, json, sizeof json, NULL) == PD_OK);
  CHECK(strncmp(json, "{\"terms\":{\"status\":\"allowed\"", 27) == 0);

  /* A malformed context: an error naming its place; the handle stays usable. */
  const char* bad = "{\"amount\": {\"amount\": -1, \"currency\": \"RUB\"}}";
  CHECK(pd_evaluate_json(a, bad, strlen(bad), 0, r, err, sizeof err) == PD_E_CONTEXT);
  CHECK(strstr(err, "$.amount.amount") != NULL);
  CHECK(pd_evaluate_json(a, kPayment, strlen(kPayment), 1, r, err, sizeof err) == PD_OK);

  /* Garbage is refused with a message, never loaded. */
  pd_artifact* g = NULL;
  CHECK(pd_artifact_load("garbage", 7, &g, err, sizeof err) == PD_E_ARTIFACT && g == NULL && err[0] != '\0');
  CHECK(pd_artifact_load_file("/nonexistent/x.pdc", &g, err, sizeof err) == PD_E_IO);

  pd_artifact_free(a); /* the result keeps its revision alive */
  CHECK(pd_result_json(r, json, sizeof json, NULL) == PD_OK);
  pd_result_free(r);
  if (failures == 0) printf("c_api_test: ok\n");
  return failures == 0 ? 0 : 1;
}
