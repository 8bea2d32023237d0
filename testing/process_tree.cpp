#include "captee/testing/process_tree.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <vector>

namespace captee::testing {
namespace {

// Calls `per_task(task_dir)` for each thread of `pid` and of its
// descendants, parents first.
template <class PerTask>
void walk_tree(pid_t pid, PerTask &&per_task) {
  const std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR *d = ::opendir(task_dir.c_str());
  if (d == nullptr) {
    return;
  }
  std::vector<pid_t> kids;
  while (dirent *e = ::readdir(d)) {
    if (e->d_name[0] == '.') {
      continue;
    }
    const std::string task = task_dir + "/" + e->d_name;
    per_task(pid, task, static_cast<pid_t>(std::atoi(e->d_name)));
    std::ifstream children(task + "/children");
    for (pid_t k; children >> k;) {
      kids.push_back(k);
    }
  }
  ::closedir(d);
  for (pid_t k : kids) {
    walk_tree(k, per_task);
  }
}

}  // namespace

void set_tree_affinity(pid_t pid, const cpu_set_t &set) {
  walk_tree(pid, [&](pid_t, const std::string &, pid_t tid) {
    ::sched_setaffinity(tid, sizeof set, &set);
  });
}

uint64_t tree_cpu_ns(pid_t pid) {
  uint64_t total = 0;
  walk_tree(pid, [&](pid_t, const std::string &task, pid_t) {
    std::ifstream stat(task + "/schedstat");
    uint64_t ns = 0;
    if (stat >> ns) {
      total += ns;
    }
  });
  return total;
}

void tree_blocks(pid_t pid, std::map<std::string, uint64_t> &by_name) {
  walk_tree(pid, [&](pid_t owner, const std::string &task, pid_t) {
    std::string name;
    std::ifstream("/proc/" + std::to_string(owner) + "/comm") >> name;
    std::ifstream status(task + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0) {
        by_name[name] += std::strtoull(line.c_str() + 24, nullptr, 10);
      }
    }
  });
}

PinTree::PinTree() {
  ::sched_getaffinity(0, sizeof all_, &all_);
  CPU_ZERO(&one_);
  CPU_SET(::sched_getcpu(), &one_);
  again();
}

PinTree::~PinTree() {
  set_tree_affinity(::getpid(), all_);
}

void PinTree::again() const {
  set_tree_affinity(::getpid(), one_);
}

}  // namespace captee::testing
