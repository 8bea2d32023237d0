// Starts the real capteed on a temporary socket and runs client processes
// against it (fork + exec of tee_test_client).
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "CDiagnostics.h"
#include "IClientEnv.hpp"
#include "IDiagnosticsCaptee.hpp"
#include "../support/descriptors.hpp"
#include "captee/channel.hpp"

namespace captee::test {

inline std::vector<char *> argv_of(std::vector<std::string> &args) {
  std::vector<char *> v;
  for (auto &a : args) {
    v.push_back(a.data());
  }
  v.push_back(nullptr);
  return v;
}

// fork + exec; `env` entries are added to the child's environment.
inline pid_t spawn(std::vector<std::string> args, std::vector<std::string> env = {},
                   bool quiet = false) {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (auto &e : env) {
      ::putenv(e.data());
    }
    if (quiet) {
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 2);
      if (null != 2) {
        ::close(null);  // the child should hold what a normal start holds
      }
    }
    auto v = argv_of(args);
    ::execv(v[0], v.data());
    ::_exit(127);
  }
  return pid;
}

inline int wait_exit(pid_t pid) {
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// Signals a daemon the test started, reaps it and forgets its pid; returns
// its exit status, also on later calls (`exit` keeps it).
inline int stop_child(pid_t &pid, int &exit, int sig) {
  if (pid <= 0) {
    return exit;
  }
  ::kill(pid, sig);
  exit = wait_exit(pid);
  pid = -1;
  return exit;
}

inline int run(std::vector<std::string> args, std::vector<std::string> env = {}) {
  return wait_exit(spawn(std::move(args), std::move(env)));
}

// Runs a shell command line and returns {exit code, stdout and stderr}.
inline std::pair<int, std::string> run_capture(const std::string &command) {
  FILE *p = ::popen((command + " 2>&1").c_str(), "r");
  std::string out;
  char buf[512];
  while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr) {
    out += buf;
  }
  const int st = p != nullptr ? ::pclose(p) : -1;
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

// Whether a captee daemon listens on `path` (a socket file left by a killed
// one does not count).
inline bool accepts_connections(const std::string &path) {
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// capteed's counters asked over a fresh connection, which counts itself
// (connections == 1 when nobody else is connected). Zeroes if capteed cannot
// be asked.
inline IDiagnosticsCaptee_Counters counters_at(const std::string &socket) {
  ChannelOptions o;
  o.log = [](const std::string &) {};
  IDiagnosticsCaptee_Counters c{};
  Ref root = connect(socket, o);
  Ref env, diag;
  if (iface::IClientEnv(root).registerAsClient(Ref(), env) == Object_OK &&
      iface::IClientEnv(env).open(CDiagnostics_UID, diag) == Object_OK) {
    // capteed lists a connection once its handshake thread is done with it,
    // which may be just after this client's first calls: until then the
    // connection's own three exports (root, env, diagnostics) are missing.
    for (int i = 0; i < 200; ++i) {
      if (iface::IDiagnosticsCaptee(diag).queryCounters(c) != Object_OK || c.objects >= 3) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return c;
}

// A temporary directory (mode 0755 so dropped-privilege clients can reach the
// socket inside), removed at the end.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/captee-tee-XXXXXX";
    path = ::mkdtemp(tmpl);
    ::chmod(path.c_str(), 0755);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// The command that starts capteed: CAPTEED_PATH, preceded by the words of
// $CAPTEED_WRAPPER if set (scripts/valgrind.sh runs capteed under memcheck
// that way).
inline std::vector<std::string> capteed_command() {
  std::vector<std::string> cmd;
  if (const char *w = std::getenv("CAPTEED_WRAPPER"); w != nullptr) {
    std::string word;
    for (const char *p = w;; ++p) {
      if (*p == ' ' || *p == '\0') {
        if (!word.empty()) {
          cmd.push_back(word);
        }
        word.clear();
        if (*p == '\0') {
          break;
        }
      } else {
        word += *p;
      }
    }
  }
  cmd.push_back(CAPTEED_PATH);
  return cmd;
}

// fork + exec as `uid` (its own group too, no supplementary groups).
inline pid_t spawn_as(std::vector<std::string> args, uid_t uid) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid_t(uid)) != 0 || ::setuid(uid) != 0) {
      ::_exit(126);
    }
    auto v = argv_of(args);
    ::execv(v[0], v.data());
    ::_exit(127);
  }
  return pid;
}

