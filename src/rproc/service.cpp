// captee-rprocd's objects for its clients: IRemoteProcManager (the
// primordial object of each connection) and one IRemoteProc per processor.
// Every byte from a client is checked here before a RemoteProc sees it.
#include <cstring>
#include <shared_mutex>

#include "IRemoteProc.hpp"
#include "IRemoteProcManager.hpp"
#include "IRemoteProcProgress.hpp"
#include "IRpmsgEndpoint.hpp"
#include "IRpmsgListener.hpp"
#include "captee/memory.hpp"
#include "captee/detail/whole_file.hpp"
#include "captee/rproc/manager.hpp"

namespace captee::rproc {

namespace {

constexpr uint64_t kMaxImage = 64ull << 20;
constexpr size_t kMaxName = 255;
// What one console write may carry (the console queues 4 KiB at most), and
// the STM32MP15's GPIO ports and pins (IRemoteprocHost.setGpioInput).
constexpr size_t kMaxConsoleWrite = 4096;
constexpr uint32_t kGpioPorts = 12, kGpioPins = 16;

int32_t to_error(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return Object_OK;
    case Outcome::kBusy:
      return IRemoteProc_ERROR_BUSY;
    case Outcome::kBadState:
      return IRemoteProc_ERROR_BAD_STATE;
    case Outcome::kFailed:
      return IRemoteProc_ERROR_FAILED;
    case Outcome::kUnavailable:
      return IRemoteProc_ERROR_UNAVAILABLE;
    case Outcome::kShuttingDown:
      return IRemoteProc_ERROR_SHUTTING_DOWN;
    case Outcome::kNotFound:
      return IRemoteProc_ERROR_NOT_FOUND;
  }
  return Object_ERROR;
}

// Names are shown in status and logs: printable ASCII only.
bool printable(std::span<const std::byte> s) {
  return std::all_of(s.begin(), s.end(), [](std::byte b) {
    return std::to_integer<unsigned>(b) >= 0x20 && std::to_integer<unsigned>(b) < 0x7f;
  });
}

std::string text_of(std::span<const std::byte> s) {
  return std::string(reinterpret_cast<const char *>(s.data()), s.size());
}

Progress progress_of(Object obj) {
  if (Object_isNull(obj)) {
    return {};
  }
  // Borrowed for the call; the client hears each step on its own thread.
  return [p = iface::IRemoteProcProgress(Ref::share(obj))](const std::string &step) {
    (void)p.step(std::as_bytes(std::span<const char>(step.data(), step.size())));
  };
}

int32_t put_text(const std::string &text, std::span<std::byte> out, size_t &len) {
  if (text.size() > out.size()) {
    return Object_ERROR_SIZE_OUT;
  }
  std::memcpy(out.data(), text.data(), text.size());
  len = text.size();
  return Object_OK;
}

}  // namespace

struct Manager::Shared {
  std::shared_mutex mu;  // shared for each call, unique to close
  Manager *manager = nullptr;
};

namespace {

using SharedPtr = std::shared_ptr<Manager::Shared>;

// Calls a client's IRpmsgListener for one channel (on RpmsgHost's delivery
// thread).
class ClientListener final : public RpmsgListener {
 public:
  explicit ClientListener(Ref callback) : cb_(std::move(callback)) {}
  void on_message(std::span<const uint8_t> payload) override {
    (void)cb_.onMessage(std::as_bytes(payload));
  }
  void on_state(bool up) override { (void)cb_.onState(up ? 1 : 0); }

 private:
  iface::IRpmsgListener cb_;
};

// A client's IRpmsgEndpoint: the channel (name, index) of one processor,
// across boots. Its listener goes when the object does.
class EndpointObject final : public iface::IRpmsgEndpointSkeleton {
 public:
  EndpointObject(SharedPtr shared, uint32_t id, std::string name, uint32_t index,
                 uint64_t listening)
      : shared_(std::move(shared)),
        id_(id),
        name_(std::move(name)),
        index_(index),
        listening_(listening) {}
  ~EndpointObject() override {
    if (listening_ != 0) {
      with([&](RemoteProc &p) {
        p.rpmsg().unlisten(listening_);
        return Object_OK;
      });
    }
  }

