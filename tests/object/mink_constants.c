/* Every object.h constant, checked at compile time against the values in
 * shared/specs/mink-interfaces.md §2 and mink-object-model.md. Compiled as C11
 * with -Werror; if this file compiles, the values match. */
#include "object.h"

#define CHECK(expr) _Static_assert(expr, #expr)

CHECK(ObjectOp_METHOD_MASK == 0x0000FFFFu);
CHECK(ObjectOp_METHOD_USERMAX == 0x00003FFFu);
CHECK(ObjectOp_MODIFIER_MASK == 0xFFFF0000u);
CHECK(ObjectOp_REMOTE_BUFS == 0x00010000u);
CHECK(ObjectOp_LOCAL == 0x00008000u);
CHECK(ObjectOp_ONEWAY == 0x01000000u);
CHECK(Object_OP_release == 0xFFFFu);
CHECK(Object_OP_retain == 0xFFFEu);
CHECK(Object_OP_unwrapFd == 0xFFFDu);
CHECK(Object_OP_version == 0x7FFFu);
CHECK(ObjectOp_methodID(0x1234ABCDu) == 0xABCDu);
CHECK(ObjectOp_isLocal(0x8001u) && !ObjectOp_isLocal(Object_OP_version));
CHECK(ObjectOp_isOneWay(0x01000005u) && !ObjectOp_isOneWay(5u));

CHECK(ObjectCounts_maxBI == 0xF && ObjectCounts_maxBO == 0xF);
CHECK(ObjectCounts_maxOI == 0xF && ObjectCounts_maxOO == 0xF);
CHECK(ObjectCounts_pack(1, 2, 3, 4) == 0x4321u);
CHECK(ObjectCounts_pack(5, 5, 4, 0) == 0x0455u); /* IGPSession.invokeCommand */
CHECK(ObjectCounts_pack(6, 5, 5, 1) == 0x1556u); /* IGPAppClient.openSession */
CHECK(ObjectCounts_indexBI(0x4321u) == 0);
CHECK(ObjectCounts_indexBO(0x4321u) == 1);
CHECK(ObjectCounts_indexOI(0x4321u) == 3);
CHECK(ObjectCounts_indexOO(0x4321u) == 6);
CHECK(ObjectCounts_total(0x4321u) == 10);
CHECK(ObjectCounts_indexBuffers(0x4321u) == 0);
CHECK(ObjectCounts_indexObjects(0x4321u) == 3);

CHECK(Object_OK == 0);
CHECK(Object_ERROR == 1);
CHECK(Object_ERROR_INVALID == 2);
CHECK(Object_ERROR_SIZE_IN == 3);
CHECK(Object_ERROR_SIZE_OUT == 4);
CHECK(Object_ERROR_MEM == 5);
CHECK(Object_ERROR_USERBASE == 10);
CHECK(Object_ERROR_DEFUNCT == -90);
CHECK(Object_ERROR_ABORT == -91);
CHECK(Object_ERROR_BADOBJ == -92);
CHECK(Object_ERROR_NOSLOTS == -93);
CHECK(Object_ERROR_MAXARGS == -94);
CHECK(Object_ERROR_MAXDATA == -95);
CHECK(Object_ERROR_UNAVAIL == -96);
CHECK(Object_ERROR_KMEM == -97);
CHECK(Object_ERROR_REMOTE == -98);
CHECK(Object_ERROR_BUSY == -99);
CHECK(Object_ERROR_AUTH == -100);
CHECK(Object_ERROR_REPLAY == -101);
CHECK(Object_ERROR_MAXREPLAY == -102);
CHECK(Object_ERROR_TIMEOUT == -103);
CHECK(Object_isOK(Object_OK) && Object_isERROR(Object_ERROR_DEFUNCT));

/* The ABI shapes: two pointer-sized members each (16 bytes on LP64). */
CHECK(sizeof(Object) == 2 * sizeof(void *));
CHECK(sizeof(ObjectBuf) == 2 * sizeof(void *));
CHECK(sizeof(ObjectBufIn) == sizeof(ObjectBuf));
CHECK(sizeof(ObjectArg) == 2 * sizeof(void *));
CHECK(offsetof(Object, invoke) == 0);
CHECK(offsetof(Object, context) == sizeof(void *));
CHECK(offsetof(ObjectBuf, size) == sizeof(void *));
CHECK(sizeof(Object64) == 4 * sizeof(void *));
CHECK(sizeof(ObjectBuf64) == 4 * sizeof(void *));
CHECK(sizeof(ObjectOp) == 4 && sizeof(ObjectCounts) == 4);

/* Present so the translation unit is not empty of definitions. */
int mink_constants_checked(void) {
  return 1;
}
