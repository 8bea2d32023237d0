/* The properties and persistent time test TA, written as an OP-TEE TA is
 * (only tee_internal_api.h; in the GP v1.1 mode with v1.1's uint32_t
 * lengths). Each command hands the client what one GP call answered, so the
 * rules are checked by gp_properties_test / gp_time_test from outside. */
#include <string.h>
#include <tee_internal_api.h>

#include "gp_props_ta.h"

#if __OPTEE_CORE_API_COMPAT_1_1
typedef uint32_t ta_size_t;
#else
typedef size_t ta_size_t;
#endif

TEE_Result TA_CreateEntryPoint(void) {
  return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void) {}

TEE_Result TA_OpenSessionEntryPoint(uint32_t __unused param_types,
                                    TEE_Param __maybe_unused params[4],
                                    void __maybe_unused **sess_ctx) {
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void __unused *sess_ctx) {}

static TEE_PropSetHandle set_of(uint32_t which) {
  switch (which) {
    case GP_PROPS_SET_TEE:
      return TEE_PROPSET_TEE_IMPLEMENTATION;
    case GP_PROPS_SET_CLIENT:
      return TEE_PROPSET_CURRENT_CLIENT;
    case GP_PROPS_SET_TA:
      return TEE_PROPSET_CURRENT_TA;
    default:
      return (TEE_PropSetHandle)(uintptr_t)0x1234;
  }
}

/* Calls getter `as` on `h` / `name`; the value goes to `out` (of *len
 * bytes: the buffer size for strings and blocks), *len to the size
 * reported or written. */
static TEE_Result get_as(uint32_t as, TEE_PropSetHandle h, const char *name, void *out,
                         ta_size_t *len) {
  TEE_Result r = TEE_ERROR_BAD_PARAMETERS;
  switch (as) {
    case GP_PROPS_AS_STRING:
      return TEE_GetPropertyAsString(h, name, out, len);
    case GP_PROPS_AS_BINARY_BLOCK:
      return TEE_GetPropertyAsBinaryBlock(h, name, out, len);
    case GP_PROPS_AS_BOOL: {
      bool b = false;
      r = TEE_GetPropertyAsBool(h, name, &b);
      uint32_t v = b ? 1 : 0;
      if (*len >= sizeof v) {
        TEE_MemMove(out, &v, sizeof v);
      }
      *len = sizeof v;
      return r;
    }
    case GP_PROPS_AS_U32: {
      uint32_t v = 0;
      r = TEE_GetPropertyAsU32(h, name, &v);
      if (*len >= sizeof v) {
        TEE_MemMove(out, &v, sizeof v);
      }
      *len = sizeof v;
      return r;
    }
    case GP_PROPS_AS_U64: {
      uint64_t v = 0;
      r = TEE_GetPropertyAsU64(h, name, &v);
      if (*len >= sizeof v) {
        TEE_MemMove(out, &v, sizeof v);
      }
      *len = sizeof v;
      return r;
    }
    case GP_PROPS_AS_UUID: {
      TEE_UUID v;
      memset(&v, 0, sizeof v);
      r = TEE_GetPropertyAsUUID(h, name, &v);
      if (*len >= sizeof v) {
        TEE_MemMove(out, &v, sizeof v);
      }
      *len = sizeof v;
      return r;
    }
    case GP_PROPS_AS_IDENTITY: {
      TEE_Identity v;
      memset(&v, 0, sizeof v);
      r = TEE_GetPropertyAsIdentity(h, name, &v);
      if (*len >= sizeof v) {
        TEE_MemMove(out, &v, sizeof v);
      }
      *len = sizeof v;
      return r;
    }
    default:
      return r;
  }
}

/* Hands the getter's answer back: the value into params[2] (as much as the
 * client's buffer holds), the result and reported length into params[3]. */
