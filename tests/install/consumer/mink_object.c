/* Mink code includes "object.h" by its bare name; the installed package must
 * put it on the include path. */
#include "object.h"

static int32_t answer_invoke(ObjectCxt h, ObjectOp op, ObjectArg *a, ObjectCounts k) {
  (void)h;
  if (ObjectOp_methodID(op) == Object_OP_retain || ObjectOp_methodID(op) == Object_OP_release) {
    return Object_OK;
  }
  if (ObjectOp_methodID(op) != 0 || k != ObjectCounts_pack(0, 1, 0, 0) || a[0].b.size < 4) {
    return Object_ERROR_INVALID;
  }
  *(uint32_t *)a[0].b.ptr = 42;
  a[0].b.size = 4;
  return Object_OK;
}

Object answer_object(void) {
  return (Object){answer_invoke, 0};
}
