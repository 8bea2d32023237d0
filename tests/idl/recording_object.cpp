#include "recording_object.h"

namespace captee::idl::test {

int32_t Recorder::invoke(ObjectCxt h, ObjectOp op, ObjectArg *a, ObjectCounts k) {
  auto *self = static_cast<Recorder *>(h);
  if (reinterpret_cast<uintptr_t>(h) < 0x10000) {
    return Object_OK;  // a fake() object being retained or released
  }
  RecordedCall c;
  c.op = op;
  c.counts = k;
  c.null_args = a == nullptr;
  FOR_ARGS(i, k, BI) {
    c.buffer_sizes.push_back(a[i].bi.size);
    const auto *p = static_cast<const uint8_t *>(a[i].bi.ptr);
    c.input_bytes.emplace_back(p, p + a[i].bi.size);
  }
  FOR_ARGS(i, k, BO) {
    c.buffer_sizes.push_back(a[i].b.size);
  }
  FOR_ARGS(i, k, OI) {
    c.input_objects.push_back(a[i].o.context);
  }
  FOR_ARGS(i, k, OO) {
    if (!Object_isNull(a[i].o)) {
      c.outputs_were_null = false;
    }
  }
  self->calls.push_back(std::move(c));
  return self->result;
}

}  // namespace captee::idl::test
