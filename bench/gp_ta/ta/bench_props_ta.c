/* The property benchmark TA: times N calls of one property getter inside
 * the TA, so the figure is the getter's own cost, not a client round trip. */
#include <tee_internal_api.h>
#include <time.h>

/* params[0] value in {a = N, b = which property: 0 gpd.ta.dataSize (a
 * built-in TA property), 1 org.captee.bench.u32 (the TA's last extension
 * property, the longest lookup of the TA set), 2 gpd.tee.arith.maxBigIntSize
 * (the TEE set)}; params[1] value out {a, b = the nanoseconds the N calls
 * took, low and high 32 bits}. */
#define BENCH_CMD_GET_U32 0

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

TEE_Result TA_CreateEntryPoint(void) {
  return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void) {}

TEE_Result TA_OpenSessionEntryPoint(uint32_t __unused pt, TEE_Param __unused params[4],
                                    void __unused **ctx) {
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void __unused *ctx) {}

TEE_Result TA_InvokeCommandEntryPoint(void __unused *ctx, uint32_t cmd, uint32_t pt,
                                      TEE_Param params[4]) {
  static const struct {
    TEE_PropSetHandle set;
    const char *name;
  } kProps[] = {{TEE_PROPSET_CURRENT_TA, "gpd.ta.dataSize"},
                {TEE_PROPSET_CURRENT_TA, "org.captee.bench.u32"},
                {TEE_PROPSET_TEE_IMPLEMENTATION, "gpd.tee.arith.maxBigIntSize"}};
  if (cmd != BENCH_CMD_GET_U32 ||
      pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE) ||
      params[0].value.b >= sizeof kProps / sizeof kProps[0]) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  const uint32_t n = params[0].value.a;
  uint32_t v = 0;
  uint32_t sum = 0;
  uint64_t start = now_ns();
  for (uint32_t i = 0; i < n; ++i) {
    if (TEE_GetPropertyAsU32(kProps[params[0].value.b].set, kProps[params[0].value.b].name, &v) !=
        TEE_SUCCESS) {
      return TEE_ERROR_GENERIC;
    }
    sum += v; /* keeps the calls from being dropped */
  }
  uint64_t ns = now_ns() - start;
  params[1].value.a = (uint32_t)ns;
  params[1].value.b = (uint32_t)(ns >> 32);
  return sum == n * v ? TEE_SUCCESS : TEE_ERROR_GENERIC;
}
