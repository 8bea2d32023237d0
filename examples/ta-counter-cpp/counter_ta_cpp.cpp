// The counter TA again, in C++ with the generated C++ skeletons.
#include <atomic>
#include <cstring>

#include "ICounter.hpp"
#include "IOpener.hpp"
#include "captee/ta_sdk.h"

CAPTEE_TA_MANIFEST(CAPTEE_TA_UUID(0x3e6c7c8a, 0x61b0, 0x4c42, 0x9f, 0x4a, 0x00, 0x00, 0x00, 0x00,
                                  0x00, 0xc2),
                   "counter_ta_cpp", CAPTEE_TA_FLAG_MULTI_SESSION, 16u << 20, 2000);

namespace {

class Counter final : public captee::iface::ICounterSkeleton {
 public:
  int32_t add(uint32_t delta, uint32_t &value) override {
    value = value_.fetch_add(delta, std::memory_order_relaxed) + delta;
    return Object_OK;
  }
  int32_t get(uint32_t &value) override {
    value = value_.load(std::memory_order_relaxed);
    return Object_OK;
  }
  int32_t echo(std::span<const std::byte> in, std::span<std::byte> out, size_t &len) override {
    if (in.size() > out.size()) {
      return Object_ERROR_SIZE_OUT;
    }
    std::memcpy(out.data(), in.data(), in.size());
    len = in.size();
    return Object_OK;
  }

 private:
  std::atomic<uint32_t> value_{0};
};

class Opener final : public captee::iface::IOpenerSkeleton {
 public:
  int32_t open(uint32_t id, captee::Ref &obj) override {
    if (id != ICounter_OPEN_ID) {
      return IOpener_ERROR_NOT_FOUND;
    }
    obj = captee::make_object<Counter>();
    return Object_OK;
  }
};

}  // namespace

extern "C" int32_t captee_ta_get_app_object(Object *out) {
  *out = captee::make_object<Opener>().detach();
  return Object_OK;
}
