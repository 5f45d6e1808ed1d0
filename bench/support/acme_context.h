// The typical payment context of examples/acme that the evaluator and client
// benchmarks evaluate (a card payment in RUB with every usual field).
#pragma once

namespace paydomain::bench {

inline const char* kTypicalAcmeContext = R"({
  "tariff": "standard", "operation": "payment",
  "amount": {"amount": 600000, "currency": "RUB"},
  "payment_tool": {"kind": "bank_card", "payment_system": "mastercard", "issuer_country": "RU",
                   "bin": "555555", "token": "card-7f3a"},
  "category": "retail", "risk": "low", "flow": "instant", "party": "acme-retail-llc", "shop": "shop-1",
  "payment_institution": "acme_ru", "residence": "RU", "realm": "live",
  "merchant_accounts": {"settlement": "40702810500000012345"},
  "time": "2026-11-25T12:00:00Z", "payment_key": "order-42"})";

}  // namespace paydomain::bench
