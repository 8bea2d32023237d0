/* The GP TA of bench_teec. */
#include <tee_internal_api.h>

#define CMD_FOUR_VALUES 0 /* 4 x VALUE_INOUT: a += 1 */
#define CMD_SUM_MEMREF 1  /* params[0] memref in: sum of every byte into params[1] */
#define CMD_SUM_LOCAL 2   /* sum of every byte of the TA's own buffer of params[0].value.a bytes */

static uint8_t *g_local;
static size_t g_local_size;

TEE_Result TA_CreateEntryPoint(void) {
  return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void) {
  TEE_Free(g_local);
  g_local = NULL;
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t pt, TEE_Param p[4], void **ctx) {
  (void)pt;
  (void)p;
  *ctx = NULL;
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *ctx) {
  (void)ctx;
}

static uint32_t sum(const volatile uint8_t *b, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i < n; i++) {
    s += b[i];
  }
  return s;
}

TEE_Result TA_InvokeCommandEntryPoint(void *ctx, uint32_t cmd, uint32_t pt, TEE_Param p[4]) {
  (void)ctx;
  switch (cmd) {
    case CMD_FOUR_VALUES:
      for (int i = 0; i < 4; i++) {
        p[i].value.a += 1;
      }
      return TEE_SUCCESS;
    case CMD_SUM_MEMREF:
      if (TEE_PARAM_TYPE_GET(pt, 0) != TEE_PARAM_TYPE_MEMREF_INPUT &&
          TEE_PARAM_TYPE_GET(pt, 0) != TEE_PARAM_TYPE_MEMREF_INOUT) {
        return TEE_ERROR_BAD_PARAMETERS;
      }
      p[1].value.a = sum(p[0].memref.buffer, p[0].memref.size);
      return TEE_SUCCESS;
    case CMD_SUM_LOCAL:
      if (g_local_size != p[0].value.a) {
        TEE_Free(g_local);
        g_local_size = p[0].value.a;
        g_local = TEE_Malloc(g_local_size, TEE_MALLOC_FILL_ZERO);
        if (g_local == NULL) {
          return TEE_ERROR_OUT_OF_MEMORY;
        }
      }
      p[1].value.a = sum(g_local, g_local_size);
      return TEE_SUCCESS;
    default:
      return TEE_ERROR_NOT_SUPPORTED;
  }
}
