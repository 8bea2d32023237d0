// Runs the real captee-rprocd on a temporary socket, and `captee rproc`
// against it.
#pragma once

#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tee_harness.hpp"

namespace captee::test {

class Rprocd {
 public:
  Rprocd(const std::string &tee_socket, const std::string &dir, std::vector<std::string> extra = {})
      : socket_(dir + "/rproc.sock") {
    std::vector<std::string> args = {RPROCD_PATH, "--tee-socket", tee_socket, "--socket",
                                     socket_,     "--log-level",  "warn"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = spawn(args);
    ready_ = eventually([&] { return accepts_connections(socket_); });
  }
  ~Rprocd() { stop(); }
  int stop(int sig = SIGTERM) { return stop_child(pid_, exit_, sig); }
  bool ready() const { return ready_; }
  pid_t pid() const { return pid_; }
  const std::string &socket() const { return socket_; }
  // `captee rproc ARGS` against this daemon: {exit code, output}.
  std::pair<int, std::string> cli(const std::string &args) const {
    return run_capture(std::string(CAPTEE_CLI_PATH) + " rproc --rproc-socket " + socket_ + " " +
                       args);
  }
  // The state, or an empty object if there is none to be had (yet).
  nlohmann::json try_state(uint32_t id = 0) const {
    auto [rc, out] = cli("--rproc " + std::to_string(id) + " state --json");
    nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
    return rc != 0 || j.is_discarded() || !j.is_object() ? nlohmann::json::object() : j;
  }
  nlohmann::json state(uint32_t id = 0) const {
    auto [rc, out] = cli("--rproc " + std::to_string(id) + " state --json");
    EXPECT_EQ(rc, 0) << out;
    return nlohmann::json::parse(out, nullptr, false);
  }

 private:
  std::string socket_;
  pid_t pid_ = -1;
  int exit_ = -1;
  bool ready_ = false;
};

}  // namespace captee::test
