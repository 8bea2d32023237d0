// Small objects used by the object-layer tests. Each counts its live
// instances so tests can prove that references are released exactly once.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "captee/object.hpp"

namespace captee::testing {

// Live-instance counter shared by all test objects.
inline std::atomic<int> g_live_objects{0};

// Methods of Calculator.
enum CalcOp : uint32_t {
  kAdd = 0,         // BI {u32 a, u32 b} -> BO u32 a+b
  kMakeChild = 1,   // -> OO a new Calculator
  kStore = 2,       // OI obj: retained and kept
  kLoad = 3,        // -> OO the kept object (a new reference)
  kCallStored = 4,  // invokes kAdd(20, 22) on the kept object, BO u32 result
  kEcho = 5,        // OI obj -> OO the same object (a new reference)
  kFail = 6,        // always Object_ERROR_USERBASE, outputs untouched
  kCopy = 7,        // BI bytes -> BO the same bytes
};

struct AddIn {
  uint32_t a;
  uint32_t b;
};

class Calculator : public LocalObject {
 public:
  Calculator() { ++g_live_objects; }
  ~Calculator() override { --g_live_objects; }

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    Args args(a, k);
    switch (method) {
      case kAdd: {
        AddIn in{};
        if (!args.expect(1, 1, 0, 0) || !args.read(0, in)) {
          return Object_ERROR_INVALID;
        }
        return args.write(0, in.a + in.b) ? Object_OK : Object_ERROR_SIZE_OUT;
      }
      case kMakeChild:
        if (!args.expect(0, 0, 0, 1)) {
          return Object_ERROR_INVALID;
        }
        args.oo(0) = make_object<Calculator>().detach();
        return Object_OK;
      case kStore: {
        if (!args.expect(0, 0, 1, 0)) {
          return Object_ERROR_INVALID;
        }
        Ref keep = Ref::share(args.oi(0));
        std::lock_guard<std::mutex> lock(mu_);
        stored_ = std::move(keep);
        return Object_OK;
      }
      case kLoad: {
        if (!args.expect(0, 0, 0, 1)) {
          return Object_ERROR_INVALID;
        }
        std::lock_guard<std::mutex> lock(mu_);
        args.oo(0) = Ref(stored_).detach();
        return Object_OK;
      }
      case kCallStored: {
        if (!args.expect(0, 1, 0, 0)) {
          return Object_ERROR_INVALID;
        }
        Ref target;
        {
          std::lock_guard<std::mutex> lock(mu_);
          target = stored_;
        }
        uint32_t sum = 0;
        int32_t rv = target.invoke(kAdd, in(AddIn{20, 22}), out(sum));
        if (rv != Object_OK) {
          return rv;
        }
        return args.write(0, sum) ? Object_OK : Object_ERROR_SIZE_OUT;
      }
      case kEcho:
        if (!args.expect(0, 0, 1, 1)) {
          return Object_ERROR_INVALID;
        }
        args.oo(0) = Ref::share(args.oi(0)).detach();
        return Object_OK;
      case kFail:
        return Object_ERROR_USERBASE;
      case kCopy: {
        if (!args.expect(1, 1, 0, 0)) {
          return Object_ERROR_INVALID;
        }
        auto src = args.bi(0);
        ObjectBuf &dst = args.bo(0);
        if (dst.size < src.size()) {
          return Object_ERROR_SIZE_OUT;
        }
        std::memcpy(dst.ptr, src.data(), src.size());
        dst.size = src.size();
        return Object_OK;
      }
      default:
        return Object_ERROR_INVALID;
    }
  }

 private:
  std::mutex mu_;
  Ref stored_;
};

}  // namespace captee::testing
