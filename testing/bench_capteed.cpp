#include "captee/testing/bench_capteed.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

namespace captee::testing {

BenchCapteed::BenchCapteed(const std::string &capteed_path, const std::string &ta_dir,
                           const std::string &tag, const std::string &parent) {
  std::string tmpl = parent + "/captee-bench-" + tag + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    return;
  }
  dir_ = buf.data();
  socket_ = dir_ + "/s";
  const std::string state = dir_ + "/state";
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execl(capteed_path.c_str(), capteed_path.c_str(), "--socket", socket_.c_str(), "--ta-dir",
            ta_dir.c_str(), "--state-dir", state.c_str(), "--allow-unsigned-tas",
            static_cast<char *>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 500 && !reachable(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::setenv("CAPTEE_SOCKET", socket_.c_str(), 1);
}

BenchCapteed::~BenchCapteed() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
  if (!dir_.empty()) {
    std::filesystem::remove_all(dir_);
  }
}

bool BenchCapteed::reachable() const {
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", socket_.c_str());
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

}  // namespace captee::testing