  int32_t send(std::span<const std::byte> data) override {
    if (data.empty()) {
      return Object_ERROR_INVALID;
    }
    if (data.size() > IRpmsgEndpoint_MAX_MESSAGE) {
      return Object_ERROR_SIZE_IN;
    }
    return with([&](RemoteProc &p) {
      const auto bytes = std::span(reinterpret_cast<const uint8_t *>(data.data()), data.size());
      switch (p.rpmsg().send(name_, index_, bytes)) {
        case RpmsgHost::SendResult::kOk:
          return Object_OK;
        case RpmsgHost::SendResult::kNoBuffer:
          return IRpmsgEndpoint_ERROR_NO_BUFFER;
        case RpmsgHost::SendResult::kTooBig:
          return Object_ERROR_SIZE_IN;
        case RpmsgHost::SendResult::kNoChannel:
        case RpmsgHost::SendResult::kDown:
          break;
      }
      return Object_ERROR_DEFUNCT;
    });
  }

  int32_t getInfo(::IRpmsgEndpoint_Info &info) override {
    return with([&](RemoteProc &p) {
      for (const RpmsgChannelInfo &c : p.rpmsg().channels()) {
        if (c.name == name_ && c.index == index_) {
          info = {c.index, c.up ? 1u : 0u, c.remote, c.local};
          return c.up ? Object_OK : Object_ERROR_DEFUNCT;
        }
      }
      return Object_ERROR_DEFUNCT;
    });
  }

 private:
  template <typename F>
  int32_t with(F &&f) {
    std::shared_lock<std::shared_mutex> lock(shared_->mu);
    if (shared_->manager == nullptr) {
      return Object_ERROR_DEFUNCT;
    }
    RemoteProc *p = shared_->manager->processor(id_);
    return p == nullptr ? Object_ERROR_DEFUNCT : f(*p);
  }

  SharedPtr shared_;
  uint32_t id_;
  std::string name_;
  uint32_t index_;
  uint64_t listening_;
};

class RemoteProcObject final : public iface::IRemoteProcSkeleton {
 public:
  RemoteProcObject(SharedPtr shared, uint32_t id) : shared_(std::move(shared)), id_(id) {}

  int32_t getStatus(::IRemoteProc_Status &out) override {
    return with([&](RemoteProc &p, Manager &) {
      RemoteProcStatus s = p.status();
      out = {};
      out.rprocId = s.id;
      out.state = static_cast<uint32_t>(s.state);
      out.crashCount = s.crash_count;
      out.recovery = s.recovery ? IRemoteProc_RECOVERY_ENABLED : IRemoteProc_RECOVERY_DISABLED;
      out.coredump = s.coredump ? IRemoteProc_COREDUMP_ENABLED : IRemoteProc_COREDUMP_DISABLED;
      out.busy = s.busy ? 1 : 0;
      out.traces = static_cast<uint32_t>(s.traces);
      out.bootCount = s.boot_count;
      return Object_OK;
    });
  }

  int32_t getText(uint32_t which, std::span<std::byte> text, size_t &len) override {
    return with([&](RemoteProc &p, Manager &) {
      RemoteProcStatus s = p.status();
      switch (which) {
        case IRemoteProc_TEXT_FIRMWARE:
          return put_text(s.firmware, text, len);
        case IRemoteProc_TEXT_LAST_CRASH:
          return put_text(s.last_crash, text, len);
        case IRemoteProc_TEXT_LAST_ERROR:
          return put_text(s.last_error, text, len);
      }
      return Object_ERROR_INVALID;
    });
  }

  int32_t boot(Object image, uint64_t size, std::span<const std::byte> name,
               Object progress) override {
    if (name.empty() || name.size() > kMaxName || !printable(name) || size == 0 ||
        size > kMaxImage) {
      return Object_ERROR_INVALID;
    }
    std::optional<Mapping> m = Mapping::map(image, FdObject::kRead);
    if (!m || m->bytes().size() < size) {
      return Object_ERROR_INVALID;
    }
    // One copy, now: the client may go on writing its memory.
    const auto *b = reinterpret_cast<const uint8_t *>(m->bytes().data());
    std::vector<uint8_t> bytes(b, b + size);
    m.reset();
    return with([&](RemoteProc &p, Manager &) {
      return to_error(p.boot(std::move(bytes), text_of(name), progress_of(progress)));
    });
  }

