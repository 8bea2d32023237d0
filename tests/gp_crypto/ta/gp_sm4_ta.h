/* The crypto test TA's SM4 command (gp_sm4_ta.c), called from its command
 * dispatcher (gp_crypto_ta.c). */
#ifndef GP_SM4_TA_H
#define GP_SM4_TA_H

#include <tee_internal_api.h>

/* SM4 ECB, CBC and CTR (TEE_ALG_SM4_*) against GB/T 32907's examples;
 * TEE_ERROR_GENERIC with params[0].value.a = the failed check's number. */
TEE_Result sm4_known_answers(TEE_Param params[4]);

#endif /* GP_SM4_TA_H */
