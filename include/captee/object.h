/*
 * captee object ABI: the Mink C object model.
 *
 * An Object is a capability: a function pointer plus an opaque context. The
 * only thing anyone can do with it is invoke(op, args, counts). Arguments are
 * four ordered groups: buffers in (BI), buffers out (BO), objects in (OI) and
 * objects out (OO), and `ObjectCounts` says how many of each there are.
 *
 * This header is source-compatible with Mink's `object.h` (same names, same
 * values, same macro semantics), so code written for QTEE/MinkIPC compiles
 * against captee unchanged. It also carries the few symbols that newer Mink
 * IDL compiler output needs (`Object_OP_version`, `ObjectOp_ONEWAY`, FOR_ARGS).
 *
 * Ownership rules (the contract every object and every caller follows):
 *  - The caller sets each output buffer's size to its capacity; on Object_OK
 *    the callee writes back the number of bytes it produced.
 *  - Input objects are borrowed for the duration of the call. A callee that
 *    keeps one must retain it.
 *  - Every non-NULL output object is a new reference owned by the caller.
 *  - When the result is not Object_OK, outputs (sizes and objects) do not
 *    exist and must be ignored; the caller still owns its inputs.
 *
 * Usable from C11 and C++.
 */
#ifndef __OBJECT_H
#define __OBJECT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- types */

typedef uint32_t ObjectOp;
typedef uint32_t ObjectCounts;
typedef void *ObjectCxt;

typedef union ObjectArg ObjectArg;

typedef int32_t (*ObjectInvoke)(ObjectCxt h, ObjectOp op, ObjectArg *args, ObjectCounts counts);

typedef struct Object {
  ObjectInvoke invoke;
  ObjectCxt context;
} Object;

/* Split form used when 32- and 64-bit domains exchange object values. */
typedef struct Object64 {
  void *invoke_l;
  void *invoke_h;
  void *context_l;
  void *context_h;
} Object64;

typedef struct ObjectBuf {
  void *ptr;
  size_t size;
} ObjectBuf;

typedef struct ObjectBufIn {
  const void *ptr;
  size_t size;
} ObjectBufIn;

typedef struct ObjectBuf64 {
  void *ptr_l;
  void *ptr_h;
  size_t size_l;
  size_t size_h;
} ObjectBuf64;

union ObjectArg {
  ObjectBuf b;
  ObjectBufIn bi;
  Object o;
};

typedef union ObjectArg64 {
  ObjectBuf64 b;
  Object64 o;
} ObjectArg64;

/* ------------------------------------------------------ operation codes */

/* The low 16 bits name the method; the high 16 bits belong to transports. */
#define ObjectOp_METHOD_MASK ((ObjectOp)0x0000FFFFu)
#define ObjectOp_methodID(op) ((op)&ObjectOp_METHOD_MASK)
#define ObjectOp_METHOD_USERMAX ((ObjectOp)0x00003FFFu)

#define ObjectOp_MODIFIER_MASK ((ObjectOp)0xFFFF0000u)
/* Set by a transport when buffers may be untrusted or unaligned. */
#define ObjectOp_REMOTE_BUFS ((ObjectOp)0x00010000u)
/* Fire-and-forget invocation (newer Mink compilers). */
#define ObjectOp_ONEWAY ((ObjectOp)0x01000000u)
#define ObjectOp_isOneWay(op) (((op)&ObjectOp_ONEWAY) != 0)

/* Local ops are handled by the proxy itself and never forwarded. */
#define ObjectOp_LOCAL ((ObjectOp)0x00008000u)
#define ObjectOp_isLocal(op) (((op)&ObjectOp_LOCAL) != 0)

#define Object_OP_release (ObjectOp_METHOD_MASK - 0)
#define Object_OP_retain (ObjectOp_METHOD_MASK - 1)
#define Object_OP_unwrapFd (ObjectOp_METHOD_MASK - 2)
/* Bit 15 is clear, so transports forward it to the object's host. */
#define Object_OP_version (ObjectOp_LOCAL - 1)

/* -------------------------------------------------------- counts helpers */

#define ObjectCounts_pack(nBuffersIn, nBuffersOut, nObjectsIn, nObjectsOut)   \
  ((ObjectCounts)((nBuffersIn) | ((nBuffersOut) << 4) | ((nObjectsIn) << 8) | \
                  ((nObjectsOut) << 12)))

#define ObjectCounts_maxBI 0xF
#define ObjectCounts_maxBO 0xF
#define ObjectCounts_maxOI 0xF
#define ObjectCounts_maxOO 0xF

