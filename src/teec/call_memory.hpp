// Memory objects for memrefs that travel as a copy of their window (temporary
// memrefs, registered memory, PARTIAL windows of allocated memory) over
// kInlineMax bytes, recycled per session.
//
// Such a memref needs a memory object for the call, holding its window and
// nothing else. A fresh memfd per call costs more than the copy it saves (its
// pages are allocated, zeroed and freed every time), so a session keeps the
// objects of its finished calls and hands them out again, only within that
// session (to the same TA). A recycled object never shows a later call what an
// earlier one passed: take() overwrites or zeroes every byte the client put
// into it before, so it holds only the new window's bytes, zeros, and
// whatever the same TA itself wrote there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "captee/object.hpp"

namespace captee::teec {

class CallMemory {
 public:
  // A read-write memory object of at least `size` (> 0) bytes for one call,
  // and its mapping here (*bytes): an idle one of this session if one fits,
  // else a new one. Its first `size` bytes are a copy of `fill` (borrowed,
  // `size` bytes); with `fill` null they are zeros or bytes this session's TA
  // wrote in an earlier call. No byte of it holds anything a client passed
  // to an earlier call. Null Ref if none can be made (ENOMEM). Thread-safe.
  Ref take(size_t size, const void *fill, uint8_t **bytes);

  // Returns an object from take() after its call; `client_bytes` is the
  // number of leading bytes that may hold client data (`size` if it was
  // filled, else 0). Kept for later calls while the idle set is small,
  // released otherwise. Thread-safe.
  void give(Ref obj, size_t client_bytes);

  // Without a pool (an open session's operation): a new object of `size`
  // bytes, filled as take() fills it, not kept.
  static Ref make(size_t size, const void *fill, uint8_t **bytes);

 private:
  // A new zero-filled object of `object_size` bytes whose first `fill_size`
  // (<= object_size) bytes are copied from `fill` (unless null).
  static Ref create(size_t object_size, const void *fill, size_t fill_size, uint8_t **bytes);

  struct Idle {
    Ref obj;
    size_t client_bytes;  // leading bytes that may still hold client data
  };
  std::mutex mu_;
  std::vector<Idle> idle_;  // guarded by mu_
  size_t idle_bytes_ = 0;   // guarded by mu_
};

}  // namespace captee::teec
