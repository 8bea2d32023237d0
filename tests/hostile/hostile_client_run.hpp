// Runs tests/hostile/hostile_client as another uid (fork + exec) for the
// length of a scope: it does what its mode says, prints one line ("ready
// ..."), and holds what it opened until this object closes its stdin; the
// destructor then reaps it.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "../tee/tee_harness.hpp"

namespace captee::test {

class HostileClientRun {
 public:
  // `args`: the mode and its arguments; `as`: "uid:gid" to drop to.
  explicit HostileClientRun(std::vector<std::string> args, const std::string &as = "4242:4242") {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
      return;
    }
    args.insert(args.begin(), HOSTILE_CLIENT_PATH);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      std::string env = "HOSTILE_AS=" + as;
      ::putenv(env.data());
      auto v = argv_of(args);
      ::execv(v[0], v.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') {
      line_ += c;
    }
    ::close(out[0]);
  }
  ~HostileClientRun() { finish(); }
  HostileClientRun(const HostileClientRun &) = delete;
  HostileClientRun &operator=(const HostileClientRun &) = delete;

  // The line it printed once ready ("" if it died first).
  const std::string &line() const { return line_; }
  bool ready() const { return line_.rfind("ready", 0) == 0; }
  pid_t pid() const { return pid_; }
  // Lets go of what it holds and waits for it to exit; returns its status.
  int finish() {
    if (stdin_ >= 0) {
      ::close(stdin_);
      stdin_ = -1;
    }
    if (pid_ > 0) {
      exit_ = wait_exit(pid_);
      pid_ = -1;
    }
    return exit_;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int exit_ = -1;
  std::string line_;
};

}  // namespace captee::test