#define ObjectCounts_numBI(k) ((size_t)(((k) >> 0) & ObjectCounts_maxBI))
#define ObjectCounts_numBO(k) ((size_t)(((k) >> 4) & ObjectCounts_maxBO))
#define ObjectCounts_numOI(k) ((size_t)(((k) >> 8) & ObjectCounts_maxOI))
#define ObjectCounts_numOO(k) ((size_t)(((k) >> 12) & ObjectCounts_maxOO))
#define ObjectCounts_numBuffers(k) (ObjectCounts_numBI(k) + ObjectCounts_numBO(k))
#define ObjectCounts_numObjects(k) (ObjectCounts_numOI(k) + ObjectCounts_numOO(k))

#define ObjectCounts_indexBI(k) 0
#define ObjectCounts_indexBO(k) (ObjectCounts_indexBI(k) + ObjectCounts_numBI(k))
#define ObjectCounts_indexOI(k) (ObjectCounts_indexBO(k) + ObjectCounts_numBO(k))
#define ObjectCounts_indexOO(k) (ObjectCounts_indexOI(k) + ObjectCounts_numOI(k))
#define ObjectCounts_total(k) (ObjectCounts_indexOO(k) + ObjectCounts_numOO(k))
#define ObjectCounts_indexBuffers(k) ObjectCounts_indexBI(k)
#define ObjectCounts_indexObjects(k) ObjectCounts_indexOI(k)

/* Iterates `i` over the argument indexes of one section of `k`:
 * BI, BO, OI, OO, Buffers or Objects. */
#define FOR_ARGS(i, k, section)                   \
  for (size_t i = ObjectCounts_index##section(k); \
       i < ObjectCounts_index##section(k) + ObjectCounts_num##section(k); ++i)

/* ---------------------------------------------------------- result codes */

#define Object_isOK(err) ((err) == 0)
#define Object_isERROR(err) ((err) != 0)

#define Object_OK 0
#define Object_ERROR 1
#define Object_ERROR_INVALID 2
#define Object_ERROR_SIZE_IN 3
#define Object_ERROR_SIZE_OUT 4
#define Object_ERROR_MEM 5
#define Object_ERROR_USERBASE 10

/* Transport errors are negative. */
#define Object_ERROR_DEFUNCT -90
#define Object_ERROR_ABORT -91
#define Object_ERROR_BADOBJ -92
#define Object_ERROR_NOSLOTS -93
#define Object_ERROR_MAXARGS -94
#define Object_ERROR_MAXDATA -95
#define Object_ERROR_UNAVAIL -96
#define Object_ERROR_KMEM -97
#define Object_ERROR_REMOTE -98
#define Object_ERROR_BUSY -99
#define Object_ERROR_AUTH -100
#define Object_ERROR_REPLAY -101
#define Object_ERROR_MAXREPLAY -102
#define Object_ERROR_TIMEOUT -103

/* ------------------------------------------------------------- helpers */

/* Annotations only: "returned reference is not counted" and "the callee
 * releases this input reference". */
#define OBJECT_NOT_RETAINED
#define OBJECT_CONSUMED

static inline int32_t Object_invoke(Object o, ObjectOp op, ObjectArg *args, ObjectCounts k) {
  return o.invoke(o.context, op, args, k);
}

#ifdef __cplusplus
#define Object_NULL (Object{NULL, NULL})
#else
#define Object_NULL ((Object){NULL, NULL})
#endif

#define Object_isNull(o) ((o).invoke == NULL)

static inline int32_t Object_release(Object o) {
  return Object_invoke(o, Object_OP_release, 0, 0);
}

static inline int32_t Object_retain(Object o) {
  return Object_invoke(o, Object_OP_retain, 0, 0);
}

#define Object_RELEASE_IF(o)                    \
  do {                                          \
    Object captee_release_if_ = (o);            \
    if (!Object_isNull(captee_release_if_)) {   \
      (void)Object_release(captee_release_if_); \
    }                                           \
  } while (0)

/* Stores objNew in *loc, retaining objNew and releasing the old value.
 * The retain comes first so that replacing an object with itself while holding
 * its last reference does not free it in between (Mink releases first). */
static inline void Object_replace(Object *loc, Object objNew) {
  Object old = *loc;
  if (!Object_isNull(objNew)) {
    (void)Object_retain(objNew);
  }
  *loc = objNew;
  if (!Object_isNull(old)) {
    (void)Object_release(old);
  }
}

#define Object_ASSIGN(loc, obj) Object_replace(&(loc), (obj))
#define Object_ASSIGN_NULL(loc) Object_replace(&(loc), Object_NULL)

#define Object_INIT(loc, obj)            \
  do {                                   \
    Object captee_init_ = (obj);         \
    (loc) = captee_init_;                \
    if (!Object_isNull(captee_init_)) {  \
      (void)Object_retain(captee_init_); \
    }                                    \
  } while (0)

#ifdef __cplusplus
}
#endif

#endif /* __OBJECT_H */
