/* A GP trusted app written for captee's examples: a per-session running
 * total (value parameters), and two commands on memory references (a
 * separate input and output, and one buffer changed in place). */
#include <tee_internal_api.h>
#include <tee_internal_api_extensions.h>

#include <tally_ta.h>

struct tally {
  uint32_t total;
  uint32_t additions;
};

TEE_Result TA_CreateEntryPoint(void) {
  return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void) {}

/* A session may start from a total of its choosing (VALUE_INPUT a), or from 0. */
TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types, TEE_Param params[4],
                                    void **session_context) {
  const uint32_t with_start = TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE,
                                              TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE);
  struct tally *t;

  if (param_types != with_start && param_types != TEE_PARAM_TYPES(0, 0, 0, 0))
    return TEE_ERROR_BAD_PARAMETERS;
  t = TEE_Malloc(sizeof(*t), TEE_MALLOC_FILL_ZERO);
  if (!t)
    return TEE_ERROR_OUT_OF_MEMORY;
  if (param_types == with_start)
    t->total = params[0].value.a;
  *session_context = t;
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *session_context) {
  TEE_Free(session_context);
}

static TEE_Result add(struct tally *t, uint32_t param_types, TEE_Param params[4]) {
  if (param_types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_NONE,
                                     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
    return TEE_ERROR_BAD_PARAMETERS;
  if (params[0].value.a > UINT32_MAX - t->total)
    return TEE_ERROR_OVERFLOW;
  t->total += params[0].value.a;
  t->additions++;
  params[0].value.a = t->total;
  params[0].value.b = t->additions;
  return TEE_SUCCESS;
}

static TEE_Result reverse(uint32_t param_types, TEE_Param params[4]) {
  const uint8_t *in;
  uint8_t *out;
  size_t n, i;

  if (param_types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
                                     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
    return TEE_ERROR_BAD_PARAMETERS;
  in = params[0].memref.buffer;
  out = params[1].memref.buffer;
  n = params[0].memref.size;
  if (params[1].memref.size < n) {
    params[1].memref.size = n;
    return TEE_ERROR_SHORT_BUFFER;
  }
  for (i = 0; i < n; i++)
    out[i] = in[n - 1 - i];
  params[1].memref.size = n;
  return TEE_SUCCESS;
}

static TEE_Result shout(uint32_t param_types, TEE_Param params[4]) {
  uint8_t *p;
  size_t i;

  if (param_types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_NONE,
                                     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
    return TEE_ERROR_BAD_PARAMETERS;
  p = params[0].memref.buffer;
  for (i = 0; i < params[0].memref.size; i++)
    if (p[i] >= 'a' && p[i] <= 'z')
      p[i] = (uint8_t)(p[i] - 'a' + 'A');
  return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void *session_context, uint32_t command, uint32_t param_types,
                                      TEE_Param params[4]) {
  switch (command) {
    case TA_TALLY_CMD_ADD:
      return add(session_context, param_types, params);
    case TA_TALLY_CMD_REVERSE:
      return reverse(param_types, params);
    case TA_TALLY_CMD_SHOUT:
      return shout(param_types, params);
    default:
      return TEE_ERROR_NOT_SUPPORTED;
  }
}
