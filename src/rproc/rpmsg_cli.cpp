#include "rpmsg_cli.hpp"

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>

#include "IRpmsgEndpoint.hpp"
#include "IRpmsgListener.hpp"
#include "captee/detail/printable.hpp"

namespace captee::rproc {

namespace {

std::string name_of(const IRemoteProc_RpmsgChannel &c) {
  const auto *n = reinterpret_cast<const char *>(c.name);
  return std::string(n, strnlen(n, sizeof c.name));
}

std::string tty_of(const IRemoteProc_RpmsgChannel &c) {
  const auto *n = reinterpret_cast<const char *>(c.tty);
  return std::string(n, strnlen(n, sizeof c.tty));
}

// Prints what the channel says: messages on `out` (escaped, one per line),
// the channel going down or coming back on `err`.
class PrintListener final : public iface::IRpmsgListenerSkeleton {
 public:
  PrintListener(std::ostream &out, std::ostream &err) : out_(out), err_(err) {}
  int32_t onMessage(std::span<const std::byte> data) override {
    std::lock_guard<std::mutex> lock(mu_);
    // The firmware wrote these bytes: escape sequences would act on the terminal.
    std::string text = printable({reinterpret_cast<const char *>(data.data()), data.size()});
    out_ << text << (text.empty() || text.back() != '\n' ? "\n" : "") << std::flush;
    messages_++;
    cv_.notify_all();
    return Object_OK;
  }
  int32_t onState(uint32_t up) override {
    std::lock_guard<std::mutex> lock(mu_);
    err_ << (up != 0 ? "channel up\n" : "channel down (the firmware stopped or crashed)\n")
         << std::flush;
    return Object_OK;
  }
  void wait_for(uint32_t count) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return count != 0 && messages_ >= count; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::ostream &out_, &err_;
  uint32_t messages_ = 0;
};

}  // namespace

int run_rpmsg_command(const iface::IRemoteProc &proc, uint32_t id, const RpmsgCommand &cmd,
                      std::ostream &out, std::ostream &err) {
  std::vector<IRemoteProc_RpmsgChannel> channels(256);
  size_t n = 0;
  if (proc.listRpmsg(channels, n) != Object_OK) {
    err << "captee: rproc " << id << " did not list its rpmsg channels.\n";
    return 1;
  }
  channels.resize(std::min(n, channels.size()));
  if (cmd.kind == RpmsgCommand::Kind::kList) {
    nlohmann::json all = nlohmann::json::array();
    for (const IRemoteProc_RpmsgChannel &c : channels) {
      all.push_back({{"name", name_of(c)},
                     {"index", c.index},
                     {"up", c.up != 0},
                     {"remote", c.remote},
                     {"local", c.local},
                     {"tty", tty_of(c)}});
    }
    if (cmd.json) {
      out << all.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace) << "\n";
      return 0;
    }
    if (channels.empty()) {
      out << "rproc " << id << " has announced no rpmsg channels\n";
    }
    for (const IRemoteProc_RpmsgChannel &c : channels) {
      out << printable(name_of(c)) << " #" << c.index << ": " << (c.up ? "up" : "down")
          << ", firmware address " << c.remote << ", host address " << c.local;
      if (!tty_of(c).empty()) {
        out << ", tty " << printable(tty_of(c));
      }
      out << "\n";
    }
    return 0;
  }
  const IRemoteProc_RpmsgChannel *found = nullptr;
  for (const IRemoteProc_RpmsgChannel &c : channels) {
    if (name_of(c) == cmd.name && c.index == cmd.index) {
      found = &c;
    }
  }
  if (found == nullptr) {
    err << "captee: rproc " << id << " has no rpmsg channel \"" << printable(cmd.name) << "\" #"
        << cmd.index << ".\n";
    return 1;
  }
  if (cmd.kind == RpmsgCommand::Kind::kTty) {
    if (tty_of(*found).empty()) {
      err << "captee: \"" << printable(cmd.name) << "\" #" << cmd.index
          << " has no pty (only rpmsg-tty channels do, and captee-rprocd runs with "
             "--tty-dir none).\n";
      return 1;
    }
    out << tty_of(*found) << "\n";
    return 0;
  }
  Ref listener_obj;
  if (cmd.kind == RpmsgCommand::Kind::kListen) {
    listener_obj = make_object<PrintListener>(out, err);
  }
  Ref ep;
  const std::string &name = cmd.name;
  if (int32_t rv = proc.openRpmsg(std::as_bytes(std::span(name.data(), name.size())), cmd.index,
                                  listener_obj, ep);
      rv != Object_OK) {
    err << "captee: rproc " << id << ": cannot open \"" << printable(name) << "\" (error " << rv
        << ").\n";
    return 1;
  }
  iface::IRpmsgEndpoint endpoint(ep);
  if (cmd.kind == RpmsgCommand::Kind::kSend) {
    const int32_t rv = endpoint.send(std::as_bytes(std::span(cmd.data.data(), cmd.data.size())));
    if (rv != Object_OK) {
      err << "captee: rproc " << id << ": \"" << printable(name) << "\" #" << cmd.index << ": "
          << (rv == Object_ERROR_DEFUNCT             ? "the channel is down"
              : rv == Object_ERROR_SIZE_IN           ? "more than 496 bytes"
              : rv == IRpmsgEndpoint_ERROR_NO_BUFFER ? "the firmware takes no more messages"
                                                     : "the send failed")
          << ".\n";
      return 1;
    }
    return 0;
  }
  auto *local = LocalObject::from_as<PrintListener>(listener_obj.get());
  local->wait_for(cmd.count);  // until enough messages came (never with count 0)
  return 0;
}

}  // namespace captee::rproc
