/* A GP client of the tally TA: opens a session starting at 100, adds three
 * numbers, reverses a string (asking again when the TA says the output was
 * too small) and upper-cases text in shared memory, both allocated by
 * libteec and registered from the client's own buffer.
 * Reaches capteed through CAPTEE_SOCKET (or the default socket). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tee_client_api.h>

#include <tally_ta.h>

static int failed(const char *what, TEEC_Result res, uint32_t origin) {
  fprintf(stderr, "tally: %s failed: 0x%08x (origin %u)\n", what, res, origin);
  return 1;
}

static int add_three(TEEC_Session *session) {
  static const uint32_t numbers[] = {1, 20, 300};
  TEEC_Operation op;
  uint32_t origin = 0;
  size_t i;

  for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
    TEEC_Result res;

    memset(&op, 0, sizeof(op));
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].value.a = numbers[i];
    res = TEEC_InvokeCommand(session, TA_TALLY_CMD_ADD, &op, &origin);
    if (res != TEEC_SUCCESS)
      return failed("add", res, origin);
    printf("add %u: total %u after %u additions\n", numbers[i], op.params[0].value.a,
           op.params[0].value.b);
  }
  return 0;
}

static int reverse(TEEC_Session *session, const char *text) {
  char *out = NULL;
  size_t out_size = 4; /* deliberately small: the TA says how much it needs */
  TEEC_Operation op;
  uint32_t origin = 0;
  TEEC_Result res;

  for (;;) {
    char *bigger = realloc(out, out_size + 1);

    if (!bigger) {
      free(out);
      return failed("realloc", TEEC_ERROR_OUT_OF_MEMORY, TEEC_ORIGIN_API);
    }
    out = bigger;
    memset(&op, 0, sizeof(op));
    op.paramTypes =
        TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
    op.params[0].tmpref.buffer = (void *)text;
    op.params[0].tmpref.size = strlen(text);
    op.params[1].tmpref.buffer = out;
    op.params[1].tmpref.size = out_size;
    res = TEEC_InvokeCommand(session, TA_TALLY_CMD_REVERSE, &op, &origin);
    if (res != TEEC_ERROR_SHORT_BUFFER)
      break;
    printf("reverse: %zu bytes were too few, the TA needs %zu\n", out_size,
           op.params[1].tmpref.size);
    out_size = op.params[1].tmpref.size;
  }
  if (res != TEEC_SUCCESS) {
    free(out);
    return failed("reverse", res, origin);
  }
  out[op.params[1].tmpref.size] = '\0';
  printf("reverse \"%s\": \"%s\"\n", text, out);
  free(out);
  return 0;
}

static int shout(TEEC_Context *ctx, TEEC_Session *session) {
  static const char allocated_text[] = "shared memory from libteec";
  char own[] = "the client's own buffer, registered";
  TEEC_SharedMemory shm;
  TEEC_Operation op;
  uint32_t origin = 0;
  TEEC_Result res;

  memset(&shm, 0, sizeof(shm));
  shm.size = sizeof(allocated_text);
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  res = TEEC_AllocateSharedMemory(ctx, &shm);
  if (res != TEEC_SUCCESS)
    return failed("TEEC_AllocateSharedMemory", res, TEEC_ORIGIN_API);
  memcpy(shm.buffer, allocated_text, sizeof(allocated_text));
  memset(&op, 0, sizeof(op));
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].memref.parent = &shm;
  res = TEEC_InvokeCommand(session, TA_TALLY_CMD_SHOUT, &op, &origin);
  if (res == TEEC_SUCCESS)
    printf("shout (allocated, whole): \"%s\"\n", (const char *)shm.buffer);
  TEEC_ReleaseSharedMemory(&shm);
  if (res != TEEC_SUCCESS)
    return failed("shout", res, origin);

  /* Only the window from byte 4 travels: the first word stays as it was. */
  memset(&shm, 0, sizeof(shm));
  shm.buffer = own;
  shm.size = sizeof(own);
  shm.flags = TEEC_MEM_INPUT | TEEC_MEM_OUTPUT;
  res = TEEC_RegisterSharedMemory(ctx, &shm);
  if (res != TEEC_SUCCESS)
    return failed("TEEC_RegisterSharedMemory", res, TEEC_ORIGIN_API);
  memset(&op, 0, sizeof(op));
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].memref.parent = &shm;
  op.params[0].memref.offset = 4;
  op.params[0].memref.size = strlen(own) - 4;
  res = TEEC_InvokeCommand(session, TA_TALLY_CMD_SHOUT, &op, &origin);
  TEEC_ReleaseSharedMemory(&shm);
  if (res != TEEC_SUCCESS)
    return failed("shout", res, origin);
  printf("shout (registered, from byte 4): \"%s\"\n", own);
  return 0;
}

int main(void) {
  TEEC_Context ctx;
  TEEC_Session session;
  TEEC_UUID uuid = TA_TALLY_UUID;
  TEEC_Operation op;
  uint32_t origin = 0;
  TEEC_Result res;
  int rc;

  res = TEEC_InitializeContext(NULL, &ctx);
  if (res != TEEC_SUCCESS)
    return failed("TEEC_InitializeContext", res, TEEC_ORIGIN_API);
  memset(&op, 0, sizeof(op));
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = 100;
  res = TEEC_OpenSession(&ctx, &session, &uuid, TEEC_LOGIN_PUBLIC, NULL, &op, &origin);
  if (res != TEEC_SUCCESS) {
    TEEC_FinalizeContext(&ctx);
    return failed("TEEC_OpenSession", res, origin);
  }
  printf("session open, starting at 100\n");
  rc = add_three(&session);
  if (!rc)
    rc = reverse(&session, "capability");
  if (!rc)
    rc = shout(&ctx, &session);
  TEEC_CloseSession(&session);
  TEEC_FinalizeContext(&ctx);
  return rc;
}
