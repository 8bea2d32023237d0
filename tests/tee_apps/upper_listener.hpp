// A normal-world listener for the tests (the supplicant pattern): upper-cases
// the request a TA left in the shared region and counts its calls.
#pragma once

#include <atomic>
#include <cctype>

#include "IListenerCBO.hpp"
#include "captee/memory.hpp"

namespace captee::test {

class UpperListener final : public iface::IListenerCBOSkeleton {
 public:
  explicit UpperListener(Ref mem) : mem_(std::move(mem)) {}
  int32_t request(std::span<uint32_t>, size_t &n, uint32_t &is64, Ref &, Ref &, Ref &,
                  Ref &) override {
    for (auto &b : LocalObject::from_as<MemoryObject>(mem_.get())->bytes()) {
      b = static_cast<std::byte>(std::toupper(static_cast<int>(b)));
    }
    n = 0;
    is64 = 1;
    ++calls;
    return Object_OK;
  }
  int32_t wait() override { return Object_OK; }
  std::atomic<int> calls{0};

 private:
  Ref mem_;
};

}  // namespace captee::test
