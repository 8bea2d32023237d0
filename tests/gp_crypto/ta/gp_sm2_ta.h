/* The crypto test TA's SM2 commands (gp_sm2_ta.c), called from its command
 * dispatcher and its misuse switch (gp_crypto_ta.c). */
#ifndef GP_SM2_TA_H
#define GP_SM2_TA_H

#include <tee_internal_api.h>

/* SM2 signatures and encryption against GM/T 0003.5's examples on the
 * standard curve, round trips on generated keys, and hostile ciphertexts;
 * TEE_ERROR_GENERIC with params[0].value.a = the failed check's number. */
TEE_Result sm2_known_answers(TEE_Param params[4]);

/* One of the GP_CRYPTO_MISUSE_SM2_* mistakes: panics the TA if the runtime
 * is right; TEE_ERROR_ITEM_NOT_FOUND if the set-up fails, TEE_ERROR_GENERIC
 * if the mistake did not panic. */
TEE_Result sm2_misuse(uint32_t which);

#endif /* GP_SM2_TA_H */
