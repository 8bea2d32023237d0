/* The GP test TA of tests/teec (OP-TEE style). */
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <tee_internal_api.h>
#include <trace.h>

#include "teec_test_ta.h"

static uint32_t g_opens;
static uint32_t g_creates;

TEE_Result TA_CreateEntryPoint(void) {
  g_creates++;
  return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void) {}

TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types, TEE_Param params[4], void **sess_ctx) {
  g_opens++;
  /* An open with VALUE_INPUT {a = 0xBAD} is refused by the TA. */
  if (TEE_PARAM_TYPE_GET(param_types, 0) == TEE_PARAM_TYPE_VALUE_INPUT &&
      params[0].value.a == 0xBAD) {
    return TEE_ERROR_ACCESS_DENIED;
  }
  /* {a = 0xCA2C}: waits up to 10 s for a cancellation of the open. */
  if (TEE_PARAM_TYPE_GET(param_types, 0) == TEE_PARAM_TYPE_VALUE_INPUT &&
      params[0].value.a == 0xCA2C) {
    TEE_UnmaskCancellation();
    TEE_Result r = TEE_Wait(10000);
    if (r != TEE_SUCCESS) {
      return r;
    }
  }
  *sess_ctx = NULL;
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *sess_ctx) {
  (void)sess_ctx;
}

