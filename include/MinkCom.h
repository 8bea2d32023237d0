/* MinkCom: the Mink platform functions a client uses to reach the TEE.
 *
 * Source-compatible with libminkadaptor's MinkCom.h (spec §3): code written
 * against QTEE's MinkCom compiles and runs against captee (library libcaptee).
 * Instead of /dev/tee0, the root object is a channel to capteed at
 * $CAPTEE_SOCKET, or /run/captee/captee.sock when that is unset.
 *
 * Ownership: every Object returned through a pointer is a new reference the
 * caller must release (Object_release / Object_ASSIGN_NULL). Inputs are
 * borrowed. All functions are thread-safe.
 */
#ifndef CAPTEE_MINKCOM_H
#define CAPTEE_MINKCOM_H

#include <stddef.h>

#include "object.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Connects to capteed and returns its root (primordial) object. Each call
 * makes a new connection. Object_OK, or Object_ERROR if capteed cannot be
 * reached. */
int MinkCom_getRootEnvObject(Object *obj);

/* Registers this process with the TEE and returns its client environment
 * (IClientEnv): builds the CBOR credentials IIO of spec §6 (uid, time) and
 * invokes root op 2 (registerAsClient). capteed decides on the kernel's view
 * of the caller (SO_PEERCRED, /proc), never on the CBOR. Object_OK,
 * Object_ERROR, or capteed's result code. */
int MinkCom_getClientEnvObject(Object root, Object *obj);

/* Same, presenting the caller's own credentials object (an IIO); like
 * libminkadaptor it invokes op 2. */
int MinkCom_getClientEnvObjectWithCreds(Object root, Object creds, Object *obj);

/* Allocates `size` bytes (rounded up to the page size) from capteed's shared
 * memory pool and maps them read-write into this process. The returned memory
 * object can be passed to the TEE and to other processes (it travels as a
 * descriptor); the mapping lives until the last local reference is released.
 * Object_OK or Object_ERROR. */
int MinkCom_getMemoryObject(Object root, size_t size, Object *memObj);

/* The mapping of a memory object from MinkCom_getMemoryObject: the same
 * address for the same object every time, and its real (rounded) size.
 * Object_ERROR if memObj is not such an object or an argument is NULL. */
int MinkCom_getMemoryObjectInfo(Object memObj, void **address, size_t *size);

#ifdef __cplusplus
}
#endif

#endif /* CAPTEE_MINKCOM_H */