  int32_t bootFile(std::span<const std::byte> name, Object progress) override {
    const std::string n = text_of(name);
    if (n.empty() || n.size() > kMaxName || !printable(name) || n == "." || n == ".." ||
        n.find('/') != std::string::npos) {
      return Object_ERROR_INVALID;
    }
    return with([&](RemoteProc &p, Manager &mgr) {
      if (mgr.options().firmware_dir.empty()) {
        return IRemoteProc_ERROR_NOT_FOUND;
      }
      std::vector<uint8_t> bytes;
      switch (detail::read_whole_file(mgr.options().firmware_dir + "/" + n, bytes, kMaxImage)) {
        case detail::FileRead::kOk:
          break;
        case detail::FileRead::kTooLarge:
        case detail::FileRead::kNotRegular:  // no size to check, as before
          return Object_ERROR_INVALID;
        default:
          return IRemoteProc_ERROR_NOT_FOUND;
      }
      if (bytes.empty()) {
        return Object_ERROR_INVALID;
      }
      return to_error(p.boot(std::move(bytes), n, progress_of(progress)));
    });
  }

  int32_t stop() override {
    return with([&](RemoteProc &p, Manager &) { return to_error(p.stop()); });
  }

  int32_t readTrace(uint32_t index, std::span<std::byte> text, size_t &len) override {
    return with([&](RemoteProc &p, Manager &) {
      std::string t;
      if (Outcome o = p.trace(index, &t); o != Outcome::kOk) {
        return to_error(o);
      }
      return put_text(t, text, len);
    });
  }

  int32_t crash(std::span<const std::byte> reason) override {
    if (reason.size() > 256) {
      return Object_ERROR_SIZE_IN;
    }
    return with([&](RemoteProc &p, Manager &) { return to_error(p.crash(text_of(reason))); });
  }

  int32_t setRecovery(uint32_t mode) override {
    if (mode != IRemoteProc_RECOVERY_ENABLED && mode != IRemoteProc_RECOVERY_DISABLED) {
      return Object_ERROR_INVALID;
    }
    return with([&](RemoteProc &p, Manager &) {
      p.set_recovery(mode == IRemoteProc_RECOVERY_ENABLED);
      return Object_OK;
    });
  }

  int32_t recover(Object progress) override {
    return with(
        [&](RemoteProc &p, Manager &) { return to_error(p.recover(progress_of(progress))); });
  }

  int32_t setCoredump(uint32_t mode) override {
    if (mode != IRemoteProc_COREDUMP_ENABLED && mode != IRemoteProc_COREDUMP_DISABLED) {
      return Object_ERROR_INVALID;
    }
    return with([&](RemoteProc &p, Manager &) {
      p.set_coredump(mode == IRemoteProc_COREDUMP_ENABLED);
      return Object_OK;
    });
  }

  int32_t getCoredump(Ref &memory, uint64_t &size) override {
    return with([&](RemoteProc &p, Manager &) {
      std::vector<uint8_t> core;
      if (Outcome o = p.coredump(&core); o != Outcome::kOk) {
        return to_error(o);
      }
      Ref mem = MemoryObject::create(core.size());
      auto *mo = LocalObject::from_as<MemoryObject>(mem.get());
      if (mo == nullptr) {
        return Object_ERROR_MEM;
      }
      std::memcpy(mo->bytes().data(), core.data(), core.size());
      memory = std::move(mem);
      size = core.size();
      return Object_OK;
    });
  }

  int32_t readConsole(uint64_t from, std::span<std::byte> bytes, size_t &len,
                      uint64_t &next) override {
    return with([&](RemoteProc &p, Manager &) {
      std::string out;
      if (Outcome o = p.read_console(from, bytes.size(), &out, &next); o != Outcome::kOk) {
        return to_error(o);
      }
      std::memcpy(bytes.data(), out.data(), out.size());
      len = out.size();
      return Object_OK;
    });
  }

  int32_t writeConsole(std::span<const std::byte> bytes, uint32_t &taken) override {
    if (bytes.size() > kMaxConsoleWrite) {
      return Object_ERROR_SIZE_IN;
    }
    return with([&](RemoteProc &p, Manager &) {
      const std::string text(reinterpret_cast<const char *>(bytes.data()), bytes.size());
      return to_error(p.write_console(text, &taken));
    });
  }

