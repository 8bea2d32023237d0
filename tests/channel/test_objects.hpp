// Objects and helpers shared by the channel tests.
#pragma once

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "captee/channel.hpp"
#include "captee/memory.hpp"
#include "captee/object.hpp"

namespace captee::test {

inline uint32_t tid() {
  return uint32_t(::syscall(SYS_gettid));
}

enum Op : uint32_t {
  kEcho = 0,
  kAllKinds = 1,
  kGetY = 2,
  kIsY = 3,
  kCall = 4,
  kStore = 5,
  kUseStored = 6,
  kSleep = 7,
  kNewCounter = 8,
  kTid = 9,
  kForward = 10,
  kStoreNext = 11,
  kUseNext = 12,
  kNewPing = 13,
  kCount = 14,
  kDropStored = 15,
  kMapRead = 16,
  kMapWrite = 17,
  kWaitEvent = 18,
  kSetEvent = 19,
};

// Echoes BI0 into BO0 and counts its calls.
class Counter : public LocalObject {
 public:
  std::atomic<uint32_t> calls{0};

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    Args args(a, k);
    if (method == kEcho && args.expect(1, 1, 0, 0)) {
      calls.fetch_add(1);
      auto in = args.bi(0);
      if (in.size() > args.bo(0).size) {
        return Object_ERROR_SIZE_OUT;
      }
      std::memcpy(args.bo(0).ptr, in.data(), in.size());
      args.bo(0).size = in.size();
      return Object_OK;
    }
    if (method == kCount && args.expect(0, 1, 0, 0)) {
      return args.write(0, calls.load()) ? Object_OK : Object_ERROR_SIZE_OUT;
    }
    return Object_ERROR_INVALID;
  }
};

// Bounces between two domains `depth` times; every run on one side must be on
// the same thread (checked here, reported as an error, and recorded).
class Ping : public LocalObject {
 public:
  std::mutex mu;
  std::vector<uint32_t> tids;

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    Args args(a, k);
    uint32_t depth = 0;
    if (method != 0 || !args.expect(1, 0, 1, 0) || !args.read(0, depth)) {
      return Object_ERROR_INVALID;
    }
    {
      std::lock_guard lk(mu);
      if (!tids.empty() && tids.front() != tid()) {
        return Object_ERROR_USERBASE + 1;  // a callback ran on another thread
      }
      tids.push_back(tid());
    }
    if (depth == 0) {
      return Object_OK;
    }
    Ref peer = Ref::share(args.oi(0));
    return peer.invoke(0, in(depth - 1), in_object(as_object()));
  }
};

