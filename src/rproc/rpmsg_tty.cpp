#include "captee/rproc/rpmsg_tty.hpp"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace captee::rproc {

// One channel's pty: the listener on the channel and the thread that reads
// what programs write to the pty.
class RpmsgTtys::Tty final : public RpmsgListener {
 public:
  Tty(RpmsgHost &host, uint32_t index, std::string path, RpmsgHost::Log log)
      : host_(host), index_(index), path_(std::move(path)), log_(std::move(log)) {}
  ~Tty() override { hang_up(); }

  // Opens a new pty and links it at the stable path.
  void open_pty() {
    std::lock_guard<std::mutex> lock(mu_);
    if (master_ >= 0) {
      return;
    }
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    char name[128];
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0 || ptsname_r(m, name, sizeof name) != 0) {
      log_("rpmsg-tty #" + std::to_string(index_) + ": no pty: " + std::strerror(errno));
      if (m >= 0) {
        ::close(m);
      }
      return;
    }
    // Opened and closed once, so the master polls as hung up until a program
    // opens the pty (a pty never opened does not).
    if (int slave = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC); slave >= 0) {
      ::close(slave);
    }
    termios t{};
    if (tcgetattr(m, &t) == 0) {
      cfmakeraw(&t);
      (void)tcsetattr(m, TCSANOW, &t);
    }
    (void)::unlink(path_.c_str());
    if (::symlink(name, path_.c_str()) != 0) {
      log_("rpmsg-tty #" + std::to_string(index_) + ": cannot link " + path_ + ": " +
           std::strerror(errno));
    }
    master_ = m;
    stop_ = eventfd(0, EFD_CLOEXEC);
    reader_ = std::thread([this, m, stop = stop_] { read_loop(m, stop); });
  }

  // Closes the pty (its users see a hang-up) and removes the link.
  void hang_up() {
    std::thread reader;
    int m = -1, stop = -1;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (master_ < 0) {
        return;
      }
      (void)::unlink(path_.c_str());
      m = master_;
      stop = stop_;
      master_ = stop_ = -1;
      reader = std::move(reader_);
    }
    const uint64_t one = 1;
    (void)!::write(stop, &one, sizeof one);
    reader.join();
    ::close(m);
    ::close(stop);
  }

  void on_message(std::span<const uint8_t> payload) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (master_ < 0) {
      return;
    }
    // With no program holding the pty open the master polls as hung up:
    // the message is dropped, as a tty nobody opened drops input, so the
    // next program does not read stale bytes.
    pollfd p = {master_, POLLOUT, 0};
    if (::poll(&p, 1, 0) < 0 || (p.revents & POLLHUP) != 0) {
      return;
    }
    // Non-blocking: a program that does not read must not stall the other
    // channels; what does not fit is dropped, as a full tty buffer drops.
    (void)!::write(master_, payload.data(), payload.size());
  }
  void on_state(bool up) override {
    if (up) {
      open_pty();
    } else {
      hang_up();
    }
  }

 private:
  void read_loop(int m, int stop) {
    uint8_t buf[kRpmsgMaxPayload];
    for (;;) {
      pollfd fds[2] = {{m, POLLIN, 0}, {stop, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) {
        return;
      }
      if ((fds[1].revents & POLLIN) != 0) {
        return;
      }
      if ((fds[0].revents & (POLLIN | POLLHUP)) == 0) {
        continue;
      }
      const ssize_t n = ::read(m, buf, sizeof buf);
      if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
          continue;
        }
        // EIO: no program has the pty open; wait a little for one.
        pollfd s = {stop, POLLIN, 0};
        if (::poll(&s, 1, 50) > 0) {
          return;
        }
        continue;
      }
      (void)host_.send(kRpmsgTtyName, index_, std::span<const uint8_t>(buf, size_t(n)));
    }
  }

  RpmsgHost &host_;
  const uint32_t index_;
  const std::string path_;
  RpmsgHost::Log log_;
  std::mutex mu_;
  int master_ = -1, stop_ = -1;
  std::thread reader_;
};

RpmsgTtys::RpmsgTtys(RpmsgHost &host, std::string dir, uint32_t rproc_id, RpmsgHost::Log log)
    : host_(host), dir_(std::move(dir)), id_(rproc_id), log_(std::move(log)) {}

RpmsgTtys::~RpmsgTtys() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto &[index, tty] : ttys_) {
    tty->hang_up();
  }
}

void RpmsgTtys::channel_up(const RpmsgChannelInfo &c) {
  if (dir_.empty() || c.name != kRpmsgTtyName) {
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (ttys_.count(c.index) != 0) {
    return;  // its own listener reopens it
  }
  const std::string path =
      dir_ + "/rproc" + std::to_string(id_) + "-ttyRPMSG" + std::to_string(c.index);
  auto tty = std::make_shared<Tty>(host_, c.index, path, log_);
  tty->open_pty();
  host_.listen(kRpmsgTtyName, c.index, tty);
  ttys_[c.index] = tty;
}

std::string RpmsgTtys::path(uint32_t index) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (dir_.empty() || ttys_.count(index) == 0) {
    return {};
  }
  return dir_ + "/rproc" + std::to_string(id_) + "-ttyRPMSG" + std::to_string(index);
}

}  // namespace captee::rproc
