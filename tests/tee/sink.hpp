// The object a second client serves to the test over a socketpair, to check
// how memory objects behave when passed between clients.
#pragma once

#include <condition_variable>
#include <cstring>
#include <mutex>

#include "captee/memory.hpp"
#include "captee/object.hpp"

namespace captee::test {

enum SinkOp : uint32_t {
  kWriteShared = 0,  // OI mem, BI text: map rw and write text at offset 0
  kTryMap = 1,       // OI mem, BO int32 errno: try to map read-only; keep a reference
  kDropKept = 2,     // release what kTryMap kept
  kDone = 3,         // the helper exits
};

class Sink final : public LocalObject {
 public:
  void wait_done() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return done_; });
  }

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    Args args(a, k);
    if (method == kWriteShared && args.expect(1, 0, 1, 0)) {
      auto m = Mapping::map(args.oi(0), FdObject::kRead | FdObject::kWrite);
      auto text = args.bi(0);
      if (!m || m->bytes().size() < text.size()) {
        return Object_ERROR;
      }
      std::memcpy(m->bytes().data(), text.data(), text.size());
      return Object_OK;
    }
    if (method == kTryMap && args.expect(0, 1, 1, 0)) {
      int err = 0;
      auto m = Mapping::map(args.oi(0), FdObject::kRead, &err);
      int32_t e = m ? 0 : err;
      std::lock_guard lk(mu_);
      kept_ = Ref::share(args.oi(0));
      return args.write(0, e) ? Object_OK : Object_ERROR_SIZE_OUT;
    }
    if (method == kDropKept && args.expect(0, 0, 0, 0)) {
      std::lock_guard lk(mu_);
      kept_.reset();
      return Object_OK;
    }
    if (method == kDone && args.expect(0, 0, 0, 0)) {
      std::lock_guard lk(mu_);
      kept_.reset();
      done_ = true;
      cv_.notify_all();
      return Object_OK;
    }
    return Object_ERROR_INVALID;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  Ref kept_;
};

}  // namespace captee::test
