// Fuzz target: any bytes as a .pd file must parse and check without crashing,
// hanging, or tripping ASan/UBSan; and on valid UTF-8 the hand-written lexer
// must produce exactly the generated lexer's tokens. Built by
// tests/fuzz/run.sh with clang's libFuzzer; in the normal test build the same
// entry point replays the committed corpus (tests/fuzz/replay_main.cc).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "dsl/checker.h"
#include "dsl/utf8.h"
#include "tests/support/lexer_difference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace paydomain::dsl;
  Diagnostics diags;
  std::string text(reinterpret_cast<const char*>(data), size);
  if (!first_invalid_utf8(text) && !paydomain::testing::lexer_difference(text).empty()) std::abort();
  Domain d = load({SourceFile{"fuzz.pd", std::move(text)}}, diags);
  // Rendering touches every diagnostic's position against the source.
  std::string out = render_all(diags.items(), d.files);
  (void)out;
  return 0;
}
