// Stand-in for libFuzzer's main() in builds without -fsanitize=fuzzer (g++,
// the sanitizer builds): runs every file named on the command line, or found in
// a named directory, through LLVMFuzzerTestOneInput once. Flags starting with
// '-' (e.g. -runs=0) are accepted and ignored so CTest uses one command line for
// both kinds of build.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {
int run_file(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return 1;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return 0;
}
}  // namespace

int main(int argc, char **argv) {
  int failures = 0;
  size_t runs = 0;
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-') {
      continue;
    }
    std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (const auto &entry : std::filesystem::recursive_directory_iterator(p)) {
        if (entry.is_regular_file()) {
          failures += run_file(entry.path());
          ++runs;
        }
      }
    } else {
      failures += run_file(p);
      ++runs;
    }
  }
  std::printf("replay: %zu inputs executed\n", runs);
  return failures == 0 ? 0 : 1;
}