static TEE_Result answer(TEE_Param params[4], TEE_Result r, void *value, ta_size_t len) {
  ta_size_t cap = params[2].memref.size;
  ta_size_t n = len < cap ? len : cap;
  if (r == TEE_SUCCESS && n > 0) {
    TEE_MemMove(params[2].memref.buffer, value, n);
  }
  params[2].memref.size = r == TEE_SUCCESS ? n : 0;
  params[3].value.a = r;
  params[3].value.b = (uint32_t)len;
  return TEE_SUCCESS;
}

static TEE_Result get(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT,
                            TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_VALUE_OUTPUT)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  ta_size_t name_len = params[1].memref.size;
  char *name = TEE_Malloc(name_len + 1, 0);
  ta_size_t len = params[2].memref.size;
  void *value = TEE_Malloc(len + 1, 0);
  if (name == NULL || value == NULL) {
    TEE_Free(name);
    TEE_Free(value);
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  TEE_MemMove(name, params[1].memref.buffer, name_len);
  TEE_Result r = get_as(params[0].value.b, set_of(params[0].value.a), name, value, &len);
  TEE_Result a = answer(params, r, value, len);
  TEE_Free(name);
  TEE_Free(value);
  return a;
}

static TEE_Result get_nth(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_INPUT,
                            TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_VALUE_OUTPUT)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  TEE_PropSetHandle e = TEE_HANDLE_NULL;
  if (TEE_AllocatePropertyEnumerator(&e) != TEE_SUCCESS) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  TEE_StartPropertyEnumerator(e, set_of(params[0].value.a));
  for (uint32_t n = 0; n < params[1].value.a; ++n) {
    (void)TEE_GetNextProperty(e);
  }
  ta_size_t len = params[2].memref.size;
  void *value = TEE_Malloc(len + 1, 0);
  if (value == NULL) {
    TEE_FreePropertyEnumerator(e);
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  TEE_Result r = get_as(params[0].value.b, e, NULL, value, &len);
  TEE_Result a = answer(params, r, value, len);
  TEE_Free(value);
  TEE_FreePropertyEnumerator(e);
  return a;
}

/* Appends `s` (`n` bytes) to the output memref at *at; false once full. */
static bool append(TEE_Param *out, ta_size_t *at, const char *s, ta_size_t n) {
  if (out->memref.size - *at < n) {
    return false;
  }
  TEE_MemMove((char *)out->memref.buffer + *at, s, n);
  *at += n;
  return true;
}

static TEE_Result enumerate(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT,
                            TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  TEE_PropSetHandle e = TEE_HANDLE_NULL;
  if (TEE_AllocatePropertyEnumerator(&e) != TEE_SUCCESS) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  TEE_StartPropertyEnumerator(e, set_of(params[0].value.a));
  ta_size_t at = 0;
  uint32_t count = 0;
  TEE_Result r = TEE_SUCCESS;
  char name[128];
  char value[256];
  for (;;) {
    ta_size_t name_len = sizeof name;
    ta_size_t value_len = sizeof value;
    r = TEE_GetPropertyName(e, name, &name_len);
    if (r == TEE_ERROR_ITEM_NOT_FOUND) {
      r = TEE_SUCCESS;  // the end of the set
      break;
    }
    if (r != TEE_SUCCESS) {
      break;
    }
    r = TEE_GetPropertyAsString(e, NULL, value, &value_len);
    if (r != TEE_SUCCESS) {
      break;
    }
    if (!append(&params[1], &at, name, name_len - 1) || !append(&params[1], &at, "=", 1) ||
        !append(&params[1], &at, value, value_len - 1) || !append(&params[1], &at, "\n", 1)) {
      r = TEE_ERROR_SHORT_BUFFER;
      break;
    }
    ++count;
    TEE_Result next = TEE_GetNextProperty(e);
    if (next == TEE_ERROR_ITEM_NOT_FOUND) {
      break;
    }
  }
  TEE_FreePropertyEnumerator(e);
  params[1].memref.size = at;
  params[2].value.a = count;
  return r;
}

static TEE_Result failed(TEE_Param params[4], uint32_t check) {
  params[0].value.a = check;
  return TEE_ERROR_GENERIC;
}