// The test service: one object that exercises every argument kind.
class Service : public LocalObject {
 public:
  explicit Service(Ref next = {}) : next_(std::move(next)), y_(make_object<Counter>()) {}

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    Args args(a, k);
    switch (method) {
      case kEcho:
        return echo(args);
      case kAllKinds: {
        if (!args.expect(2, 2, 1, 1)) {
          return Object_ERROR_INVALID;
        }
        auto x = args.bi(0), y = args.bi(1);
        if (args.bo(0).size < x.size() + y.size()) {
          return Object_ERROR_SIZE_OUT;
        }
        std::memcpy(args.bo(0).ptr, x.data(), x.size());
        std::memcpy(static_cast<char *>(args.bo(0).ptr) + x.size(), y.data(), y.size());
        args.bo(0).size = x.size() + y.size();
        uint32_t sizes = uint32_t(x.size() << 16 | y.size());
        if (!args.write(1, sizes)) {
          return Object_ERROR_SIZE_OUT;
        }
        args.oo(0) = Ref::share(args.oi(0)).detach();
        return Object_OK;
      }
      case kGetY:
        args.oo(0) = Ref(y_).detach();
        return Object_OK;
      case kIsY: {
        uint32_t same = LocalObject::from(args.oi(0)) == LocalObject::from(y_.get()) ? 1 : 0;
        return args.write(0, same) ? Object_OK : Object_ERROR_SIZE_OUT;
      }
      case kCall: {  // OI0.echo(BI0) -> BO0
        Ref obj = Ref::share(args.oi(0));
        size_t used = 0;
        int32_t rv = obj.invoke(kEcho, in(args.bi(0)), out(args.bo(0).ptr, args.bo(0).size, &used));
        args.bo(0).size = used;
        return rv;
      }
      case kStore: {
        std::lock_guard lk(mu_);
        stored_.push_back(Ref::share(args.oi(0)));
        return Object_OK;
      }
      case kDropStored: {
        std::lock_guard lk(mu_);
        stored_.clear();
        return Object_OK;
      }
      case kUseStored: {
        Ref obj;
        {
          std::lock_guard lk(mu_);
          if (stored_.empty()) {
            return Object_ERROR_INVALID;
          }
          obj = stored_.back();
        }
        size_t used = 0;
        int32_t rv = obj.invoke(kEcho, in(args.bi(0)), out(args.bo(0).ptr, args.bo(0).size, &used));
        args.bo(0).size = used;
        return rv;
      }
      case kSleep: {
        uint32_t ms = 0;
        args.read(0, ms);
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        return Object_OK;
      }
      case kNewCounter:
        args.oo(0) = make_object<Counter>().detach();
        return Object_OK;
      case kTid:
        return args.write(0, tid()) ? Object_OK : Object_ERROR_SIZE_OUT;
      case kForward: {  // next.call(OI0, BI0) -> BO0: the object goes one more hop
        size_t used = 0;
        int32_t rv =
            next_.invoke(kCall, in(args.bi(0)), out(args.bo(0).ptr, args.bo(0).size, &used),
                         in_object(args.oi(0)));
        args.bo(0).size = used;
        return rv;
      }
      case kStoreNext:
        return next_.invoke(kStore, in_object(args.oi(0)));
      case kUseNext: {
        size_t used = 0;
        int32_t rv =
            next_.invoke(kUseStored, in(args.bi(0)), out(args.bo(0).ptr, args.bo(0).size, &used));
        args.bo(0).size = used;
        return rv;
      }
      case kNewPing:
        args.oo(0) = make_object<Ping>().detach();
        return Object_OK;
      case kMapRead: {  // OI0 memory -> BO0 {u64 byte sum, u32 rights, u32 write denied}
        auto map = Mapping::map(args.oi(0), FdObject::kRead);
        if (!map) {
          return Object_ERROR_USERBASE;
        }
        struct {
          uint64_t sum;
          uint32_t rights;
          uint32_t write_denied;
        } r{0, LocalObject::from_as<FdObject>(args.oi(0))->rights(), 0};
        for (std::byte b : map->bytes()) {
          r.sum += uint8_t(b);
        }
        int fd = LocalObject::from_as<FdObject>(args.oi(0))->fd();
        void *w = ::mmap(nullptr, map->bytes().size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        r.write_denied = w == MAP_FAILED ? 1 : 0;
        if (w != MAP_FAILED) {
          ::munmap(w, map->bytes().size());
        }
        return args.write(0, r) ? Object_OK : Object_ERROR_SIZE_OUT;
      }
      case kMapWrite: {  // OI0 memory: fill with BI0[0]
        auto map = Mapping::map(args.oi(0), FdObject::kRead | FdObject::kWrite);
        if (!map || args.bi(0).size() != 1) {
          return Object_ERROR_USERBASE;
        }
        std::memset(map->bytes().data(), int(args.bi(0)[0]), map->bytes().size());
        return Object_OK;
      }
      case kWaitEvent: {  // blocks until kSetEvent (another request) arrives
        std::unique_lock lk(mu_);
        bool set = event_cv_.wait_for(lk, std::chrono::seconds(5), [&] { return event_; });
        return set ? Object_OK : Object_ERROR;
      }
      case kSetEvent: {
        std::lock_guard lk(mu_);
        event_ = true;
        event_cv_.notify_all();
        return Object_OK;
      }
      default:
        return Object_ERROR_INVALID;
    }
  }

 private:
  static int32_t echo(Args &args) {
    if (!args.expect(1, 1, 0, 0)) {
      return Object_ERROR_INVALID;
    }
    auto in = args.bi(0);
    if (in.size() > args.bo(0).size) {
      return Object_ERROR_SIZE_OUT;
    }
    std::memcpy(args.bo(0).ptr, in.data(), in.size());
    args.bo(0).size = in.size();
    return Object_OK;
  }

  Ref next_;
  Ref y_;
  std::mutex mu_;
  std::vector<Ref> stored_;
  std::condition_variable event_cv_;
  bool event_ = false;
};

inline std::string echo(const Ref &obj, const std::string &msg, int32_t *rv = nullptr) {
  std::string buf(msg.size() + 16, '\0');
  size_t used = 0;
  int32_t r = obj.invoke(kEcho, in(msg.data(), msg.size()), out(buf.data(), buf.size(), &used));
  if (rv != nullptr) {
    *rv = r;
  }
  buf.resize(r == Object_OK ? used : 0);
  return buf;
}

// Waits until `ch` closes.
inline void wait_closed(const std::shared_ptr<Channel> &ch) {
  std::promise<void> done;
  auto fut = done.get_future();
  auto once = std::make_shared<std::once_flag>();
  ch->on_close([&done, once] { std::call_once(*once, [&] { done.set_value(); }); });
  fut.wait();
}

// Forks a child that serves `make()` on `fd` until the peer hangs up.
template <class Make>
pid_t fork_server(int fd, int close_in_child, Make make, ChannelOptions opts = {}) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (close_in_child >= 0) {
      ::close(close_in_child);
    }
    auto ch = start_channel(fd, make(), opts);
    if (!ch) {
      ::_exit(2);
    }
    wait_closed(ch);
    ::_exit(0);
  }
  ::close(fd);
  return pid;
}

inline int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace captee::test
