/* The TA interface of the GP TEE Internal Core API: the entry points a GP TA
 * implements and the GP runtime (src/gp_ta) calls, one at a time, as OP-TEE
 * does. tee_internal_api.h includes this header.
 *
 * In the GP v1.1 compatibility mode (tee_api_compat.h) a TA's
 * TA_OpenSessionEntryPoint and TA_InvokeCommandEntryPoint are compiled as the
 * __GP11_ forms below, with 32-bit memref sizes; the runtime then converts
 * the parameters both ways around each call. */
#ifndef TEE_TA_API_H
#define TEE_TA_API_H

#include <tee_api_defines.h>
#include <tee_api_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* OP-TEE marks the entry points with it; they are found in the TA's own
 * image, so it needs no attribute. */
#ifndef TA_EXPORT
#define TA_EXPORT
#endif

/* Once per instance, before its first session. Any result but TEE_SUCCESS
 * refuses the session being opened, and the instance is not created. */
TEE_Result TA_EXPORT TA_CreateEntryPoint(void);

/* Once per instance, after its last session closed (not for keep-alive
 * TAs, which live on). */
void TA_EXPORT TA_DestroyEntryPoint(void);

/* Per session. What the TA stores in *sessionContext is handed back to the
 * other session entry points; a result other than TEE_SUCCESS refuses the
 * session (origin TEE_ORIGIN_TRUSTED_APP) and the output parameters still
 * reach the client. */
TEE_Result TA_EXPORT TA_OpenSessionEntryPoint(uint32_t paramTypes, TEE_Param params[TEE_NUM_PARAMS],
                                              void **sessionContext);
TEE_Result TA_EXPORT __GP11_TA_OpenSessionEntryPoint(uint32_t paramTypes,
                                                     __GP11_TEE_Param params[TEE_NUM_PARAMS],
                                                     void **sessionContext);

/* A session ends; the TA cannot refuse it. */
void TA_EXPORT TA_CloseSessionEntryPoint(void *sessionContext);

/* One command of a session. */
TEE_Result TA_EXPORT TA_InvokeCommandEntryPoint(void *sessionContext, uint32_t commandID,
                                                uint32_t paramTypes,
                                                TEE_Param params[TEE_NUM_PARAMS]);
TEE_Result TA_EXPORT __GP11_TA_InvokeCommandEntryPoint(void *sessionContext, uint32_t commandID,
                                                       uint32_t paramTypes,
                                                       __GP11_TEE_Param params[TEE_NUM_PARAMS]);

#ifdef __cplusplus
}
#endif

#endif /* TEE_TA_API_H */