// captee-supplicant keeping a capteed's trusted storage in `storage_dir`
// (--storage-backend supplicant, docs/STORAGE.md), its log appended to
// `log_path`. Ready once it logged that it keeps the storage.
class StorageSupplicant {
 public:
  StorageSupplicant(const std::string &program, const std::string &socket,
                    const std::string &storage_dir, const std::string &log_path)
      : log_path_(log_path) {
    std::vector<std::string> args = {"/bin/sh",
                                     "-c",
                                     "exec \"$0\" \"$@\" 2>>'" + log_path + "'",
                                     program,
                                     "--socket",
                                     socket,
                                     "--storage-dir",
                                     storage_dir,
                                     "--plugin-dir",
                                     storage_dir + ".no-plugins"};
    const size_t before = log_text().size();
    pid_ = spawn(args);
    for (int i = 0; i < 3000 && pid_ > 0; ++i) {  // up to 30 s
      if (log_text().find("keeping capteed's storage", before) != std::string::npos) {
        ready_ = true;
        break;
      }
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        exit_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~StorageSupplicant() { stop(); }
  StorageSupplicant(const StorageSupplicant &) = delete;
  StorageSupplicant &operator=(const StorageSupplicant &) = delete;

  bool ready() const { return ready_; }
  pid_t pid() const { return pid_; }
  int stop(int sig = SIGTERM) { return stop_child(pid_, exit_, sig); }
  std::string log_text() const {
    std::ifstream in(log_path_);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  int exit_ = -1;
  bool ready_ = false;
};

class CapteedProcess {
 public:
  // `run_as` other than 0: capteed runs as that uid (the test must be root),
  // owning its temporary directory. `stderr_path`: capteed's log goes to
  // that file (appended) instead of the test's stderr.
  explicit CapteedProcess(const std::string &policy_json = "", std::vector<std::string> extra = {},
                          uid_t run_as = 0, const std::string &stderr_path = "") {
    if (run_as != 0 && ::chown(dir_.path.c_str(), run_as, gid_t(run_as)) != 0) {
      return;  // not ready
    }
    socket_ = dir_.path + "/captee.sock";
    // Another uid cannot write the wrapper's logs (Valgrind's, in the build
    // tree): such a capteed runs bare.
    std::vector<std::string> args =
        run_as != 0 ? std::vector<std::string>{CAPTEED_PATH} : capteed_command();
    args.push_back("--socket");
    args.push_back(socket_);
    // A test that restarts capteed on the same state gives its own.
    if (std::find(extra.begin(), extra.end(), "--state-dir") == extra.end()) {
      args.push_back("--state-dir");
      args.push_back(dir_.path + "/state");
    }
    if (!policy_json.empty()) {
      std::ofstream(dir_.path + "/policy.json") << policy_json;
      args.push_back("--policy");
      args.push_back(dir_.path + "/policy.json");
    }
    // Tests load unsigned TAs: development mode, unless the test gives TA
    // keys (then it is testing signatures, and says --allow-unsigned-tas
    // itself if it wants both).
    if (std::find(extra.begin(), extra.end(), "--ta-pubkey") == extra.end()) {
      args.push_back("--allow-unsigned-tas");
    }
    // The storage-through-the-supplicant runs of a suite (CTest's
    // .supplicant variants): the path of captee-supplicant, which keeps the
    // store in this capteed's temporary directory. Not for a capteed that
    // chooses its backend or runs as another uid.
    const char *supplicant = std::getenv("CAPTEE_TEST_STORAGE_SUPPLICANT");
    const bool with_supplicant =
        supplicant != nullptr && *supplicant != '\0' && run_as == 0 &&
        std::find(extra.begin(), extra.end(), "--storage-backend") == extra.end();
    if (with_supplicant) {
      args.push_back("--storage-backend");
      args.push_back("supplicant");
    }
    for (auto &e : extra) {
      args.push_back(e);
    }
    if (!stderr_path.empty()) {
      args.insert(args.begin(), {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>>'" + stderr_path + "'"});
    }
    pid_ = run_as != 0 ? spawn_as(args, run_as) : spawn(args);
    ready_ = wait_ready();
    // Start quiet: the readiness probe's connection is gone (only the asking
    // connection is counted).
    for (int i = 0; ready_ && i < 500 && counters().connections != 1; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (ready_ && with_supplicant) {
      supplicant_ = std::make_unique<StorageSupplicant>(
          supplicant, socket_, dir_.path + "/supplicant-storage",
          stderr_path.empty() ? dir_.path + "/supplicant.log" : stderr_path);
      ready_ = supplicant_->ready();
    }
  }
  ~CapteedProcess() { stop(); }

  // SIGTERM; returns the exit status (0 expected). A storage supplicant
  // stops after capteed, which closes the store through it.
  int stop() {
    const int code = stop_child(pid_, exit_, SIGTERM);
    if (supplicant_) {
      supplicant_->stop();
    }
    return code;
  }

  bool ready() const { return ready_; }
  pid_t pid() const { return pid_; }
  // Connections capteed keeps besides its clients': the storage
  // supplicant's, when this run keeps the store there.
  unsigned standing_connections() const { return supplicant_ ? 1 : 0; }
  const std::string &socket() const { return socket_; }
  const std::string &dir() const { return dir_.path; }

  // Opens `uid` through a fresh connection (registering without claims).
  Ref open(uint32_t uid, int32_t *rv = nullptr) const {
    ChannelOptions o;
    o.log = [](const std::string &) {};
    Ref root = connect(socket_, o);
    Ref env, svc;
    int32_t r = iface::IClientEnv(root).registerAsClient(Ref(), env);
    if (r == Object_OK) {
      r = iface::IClientEnv(env).open(uid, svc);
    }
    if (rv != nullptr) {
      *rv = r;
    }
    return svc;
  }

  // The counters, asked over a connection that is closed again at once (so
  // it includes that one connection and its exports).
  IDiagnosticsCaptee_Counters counters() const { return counters_at(socket_); }

 private:
  bool wait_ready() {
    for (int i = 0; i < 3000; ++i) {  // up to 30 s: capteed may run under valgrind
      if (accepts_connections(socket_)) {
        return true;
      }
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        exit_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  TempDir dir_;
  std::string socket_;
  std::unique_ptr<StorageSupplicant> supplicant_;
  pid_t pid_ = -1;
  int exit_ = -1;
  bool ready_ = false;
};

// Polls `pred` for up to `ms` milliseconds.
template <class F>
bool eventually(F pred, int ms = 10000) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

}  // namespace captee::test