static TEE_Result enumerator_rules(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
                            TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  TEE_PropSetHandle e = TEE_HANDLE_NULL;
  TEE_PropSetHandle f = TEE_HANDLE_NULL;
  char name[64];
  ta_size_t len = sizeof name;
  uint32_t u = 0;
  if (TEE_AllocatePropertyEnumerator(&e) != TEE_SUCCESS || e == TEE_HANDLE_NULL) {
    return failed(params, 1);
  }
  /* Not started: no current property, no next one. */
  if (TEE_GetPropertyName(e, name, &len) != TEE_ERROR_ITEM_NOT_FOUND ||
      TEE_GetNextProperty(e) != TEE_ERROR_ITEM_NOT_FOUND ||
      TEE_GetPropertyAsU32(e, NULL, &u) != TEE_ERROR_ITEM_NOT_FOUND) {
    return failed(params, 2);
  }
  /* The TA set starts with gpd.ta.appID; a buffer one byte short gets
   * SHORT_BUFFER and the size with the zero; a NULL buffer of length 0 too. */
  TEE_StartPropertyEnumerator(e, TEE_PROPSET_CURRENT_TA);
  len = sizeof name;
  if (TEE_GetPropertyName(e, name, &len) != TEE_SUCCESS || len != sizeof "gpd.ta.appID" ||
      strcmp(name, "gpd.ta.appID") != 0) {
    return failed(params, 3);
  }
  len = sizeof "gpd.ta.appID" - 1;
  if (TEE_GetPropertyName(e, name, &len) != TEE_ERROR_SHORT_BUFFER ||
      len != sizeof "gpd.ta.appID") {
    return failed(params, 4);
  }
  len = 0;
  if (TEE_GetPropertyName(e, NULL, &len) != TEE_ERROR_SHORT_BUFFER ||
      len != sizeof "gpd.ta.appID") {
    return failed(params, 5);
  }
  /* The name is ignored with an enumerator; appID is not a U32. */
  TEE_UUID id;
  if (TEE_GetPropertyAsUUID(e, "gpd.ta.dataSize", &id) != TEE_SUCCESS ||
      TEE_GetPropertyAsU32(e, "gpd.ta.dataSize", &u) != TEE_ERROR_BAD_FORMAT) {
    return failed(params, 6);
  }
  /* Walk to the end: then ITEM_NOT_FOUND, and it stays there. */
  uint32_t steps = 0;
  while (TEE_GetNextProperty(e) == TEE_SUCCESS) {
    if (++steps > 1000) {
      return failed(params, 7);
    }
  }
  len = sizeof name;
  if (TEE_GetNextProperty(e) != TEE_ERROR_ITEM_NOT_FOUND ||
      TEE_GetPropertyName(e, name, &len) != TEE_ERROR_ITEM_NOT_FOUND) {
    return failed(params, 8);
  }
  /* Reset: not started again; start on another set. */
  TEE_ResetPropertyEnumerator(e);
  len = sizeof name;
  if (TEE_GetPropertyName(e, name, &len) != TEE_ERROR_ITEM_NOT_FOUND) {
    return failed(params, 9);
  }
  TEE_StartPropertyEnumerator(e, TEE_PROPSET_TEE_IMPLEMENTATION);
  len = sizeof name;
  if (TEE_GetPropertyName(e, name, &len) != TEE_SUCCESS || strncmp(name, "gpd.tee.", 8) != 0) {
    return failed(params, 10);
  }
  /* Two enumerators are independent. */
  if (TEE_AllocatePropertyEnumerator(&f) != TEE_SUCCESS || f == e) {
    return failed(params, 11);
  }
  TEE_StartPropertyEnumerator(f, TEE_PROPSET_CURRENT_CLIENT);
  len = sizeof name;
  if (TEE_GetPropertyName(f, name, &len) != TEE_SUCCESS ||
      strcmp(name, "gpd.client.identity") != 0) {
    return failed(params, 12);
  }
  len = sizeof name;
  if (TEE_GetPropertyName(e, name, &len) != TEE_SUCCESS || strncmp(name, "gpd.tee.", 8) != 0) {
    return failed(params, 13);
  }
  TEE_FreePropertyEnumerator(e);
  TEE_FreePropertyEnumerator(f);
  TEE_FreePropertyEnumerator(TEE_HANDLE_NULL); /* nothing to free: no panic */
  params[0].value.a = 0;
  return TEE_SUCCESS;
}

