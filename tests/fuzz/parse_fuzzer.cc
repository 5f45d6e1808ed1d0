// Fuzz target: any bytes as a .pd file must parse and check without crashing,
// hanging, or tripping ASan/UBSan. Built by tests/fuzz/run.sh with clang's
// libFuzzer; in the normal test build the same entry point replays the
// committed corpus (tests/fuzz/replay_main.cc).
#include <cstddef>
#include <cstdint>
#include <string>

#include "dsl/checker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace paydomain::dsl;
  Diagnostics diags;
  std::string text(reinterpret_cast<const char*>(data), size);
  Domain d = load({SourceFile{"fuzz.pd", std::move(text)}}, diags);
  // Rendering touches every diagnostic's position against the source.
  std::string out = render_all(diags.items(), d.files);
  (void)out;
  return 0;
}
