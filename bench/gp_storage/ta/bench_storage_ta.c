/* The trusted storage benchmark TA: times N storage calls inside the TA, so
 * the figure is the API's cost (the runtime, capteed's binding and its
 * store), not a client round trip. The object is opened once per command,
 * outside the timed loop. */
#include <tee_internal_api.h>
#include <time.h>

/* params[0] value in {a = N, b = what: 0 one TEE_WriteObjectData of 4 KiB
 * at position 0 of an open object, 1 one TEE_ReadObjectData of 4 KiB from
 * position 0, 2 one TEE_CreatePersistentObject of a 16-byte data object
 * (closed at once; all deleted after the timing), 3 one TEE_WriteObjectData
 * of 1 MiB at position 0}; params[1] value out {a, b = the nanoseconds the N
 * calls took, low and high 32 bits}. */
#define BENCH_CMD_RUN 0
#define BENCH_WRITE_4K 0
#define BENCH_READ_4K 1
#define BENCH_CREATE_SMALL 2
#define BENCH_WRITE_1M 3

#define KIB 1024u
static uint8_t g_data[1024 * KIB];

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* N transfers of `size` bytes at position 0 of one open object. */
static TEE_Result transfers(uint32_t n, size_t size, bool write, uint64_t *ns) {
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  TEE_Result r =
      TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, "bench", 5,
                                 TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE |
                                     TEE_DATA_FLAG_ACCESS_WRITE_META | TEE_DATA_FLAG_OVERWRITE,
                                 TEE_HANDLE_NULL, g_data, size, &o);
  if (r != TEE_SUCCESS) {
    return r;
  }
  const uint64_t start = now_ns();
  for (uint32_t i = 0; i < n && r == TEE_SUCCESS; ++i) {
    r = TEE_SeekObjectData(o, 0, TEE_DATA_SEEK_SET);
    if (r == TEE_SUCCESS && write) {
      r = TEE_WriteObjectData(o, g_data, size);
    } else if (r == TEE_SUCCESS) {
      size_t got = 0;
      r = TEE_ReadObjectData(o, g_data, size, &got);
      if (r == TEE_SUCCESS && got != size) {
        r = TEE_ERROR_GENERIC;
      }
    }
  }
  *ns = now_ns() - start;
  TEE_CloseAndDeletePersistentObject1(o);
  return r;
}

static TEE_Result creates(uint32_t n, uint64_t *ns) {
  TEE_Result r = TEE_SUCCESS;
  char id[16] = "small-";
  const uint64_t start = now_ns();
  uint32_t made = 0;
  for (; made < n && r == TEE_SUCCESS; ++made) {
    id[6] = (char)('a' + made % 26);
    id[7] = (char)('a' + made / 26 % 26);
    id[8] = (char)('a' + made / 676 % 26);
    r = TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, id, 9,
                                   TEE_DATA_FLAG_ACCESS_WRITE_META | TEE_DATA_FLAG_OVERWRITE,
                                   TEE_HANDLE_NULL, g_data, 16, NULL);
  }
  *ns = now_ns() - start;
  for (uint32_t i = 0; i < made; ++i) {
    TEE_ObjectHandle o = TEE_HANDLE_NULL;
    id[6] = (char)('a' + i % 26);
    id[7] = (char)('a' + i / 26 % 26);
    id[8] = (char)('a' + i / 676 % 26);
    if (TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, id, 9, TEE_DATA_FLAG_ACCESS_WRITE_META, &o) ==
        TEE_SUCCESS) {
      TEE_CloseAndDeletePersistentObject1(o);
    }
  }
  return r;
}

TEE_Result TA_CreateEntryPoint(void) {
  for (size_t i = 0; i < sizeof g_data; ++i) {
    g_data[i] = (uint8_t)(i * 7u);
  }
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
  if (cmd != BENCH_CMD_RUN ||
      pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  uint64_t ns = 0;
  TEE_Result r = TEE_ERROR_BAD_PARAMETERS;
  const uint32_t n = params[0].value.a;
  switch (params[0].value.b) {
    case BENCH_WRITE_4K:
      r = transfers(n, 4 * KIB, true, &ns);
      break;
    case BENCH_READ_4K:
      r = transfers(n, 4 * KIB, false, &ns);
      break;
    case BENCH_CREATE_SMALL:
      r = n <= 17576 ? creates(n, &ns) : TEE_ERROR_BAD_PARAMETERS;
      break;
    case BENCH_WRITE_1M:
      r = transfers(n, 1024 * KIB, true, &ns);
      break;
  }
  params[1].value.a = (uint32_t)ns;
  params[1].value.b = (uint32_t)(ns >> 32);
  return r;
}