static TEE_Result panic_on_purpose(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
                            TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  TEE_PropSetHandle bogus = (TEE_PropSetHandle)(uintptr_t)0x1234;
  TEE_PropSetHandle e = TEE_HANDLE_NULL;
  uint32_t u = 0;
  char name[64];
  ta_size_t len = sizeof name;
  TEE_Time t = {0, 1000};
  switch (params[0].value.a) {
    case GP_PROPS_PANIC_BOGUS_HANDLE:
      (void)TEE_GetPropertyAsU32(bogus, "gpd.ta.dataSize", &u);
      break;
    case GP_PROPS_PANIC_FREED_ENUMERATOR:
      if (TEE_AllocatePropertyEnumerator(&e) == TEE_SUCCESS) {
        TEE_FreePropertyEnumerator(e);
        TEE_StartPropertyEnumerator(e, TEE_PROPSET_CURRENT_TA);
      }
      break;
    case GP_PROPS_PANIC_START_ON_BOGUS_SET:
      if (TEE_AllocatePropertyEnumerator(&e) == TEE_SUCCESS) {
        TEE_StartPropertyEnumerator(e, bogus);
      }
      break;
    case GP_PROPS_PANIC_NULL_VALUE:
      (void)TEE_GetPropertyAsBool(TEE_PROPSET_CURRENT_TA, "gpd.ta.singleInstance", NULL);
      break;
    case GP_PROPS_PANIC_NULL_NAME:
      (void)TEE_GetPropertyAsU32(TEE_PROPSET_CURRENT_TA, NULL, &u);
      break;
    case GP_PROPS_PANIC_NAME_OF_PSEUDO_HANDLE:
      (void)TEE_GetPropertyName(TEE_PROPSET_CURRENT_TA, name, &len);
      break;
    case GP_PROPS_PANIC_FREE_BOGUS:
      TEE_FreePropertyEnumerator(bogus);
      break;
    case GP_PROPS_PANIC_TIME_MILLIS_1000:
      (void)TEE_SetTAPersistentTime(&t);
      break;
    default:
      return TEE_ERROR_BAD_PARAMETERS;
  }
  return TEE_SUCCESS; /* not reached: each call above panics */
}

static TEE_Result time_get(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  TEE_Time t = {12345, 678}; /* must be overwritten */
  params[0].value.a = TEE_GetTAPersistentTime(&t);
  params[0].value.b = t.seconds;
  params[1].value.a = t.millis;
  params[1].value.b = 0;
  return TEE_SUCCESS;
}

static TEE_Result time_set(uint32_t pt, TEE_Param params[4]) {
  if (pt != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT,
                            TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  TEE_Time t = {params[0].value.a, params[0].value.b};
  params[1].value.a = TEE_SetTAPersistentTime(&t);
  params[1].value.b = 0;
  return TEE_SUCCESS;
}

TEE_Result TA_InvokeCommandEntryPoint(void __unused *sess_ctx, uint32_t cmd, uint32_t pt,
                                      TEE_Param params[4]) {
  switch (cmd) {
    case GP_PROPS_CMD_GET:
      return get(pt, params);
    case GP_PROPS_CMD_GET_NTH:
      return get_nth(pt, params);
    case GP_PROPS_CMD_ENUMERATE:
      return enumerate(pt, params);
    case GP_PROPS_CMD_ENUMERATOR_RULES:
      return enumerator_rules(pt, params);
    case GP_PROPS_CMD_PANIC:
      return panic_on_purpose(pt, params);
    case GP_PROPS_CMD_TIME_GET:
      return time_get(pt, params);
    case GP_PROPS_CMD_TIME_SET:
      return time_set(pt, params);
    default:
      return TEE_ERROR_NOT_SUPPORTED;
  }
}
