/* Prints what the probe TA's command 0 returns. */
#include <stdio.h>
#include <string.h>

#include <probe_ta.h>
#include <tee_client_api.h>

int main(void) {
  TEEC_Context ctx;
  TEEC_Session s;
  TEEC_UUID uuid = TA_PROBE_UUID;
  TEEC_Operation op;
  uint32_t origin = 0;
  TEEC_Result r = TEEC_InitializeContext(NULL, &ctx);

  if (r != TEEC_SUCCESS)
    return printf("context: 0x%08x\n", r), 1;
  r = TEEC_OpenSession(&ctx, &s, &uuid, TEEC_LOGIN_PUBLIC, NULL, NULL, &origin);
  if (r != TEEC_SUCCESS)
    return printf("open: 0x%08x origin %u\n", r, origin), 1;
  memset(&op, 0, sizeof(op));
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  r = TEEC_InvokeCommand(&s, 0, &op, &origin);
  if (r != TEEC_SUCCESS)
    return printf("invoke: 0x%08x origin %u\n", r, origin), 1;
  printf("probe %u\n", op.params[0].value.a);
  TEEC_CloseSession(&s);
  TEEC_FinalizeContext(&ctx);
  return 0;
}