  int32_t listRpmsg(std::span<::IRemoteProc_RpmsgChannel> out, size_t &len) override {
    return with([&](RemoteProc &p, Manager &) {
      const std::vector<RpmsgChannelInfo> all = p.rpmsg().channels();
      if (all.size() > out.size()) {
        return Object_ERROR_SIZE_OUT;
      }
      for (size_t i = 0; i < all.size(); i++) {
        ::IRemoteProc_RpmsgChannel c{};
        c.index = all[i].index;
        c.up = all[i].up ? 1 : 0;
        c.remote = all[i].remote;
        c.local = all[i].local;
        std::memcpy(c.name, all[i].name.data(), std::min(all[i].name.size(), sizeof c.name - 1));
        if (all[i].name == kRpmsgTtyName) {
          const std::string tty = p.rpmsg_tty_path(all[i].index);
          if (tty.size() < sizeof c.tty) {
            std::memcpy(c.tty, tty.data(), tty.size());
          }
        }
        out[i] = c;
      }
      len = all.size();
      return Object_OK;
    });
  }

  int32_t openRpmsg(std::span<const std::byte> name, uint32_t index, Object listener,
                    Ref &endpoint) override {
    if (name.empty() || name.size() >= kRpmsgNameSize || !printable(name)) {
      return Object_ERROR_INVALID;
    }
    const std::string n = text_of(name);
    return with([&](RemoteProc &p, Manager &) {
      const std::vector<RpmsgChannelInfo> all = p.rpmsg().channels();
      if (std::none_of(all.begin(), all.end(), [&](const RpmsgChannelInfo &c) {
            return c.name == n && c.index == index;
          })) {
        return IRemoteProc_ERROR_NOT_FOUND;
      }
      uint64_t listening = 0;
      if (!Object_isNull(listener)) {
        listening =
            p.rpmsg().listen(n, index, std::make_shared<ClientListener>(Ref::share(listener)));
      }
      endpoint = make_object<EndpointObject>(shared_, id_, n, index, listening);
      return Object_OK;
    });
  }

  int32_t setGpioInput(uint32_t port, uint32_t pin, uint32_t level) override {
    if (port >= kGpioPorts || pin >= kGpioPins || level > 1) {
      return Object_ERROR_INVALID;
    }
    return with(
        [&](RemoteProc &p, Manager &) { return to_error(p.set_gpio_input(port, pin, level)); });
  }

 private:
  template <typename F>
  int32_t with(F &&f) {
    std::shared_lock<std::shared_mutex> lock(shared_->mu);
    if (shared_->manager == nullptr) {
      return Object_ERROR_UNAVAIL;
    }
    RemoteProc *p = shared_->manager->processor(id_);
    return p == nullptr ? Object_ERROR_UNAVAIL : f(*p, *shared_->manager);
  }

  SharedPtr shared_;
  uint32_t id_;
};

class ManagerObject final : public iface::IRemoteProcManagerSkeleton {
 public:
  explicit ManagerObject(SharedPtr shared) : shared_(std::move(shared)) {}

  int32_t list(std::span<uint32_t> ids, size_t &len) override {
    std::shared_lock<std::shared_mutex> lock(shared_->mu);
    if (shared_->manager == nullptr) {
      return Object_ERROR_UNAVAIL;
    }
    std::vector<uint32_t> all = shared_->manager->ids();
    if (all.size() > ids.size()) {
      return Object_ERROR_SIZE_OUT;
    }
    std::copy(all.begin(), all.end(), ids.begin());
    len = all.size();
    return Object_OK;
  }

  int32_t open(uint32_t id, Ref &processor) override {
    std::shared_lock<std::shared_mutex> lock(shared_->mu);
    if (shared_->manager == nullptr) {
      return Object_ERROR_UNAVAIL;
    }
    if (shared_->manager->processor(id) == nullptr) {
      return IRemoteProcManager_ERROR_NO_SUCH_PROCESSOR;
    }
    processor = make_object<RemoteProcObject>(shared_, id);
    return Object_OK;
  }

 private:
  SharedPtr shared_;
};

}  // namespace

Ref Manager::object() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!shared_) {
    shared_ = std::make_shared<Shared>();
    shared_->manager = this;
  }
  return make_object<ManagerObject>(shared_);
}

void Manager::close_objects() {
  std::shared_ptr<Shared> s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = shared_;
  }
  if (s) {
    std::unique_lock<std::shared_mutex> lock(s->mu);  // waits for calls in flight
    s->manager = nullptr;
  }
}

}  // namespace captee::rproc
