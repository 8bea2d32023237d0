/* Compiles only if the dev kit passed what sub.mk asked for. */
#include <tee_internal_api.h>

#if !defined(PROBE_DIR_FLAG) || !defined(PROBE_FILE_FLAG)
#error "cflags-y or cflags-<file>-y did not reach probe_ta.c"
#endif
#if CFG_TEE_TA_LOG_LEVEL != 0
#error "the TA Makefile's CFG_TEE_TA_LOG_LEVEL did not arrive"
#endif

int probe_part(void);
int probe_helper(void);

TEE_Result TA_CreateEntryPoint(void) {
  return TEE_SUCCESS;
}
void TA_DestroyEntryPoint(void) {}
TEE_Result TA_OpenSessionEntryPoint(uint32_t t, TEE_Param p[4], void **s) {
  (void)t;
  (void)p;
  *s = NULL;
  return TEE_SUCCESS;
}
void TA_CloseSessionEntryPoint(void *s) {
  (void)s;
}
/* Command 0: VALUE_OUTPUT a = what each piece contributed (7, 1, 2, 3). */
TEE_Result TA_InvokeCommandEntryPoint(void *s, uint32_t c, uint32_t t, TEE_Param p[4]) {
  (void)s;
  if (c != 0 || t != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, 0, 0, 0))
    return TEE_ERROR_BAD_PARAMETERS;
  p[0].value.a = PROBE_FILE_FLAG * 1000 + PROBE_DIR_FLAG * 100 + probe_part() * 10 + probe_helper();
  return TEE_SUCCESS;
}
