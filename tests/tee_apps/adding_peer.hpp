// A client-side ITestTa for the tests: only add() works (and is counted), so
// a TA calling it proves a client's own object crossed to the TA and back.
#pragma once

#include <atomic>

#include "ITestTa.hpp"

namespace captee::test {

class AddingPeer final : public iface::ITestTaSkeleton {
 public:
  std::atomic<int> calls{0};
  int32_t add(uint32_t a, uint32_t b, uint32_t &sum) override {
    ++calls;
    sum = a + b;
    return Object_OK;
  }
  int32_t echo(std::span<const std::byte>, std::span<std::byte>, size_t &) override { return no(); }
  int32_t crash(uint32_t) override { return no(); }
  int32_t tryEscape(int32_t &, int32_t &, int32_t &, int32_t &) override { return no(); }
  int32_t spawnHelpers(uint32_t, int32_t &) override { return no(); }
  int32_t callListener(uint32_t, std::span<const std::byte>, std::span<std::byte>,
                       size_t &) override {
    return no();
  }
  int32_t child(Ref &) override { return no(); }
  int32_t pid(uint32_t &) override { return no(); }
  int32_t sleepMs(uint32_t) override { return no(); }
  int32_t callPeer(Object, uint32_t, uint32_t, uint32_t &) override { return no(); }
  int32_t isMine(Object, uint32_t &) override { return no(); }
  int32_t keep(Object) override { return no(); }
  int32_t kept(Ref &) override { return no(); }
  int32_t listener(uint32_t, Ref &) override { return no(); }
  int32_t sumMemory(Object, uint32_t &) override { return no(); }

 private:
  static int32_t no() { return Object_ERROR_INVALID; }
};

}  // namespace captee::test
