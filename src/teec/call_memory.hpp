// Memory objects for temporary memrefs over kInlineMax bytes, recycled per
// session.
//
// A temporary memref that does not travel inline needs a memory object for
// the call. A fresh memfd per call costs more than the copy it saves (its
// pages are allocated, zeroed and freed every time), so a session keeps the
// objects of its finished calls and hands them out again. An object is only
// ever reused within its session: the TA maps all of it, and bytes beyond the
// window of a call are left from earlier calls of the same session, to the
// same TA, never another's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "captee/object.hpp"

namespace captee::teec {

class CallMemory {
 public:
  // A read-write memory object of at least `size` (> 0) bytes and its
  // mapping here (*bytes). An idle one of this session if one fits, else a
  // new one. Null Ref if none can be made (ENOMEM). Thread-safe.
  Ref take(size_t size, uint8_t **bytes);

  // Returns an object from take() after its call; kept for later calls while
  // the idle set is small, released otherwise. Thread-safe.
  void give(Ref obj);

  // Without a pool (an open session's operation): a new object, not kept.
  static Ref make(size_t size, uint8_t **bytes);

 private:
  std::mutex mu_;
  std::vector<Ref> idle_;  // guarded by mu_
  size_t idle_bytes_ = 0;  // guarded by mu_
};

}  // namespace captee::teec
