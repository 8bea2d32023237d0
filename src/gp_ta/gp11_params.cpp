// GP v1.1 <-> v1.3.1 parameter conversions (gp11_params.hpp).
#include "gp11_params.hpp"

#include "tee_api_defines.h"

namespace captee::gp_ta {
namespace {

bool is_value(uint32_t t) {
  return t == TEE_PARAM_TYPE_VALUE_INPUT || t == TEE_PARAM_TYPE_VALUE_OUTPUT ||
         t == TEE_PARAM_TYPE_VALUE_INOUT;
}

bool is_memref(uint32_t t) {
  return t == TEE_PARAM_TYPE_MEMREF_INPUT || t == TEE_PARAM_TYPE_MEMREF_OUTPUT ||
         t == TEE_PARAM_TYPE_MEMREF_INOUT;
}

bool is_output(uint32_t t) {
  return t == TEE_PARAM_TYPE_VALUE_OUTPUT || t == TEE_PARAM_TYPE_VALUE_INOUT ||
         t == TEE_PARAM_TYPE_MEMREF_OUTPUT || t == TEE_PARAM_TYPE_MEMREF_INOUT;
}

}  // namespace

void params_from_gp11(uint32_t param_types, const __GP11_TEE_Param in[TEE_NUM_PARAMS],
                      TEE_Param out[TEE_NUM_PARAMS]) {
  for (unsigned n = 0; n < TEE_NUM_PARAMS; ++n) {
    const uint32_t t = TEE_PARAM_TYPE_GET(param_types, n);
    out[n] = TEE_Param{};
    if (is_value(t)) {
      out[n].value.a = in[n].value.a;
      out[n].value.b = in[n].value.b;
    } else if (is_memref(t)) {
      out[n].memref.buffer = in[n].memref.buffer;
      out[n].memref.size = in[n].memref.size;
    }
  }
}

void params_to_gp11(uint32_t param_types, const TEE_Param in[TEE_NUM_PARAMS],
                    __GP11_TEE_Param out[TEE_NUM_PARAMS]) {
  for (unsigned n = 0; n < TEE_NUM_PARAMS; ++n) {
    const uint32_t t = TEE_PARAM_TYPE_GET(param_types, n);
    if (!is_output(t)) {
      continue;
    }
    if (is_value(t)) {
      out[n].value.a = in[n].value.a;
      out[n].value.b = in[n].value.b;
    } else {
      out[n].memref.size = narrow_size(in[n].memref.size);
    }
  }
}

bool params_to_gp11_checked(uint32_t param_types, const TEE_Param in[TEE_NUM_PARAMS],
                            __GP11_TEE_Param out[TEE_NUM_PARAMS]) {
  for (unsigned n = 0; n < TEE_NUM_PARAMS; ++n) {
    const uint32_t t = TEE_PARAM_TYPE_GET(param_types, n);
    out[n] = __GP11_TEE_Param{};
    if (is_value(t)) {
      out[n].value.a = in[n].value.a;
      out[n].value.b = in[n].value.b;
    } else if (is_memref(t)) {
      if (in[n].memref.size > UINT32_MAX) {
        return false;
      }
      out[n].memref.buffer = in[n].memref.buffer;
      out[n].memref.size = static_cast<uint32_t>(in[n].memref.size);
    }
  }
  return true;
}

void params_from_gp11_outputs(uint32_t param_types, const __GP11_TEE_Param in[TEE_NUM_PARAMS],
                              TEE_Param out[TEE_NUM_PARAMS]) {
  for (unsigned n = 0; n < TEE_NUM_PARAMS; ++n) {
    const uint32_t t = TEE_PARAM_TYPE_GET(param_types, n);
    if (!is_output(t)) {
      continue;
    }
    if (is_value(t)) {
      out[n].value.a = in[n].value.a;
      out[n].value.b = in[n].value.b;
    } else {
      out[n].memref.size = in[n].memref.size;
    }
  }
}

}  // namespace captee::gp_ta
