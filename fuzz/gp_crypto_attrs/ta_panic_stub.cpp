// gp_runtime.cpp's process-wide functions for the fuzzer (ta_panic_stub.hpp).
#include "ta_panic_stub.hpp"

#include <cstdarg>
#include <cstdlib>
#include <cstring>

#include "call_state.hpp"
#include "captee/ta_sdk.h"
#include "current_client.hpp"
#include "tee_internal_api.h"
#include "user_ta_header.h"

extern "C" {

void TEE_Panic(TEE_Result panicCode) {
  throw TaPanicked{panicCode};
}

void captee_trace_printf(const char *, int, int, const char *, ...) {}

void *TEE_Malloc(size_t size, uint32_t) {
  return std::calloc(1, size == 0 ? 1 : size);
}

void *TEE_Realloc(void *buffer, size_t newSize) {
  return std::realloc(buffer, newSize == 0 ? 1 : newSize);
}

void TEE_Free(void *buffer) {
  std::free(buffer);
}

void *TEE_MemMove(void *dest, const void *src, size_t size) {
  return std::memmove(dest, src, size);
}

int32_t TEE_MemCompare(const void *buffer1, const void *buffer2, size_t size) {
  return std::memcmp(buffer1, buffer2, size);
}

void TEE_MemFill(void *buff, uint32_t x, size_t size) {
  std::memset(buff, static_cast<int>(x), size);
}

}  // extern "C"

// The rest of gp_runtime.cpp, reached through the v1.1 wrappers
// (gp11_compat.cpp wraps every function); none is called by the fuzzed code.
extern "C" {

bool TEE_GetCancellationFlag(void) {
  return false;
}
bool TEE_MaskCancellation(void) {
  return true;
}
bool TEE_UnmaskCancellation(void) {
  return true;
}
TEE_Result TEE_CheckMemoryAccessRights(uint32_t, void *, size_t) {
  return TEE_SUCCESS;
}
void TEE_GetSystemTime(TEE_Time *time) {
  *time = TEE_Time{};
}
void TEE_GetREETime(TEE_Time *time) {
  *time = TEE_Time{};
}
TEE_Result TEE_Wait(uint32_t) {
  return TEE_SUCCESS;
}

}  // extern "C"

namespace captee::gp_ta {

const TEE_Identity *current_client() {
  return nullptr;
}
CurrentCancellation current_cancellation() {
  return {};
}
void note_cancelled() {}
captee::gp::CallChain current_chain() {
  return {};
}

}  // namespace captee::gp_ta

// What a TA provides (its manifest, ta_header.cpp; its property table,
// ta_properties.c), which the property family the wrappers reach names.
extern "C" {
extern const captee_ta_manifest captee_ta_manifest_data;
const captee_ta_manifest captee_ta_manifest_data{};
const struct user_ta_property ta_props[1] = {};
const size_t ta_num_props = 0;
}
