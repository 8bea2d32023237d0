#include "captee/object.hpp"

namespace captee {

int32_t LocalObject::invoke_thunk(ObjectCxt h, ObjectOp op, ObjectArg *args, ObjectCounts k) {
  auto *self = static_cast<LocalObject *>(h);
  if (self == nullptr) {
    return Object_ERROR_BADOBJ;
  }
  const uint32_t method = ObjectOp_methodID(op);
  switch (method) {
    case Object_OP_retain:
      if (k != 0) {
        return Object_ERROR_INVALID;
      }
      self->refs_.fetch_add(1, std::memory_order_relaxed);
      return Object_OK;
    case Object_OP_release:
      if (k != 0) {
        return Object_ERROR_INVALID;
      }
      // acq_rel: the thread that drops the last reference must see every write
      // made by threads that released before it.
      if (self->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        self->on_last_release();
        delete self;
      }
      return Object_OK;
    default:
      break;
  }
  if (!is_user_method(method) && method != Object_OP_version) {
    return Object_ERROR_INVALID;
  }
  return self->on_invoke(method, op, args, k);
}

}  // namespace captee
