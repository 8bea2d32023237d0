#include "ta_sessions_params.hpp"

#include <algorithm>
#include <cstring>

#include "IGPSession.h"
#include "captee/memory.hpp"
#include "tee_internal_api.h"

namespace captee::gp_ta {
namespace {

bool is_memref(uint32_t t) {
  return t == TEE_PARAM_TYPE_MEMREF_INPUT || t == TEE_PARAM_TYPE_MEMREF_OUTPUT ||
         t == TEE_PARAM_TYPE_MEMREF_INOUT;
}

// The rights a memref of type `t` needs of the caller's buffer. ANY_OWNER:
// a TA may pass on memory its client shares with it for the current call.
uint32_t rights_for(uint32_t t) {
  uint32_t r = TEE_MEMORY_ACCESS_ANY_OWNER;
  if (t != TEE_PARAM_TYPE_MEMREF_OUTPUT) {
    r |= TEE_MEMORY_ACCESS_READ;
  }
  if (t != TEE_PARAM_TYPE_MEMREF_INPUT) {
    r |= TEE_MEMORY_ACCESS_WRITE;
  }
  return r;
}

}  // namespace

TEE_Result OutgoingParams::build(uint32_t types, const TEE_Param *params) {
  types_ = types;
  if ((types >> 16) != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);  // only four 4-bit fields exist
  }
  if (types != 0 && params == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  for (unsigned n = 0; n < 4; ++n) {
    const uint32_t t = TEE_PARAM_TYPE_GET(types, n);
    switch (t) {
      case TEE_PARAM_TYPE_NONE:
        break;
      case TEE_PARAM_TYPE_VALUE_INPUT:
      case TEE_PARAM_TYPE_VALUE_INOUT:
        std::memcpy(values_[n].data(), &params[n].value, 8);
        in_[n] = values_[n];
        if (t == TEE_PARAM_TYPE_VALUE_INOUT) {
          out_[n] = values_[n];
        }
        break;
      case TEE_PARAM_TYPE_VALUE_OUTPUT:
        out_[n] = values_[n];
        break;
      case TEE_PARAM_TYPE_MEMREF_INPUT:
      case TEE_PARAM_TYPE_MEMREF_OUTPUT:
      case TEE_PARAM_TYPE_MEMREF_INOUT: {
        void *buffer = params[n].memref.buffer;
        const size_t size = params[n].memref.size;
        if (buffer == nullptr) {
          // A null memref: the callee may still say how much it needs.
          ex_types_ |= TEE_EX_PARAM_TYPE_MEMREF_NULL << (4 * n);
          break;
        }
        if (TEE_CheckMemoryAccessRights(rights_for(t), buffer, size) != TEE_SUCCESS) {
          TEE_Panic(TEE_ERROR_ACCESS_DENIED);  // not this TA's to pass on
        }
        // An output's old bytes are not the callee's business: it gets zeros.
        const bool send_bytes = t != TEE_PARAM_TYPE_MEMREF_OUTPUT;
        if (size <= kInlineMax) {
          bufs_[n].assign(size, std::byte{0});
          if (send_bytes && size != 0) {
            std::memcpy(bufs_[n].data(), buffer, size);
          }
          in_[n] = bufs_[n];
          if (t != TEE_PARAM_TYPE_MEMREF_INPUT) {
            out_[n] = bufs_[n];  // the capacity the callee may fill, the same size
          }
          break;
        }
        Ref obj = MemoryObject::create(size, false, "captee-ta2ta");
        auto *mo = LocalObject::from_as<MemoryObject>(obj.get());
        if (mo == nullptr) {
          return TEE_ERROR_OUT_OF_MEMORY;
        }
        if (send_bytes) {
          std::memcpy(mo->bytes().data(), buffer, size);
        }
        IGPSession_MemoryObjectParameters mp{size, 0, 0xFF};
        bufs_[n].resize(sizeof mp);
        std::memcpy(bufs_[n].data(), &mp, sizeof mp);
        in_[n] = bufs_[n];
        mem_bytes_[n] = mo->bytes().data();
        mem_[n] = std::move(obj);
        break;
      }
      default:
        TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
  }
  for (unsigned n = 0; n < 4; ++n) {
    out_len_[n] = out_[n].size();
  }
  return TEE_SUCCESS;
}

void OutgoingParams::finish(TEE_Param *params) const {
  for (unsigned n = 0; n < 4; ++n) {
    const uint32_t t = TEE_PARAM_TYPE_GET(types_, n);
    if (t == TEE_PARAM_TYPE_VALUE_OUTPUT || t == TEE_PARAM_TYPE_VALUE_INOUT) {
      if (out_len_[n] == 8) {
        std::memcpy(&params[n].value, values_[n].data(), 8);
      }
      continue;
    }
    if (!is_memref(t) || t == TEE_PARAM_TYPE_MEMREF_INPUT) {
      continue;
    }
    // Whatever the callee says it produced is only a number: nothing goes
    // past the caller's buffer, and SHORT_BUFFER leaves the buffer alone.
    const size_t produced = out_size_[n];
    void *buffer = params[n].memref.buffer;
    const size_t size = params[n].memref.size;
    if (buffer != nullptr && produced <= size && produced != 0) {
      if (mem_[n]) {
        std::memcpy(buffer, mem_bytes_[n], produced);
      } else {
        std::memcpy(buffer, bufs_[n].data(), std::min(produced, out_len_[n]));
      }
    }
    params[n].memref.size = produced;
  }
}

}  // namespace captee::gp_ta
