// Conversions between the GP v1.1 forms of the API's types (32-bit sizes,
// tee_api_compat.h) and the v1.3.1 forms the runtime implements, shared by
// the __GP11_ functions (gp11_compat.cpp) and the v1.1 entry-point
// trampolines (gp11_entry.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "tee_api_types.h"

namespace captee::gp_ta {

// A v1.3.1 size reported back through a v1.1 uint32_t: saturates rather
// than wrapping, so a size too big to express never reads as a small one (a
// TA sizing a buffer from it then fails to allocate instead of overflowing).
inline uint32_t narrow_size(size_t v) {
  return v > std::numeric_limits<uint32_t>::max() ? std::numeric_limits<uint32_t>::max()
                                                  : static_cast<uint32_t>(v);
}

// The parameters of one call in v1.3.1 form from their v1.1 form, by type
// (parameters of type NONE are zeroed).
void params_from_gp11(uint32_t param_types, const __GP11_TEE_Param in[TEE_NUM_PARAMS],
                      TEE_Param out[TEE_NUM_PARAMS]);

// Back after the call: the output values and output memref sizes.
void params_to_gp11(uint32_t param_types, const TEE_Param in[TEE_NUM_PARAMS],
                    __GP11_TEE_Param out[TEE_NUM_PARAMS]);

// The other direction, for the entry points: false if a memref's size does
// not fit 32 bits (the v1.1 TA cannot be given it).
bool params_to_gp11_checked(uint32_t param_types, const TEE_Param in[TEE_NUM_PARAMS],
                            __GP11_TEE_Param out[TEE_NUM_PARAMS]);

// And back from the v1.1 TA: its output values and output memref sizes.
void params_from_gp11_outputs(uint32_t param_types, const __GP11_TEE_Param in[TEE_NUM_PARAMS],
                              TEE_Param out[TEE_NUM_PARAMS]);

}  // namespace captee::gp_ta
