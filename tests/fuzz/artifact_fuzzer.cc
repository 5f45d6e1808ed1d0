// Any bytes as a compiled-revision artifact (client::Artifact::load): the
// loader must refuse or accept without a crash, a hang or an out-of-bounds
// read, and an accepted artifact must evaluate any context its vocabulary
// can express. The checksum would stop nearly every mutation at the door,
// so when the first byte is odd the target recomputes it first: the fuzzer
// then reaches every check behind it.
#include <cstdint>
#include <cstring>
#include <string>

#include "client/client.h"
#include "evaluator/program.h"

namespace {

using paydomain::client::Artifact;
using paydomain::client::Attr;
using paydomain::client::Context;

void evaluate_some(const Artifact& a, const uint8_t* data, size_t size) {
  Context c;
  paydomain::client::EvalResult r;
  for (size_t k = 0; k < 4; ++k) {
    c.clear();
    // Ids from the input bytes, folded into each attribute's vocabulary.
    for (int i = 0; i < paydomain::evaluator::kAttrCount; ++i) {
      auto attr = static_cast<Attr>(i);
      uint8_t b = size ? data[(k * 31 + static_cast<size_t>(i)) % size] : 0;
      if (b & 1) continue;
      if (paydomain::evaluator::is_categorical(attr)) {
        int32_t n = a.program().size(attr);
        if (n > 0) c.facts.set(attr, b % n);
      } else if (attr == Attr::Bin) {
        c.facts.bin = std::to_string(b);
        c.facts.present |= paydomain::evaluator::bit(attr);
      } else if (attr != Attr::HealthFailureRate) {
        c.facts.set(attr, static_cast<int64_t>(b) * 997);
      }
    }
    int32_t tariffs = a.object_count(paydomain::client::ObjectKind::Tariff);
    c.tariff = tariffs > 0 ? static_cast<int32_t>(k) % tariffs : -1;
    c.has_payment_key = true;
    c.payment_key = "k" + std::to_string(k);
    c.has_time = k % 2 == 0;
    c.time = 1'790'000'000;
    if (a.check(c).ok()) a.evaluate(c, {k % 2 == 1}, r);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  namespace pdc = paydomain::evaluator::pdc;
  if (size >= sizeof(pdc::Header) && (data[0] & 1)) {
    // The magic's first byte is 'P' (even): restore it, then fix the checksum.
    bytes[0] = 'P';
    std::memset(bytes.data() + pdc::kCrcOffset, 0, 4);
    uint32_t crc = paydomain::evaluator::crc32c(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    std::memcpy(bytes.data() + pdc::kCrcOffset, &crc, 4);
  }
  auto a = Artifact::load(std::move(bytes));
  if (a.ok()) evaluate_some(**a, data, size);
  return 0;
}
