// Fuzz target: any bytes as a payment context (the body of an evaluate
// request). The reader must agree with nlohmann/json on what is JSON at all;
// a context that reads must evaluate, and its result must be valid JSON; the
// structure gate (json::structure_error) agrees with both; the fast context
// reader agrees with the general one.
// Crashes, hangs and ASan/UBSan reports are findings too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "dsl/checker.h"
#include "dsl/parser.h"
#include "evaluator/context_fast.h"
#include "evaluator/evaluator.h"
#include "json/reader.h"

namespace {

const paydomain::evaluator::CompiledDomain& acme() {
  static auto compiled = [] {
    namespace dsl = paydomain::dsl;
    dsl::Diagnostics diags;
    auto files = dsl::read_sources({PAYDOMAIN_SOURCE_DIR "/examples/acme"}, diags);
    static dsl::Domain domain = dsl::load(files, diags);
    if (diags.has_errors()) std::abort();
    return *paydomain::evaluator::compile(domain);
  }();
  return *compiled;
}

// nlohmann skips a byte-order mark, nests without limit, takes a NUL byte for
// the end of the text and refuses numbers beyond a double's range; ours does
// none of these (a number's range is the context reader's business).
bool comparable(std::string_view t) {
  if (t.substr(0, 3) == "\xEF\xBB\xBF" || t.find('\0') != std::string_view::npos) return false;
  size_t opens = 0, digits = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    opens += c == '[' || c == '{';
    digits = c >= '0' && c <= '9' ? digits + 1 : 0;
    if (digits >= 300) return false;
    if ((c == 'e' || c == 'E') && i > 0 && t[i - 1] >= '0' && t[i - 1] <= '9') return false;
  }
  return opens < 200;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace ev = paydomain::evaluator;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bool ours = paydomain::json::syntax_error(text).empty();
  if (comparable(text) && ours != nlohmann::json::accept(text)) std::abort();
  if (ours && text.find('\0') != std::string_view::npos) std::abort();  // never valid anywhere in JSON
  std::string out;
  ev::Status read = ev::evaluate_text(acme(), text, true, out);
  if (!read && ours == (read.error().message.rfind("not valid JSON", 0) == 0)) std::abort();
  if (read && !nlohmann::json::accept(out)) std::abort();
  // The fast reader reads only what the general reader reads, into a context
  // that evaluates to the same result text byte for byte.
  ev::Context fast, general;
  if (ev::read_context_fast(text, acme(), fast)) {
    if (!ev::parse_context_general(text, acme(), general)) std::abort();
    std::string a, b;
    if (!ev::write_result(ev::evaluate(acme(), fast, {true}), acme(), true, a)) std::abort();
    if (!ev::write_result(ev::evaluate(acme(), general, {true}), acme(), true, b)) std::abort();
    if (a != b) std::abort();
  }
  // The structure gate: never more lenient than the syntax check, and a
  // context that reads has no repeated member (the reader refuses them too).
  std::string pointer;
  std::string structure = paydomain::json::structure_error(text, 256, &pointer);
  if (structure.empty() && !ours) std::abort();
  if (read && !structure.empty()) std::abort();
  return 0;
}
