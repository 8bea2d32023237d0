/* Extensions to the GP TEE Client API that OP-TEE's libteec offers, with
 * OP-TEE's names and signatures. */
#ifndef TEE_CLIENT_API_EXTENSIONS_H
#define TEE_CLIENT_API_EXTENSIONS_H

#include "tee_client_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Registers the memory behind descriptor `fd` (a memfd, a dma-buf, a file)
 * as shared memory of `context`. The caller sets sharedMem->flags
 * (TEEC_MEM_INPUT and/or TEEC_MEM_OUTPUT) and sharedMem->size: the bytes from
 * offset 0 that are shared, at most the descriptor's size; 0 means all of
 * it, and sharedMem->size is then set to that. As in OP-TEE,
 * sharedMem->buffer is set to NULL: the caller reaches the bytes through its
 * own mapping of `fd`.
 *
 * libteec keeps the memory alive until TEEC_ReleaseSharedMemory (the caller
 * may close `fd` at once). If the descriptor can be sealed
 * against shrinking (a memfd made with MFD_ALLOW_SEALING), libteec adds that
 * seal (F_SEAL_SHRINK, which cannot be removed) and a memref naming every
 * page of the memory hands the TA the same pages, without a copy. Otherwise
 * the memory is used like registered memory: each call copies its window.
 *
 * Errors: TEEC_ERROR_BAD_PARAMETERS for a NULL context or sharedMem, a
 * negative or unusable descriptor, bad flags, or a size larger than the
 * descriptor's; TEEC_ERROR_OUT_OF_MEMORY above 16 MiB or when it cannot be
 * mapped. */
TEEC_Result TEEC_RegisterSharedMemoryFileDescriptor(TEEC_Context *context,
                                                    TEEC_SharedMemory *sharedMem, int fd);

#ifdef __cplusplus
}
#endif

#endif /* TEE_CLIENT_API_EXTENSIONS_H */
