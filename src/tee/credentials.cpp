// Kernel-derived client identity: SO_PEERCRED plus /proc/<pid>.
#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <tuple>
#include <utility>

#include "captee/detail/openssl_lifetime.hpp"
#include "captee/tee/credentials.hpp"

namespace captee::tee {

bool ClientIdentity::in_group(gid_t g) const {
  return g == gid || std::find(groups.begin(), groups.end(), g) != groups.end();
}

std::string sha256_of_fd(int fd) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return {};
  }
  unsigned char buf[64 * 1024];
  off_t off = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, off);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      EVP_MD_CTX_free(ctx);
      return {};
    }
    if (n == 0) {
      break;
    }
    EVP_DigestUpdate(ctx, buf, size_t(n));
    off += n;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  static const char *hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 0xF];
  }
  return out;
}

namespace {

// Executables are hashed once per (device, inode, size, mtime): 1000 clients of
// the same program cost one hash.
struct ExeKey {
  dev_t dev;
  ino_t ino;
  off_t size;
  int64_t mtime_ns;
  bool operator<(const ExeKey &o) const {
    return std::tie(dev, ino, size, mtime_ns) < std::tie(o.dev, o.ino, o.size, o.mtime_ns);
  }
};
std::mutex g_hash_mu;
std::map<ExeKey, std::string> g_hash_cache;

std::string cached_sha256(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return {};
  }
  ExeKey key{st.st_dev, st.st_ino, st.st_size,
             int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  {
    std::lock_guard lk(g_hash_mu);
    if (auto it = g_hash_cache.find(key); it != g_hash_cache.end()) {
      return it->second;
    }
  }
  std::string h = sha256_of_fd(fd);
  if (!h.empty()) {
    std::lock_guard lk(g_hash_mu);
    if (g_hash_cache.size() > 4096) {
      g_hash_cache.clear();  // bound the cache; it refills on demand
    }
    g_hash_cache[key] = h;
  }
  return h;
}

// Parses "Uid:"/"Gid:" (real effective saved fs) and "Groups:" from status.
struct Status {
  std::vector<long> uids, gids, groups;
};
bool read_status(pid_t pid, Status &st) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  if (!f) {
    return false;
  }
  std::string line;
  auto numbers = [](const std::string &rest) {
    std::istringstream is(rest);
    std::vector<long> v;
    long x;
    while (is >> x) {
      v.push_back(x);
    }
    return v;
  };
  while (std::getline(f, line)) {
    if (line.rfind("Uid:", 0) == 0) {
      st.uids = numbers(line.substr(4));
    } else if (line.rfind("Gid:", 0) == 0) {
      st.gids = numbers(line.substr(4));
    } else if (line.rfind("Groups:", 0) == 0) {
      st.groups = numbers(line.substr(7));
    }
  }
  return st.uids.size() >= 2 && st.gids.size() >= 2;
}

int pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
  return int(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

// A pidfd becomes readable when its process exits.
bool still_alive(int pidfd) {
  pollfd p{pidfd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

// When process `pid` started (/proc/<pid>/stat field 22, clock ticks since
// boot): with the pid, it names one process, since a pid cannot come round
// again within one tick. nullopt if there is no such process.
std::optional<uint64_t> start_time(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) {
    return std::nullopt;
  }
  // The command name (field 2) may hold spaces and parentheses: count
  // fields after its closing parenthesis, the last one in the line.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(rest >> field)) {
      return std::nullopt;
    }
  }
  try {
    return std::stoull(field);
  } catch (const std::exception &) {
    return std::nullopt;
  }
}

// What the executable open at `fd` is: the path it was opened by, its
// SHA-256 and its file identity.
struct ExeFacts {
  std::string path;
  std::string sha;
  dev_t dev = 0;
  ino_t ino = 0;
};

bool read_exe_facts(int fd, ExeFacts &f) {
  char buf[4096];
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  struct stat st {};
  if (n <= 0 || ::fstat(fd, &st) != 0) {
    return false;
  }
  f.path.assign(buf, size_t(n));
  f.sha = cached_sha256(fd);
  f.dev = st.st_dev;
  f.ino = st.st_ino;
  return !f.sha.empty();
}

