#include "operation.hpp"

#include <cstring>

namespace captee::teec {
namespace {

bool is_output_temp(uint32_t t) {
  return t == TEEC_MEMREF_TEMP_OUTPUT || t == TEEC_MEMREF_TEMP_INOUT;
}

bool is_output_partial(uint32_t t) {
  return t == TEEC_MEMREF_PARTIAL_OUTPUT || t == TEEC_MEMREF_PARTIAL_INOUT;
}

}  // namespace

OperationParams::~OperationParams() {
  for (Ref &obj : call_obj_) {
    if (obj && pool_ != nullptr) {
      pool_->give(std::move(obj));
    }
  }
}

TEEC_Result OperationParams::marshal(const TEEC_Context *ctx, TEEC_Operation *op,
                                     uint32_t *origin) {
  *origin = TEEC_ORIGIN_API;
  if (op == nullptr) {
    return TEEC_SUCCESS;
  }
  if ((op->paramTypes & 0xFFFF0000u) != 0) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  for (unsigned n = 0; n < 4; ++n) {
    uint32_t t = TEEC_PARAM_TYPE_GET(op->paramTypes, n);
    TEEC_Parameter &p = op->params[n];
    uint32_t sent = t;
    switch (t) {
      case TEEC_NONE:
        break;
      case TEEC_VALUE_INPUT:
      case TEEC_VALUE_OUTPUT:
      case TEEC_VALUE_INOUT:
        if (t & TEEC_VALUE_INPUT) {
          in_ptr[n] = &p.value;
          in_len[n] = sizeof p.value;
        }
        if (t & TEEC_VALUE_OUTPUT) {
          out_ptr[n] = &p.value;
          out_len[n] = sizeof p.value;
        }
        break;
      case TEEC_MEMREF_TEMP_INPUT:
      case TEEC_MEMREF_TEMP_OUTPUT:
      case TEEC_MEMREF_TEMP_INOUT:
        if (p.tmpref.buffer == nullptr) {
          // A size query: only the size travels (MEMREF_NULL), no bytes.
          ex_param_types |= TEE_EX_PARAM_TYPE_MEMREF_NULL << (4 * n);
          break;
        }
        if (p.tmpref.size > kMaxSharedMemory) {
          return TEEC_ERROR_BAD_PARAMETERS;
        }
        if (p.tmpref.size > kInlineMax) {
          if (TEEC_Result r = temp_object(n, t, p.tmpref); r != TEEC_SUCCESS) {
            *origin = TEEC_ORIGIN_COMMS;
            return r;
          }
          break;
        }
        in_ptr[n] = p.tmpref.buffer;
        in_len[n] = p.tmpref.size;
        if (t != TEEC_MEMREF_TEMP_INPUT) {
          out_ptr[n] = p.tmpref.buffer;
          out_len[n] = p.tmpref.size;
        }
        break;
      case TEEC_MEMREF_WHOLE:
      case TEEC_MEMREF_PARTIAL_INPUT:
      case TEEC_MEMREF_PARTIAL_OUTPUT:
      case TEEC_MEMREF_PARTIAL_INOUT:
        if (TEEC_Result r = memref(n, t, p, ctx, sent); r != TEEC_SUCCESS) {
          return r;
        }
        break;
      default:
        return TEEC_ERROR_BAD_PARAMETERS;
    }
    param_types |= sent << (4 * n);
  }
  return TEEC_SUCCESS;
}

TEEC_Result OperationParams::memref(unsigned n, uint32_t t, TEEC_Parameter &p,
                                    const TEEC_Context *ctx, uint32_t &sent) {
  const TEEC_SharedMemory *shm = p.memref.parent;
  if (shm == nullptr || shm->imp.ctx != ctx || shm->imp.kind == 0) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  size_t offset = 0;
  size_t size = shm->size;
  bool in = false;
  bool out = false;
  if (t == TEEC_MEMREF_WHOLE) {
    in = (shm->flags & TEEC_MEM_INPUT) != 0;
    out = (shm->flags & TEEC_MEM_OUTPUT) != 0;
    sent = 4u | (shm->flags & 3u);
  } else {
    // OP-TEE's direction check: the memory must allow what the memref does.
    in = (t & TEEC_VALUE_INPUT) != 0;
    out = (t & TEEC_VALUE_OUTPUT) != 0;
    if ((in && !(shm->flags & TEEC_MEM_INPUT)) || (out && !(shm->flags & TEEC_MEM_OUTPUT))) {
      return TEEC_ERROR_BAD_PARAMETERS;
    }
    size_t end = 0;
    if (__builtin_add_overflow(p.memref.offset, p.memref.size, &end) || end > shm->size) {
      return TEEC_ERROR_BAD_PARAMETERS;
    }
    offset = p.memref.offset;
    size = p.memref.size;
    sent = t & 7u;
  }
  if (shm->imp.shadow != nullptr) {
    // Registered memory with a shadow: OP-TEE's shadow-buffer rules (copy
    // the window in for input directions, the produced bytes out after).
    uint8_t *client = static_cast<uint8_t *>(shm->buffer) + offset;
    uint8_t *shadow = static_cast<uint8_t *>(shm->imp.shadow) + offset;
    if (in && size != 0) {
      std::memcpy(shadow, client, size);
    }
    if (out) {
      copy_back_from_[n] = shadow;
      copy_back_to_[n] = client;
      window_[n] = size;
    }
    send_object(n, shm->imp.mem_obj, size, offset);
    return TEEC_SUCCESS;
  }
  if (!Object_isNull(shm->imp.mem_obj)) {
    send_object(n, shm->imp.mem_obj, size, offset);  // zero-copy: the TA maps the same pages
    return TEEC_SUCCESS;
  }
  // Small registered memory (or a zero-length allocation): inline.
  auto *base = static_cast<uint8_t *>(shm->buffer);
  uint8_t *ptr = base == nullptr ? nullptr : base + offset;
  in_ptr[n] = ptr;
  in_len[n] = ptr == nullptr ? 0 : size;
  if (out) {
    out_ptr[n] = ptr;
    out_len[n] = ptr == nullptr ? 0 : size;
  }
  return TEEC_SUCCESS;
}

TEEC_Result OperationParams::temp_object(unsigned n, uint32_t t, TEEC_TempMemoryReference &tmp) {
  uint8_t *bytes = nullptr;
  Ref obj = pool_ != nullptr ? pool_->take(tmp.size, &bytes) : CallMemory::make(tmp.size, &bytes);
  if (!obj) {
    return TEEC_ERROR_OUT_OF_MEMORY;
  }
  if (t != TEEC_MEMREF_TEMP_OUTPUT) {
    std::memcpy(bytes, tmp.buffer, tmp.size);
  }
  if (t != TEEC_MEMREF_TEMP_INPUT) {
    copy_back_from_[n] = bytes;
    copy_back_to_[n] = static_cast<uint8_t *>(tmp.buffer);
    window_[n] = tmp.size;
  }
  send_object(n, obj.get(), tmp.size, 0);
  call_obj_[n] = std::move(obj);
  return TEEC_SUCCESS;
}

void OperationParams::send_object(unsigned n, Object obj, size_t size, size_t offset) {
  mem[n] = obj;
  mem_params_[n] = {size, offset, 0};
  in_ptr[n] = &mem_params_[n];
  in_len[n] = sizeof mem_params_[n];
}

void OperationParams::finish(TEEC_Operation *op, const uint32_t out_sz[4]) {
  if (op == nullptr) {
    return;
  }
  for (unsigned n = 0; n < 4; ++n) {
    uint32_t t = TEEC_PARAM_TYPE_GET(op->paramTypes, n);
    TEEC_Parameter &p = op->params[n];
    size_t *size = nullptr;
    if (is_output_temp(t)) {
      size = &p.tmpref.size;
      bool memref_null = ((ex_param_types >> (4 * n)) & 0xF) == TEE_EX_PARAM_TYPE_MEMREF_NULL;
      if (!memref_null) {
        *size = out_got[n];
      }
    } else if (is_output_partial(t) || (t == TEEC_MEMREF_WHOLE && p.memref.parent != nullptr &&
                                        (p.memref.parent->flags & TEEC_MEM_OUTPUT))) {
      size = &p.memref.size;
      *size = out_got[n];
    } else {
      continue;
    }
    if (out_sz[n] != 0) {
      *size = out_sz[n];
    }
    // As OP-TEE's shadow buffers: only what the TA produced, and only if it
    // fits the window (SHORT_BUFFER leaves the client's bytes alone).
    if (copy_back_from_[n] != nullptr && *size != 0 && *size <= window_[n]) {
      std::memcpy(copy_back_to_[n], copy_back_from_[n], *size);
    }
  }
}

}  // namespace captee::teec
