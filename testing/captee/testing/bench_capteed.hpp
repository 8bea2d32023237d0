// capteed as a benchmark's child process: on a temporary socket and state
// directory, with a TA directory and unsigned TAs allowed, for as long as
// the object lives. For benchmarks only.
#pragma once

#include <sys/types.h>

#include <string>

namespace captee::testing {

class BenchCapteed {
 public:
  // Starts `capteed_path` and waits (up to 5 s) until its socket answers;
  // sets CAPTEE_SOCKET for this process's clients. `tag` names the
  // temporary directory (<parent>/captee-bench-<tag>-XXXXXX), which holds
  // the socket and the state directory; `parent` is /tmp unless given (a
  // benchmark of storage puts it on a disk).
  BenchCapteed(const std::string &capteed_path, const std::string &ta_dir, const std::string &tag,
               const std::string &parent = "/tmp");

  // The temporary directory (empty if it could not be made).
  const std::string &dir() const { return dir_; }
  // SIGTERM, reaps it and removes the directory.
  ~BenchCapteed();
  BenchCapteed(const BenchCapteed &) = delete;
  BenchCapteed &operator=(const BenchCapteed &) = delete;

  const std::string &socket() const { return socket_; }

 private:
  bool reachable() const;
  std::string dir_;
  std::string socket_;
  pid_t pid_ = -1;
};

}  // namespace captee::testing