static TEE_Result values(uint32_t pt, TEE_Param p[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                            TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  p[1].value.a = p[0].value.a + p[0].value.b;
  p[1].value.b = p[0].value.a * p[0].value.b;
  p[2].value.a += 1;
  p[2].value.b -= 1;
  return TEE_SUCCESS;
}

static TEE_Result copy(uint32_t pt, TEE_Param p[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  if (p[1].memref.size < p[0].memref.size) {
    p[1].memref.size = p[0].memref.size;
    return TEE_ERROR_SHORT_BUFFER;
  }
  TEE_MemMove(p[1].memref.buffer, p[0].memref.buffer, p[0].memref.size);
  p[1].memref.size = p[0].memref.size;
  return TEE_SUCCESS;
}

static TEE_Result invert(uint32_t pt, TEE_Param p[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  uint8_t *b = p[0].memref.buffer;
  uint32_t sum = 0;
  for (size_t i = 0; i < p[0].memref.size; i++) {
    sum += b[i];
    b[i] ^= 0xFF;
  }
  p[1].value.a = sum;
  p[1].value.b = (uint32_t)p[0].memref.size;
  return TEE_SUCCESS;
}

static TEE_Result internal_api(uint32_t pt, TEE_Param p[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
                            TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  int ok = 1;
  uint8_t *m = TEE_Malloc(64, TEE_MALLOC_FILL_ZERO);
  ok &= m != NULL;
  for (int i = 0; ok && i < 64; i++) {
    ok &= m[i] == 0;
  }
  TEE_MemFill(m, 0xA5, 64);
  m = TEE_Realloc(m, 128);
  ok &= m != NULL && m[63] == 0xA5;
  uint8_t r1[32], r2[32];
  TEE_GenerateRandom(r1, sizeof r1);
  TEE_GenerateRandom(r2, sizeof r2);
  ok &= TEE_MemCompare(r1, r2, sizeof r1) != 0;
  TEE_MemMove(r2, r1, sizeof r1);
  ok &= TEE_MemCompare(r1, r2, sizeof r1) == 0;
  ok &= TEE_CheckMemoryAccessRights(TEE_MEMORY_ACCESS_READ, m, 128) == TEE_SUCCESS;
  ok &= TEE_CheckMemoryAccessRights(TEE_MEMORY_ACCESS_READ, NULL, 16) == TEE_ERROR_ACCESS_DENIED;
  ok &= TEE_CheckMemoryAccessRights(TEE_MEMORY_ACCESS_READ, (void *)(uintptr_t)-8, 16) ==
        TEE_ERROR_ACCESS_DENIED;
  TEE_Free(m);
  TEE_Free(NULL);
  TEE_Time t1, t2, ree;
  TEE_GetSystemTime(&t1);
  TEE_GetSystemTime(&t2);
  ok &= t2.seconds > t1.seconds || (t2.seconds == t1.seconds && t2.millis >= t1.millis);
  ok &= t1.millis < 1000;
  TEE_GetREETime(&ree);
  DMSG("internal api checks: %d", ok);
  p[0].value.a = (uint32_t)ok;
  p[0].value.b = ree.seconds;
  return TEE_SUCCESS;
}

static TEE_Result wait_cmd(uint32_t pt, TEE_Param p[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
                            TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  if (TEE_GetCancellationFlag()) {
    return TEE_ERROR_BAD_STATE; /* masked: never set */
  }
  if (!TEE_UnmaskCancellation()) {
    return TEE_ERROR_BAD_STATE; /* was not masked at entry */
  }
  return TEE_Wait(p[0].value.a == 0 ? TEE_TIMEOUT_INFINITE : p[0].value.a);
}

static TEE_Result poll_cancel(void) {
  TEE_UnmaskCancellation();
  TEE_Time start, now;
  TEE_GetSystemTime(&start);
  do {
    if (TEE_GetCancellationFlag()) {
      return TEE_ERROR_CANCEL;
    }
    TEE_GetSystemTime(&now);
  } while (now.seconds < start.seconds + 10);
  return TEE_SUCCESS;
}

static TEE_Result identity(uint32_t pt, TEE_Param p[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  TEE_Identity id;
  TEE_Result r = TEE_GetPropertyAsIdentity(TEE_PROPSET_CURRENT_CLIENT, "gpd.client.identity", &id);
  if (r != TEE_SUCCESS) {
    return r;
  }
  if (TEE_GetPropertyAsIdentity(TEE_PROPSET_CURRENT_TA, "gpd.client.identity", &id) !=
      TEE_ERROR_ITEM_NOT_FOUND) {
    return TEE_ERROR_GENERIC;
  }
  if (p[1].memref.size < sizeof id.uuid) {
    p[1].memref.size = sizeof id.uuid;
    return TEE_ERROR_SHORT_BUFFER;
  }
  p[0].value.a = id.login;
  TEE_MemMove(p[1].memref.buffer, &id.uuid, sizeof id.uuid);
  p[1].memref.size = sizeof id.uuid;
  return TEE_SUCCESS;
}

static TEE_Result see_live_write(uint32_t pt, TEE_Param p[4]) {
  if (TEE_PARAM_TYPE_GET(pt, 0) != TEE_PARAM_TYPE_MEMREF_INOUT || p[0].memref.size < 2) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  volatile uint8_t *b = p[0].memref.buffer;
  for (int i = 0; i < 5000 && b[0] != 0x5A; i++) {
    TEE_Wait(1);
  }
  if (b[0] != 0x5A) {
    return TEE_ERROR_NO_DATA;
  }
  b[1] = 0xA5;
  return TEE_SUCCESS;
}

static const char g_rodata[] = "read-only data of the TA image";

#define R TEE_MEMORY_ACCESS_READ
#define W TEE_MEMORY_ACCESS_WRITE
#define ANY TEE_MEMORY_ACCESS_ANY_OWNER
#define DENIED TEE_ERROR_ACCESS_DENIED

/* A range over a hole between two mappings is refused. Other threads of the
 * TA host may map something into a fresh hole at any moment (the sanitizer
 * runtimes do), so an answer counts only if mincore still finds the hole
 * unmapped afterwards; otherwise try again elsewhere. */
static int hole_refused(long page) {
  for (int tries = 0; tries < 50; tries++) {
    uint8_t *h = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (h == MAP_FAILED) {
      return 0;
    }
    munmap(h + page, page);
    TEE_Result r = TEE_CheckMemoryAccessRights(TEE_MEMORY_ACCESS_READ, h, 3 * page);
    unsigned char vec = 0;
    int still_a_hole = mincore(h + page, page, &vec) != 0;
    munmap(h, page);
    munmap(h + 2 * page, page);
    if (still_a_hole) {
      return r == TEE_ERROR_ACCESS_DENIED;
    }
  }
  return 0;
}

static TEE_Result access_rights(uint32_t pt, TEE_Param p[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_INOUT,
                            TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_VALUE_INPUT) ||
      p[0].memref.size == 0 || p[1].memref.size == 0) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  uint32_t failed = 0;
  unsigned n = 0;
#define CHECK(flags, buf, len, want) \
  failed |= (TEE_CheckMemoryAccessRights((flags), (buf), (len)) != (want) ? 1u : 0u) << n++
  uint8_t *heap = TEE_Malloc(64, TEE_MALLOC_FILL_ZERO);
  uint8_t stack[64] = {0};
  void *code = (void *)(uintptr_t)&access_rights;
  long page = sysconf(_SC_PAGESIZE);
  uint8_t *pages = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (heap == NULL || pages == MAP_FAILED) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  CHECK(R | W, heap, 64, TEE_SUCCESS);                      /* 0 */
  CHECK(R | W, stack, sizeof stack, TEE_SUCCESS);           /* 1 */
  CHECK(R, (void *)g_rodata, sizeof g_rodata, TEE_SUCCESS); /* 2 */
  CHECK(W, (void *)g_rodata, sizeof g_rodata, DENIED);      /* 3 */
  CHECK(R, code, 16, TEE_SUCCESS);                          /* 4 */
  CHECK(R | W, code, 16, DENIED);                           /* 5 */
  CHECK(R, NULL, 16, DENIED);                               /* 6 */
  CHECK(R, NULL, 0, TEE_SUCCESS);                           /* 7 */
  CHECK(R, (void *)(uintptr_t)-8, 16, DENIED);              /* 8 */
  failed |= (hole_refused(page) ? 0u : 1u) << n++;          /* 9 */
  CHECK(R | W, pages, page, TEE_SUCCESS);                   /* 10 */
  mprotect(pages, page, PROT_READ);
  CHECK(W, pages, page, DENIED);       /* 11 */
  CHECK(R, pages + 8, 8, TEE_SUCCESS); /* 12 */
  mprotect(pages + 2 * page, page, PROT_NONE);
  CHECK(R, pages + 2 * page, page, DENIED);               /* 13 */
  CHECK(0, pages + 2 * page, page, TEE_SUCCESS);          /* 14: mapped, no rights asked */
  CHECK(R, p[0].memref.buffer, p[0].memref.size, DENIED); /* 15 */
  CHECK(R | ANY, p[0].memref.buffer, p[0].memref.size, TEE_SUCCESS);         /* 16 */
  CHECK(W | ANY, p[0].memref.buffer, p[0].memref.size, DENIED);              /* 17 */
  CHECK(R | W | ANY, p[1].memref.buffer, p[1].memref.size, TEE_SUCCESS);     /* 18 */
  CHECK(R | W, p[1].memref.buffer, p[1].memref.size, DENIED);                /* 19 */
  CHECK(R, (uint8_t *)p[1].memref.buffer + p[1].memref.size - 1, 1, DENIED); /* 20 */
  CHECK(R | W | ANY, heap, 64, TEE_SUCCESS); /* 21: private memory, any owner */
  if (p[3].value.a == 1) {
    CHECK(R, (uint8_t *)p[0].memref.buffer + p[0].memref.size, 16, DENIED); /* 22 */
  } else {
    n++;
  }
#undef CHECK
  munmap(pages, 3 * page);
  TEE_Free(heap);
  p[2].value.a = failed;
  p[2].value.b = n;
  return TEE_SUCCESS;
}

static TEE_Result write_input(uint32_t pt, TEE_Param p[4]) {
  if (TEE_PARAM_TYPE_GET(pt, 0) != TEE_PARAM_TYPE_MEMREF_INPUT) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  TEE_MemFill(p[0].memref.buffer, 0xEE, p[0].memref.size);
  return TEE_SUCCESS;
}

static TEE_Result memref_info(uint32_t pt, TEE_Param p[4]) {
  uint32_t t = TEE_PARAM_TYPE_GET(pt, 0);
  if ((t != TEE_PARAM_TYPE_MEMREF_INPUT && t != TEE_PARAM_TYPE_MEMREF_OUTPUT &&
       t != TEE_PARAM_TYPE_MEMREF_INOUT) ||
      TEE_PARAM_TYPE_GET(pt, 1) != TEE_PARAM_TYPE_VALUE_OUTPUT) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  const uint8_t *b = p[0].memref.buffer;
  uint32_t sum = 0;
  for (size_t i = 0; t != TEE_PARAM_TYPE_MEMREF_OUTPUT && i < p[0].memref.size; i++) {
    sum += b[i];
  }
  p[1].value.a = sum;
  p[1].value.b = (uint32_t)p[0].memref.size;
  if (t != TEE_PARAM_TYPE_MEMREF_INPUT) {
    TEE_MemFill(p[0].memref.buffer, 0x5A, p[0].memref.size);
  }
  return TEE_SUCCESS;
}

/* A word of [p, p + 4), one byte at a time: no alignment needed, no memcpy
 * for a sanitizer to intercept. */
__attribute__((no_sanitize("address", "thread", "undefined"))) static uint32_t word_at(
    const volatile uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The tag records (TEEC_TEST_CMD_SCAN_AROUND) in [p, p + n), at any
 * alignment. The scan reads whatever the pages hold (heap redzones and
 * freed blocks too), so it is not instrumented. */
__attribute__((no_sanitize("address", "thread", "undefined"))) static uint32_t tags_in(
    const volatile uint8_t *p, size_t n, uint32_t magic) {
  uint32_t found = 0;
  for (size_t i = 0; i + 16 <= n; i++) {
    if (word_at(p + i) != magic || word_at(p + i + 8) != ~magic) {
      continue;
    }
    uint32_t tag = word_at(p + i + 4);
    if (word_at(p + i + 12) == ~tag && tag < 32) {
      found |= 1u << tag;
    }
  }
  return found;
}

/* What a TA can reach by mapping, itself, every descriptor its process holds
 * (the memory objects of the call among them): tags found, and how many
 * descriptors it mapped into *mapped. */
static uint32_t tags_in_descriptors(uint32_t magic, uint32_t *mapped) {
  uint32_t found = 0;
  *mapped = 0;
  for (int fd = 0; fd < 1024; fd++) {
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > (64 << 20)) {
      continue;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
      continue;
    }
    found |= tags_in(m, (size_t)st.st_size, magic);
    munmap(m, (size_t)st.st_size);
    (*mapped)++;
  }
  return found;
}

static TEE_Result scan_around(uint32_t pt, TEE_Param p[4]) {
  uint32_t t = TEE_PARAM_TYPE_GET(pt, 0);
  if ((t != TEE_PARAM_TYPE_MEMREF_INPUT && t != TEE_PARAM_TYPE_MEMREF_OUTPUT &&
       t != TEE_PARAM_TYPE_MEMREF_INOUT) ||
      TEE_PARAM_TYPE_GET(pt, 1) != TEE_PARAM_TYPE_VALUE_INPUT ||
      TEE_PARAM_TYPE_GET(pt, 2) != TEE_PARAM_TYPE_VALUE_OUTPUT ||
      TEE_PARAM_TYPE_GET(pt, 3) != TEE_PARAM_TYPE_VALUE_OUTPUT || p[1].value.b > 64) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  const uintptr_t around = p[1].value.b * page;
  const uintptr_t start = (uintptr_t)p[0].memref.buffer;
  uintptr_t lo = start & ~(page - 1);
  uintptr_t hi = (start + p[0].memref.size + page - 1) & ~(page - 1);
  lo = lo > around ? lo - around : 0;
  hi = hi < UINTPTR_MAX - around ? hi + around : hi;
  uint32_t found = 0;
  uint32_t pages = 0;
  /* Runs of readable pages are scanned whole, so that a record across two
   * pages counts too. */
  uintptr_t run = 0;
  size_t run_len = 0;
  for (uintptr_t a = lo; a < hi; a += page) {
    if (TEE_CheckMemoryAccessRights(TEE_MEMORY_ACCESS_READ | TEE_MEMORY_ACCESS_ANY_OWNER, (void *)a,
                                    page) == TEE_SUCCESS) {
      run = run_len == 0 ? a : run;
      run_len += page;
      pages++;
      continue;
    }
    found |= tags_in((const volatile uint8_t *)run, run_len, p[1].value.a);
    run_len = 0;
  }
  found |= tags_in((const volatile uint8_t *)run, run_len, p[1].value.a);
  p[2].value.a = found;
  p[2].value.b = pages;
  p[3].value.a = tags_in_descriptors(p[1].value.a, &p[3].value.b);
  return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd, uint32_t pt, TEE_Param p[4]) {
  (void)sess_ctx;
  switch (cmd) {
    case TEEC_TEST_CMD_VALUES:
      return values(pt, p);
    case TEEC_TEST_CMD_COPY:
      return copy(pt, p);
    case TEEC_TEST_CMD_PANIC:
      TEE_Panic(0xdead);
    case TEEC_TEST_CMD_INVERT:
      return invert(pt, p);
    case TEEC_TEST_CMD_INTERNAL_API:
      return internal_api(pt, p);
    case TEEC_TEST_CMD_COUNTERS:
      p[0].value.a = g_opens;
      p[0].value.b = g_creates;
      return TEE_SUCCESS;
    case TEEC_TEST_CMD_WAIT:
      return wait_cmd(pt, p);
    case TEEC_TEST_CMD_POLL_CANCEL:
      return poll_cancel();
    case TEEC_TEST_CMD_IDENTITY:
      return identity(pt, p);
    case TEEC_TEST_CMD_SEE_LIVE_WRITE:
      return see_live_write(pt, p);
    case TEEC_TEST_CMD_ACCESS_RIGHTS:
      return access_rights(pt, p);
    case TEEC_TEST_CMD_WRITE_INPUT:
      return write_input(pt, p);
    case TEEC_TEST_CMD_MEMREF_INFO:
      return memref_info(pt, p);
    case TEEC_TEST_CMD_SCAN_AROUND:
      return scan_around(pt, p);
    default:
      return TEE_ERROR_NOT_SUPPORTED;
  }
}
