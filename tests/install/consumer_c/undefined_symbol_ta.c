/* A GP TA calling a function nothing defines: the link must fail rather
 * than the load. */
#include <tee_internal_api.h>

void consumer_function_nobody_defines(void);

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
TEE_Result TA_InvokeCommandEntryPoint(void *s, uint32_t c, uint32_t t, TEE_Param p[4]) {
  (void)s;
  (void)c;
  (void)t;
  (void)p;
  consumer_function_nobody_defines();
  return TEE_SUCCESS;
}
