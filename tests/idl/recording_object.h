// An Object that records every invocation (op, counts, buffer sizes and input
// bytes, input objects, whether output objects were pre-set to NULL) and
// answers with a fixed result. Used to check what generated stubs put on the
// wire without any skeleton in between.
#pragma once

#include <cstdint>
#include <vector>

#include "captee/object.h"

namespace captee::idl::test {

struct RecordedCall {
  ObjectOp op = 0;
  ObjectCounts counts = 0;
  std::vector<size_t> buffer_sizes;               // every BI then every BO
  std::vector<std::vector<uint8_t>> input_bytes;  // contents of each BI
  std::vector<const void *> input_objects;        // context of each OI
  bool outputs_were_null = true;                  // every OO slot was Object_NULL
  bool null_args = false;                         // args pointer was NULL
};

class Recorder {
 public:
  // The recording object (borrowed; valid while this Recorder lives).
  Object object() { return Object{&Recorder::invoke, this}; }
  std::vector<RecordedCall> calls;
  int32_t result = Object_OK;

  // A fake input object whose context is `tag`; never invoked by stubs.
  static Object fake(uintptr_t tag) {
    return Object{&Recorder::invoke, reinterpret_cast<void *>(tag)};
  }

 private:
  static int32_t invoke(ObjectCxt h, ObjectOp op, ObjectArg *args, ObjectCounts k);
};

}  // namespace captee::idl::test
