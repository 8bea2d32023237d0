// Which files of a plugin directory captee-supplicant loads, in-process:
// the plugins themselves are the test plugins (tests/supplicant/plugins).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "captee/supplicant/plugin_set.hpp"
#include "tee_harness.hpp"
#include "test_plugins.h"

namespace captee::test {
namespace {

namespace fs = std::filesystem;
using supplicant::PluginSet;

const std::string kPlugins = SUPP_TEST_PLUGIN_DIR;

struct Logged {
  std::vector<std::string> lines;
  supplicant::Log log() {
    return [this](const std::string &l) { lines.push_back(l); };
  }
  // The line that names `file`, or "".
  std::string about(const std::string &file) const {
    for (const auto &l : lines) {
      if (l.find(" " + file) != std::string::npos) {
        return l;
      }
    }
    return "";
  }
};

void copy(const std::string &from, const std::string &to, fs::perms mode = fs::perms(0755)) {
  fs::copy_file(from, to);
  fs::permissions(to, mode);
}

TEST(PluginSet, LoadsPluginsAndSkipsEveryOtherFileWithItsReason) {
  TempDir dir;
  const std::string d = dir.path;
  copy(kPlugins + "/echo.plugin", d + "/echo.plugin");
  copy(kPlugins + "/log.plugin", d + "/log.so");  // OP-TEE names them .plugin; .so loads too
  copy(kPlugins + "/hostile.plugin", d + "/hostile");
  copy(kPlugins + "/hostile.plugin", d + "/.hidden.plugin");
  copy(kPlugins + "/hostile.plugin", d + "/writable.plugin", fs::perms(0775));
  copy(kPlugins + "/hostile.plugin", d + "/others.plugin", fs::perms(0757));
  copy(kPlugins + "/echo.plugin", d + "/zz_same_uuid.plugin");
  copy(kPlugins + "/bad_init.plugin", d + "/bad_init.plugin");
  copy(kPlugins + "/bad_no_method.plugin", d + "/bad_no_method.plugin");
  copy(kPlugins + "/bad_no_invoke.so", d + "/bad_no_invoke.so");
  copy(kPlugins + "/bad_undefined.plugin", d + "/bad_undefined.plugin");
  std::ofstream(d + "/garbage.plugin") << "not an ELF file\n";
  fs::create_symlink(d + "/echo.plugin", d + "/link_in.plugin");
  fs::create_symlink(kPlugins + "/hostile.plugin", d + "/link_out.plugin");
  fs::create_directory(d + "/dir.plugin");
  ASSERT_EQ(::mkfifo((d + "/fifo.plugin").c_str(), 0644), 0);
  const bool root = ::geteuid() == 0;
  if (root) {
    copy(kPlugins + "/hostile.plugin", d + "/foreign.plugin");
    ASSERT_EQ(::chown((d + "/foreign.plugin").c_str(), 4242, 4242), 0);
  }

  Logged logged;
  PluginSet set = PluginSet::load(d, logged.log());
  auto loaded = set.loaded();
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[0].file, "echo.plugin");
  EXPECT_EQ(loaded[0].name, "echo");
  EXPECT_EQ(loaded[1].file, "log.so");
  EXPECT_EQ(supplicant::uuid_text(loaded[1].uuid), "7e57c0de-5e00-4000-8000-00000000000a");

  struct Skip {
    const char *file;
    const char *reason;
  };
  std::vector<Skip> skips = {
      {"hostile", "not a .plugin or .so file"},
      {"writable.plugin", "writable by group or others"},
      {"others.plugin", "writable by group or others"},
      {"zz_same_uuid.plugin", "is already served by echo.plugin"},
      {"bad_init.plugin", "its init failed with 0xffff0007"},
      {"bad_no_method.plugin", "it has no plugin_method"},
      {"bad_no_invoke.so", "no name or no invoke function"},
      {"bad_undefined.plugin", "cannot load it"},
      {"garbage.plugin", "cannot load it"},
      {"link_in.plugin", "a symbolic link (not followed)"},
      {"link_out.plugin", "a symbolic link (not followed)"},
      {"dir.plugin", "not a regular file"},
      {"fifo.plugin", "not a regular file"},
  };
  if (root) {
    skips.push_back({"foreign.plugin", "owned by uid 4242"});
  }
  for (const Skip &s : skips) {
    const std::string line = logged.about(s.file);
    EXPECT_EQ(line.rfind(std::string("skipped ") + s.file + ": ", 0), 0u) << s.file << ": " << line;
    EXPECT_NE(line.find(s.reason), std::string::npos) << s.file << ": " << line;
  }
  EXPECT_EQ(logged.about(".hidden.plugin"), "") << "hidden files are passed over silently";
  EXPECT_NE(logged.about("echo.plugin").find("loaded echo (7e57c0de-5e00-4000-8000-000000000001)"),
            std::string::npos);
}

TEST(PluginSet, CallsThePluginOfTheUuidAndRunsInitOnce) {
  Logged logged;
  PluginSet set = PluginSet::load(kPlugins, logged.log());
  const TEEC_UUID echo = TEST_ECHO_PLUGIN_UUID;
  const TEEC_UUID absent = TEST_ABSENT_PLUGIN_UUID;
  char text[] = "abc";
  size_t out_len = 0;
  EXPECT_EQ(set.invoke(echo, TEST_ECHO_UPPER, 0, text, 3, &out_len), TEEC_SUCCESS);
  EXPECT_STREQ(text, "ABC");
  EXPECT_EQ(out_len, 3u);
  uint32_t counts[2] = {};
  EXPECT_EQ(set.invoke(echo, TEST_ECHO_COUNTS, 0, counts, sizeof counts, &out_len), TEEC_SUCCESS);
  EXPECT_EQ(counts[0], 1u) << "init runs once, at load";
  EXPECT_EQ(counts[1], 2u);
  EXPECT_EQ(set.invoke(absent, 0, 0, nullptr, 0, &out_len), TEEC_ERROR_ITEM_NOT_FOUND);
}

TEST(PluginSet, AMissingDirectoryServesNothingAndSaysSo) {
  Logged logged;
  PluginSet set = PluginSet::load("/nonexistent/captee-plugins", logged.log());
  EXPECT_EQ(set.size(), 0u);
  ASSERT_EQ(logged.lines.size(), 1u);
  EXPECT_NE(logged.lines[0].find("cannot open the plugin directory /nonexistent/captee-plugins"),
            std::string::npos)
      << logged.lines[0];
}

}  // namespace
}  // namespace captee::test