// The identity of the process `cred.pid`, pinned by `pidfd` (-1: none), with
// the executable open at `exe` (-1: none). *facts gets the executable's facts
// when they made it into the identity.
ClientIdentity identity_of(const ucred &cred, int pidfd, int exe, ExeFacts *facts) {
  ClientIdentity id;
  id.uid = cred.uid;
  id.gid = cred.gid;
  id.pid = cred.pid;
  if (cred.pid <= 0 || pidfd < 0) {
    return id;  // already gone (or no pidfd): only SO_PEERCRED counts
  }
  Status st;
  bool ok =
      read_status(cred.pid, st) && st.uids[1] == long(cred.uid) && st.gids[1] == long(cred.gid);
  ExeFacts f;
  const bool have_exe = ok && exe >= 0 && read_exe_facts(exe, f);
  if (ok && still_alive(pidfd)) {
    id.process_verified = have_exe;
    for (long g : st.groups) {
      id.groups.push_back(gid_t(g));
    }
    if (have_exe) {
      id.exe_path = f.path;
      id.exe_sha256 = f.sha;
      *facts = std::move(f);
    }
  }
  return id;
}

}  // namespace

ClientIdentity identity_from_kernel(const ucred &cred) {
  int pidfd = cred.pid > 0 ? pidfd_open(cred.pid) : -1;
  int exe = -1;
  if (pidfd >= 0) {
    exe = ::open(("/proc/" + std::to_string(cred.pid) + "/exe").c_str(), O_RDONLY | O_CLOEXEC);
  }
  ExeFacts facts;
  ClientIdentity id = identity_of(cred, pidfd, exe, &facts);
  if (exe >= 0) {
    ::close(exe);
  }
  if (pidfd >= 0) {
    ::close(pidfd);
  }
  return id;
}

ClientIdentity identity_from_accept(AcceptedPeer &peer,
                                    std::shared_ptr<const ExecutableBinding> *binding) {
  binding->reset();
  ExeFacts facts;
  ClientIdentity id = identity_of(peer.cred, peer.pidfd, peer.exe, &facts);
  if (peer.exe >= 0) {
    ::close(std::exchange(peer.exe, -1));
  }
  // The binding names the process by pid and start time rather than by
  // the pidfd: one descriptor less per connection. Read while the pidfd's
  // process is alive, the start time is that process's.
  const std::optional<uint64_t> started =
      id.exe_sha256.empty() ? std::nullopt : start_time(peer.cred.pid);
  if (started && still_alive(peer.pidfd)) {
    *binding = std::make_shared<ExecutableBinding>(peer.cred.pid, *started, facts.dev, facts.ino);
  } else {
    id.exe_path.clear();
    id.exe_sha256.clear();
    id.process_verified = false;
  }
  return id;
}

ExecutableBinding::ExecutableBinding(pid_t pid, uint64_t start_time, dev_t dev, ino_t ino)
    : pid_(pid), start_time_(start_time), dev_(dev), ino_(ino) {}

std::string ExecutableBinding::why_not_bound() const {
  const CallOrigin o = current_call_origin();
  if (!o.recorded) {
    return "the request did not come over its connection";
  }
  if (o.pid != pid_) {
    return o.pid == 0 ? "the request came without its sender's pid"
                      : "the request was sent by pid " + std::to_string(o.pid) +
                            ", not by the process that connected";
  }
  if (o.early) {
    return "the request was sent before capteed took the executable";
  }
  // The file the process runs now, then whether that was still the process
  // that connected (alive then, so also when the request was sent).
  struct stat st {};
  const bool same = ::stat(("/proc/" + std::to_string(pid_) + "/exe").c_str(), &st) == 0 &&
                    st.st_dev == dev_ && st.st_ino == ino_;
  if (start_time(pid_) != start_time_) {
    return "the process that connected has exited";
  }
  if (!same) {
    return "the process that connected has exec'd since";
  }
  return "";
}

}  // namespace captee::tee
