// An object that is a file descriptor: the way memory crosses a channel.
//
// Mink separates memory from the invocation framework: a region of shared
// memory is itself an object, and a transport moves it as a descriptor rather
// than as bytes. When a channel meets an FdObject among the arguments it does
// not export it; it attaches the descriptor with SCM_RIGHTS and the receiver
// gets a fresh FdObject owning its own descriptor, with the same rights.
// The memory layer (captee/memory.hpp) builds memfd-backed regions on top and
// maps any FdObject it is given.
// It lives in the object layer (captee_object), so memory and platform use it
// without depending on the channel layer that transports it.
#pragma once

#include <cstdint>

#include "captee/object.hpp"

namespace captee {

class FdObject : public LocalObject {
 public:
  static constexpr uint8_t kRead = 0x1;
  static constexpr uint8_t kWrite = 0x2;

  // The descriptor, borrowed: valid while a reference to this object is held.
  int fd() const noexcept { return fd_; }
  // kRead, or kRead | kWrite. A receiver can never gain kWrite by itself: the
  // sender only hands out read-only descriptors for read-only objects.
  uint8_t rights() const noexcept { return rights_; }

  // Wraps `fd` (ownership moves in; closed on the last release).
  // Returns a null Ref if fd < 0.
  static Ref adopt(int fd, uint8_t rights);

 protected:
  FdObject(int fd, uint8_t rights) noexcept : fd_(fd), rights_(rights) {}
  ~FdObject() override;
  // FdObjects have no methods of their own; subclasses may add some.
  int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *, ObjectCounts) override {
    return Object_ERROR_INVALID;
  }

 private:
  int fd_;
  uint8_t rights_;
};

}  // namespace captee
