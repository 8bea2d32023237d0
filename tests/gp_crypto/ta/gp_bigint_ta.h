/* The crypto test TA's arithmetic commands (gp_bigint_ta.c), called from its
 * command dispatcher (gp_crypto_ta.c). */
#ifndef GP_BIGINT_TA_H
#define GP_BIGINT_TA_H

#include <tee_internal_api.h>

/* Every TEE_BigInt* function against values Python computed
 * (gp_bigint_vectors.h) and GP's result codes; TEE_ERROR_GENERIC with
 * params[0].value.a = the failed check's number. */
TEE_Result bigint_known_answers(TEE_Param params[4]);

/* Makes the arithmetic mistake `which` (GP_BIGINT_MISUSE_*), which must panic
 * the TA; TEE_ERROR_ITEM_NOT_FOUND if the set-up fails or nothing panicked. */
TEE_Result bigint_misuse(uint32_t which);

#endif /* GP_BIGINT_TA_H */
