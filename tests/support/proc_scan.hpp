// Walking /proc for the processes a test is looking for (TA hosts, their
// helpers, orphans), so that each test says only what it looks for.
#pragma once

#include <dirent.h>
#include <sys/types.h>

#include <cstdlib>
#include <vector>

namespace captee::test {

// Every pid in /proc for which `keep(pid)` is true (processes that end
// meanwhile are simply not kept by a predicate that cannot read them).
template <class Keep>
std::vector<pid_t> pids_where(Keep keep) {
  std::vector<pid_t> out;
  DIR *d = ::opendir("/proc");
  if (d == nullptr) {
    return out;
  }
  while (dirent *e = ::readdir(d)) {
    char *end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (pid > 0 && end != e->d_name && *end == '\0' && keep(pid_t(pid))) {
      out.push_back(pid_t(pid));
    }
  }
  ::closedir(d);
  return out;
}

}  // namespace captee::test
