// Replays every file of a committed fuzz corpus (PAYDOMAIN_FUZZ_CORPUS) through
// the fuzz target, so `make test` keeps the fuzzer's findings fixed.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void replay_dir(const std::filesystem::path& dir, int& count) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    SCOPED_TRACE(e.path().string());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++count;
  }
}

TEST(FuzzCorpus, ReplaysWithoutCrashing) {
  int count = 0;
  replay_dir(PAYDOMAIN_FUZZ_CORPUS, count);
  EXPECT_GT(count, 10);
}

}  // namespace
