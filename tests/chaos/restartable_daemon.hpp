// capteed on a fixed socket and state directory, started, stopped and
// killed by the chaos runs through their ProcessTable.
#pragma once

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "../hostile/hostile_peer.hpp"
#include "processes.hpp"

namespace captee::test {

class RestartableDaemon {
 public:
  // TA hosts run as uids [ta_uid_base, ta_uid_base + ta_uid_count); `extra`
  // is added to capteed's arguments (e.g. --ta-dir).
  RestartableDaemon(ProcessTable &procs, uid_t ta_uid_base, uint32_t ta_uid_count,
                    std::vector<std::string> extra = {})
      : procs_(procs),
        ta_uid_base_(ta_uid_base),
        ta_uid_count_(ta_uid_count),
        extra_(std::move(extra)) {
    socket_ = dir_.path + "/captee.sock";
  }
  ~RestartableDaemon() {
    if (pid_ > 0) {
      stop();
    }
  }
  RestartableDaemon(const RestartableDaemon &) = delete;
  RestartableDaemon &operator=(const RestartableDaemon &) = delete;

  bool start() {
    std::vector<std::string> args = {CAPTEED_PATH,     "--socket",
                                     socket_,          "--state-dir",
                                     state_dir(),      "--allow-unsigned-tas",
                                     "--ta-uid-base",  std::to_string(ta_uid_base_),
                                     "--ta-uid-count", std::to_string(ta_uid_count_)};
    args.insert(args.end(), extra_.begin(), extra_.end());
    pid_ = procs_.start(args, env_, /*quiet=*/false);
    for (int i = 0; i < 500; ++i) {
      // Only the new capteed's socket counts. The killed one's listening
      // socket can outlive it for a while: a TA host forked just before the
      // kill holds a copy until it runs far enough to close it, which on a
      // loaded machine takes milliseconds, and until the new capteed binds
      // the path still names that socket. A client that connects to it then
      // sees its connection reset. The peer of a connection is whoever
      // called listen(), so its pid tells the two apart.
      int fd = raw_connect(socket_);
      if (fd >= 0) {
        ucred peer{};
        socklen_t len = sizeof peer;
        const bool ours =
            ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0 && peer.pid == pid_;
        ::close(fd);
        if (ours) {
          return true;
        }
      }
      if (procs_.exited(pid_)) {
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  // SIGTERM: the exit status (0 expected).
  int stop() {
    procs_.signal(pid_, SIGTERM);
    int code = procs_.wait(pid_);
    pid_ = -1;
    return code;
  }
  void kill9() {
    procs_.signal(pid_, SIGKILL);
    procs_.wait(pid_);
    pid_ = -1;
  }
  // NAME=value added to capteed's environment from the next start on.
  void add_environment(std::string entry) { env_.push_back(std::move(entry)); }
  pid_t pid() const { return pid_; }
  const std::string &socket() const { return socket_; }
  std::string state_dir() const { return dir_.path + "/state"; }

 private:
  ProcessTable &procs_;
  uid_t ta_uid_base_;
  uint32_t ta_uid_count_;
  std::vector<std::string> extra_;
  std::vector<std::string> env_;
  TempDir dir_;
  std::string socket_;
  pid_t pid_ = -1;
};

}  // namespace captee::test
