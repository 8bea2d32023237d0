// The power-loss run's own tools, tested: the interposer
// (power_cut_preload.so, run in power_cut_probe) logs what unsynced changes
// overwrite and forgets them at a sync, makes no system call of its own for
// a file it does not track (a TA host's seccomp sandbox would kill it), and
// a power cut (power_cut.hpp) leaves only disk states that some subset of
// the unsynced changes gives.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "power_cut.hpp"

using namespace captee::test::power_cut;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CAPTEE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CAPTEE_SANITIZED 1
#endif
#endif

namespace {

constexpr char kSynced[] = "0123456789";

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/captee-power-cut-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// Runs `args` with `env` added; its exit status, or 128 + the signal.
int run(const std::vector<std::string> &args, const std::vector<std::string> &env) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    for (const std::string &e : env) {
      const size_t eq = e.find('=');
      ::setenv(e.substr(0, eq).c_str(), e.substr(eq + 1).c_str(), 1);
    }
    std::vector<char *> argv;
    for (const std::string &a : args) {
      argv.push_back(const_cast<char *>(a.c_str()));
    }
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void put(const std::string &path, const std::string &text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}
std::string get(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class PowerCutTools : public ::testing::Test {
 protected:
  void SetUp() override {
#ifdef CAPTEE_SANITIZED
    GTEST_SKIP() << "a sanitizer runtime must come first in LD_PRELOAD; the plain build runs this";
#endif
    std::filesystem::create_directory(dir.path + "/state");
    std::filesystem::create_directory(dir.path + "/logs");
    file = dir.path + "/state/file";
    put(file, kSynced);
  }
  // Runs the probe under the interposer, tracking `tracked_dir`.
  int probe(std::vector<std::string> args, const std::string &tracked_dir) {
    args.insert(args.begin(), POWER_CUT_PROBE);
    return run(args, {std::string("LD_PRELOAD=") + POWER_CUT_PRELOAD,
                      "CAPTEE_POWER_CUT_DIR=" + tracked_dir,
                      "CAPTEE_POWER_CUT_LOG_DIR=" + dir.path + "/logs"});
  }
  std::string log() const {
    return dir.path + "/logs/" + log_name(file.c_str());
  }

  TempDir dir;
  std::string file;
};

}  // namespace

TEST_F(PowerCutTools, UnsyncedChangesAreLoggedWithWhatTheyOverwrote) {
  ASSERT_EQ(probe({"change", file}, dir.path + "/state"), 0);
  EXPECT_EQ(get(file), "x1ne");
  const std::vector<Change> changes = parse_log(get(log()));
  ASSERT_EQ(changes.size(), 3u);
  // pwrite "new!" at 2; write "x" at 0; ftruncate to 4.
  EXPECT_EQ(changes[0].path, file);
  EXPECT_EQ(changes[0].offset, 2u);
  EXPECT_EQ(changes[0].span, 4u);
  EXPECT_EQ(changes[0].old, "2345");
  EXPECT_EQ(changes[0].old_size, 10u);
  EXPECT_EQ(changes[0].new_size, 10u);
  EXPECT_EQ(changes[1].offset, 0u);
  EXPECT_EQ(changes[1].old, "0");
  EXPECT_EQ(changes[2].offset, 4u);
  EXPECT_EQ(changes[2].span, 6u);
  EXPECT_EQ(changes[2].old, "w!6789");
  EXPECT_EQ(changes[2].new_size, 4u);
}

TEST_F(PowerCutTools, ASyncForgetsTheFilesChanges) {
  ASSERT_EQ(probe({"change", file, "sync"}, dir.path + "/state"), 0);
  EXPECT_EQ(get(file), "x1ne");
  EXPECT_TRUE(parse_log(get(log())).empty());
}

TEST_F(PowerCutTools, AFileNotTrackedCostsNoSystemCallUnderASandbox) {
  // Another directory is tracked: the probe's own calls are all it makes.
  EXPECT_EQ(probe({"sandboxed", file}, dir.path + "/elsewhere"), 0);
  EXPECT_EQ(get(file), "x1ne");
  EXPECT_FALSE(std::filesystem::exists(log()));
  // The filter bites: for a tracked file the interposer's own fstat and
  // pread are refused (SIGSYS).
  put(file, kSynced);
  EXPECT_EQ(probe({"sandboxed", file}, dir.path + "/state"), 128 + SIGSYS);
}

TEST_F(PowerCutTools, ACutLeavesWhatSomeSubsetOfTheUnsyncedChangesGives) {
  ASSERT_EQ(probe({"change", file}, dir.path + "/state"), 0);
  const std::vector<Change> changes = parse_log(get(log()));
  ASSERT_EQ(changes.size(), 3u);
  // Every subset, applied in order to the synced file.
  std::set<std::string> possible;
  for (int subset = 0; subset < 8; ++subset) {
    std::string s = kSynced;
    if (subset & 1) {
      s.replace(2, 4, "new!");
    }
    if (subset & 2) {
      s[0] = 'x';
    }
    if (subset & 4) {
      s.resize(4);
    }
    possible.insert(s);
  }
  const std::string unsynced = get(file);
  std::set<std::string> seen;
  for (unsigned seed = 0; seed < 200; ++seed) {
    put(file, unsynced);
    std::mt19937 rng(seed);
    CutFigures figures;
    ASSERT_TRUE(cut_file(file, changes, rng, &figures));
    const std::string after = get(file);
    EXPECT_EQ(possible.count(after), 1u) << "seed " << seed << ": " << after;
    seen.insert(after);
  }
  EXPECT_EQ(seen, possible);  // each of them comes up
}
