/* A local object written the way Mink code writes them: a context struct, a
 * hand-written invoke switch on ObjectOp_methodID, reference counting by hand,
 * and the object.h macros. Compiled as C11 with -Wall -Wextra -Werror against
 * captee's object.h; nothing captee-specific is used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object.h"

#define CCounter_OP_add 0
#define CCounter_OP_get 1
#define CCounter_OP_clone 2
#define CCounter_OP_keep 3

typedef struct CCounter {
  int refs;
  uint32_t value;
  Object kept;
} CCounter;

static int g_live = 0;

static int32_t CCounter_invoke(ObjectCxt h, ObjectOp op, ObjectArg *a, ObjectCounts k);

static Object CCounter_new(uint32_t value) {
  CCounter *me = calloc(1, sizeof *me);
  if (me == NULL) {
    return Object_NULL;
  }
  me->refs = 1;
  me->value = value;
  me->kept = Object_NULL;
  ++g_live;
  return (Object){CCounter_invoke, me};
}

static int32_t CCounter_invoke(ObjectCxt h, ObjectOp op, ObjectArg *a, ObjectCounts k) {
  CCounter *me = (CCounter *)h;
  switch (ObjectOp_methodID(op)) {
    case Object_OP_retain:
      if (k != 0) {
        break;
      }
      ++me->refs;
      return Object_OK;
    case Object_OP_release:
      if (k != 0) {
        break;
      }
      if (--me->refs == 0) {
        Object_ASSIGN_NULL(me->kept);
        free(me);
        --g_live;
      }
      return Object_OK;
    case CCounter_OP_add: {
      uint32_t delta;
      if (k != ObjectCounts_pack(1, 0, 0, 0) || a[0].bi.size != sizeof delta) {
        break;
      }
      memcpy(&delta, a[0].bi.ptr, sizeof delta);
      me->value += delta;
      return Object_OK;
    }
    case CCounter_OP_get:
      if (k != ObjectCounts_pack(0, 1, 0, 0) || a[0].b.size < sizeof me->value) {
        break;
      }
      memcpy(a[0].b.ptr, &me->value, sizeof me->value);
      a[0].b.size = sizeof me->value;
      return Object_OK;
    case CCounter_OP_clone: {
      if (k != ObjectCounts_pack(0, 0, 0, 1)) {
        break;
      }
      Object copy = CCounter_new(me->value);
      if (Object_isNull(copy)) {
        return Object_ERROR_MEM;
      }
      a[ObjectCounts_indexOO(k)].o = copy;
      return Object_OK;
    }
    case CCounter_OP_keep:
      if (k != ObjectCounts_pack(0, 0, 1, 0)) {
        break;
      }
      Object_ASSIGN(me->kept, a[ObjectCounts_indexOI(k)].o);
      return Object_OK;
  }
  return Object_ERROR_INVALID;
}

static int g_passed = 0, g_failed = 0;

#define EXPECT(cond)                                                      \
  do {                                                                    \
    if (cond) {                                                           \
      ++g_passed;                                                         \
    } else {                                                              \
      ++g_failed;                                                         \
      fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
    }                                                                     \
  } while (0)

static uint32_t get_value(Object o) {
  uint32_t v = 0;
  ObjectArg a[1];
  a[0].b = (ObjectBuf){&v, sizeof v};
  EXPECT(Object_invoke(o, CCounter_OP_get, a, ObjectCounts_pack(0, 1, 0, 0)) == Object_OK);
  EXPECT(a[0].b.size == sizeof v);
  return v;
}

int main(void) {
  Object counter = CCounter_new(40);
  EXPECT(!Object_isNull(counter));
  EXPECT(g_live == 1);

  uint32_t two = 2;
  ObjectArg add[1];
  add[0].bi = (ObjectBufIn){&two, sizeof two};
  EXPECT(Object_invoke(counter, CCounter_OP_add, add, ObjectCounts_pack(1, 0, 0, 0)) == Object_OK);
  EXPECT(get_value(counter) == 42);

  /* Wrong counts and wrong sizes are refused, as Mink skeletons do. */
  EXPECT(Object_invoke(counter, CCounter_OP_add, add, ObjectCounts_pack(0, 1, 0, 0)) ==
         Object_ERROR_INVALID);
  add[0].bi.size = 3;
  EXPECT(Object_invoke(counter, CCounter_OP_add, add, ObjectCounts_pack(1, 0, 0, 0)) ==
         Object_ERROR_INVALID);
  EXPECT(Object_invoke(counter, 0x3FFF, NULL, 0) == Object_ERROR_INVALID);

  /* An output object is a new reference owned by the caller. */
  ObjectArg clone[1];
  clone[0].o = Object_NULL;
  EXPECT(Object_invoke(counter, CCounter_OP_clone, clone, ObjectCounts_pack(0, 0, 0, 1)) ==
         Object_OK);
  Object copy = clone[0].o;
  EXPECT(g_live == 2);
  EXPECT(get_value(copy) == 42);

  /* An input object is borrowed; the callee retains what it keeps. */
  ObjectArg keep[1];
  keep[0].o = copy;
  EXPECT(Object_invoke(counter, CCounter_OP_keep, keep, ObjectCounts_pack(0, 0, 1, 0)) ==
         Object_OK);
  EXPECT(((CCounter *)copy.context)->refs == 2);
  Object_release(copy);
  EXPECT(g_live == 2); /* still kept by counter */

  /* Object_INIT retains, Object_ASSIGN replaces, Object_ASSIGN_NULL clears. */
  Object holder = Object_NULL;
  Object_INIT(holder, counter);
  EXPECT(((CCounter *)counter.context)->refs == 2);
  Object_ASSIGN(holder, holder); /* self-assignment must not free it */
  EXPECT(((CCounter *)counter.context)->refs == 2);
  Object_ASSIGN_NULL(holder);
  EXPECT(Object_isNull(holder));
  EXPECT(((CCounter *)counter.context)->refs == 1);
  Object_RELEASE_IF(holder); /* null: nothing happens */

  Object_retain(counter);
  EXPECT(((CCounter *)counter.context)->refs == 2);
  Object_RELEASE_IF(counter);
  Object_release(counter); /* last reference: frees it and what it kept */
  EXPECT(g_live == 0);

  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
