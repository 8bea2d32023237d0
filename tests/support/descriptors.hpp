// Counting and listing a process's open descriptors (and its threads)
// through /proc, for the
// tests that check a daemon or a TA process ends where it started.
#pragma once

#include <dirent.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace captee::test {

// The threads of `pid` (its "Threads:" line in /proc), 0 if unreadable.
inline size_t thread_count(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) {
      return std::strtoul(line.c_str() + 8, nullptr, 10);
    }
  }
  return 0;
}

inline size_t fd_count(pid_t pid) {
  size_t n = 0;
  DIR *d = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (d == nullptr) {
    return 0;
  }
  while (dirent *e = ::readdir(d)) {
    n += e->d_name[0] != '.';
  }
  ::closedir(d);
  return n;
}

// A quiet process's descriptor count: connections that were just closed
// (a readiness probe, a counters query) take a moment to close on the
// daemon's side, and only ever add, so the least count seen over about half
// a second, once it has held for three samples in a row.
inline size_t quiet_fd_count(pid_t pid) {
  size_t least = fd_count(pid);
  int held = 0;
  for (int i = 0; i < 25 && held < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const size_t now = fd_count(pid);
    held = now == least ? held + 1 : 0;
    least = std::min(least, now);
  }
  return least;
}

// What each of a process's descriptors refers to, one per line: for the
// failure message when a descriptor count is off.
inline std::string fd_listing(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  std::string out;
  DIR *d = ::opendir(dir.c_str());
  if (d == nullptr) {
    return out;
  }
  while (dirent *e = ::readdir(d)) {
    if (e->d_name[0] == '.') {
      continue;
    }
    char target[512];
    const ssize_t n = ::readlink((dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
    out += std::string(e->d_name) + " -> " + (n > 0 ? std::string(target, n) : "?") + "\n";
  }
  ::closedir(d);
  return out;
}

}  // namespace captee::test
