// Runs captee-supplicant for the tests: a real process against a real
// capteed, its stderr in a file the test reads.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tee_client_api.h"
#include "tee_harness.hpp"

namespace captee::test {

class SupplicantProcess {
 public:
  // Starts captee-supplicant --plugin-dir `plugin_dir` --socket `socket`
  // (as `run_as` if not 0), its stderr appended to `log_path`, `env` added
  // to its environment, and waits until it serves or exits.
  SupplicantProcess(const std::string &socket, const std::string &plugin_dir,
                    const std::string &log_path, std::vector<std::string> env = {},
                    uid_t run_as = 0)
      : log_path_(log_path) {
    std::vector<std::string> args = {"/bin/sh",
                                     "-c",
                                     "exec \"$0\" \"$@\" 2>>'" + log_path + "'",
                                     CAPTEE_SUPPLICANT_PATH,
                                     "--plugin-dir",
                                     plugin_dir,
                                     "--socket",
                                     socket};
    if (run_as != 0) {
      pid_ = ::fork();
      if (pid_ == 0) {
        for (auto &e : env) {
          ::putenv(e.data());
        }
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid_t(run_as)) != 0 || ::setuid(run_as) != 0) {
          ::_exit(126);
        }
        auto v = argv_of(args);
        ::execv(v[0], v.data());
        ::_exit(127);
      }
    } else {
      pid_ = spawn(args, std::move(env));
    }
    for (int i = 0; i < 1000 && !serving() && !exited(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~SupplicantProcess() { stop(SIGKILL); }
  SupplicantProcess(const SupplicantProcess &) = delete;
  SupplicantProcess &operator=(const SupplicantProcess &) = delete;

  std::string log() const {
    std::ifstream f(log_path_);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  bool serving() const { return log().find("captee-supplicant: serving ") != std::string::npos; }
  pid_t pid() const { return pid_; }

  // Whether the process has ended (reaps it, keeping its status).
  bool exited() {
    if (pid_ <= 0) {
      return true;
    }
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      exit_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      pid_ = -1;
      return true;
    }
    return false;
  }
  // Waits up to `ms` for the process to end on its own; its status, or -1.
  int wait_exit(int ms) {
    for (int i = 0; i < ms / 10 && !exited(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exited() ? exit_ : -1;
  }
  // Sends `sig` and reaps it; its exit status.
  int stop(int sig = SIGTERM) { return stop_child(pid_, exit_, sig); }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  int exit_ = -1;
};

}  // namespace captee::test
