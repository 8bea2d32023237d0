// The fixture of the hostile TA cases: a real capteed whose --ta-dir holds
// the installed test TAs (the native ones and the GP ones), its quiet
// baseline taken first; at the end, as for every hostile case, a
// well-behaved client is served and capteed is back at the baseline (no TA
// left running, descriptors and counters as before).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "baseline.hpp"
#include "hostile_client_run.hpp"

namespace captee::test {

class HostileTaTest : public ::testing::Test {
 protected:
  HostileTaTest() : d_("", {"--ta-dir", CAPTEE_TA_DIR}) {}
  void SetUp() override {
    ASSERT_TRUE(d_.ready());
    base_ = quiet_baseline(d_.pid(), d_.socket(), CAPTEE_CLI_PATH);
    ASSERT_TRUE(base_.quiet) << "capteed never became quiet: " << describe(base_.counters);
  }
  void TearDown() override {
    expect_back_to_baseline(d_.pid(), d_.socket(), base_, CAPTEE_CLI_PATH);
    EXPECT_EQ(d_.stop(), 0) << "capteed did not shut down cleanly";
  }

  // `captee --socket S ARGS` as root: {exit code, output}.
  std::pair<int, std::string> cli(const std::string &args) const {
    return run_capture(std::string(CAPTEE_CLI_PATH) + " --socket " + d_.socket() + " " + args);
  }
  // `captee ta list --json` (null if the CLI failed).
  nlohmann::json ta_list() const {
    auto [rc, out] = cli("ta list --json");
    return rc == 0 ? nlohmann::json::parse(out, nullptr, false) : nlohmann::json();
  }
  // The TAs of `ta_list()` whose `key` is `value`.
  std::vector<nlohmann::json> tas_where(const std::string &key, const nlohmann::json &value) const {
    std::vector<nlohmann::json> found;
    nlohmann::json all = ta_list();
    if (all.is_array()) {
      for (const auto &t : all) {
        if (t.contains(key) && t[key] == value) {
          found.push_back(t);
        }
      }
    }
    return found;
  }
  // `captee stats --json`.
  nlohmann::json stats() const { return cli_stats(CAPTEE_CLI_PATH, d_.socket()); }

  // The words of a hostile client's "ready ..." line after "ready".
  static std::vector<std::string> words(const HostileClientRun &c) {
    std::vector<std::string> w;
    std::string cur;
    for (char ch : c.line() + " ") {
      if (ch == ' ') {
        if (!cur.empty()) {
          w.push_back(cur);
        }
        cur.clear();
      } else {
        cur += ch;
      }
    }
    if (!w.empty()) {
      w.erase(w.begin());
    }
    return w;
  }
  static long word(const HostileClientRun &c, size_t i) {
    auto w = words(c);
    return i < w.size() ? std::strtol(w[i].c_str(), nullptr, 10) : -1;
  }

  CapteedProcess d_;
  Baseline base_;
};

}  // namespace captee::test
