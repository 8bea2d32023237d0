// A benchmark's process tree (the bench, the capteed it started, the TA
// hosts capteed started), read and pinned through /proc. For benchmarks only.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

namespace captee::testing {

// Sets the affinity of every thread of `pid` and of its descendants.
void set_tree_affinity(pid_t pid, const cpu_set_t &set);

// CPU time consumed so far by every thread of `pid` and its descendants
// (schedstat, ns): what calls cost the client, capteed and the TA hosts
// together, whatever else the machine runs.
uint64_t tree_cpu_ns(pid_t pid);

// Adds, per process name (comm), the voluntary context switches of every
// thread of `pid` and its descendants: how often each blocked.
void tree_blocks(pid_t pid, std::map<std::string, uint64_t> &by_name);

// The whole tree on the CPU the constructing thread runs on while it lives;
// back on every CPU the process started with afterwards. Processes started
// meanwhile (TA hosts) inherit the pin from their parent's thread only if
// it was pinned: call again() after starting them.
class PinTree {
 public:
  PinTree();
  ~PinTree();
  PinTree(const PinTree &) = delete;
  PinTree &operator=(const PinTree &) = delete;
  void again() const;

 private:
  cpu_set_t all_{};
  cpu_set_t one_{};
};

}  // namespace captee::testing
