/* C11 compile-time check of every tee_client_api.h value against OP-TEE's
 * header (spec gp-tee-client-api.md), and that the OP-TEE field names exist. */
#include <stddef.h>
#include <tee_client_api.h>

#define CHECK(name, value) _Static_assert((name) == (value), #name)

CHECK(TEEC_CONFIG_PAYLOAD_REF_COUNT, 4);
CHECK(TEEC_NONE, 0x0);
CHECK(TEEC_VALUE_INPUT, 0x1);
CHECK(TEEC_VALUE_OUTPUT, 0x2);
CHECK(TEEC_VALUE_INOUT, 0x3);
CHECK(TEEC_MEMREF_TEMP_INPUT, 0x5);
CHECK(TEEC_MEMREF_TEMP_OUTPUT, 0x6);
CHECK(TEEC_MEMREF_TEMP_INOUT, 0x7);
CHECK(TEEC_MEMREF_WHOLE, 0xC);
CHECK(TEEC_MEMREF_PARTIAL_INPUT, 0xD);
CHECK(TEEC_MEMREF_PARTIAL_OUTPUT, 0xE);
CHECK(TEEC_MEMREF_PARTIAL_INOUT, 0xF);
CHECK(TEEC_MEM_INPUT, 1);
CHECK(TEEC_MEM_OUTPUT, 2);
CHECK(TEEC_SUCCESS, 0);
CHECK(TEEC_ERROR_STORAGE_NOT_AVAILABLE, 0xF0100003u);
CHECK(TEEC_ERROR_GENERIC, 0xFFFF0000u);
CHECK(TEEC_ERROR_ACCESS_DENIED, 0xFFFF0001u);
CHECK(TEEC_ERROR_CANCEL, 0xFFFF0002u);
CHECK(TEEC_ERROR_ACCESS_CONFLICT, 0xFFFF0003u);
CHECK(TEEC_ERROR_EXCESS_DATA, 0xFFFF0004u);
CHECK(TEEC_ERROR_BAD_FORMAT, 0xFFFF0005u);
CHECK(TEEC_ERROR_BAD_PARAMETERS, 0xFFFF0006u);
CHECK(TEEC_ERROR_BAD_STATE, 0xFFFF0007u);
CHECK(TEEC_ERROR_ITEM_NOT_FOUND, 0xFFFF0008u);
CHECK(TEEC_ERROR_NOT_IMPLEMENTED, 0xFFFF0009u);
CHECK(TEEC_ERROR_NOT_SUPPORTED, 0xFFFF000Au);
CHECK(TEEC_ERROR_NO_DATA, 0xFFFF000Bu);
CHECK(TEEC_ERROR_OUT_OF_MEMORY, 0xFFFF000Cu);
CHECK(TEEC_ERROR_BUSY, 0xFFFF000Du);
CHECK(TEEC_ERROR_COMMUNICATION, 0xFFFF000Eu);
CHECK(TEEC_ERROR_SECURITY, 0xFFFF000Fu);
CHECK(TEEC_ERROR_SHORT_BUFFER, 0xFFFF0010u);
CHECK(TEEC_ERROR_EXTERNAL_CANCEL, 0xFFFF0011u);
CHECK(TEEC_ERROR_TARGET_DEAD, 0xFFFF3024u);
CHECK(TEEC_ERROR_STORAGE_NO_SPACE, 0xFFFF3041u);
CHECK(TEEC_ORIGIN_API, 1);
CHECK(TEEC_ORIGIN_COMMS, 2);
CHECK(TEEC_ORIGIN_TEE, 3);
CHECK(TEEC_ORIGIN_TRUSTED_APP, 4);
CHECK(TEEC_LOGIN_PUBLIC, 0);
CHECK(TEEC_LOGIN_USER, 1);
CHECK(TEEC_LOGIN_GROUP, 2);
CHECK(TEEC_LOGIN_APPLICATION, 4);
CHECK(TEEC_LOGIN_USER_APPLICATION, 5);
CHECK(TEEC_LOGIN_GROUP_APPLICATION, 6);
CHECK(TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_MEMREF_WHOLE,
                       TEEC_MEMREF_PARTIAL_INOUT),
      0xFC61);
CHECK(TEEC_PARAM_TYPE_GET(0xFC61, 0), 1);
CHECK(TEEC_PARAM_TYPE_GET(0xFC61, 1), 6);
CHECK(TEEC_PARAM_TYPE_GET(0xFC61, 2), 0xC);
CHECK(TEEC_PARAM_TYPE_GET(0xFC61, 3), 0xF);
_Static_assert(sizeof(TEEC_UUID) == 16, "TEEC_UUID");
_Static_assert(offsetof(TEEC_UUID, clockSeqAndNode) == 8, "TEEC_UUID layout");
_Static_assert(sizeof(TEEC_Value) == 8, "TEEC_Value");
_Static_assert(offsetof(TEEC_Operation, started) == 0, "TEEC_Operation.started");
_Static_assert(offsetof(TEEC_Operation, paramTypes) == 4, "TEEC_Operation.paramTypes");
_Static_assert(sizeof(((TEEC_Operation *)0)->params) / sizeof(TEEC_Parameter) == 4,
               "TEEC_Operation.params");
_Static_assert(offsetof(TEEC_SharedMemory, buffer) == 0, "TEEC_SharedMemory.buffer");
_Static_assert(sizeof(((TEEC_SharedMemory *)0)->size) == sizeof(size_t), "size");
_Static_assert(sizeof(((TEEC_SharedMemory *)0)->flags) == 4, "flags");
_Static_assert(offsetof(TEEC_RegisteredMemoryReference, parent) == 0, "memref.parent");
_Static_assert(sizeof(((TEEC_Parameter *)0)->tmpref.size) == sizeof(size_t), "tmpref.size");
_Static_assert(sizeof(((TEEC_Parameter *)0)->memref.offset) == sizeof(size_t), "memref.offset");

int teec_header_values_checked(void) {
  return 1;
}
