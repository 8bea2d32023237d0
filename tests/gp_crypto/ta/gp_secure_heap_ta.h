/* The crypto test TA's secure-heap command (gp_secure_heap_ta.c), called
 * from its command dispatcher (gp_crypto_ta.c). */
#ifndef GP_SECURE_HEAP_TA_H
#define GP_SECURE_HEAP_TA_H

#include <tee_internal_api.h>

/* The TA host set up OpenSSL's secure heap before the TA ran, and the
 * private values of generated asymmetric keys live in it while their
 * objects do; TEE_ERROR_GENERIC with params[0].value.a = the failed check's
 * number. */
TEE_Result secure_heap_keys(TEE_Param params[4]);

#endif /* GP_SECURE_HEAP_TA_H */
