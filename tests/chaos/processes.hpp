// The chaos suite's process bookkeeping. The test process is a child
// subreaper (PR_SET_CHILD_SUBREAPER), so a TA host whose capteed was killed
// is re-parented to it rather than to init: an orphan is then simply a
// child nobody expected, and it can be seen, waited for and reaped.
#pragma once

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../support/proc_scan.hpp"
#include "../tee/tee_harness.hpp"

namespace captee::test {

// The parent pid and command name of `pid` from /proc/<pid>/stat, or
// {-1, ""} if it is gone.
inline std::pair<pid_t, std::string> parent_and_name(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) {
    return {-1, ""};
  }
  size_t open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos) {
    return {-1, ""};
  }
  std::istringstream rest(line.substr(close + 2));
  char state = 0;
  pid_t ppid = -1;
  rest >> state >> ppid;
  if (state == 'Z') {
    return {-1, ""};  // exited; only its status is left
  }
  return {ppid, line.substr(open + 1, close - open - 1)};
}

// Live processes whose parent is `parent` (optionally only those named `name`).
inline std::vector<pid_t> children_of(pid_t parent, const std::string &name = "") {
  return pids_where([&](pid_t pid) {
    auto [ppid, comm] = parent_and_name(pid);
    return ppid == parent && (name.empty() || comm == name);
  });
}

// Live (not zombie) processes whose real uid is in [base, base + count).
inline std::vector<pid_t> processes_with_uid_in(uid_t base, uint32_t count) {
  return pids_where([&](pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    bool zombie = false;
    long uid = -1;
    while (std::getline(in, line)) {
      if (line.rfind("State:", 0) == 0) {
        zombie = line.find('Z') != std::string::npos;
      } else if (line.rfind("Uid:", 0) == 0) {
        uid = std::strtol(line.c_str() + 4, nullptr, 10);
      }
    }
    return !zombie && uid >= long(base) && uid < long(base) + long(count);
  });
}

// Sends SIGKILL to `pid` only if it is (still) a child of `parent` named
// `name`: the check is made through a pidfd, so a pid reused meanwhile by
// another process is never hit.
inline bool kill_child_of(pid_t parent, pid_t pid, const std::string &name) {
  int fd = int(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) {
    return false;
  }
  auto [ppid, comm] = parent_and_name(pid);
  bool ok = ppid == parent && comm == name &&
            ::syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0) == 0;
  ::close(fd);
  return ok;
}

// Every child this process starts, and the exit status of those that ended
// (children it did not start, re-parented orphans, are reaped too and
// remembered as such).
class ProcessTable {
 public:
  ProcessTable() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
  ~ProcessTable() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 0);
    for (auto &[pid, fd] : pidfds_) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }
  ProcessTable(const ProcessTable &) = delete;
  ProcessTable &operator=(const ProcessTable &) = delete;

  pid_t start(std::vector<std::string> args, std::vector<std::string> env = {}, bool quiet = true) {
    pid_t pid = spawn(std::move(args), std::move(env), quiet);
    started_.insert(pid);
    exited_.erase(pid);  // pids are reused: an earlier process's status is not this one's
    // Taken while the child cannot have been reaped: it names this process
    // even after its pid is reused.
    pidfds_[pid] = int(::syscall(SYS_pidfd_open, pid, 0));
    return pid;
  }
  // Sends `sig` to a process this table started, if it has not been waited
  // for; never to whoever has its pid now.
  void signal(pid_t pid, int sig) {
    if (auto it = pidfds_.find(pid); it != pidfds_.end() && it->second >= 0) {
      ::syscall(SYS_pidfd_send_signal, it->second, sig, nullptr, 0);
    }
  }
  // Reaps whatever has ended; never blocks.
  void reap() {
    int st = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &st, WNOHANG)) > 0) {
      int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      if (started_.count(pid) != 0) {
        exited_[pid] = code;
      } else {
        ++orphans_reaped_;
      }
    }
  }
  // Waits for `pid` (one this table started) and returns its exit status.
  int wait(pid_t pid) {
    for (;;) {
      reap();
      if (auto it = exited_.find(pid); it != exited_.end()) {
        int code = it->second;
        exited_.erase(it);
        started_.erase(pid);
        if (auto fd = pidfds_.find(pid); fd != pidfds_.end()) {
          if (fd->second >= 0) {
            ::close(fd->second);
          }
          pidfds_.erase(fd);
        }
        return code;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  bool exited(pid_t pid, int *code = nullptr) {
    reap();
    auto it = exited_.find(pid);
    if (it != exited_.end() && code != nullptr) {
      *code = it->second;
    }
    return it != exited_.end();
  }
  // Live children that this table did not start: re-parented orphans.
  std::vector<pid_t> orphans() {
    reap();
    std::vector<pid_t> out;
    for (pid_t pid : children_of(::getpid())) {
      if (started_.count(pid) == 0) {
        out.push_back(pid);
      }
    }
    return out;
  }
  unsigned orphans_reaped() const { return orphans_reaped_; }

 private:
  std::set<pid_t> started_;
  std::map<pid_t, int> exited_;
  std::map<pid_t, int> pidfds_;
  unsigned orphans_reaped_ = 0;
};

}  // namespace captee::test
