#include "operation.hpp"

#include <unistd.h>

#include <cstring>

#include "shared_memory_use.hpp"

namespace captee::teec {
namespace {

bool is_output_temp(uint32_t t) {
  return t == TEEC_MEMREF_TEMP_OUTPUT || t == TEEC_MEMREF_TEMP_INOUT;
}

bool is_output_partial(uint32_t t) {
  return t == TEEC_MEMREF_PARTIAL_OUTPUT || t == TEEC_MEMREF_PARTIAL_INOUT;
}

// Whether the window [offset, offset + size) of `total` bytes touches every
// page of them: then handing over the whole object shows the TA nothing but
// the window's pages.
bool covers_every_page(size_t offset, size_t size, size_t total) {
  static const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return size != 0 && total != 0 && offset < page && offset + size > (total - 1) / page * page;
}

}  // namespace

OperationParams::~OperationParams() {
  for (unsigned n = 0; n < 4; ++n) {
    if (call_obj_[n] && pool_ != nullptr) {
      pool_->give(std::move(call_obj_[n]), call_filled_[n]);
    }
  }
  for (TEEC_SharedMemory *shm : held_) {
    if (shm != nullptr) {
      give_use(shm);
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
        if (TEEC_Result r = copied(n, static_cast<uint8_t *>(p.tmpref.buffer), p.tmpref.size,
                                   t != TEEC_MEMREF_TEMP_OUTPUT, t != TEEC_MEMREF_TEMP_INPUT);
            r != TEEC_SUCCESS) {
          *origin = TEEC_ORIGIN_COMMS;
          return r;
        }
        break;
      case TEEC_MEMREF_WHOLE:
      case TEEC_MEMREF_PARTIAL_INPUT:
      case TEEC_MEMREF_PARTIAL_OUTPUT:
      case TEEC_MEMREF_PARTIAL_INOUT:
        if (TEEC_Result r = memref(n, t, p, ctx, sent); r != TEEC_SUCCESS) {
          if (r == TEEC_ERROR_OUT_OF_MEMORY) {
            *origin = TEEC_ORIGIN_COMMS;
          }
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
  TEEC_SharedMemory *shm = p.memref.parent;
  SharedMemoryView view;
  if (shm == nullptr || !take_use(shm, ctx, &view)) {
    return TEEC_ERROR_BAD_PARAMETERS;
  }
  held_[n] = shm;  // until destruction, after the copy-back
  size_t offset = 0;
  size_t size = view.size;
  bool in = false;
  bool out = false;
  if (t == TEEC_MEMREF_WHOLE) {
    in = (view.flags & TEEC_MEM_INPUT) != 0;
    out = (view.flags & TEEC_MEM_OUTPUT) != 0;
    sent = 4u | (view.flags & 3u);
  } else {
    // OP-TEE's direction check: the memory must allow what the memref does.
    in = (t & TEEC_VALUE_INPUT) != 0;
    out = (t & TEEC_VALUE_OUTPUT) != 0;
    if ((in && !(view.flags & TEEC_MEM_INPUT)) || (out && !(view.flags & TEEC_MEM_OUTPUT))) {
      return TEEC_ERROR_BAD_PARAMETERS;
    }
    size_t end = 0;
    if (__builtin_add_overflow(p.memref.offset, p.memref.size, &end) || end > view.size) {
      return TEEC_ERROR_BAD_PARAMETERS;
    }
    offset = p.memref.offset;
    size = p.memref.size;
    sent = t & 7u;
  }
  if (!Object_isNull(view.mem_obj) && covers_every_page(offset, size, view.size)) {
    // Allocated memory named whole: the client's own object, every page of
    // it under the window. Zero-copy: the TA maps the same pages.
    send_object(n, view.mem_obj, size, offset);
    return TEEC_SUCCESS;
  }
  // Registered memory, or a window over only some pages of allocated
  // memory: the TA gets a copy of the window, never the rest.
  uint8_t *client = view.buffer == nullptr ? nullptr : view.buffer + offset;
  return copied(n, client, size, in, out);
}

TEEC_Result OperationParams::copied(unsigned n, uint8_t *client, size_t size, bool in, bool out) {
  if (size <= kInlineMax || client == nullptr) {
    // As libminkteec: the window travels with the call (also for output
    // directions, whose size the TA takes from it).
    in_ptr[n] = client;
    in_len[n] = client == nullptr ? 0 : size;
    if (out) {
      out_ptr[n] = client;
      out_len[n] = client == nullptr ? 0 : size;
    }
    return TEEC_SUCCESS;
  }
  uint8_t *bytes = nullptr;
  const void *fill = in ? client : nullptr;
  Ref obj =
      pool_ != nullptr ? pool_->take(size, fill, &bytes) : CallMemory::make(size, fill, &bytes);
  if (!obj) {
    return TEEC_ERROR_OUT_OF_MEMORY;
  }
  if (out) {
    copy_back_from_[n] = bytes;
    copy_back_to_[n] = client;
    window_[n] = size;
  }
  send_object(n, obj.get(), size, 0);
  call_obj_[n] = std::move(obj);
  call_filled_[n] = in ? size : 0;
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
    } else if (is_output_partial(t) || (t == TEEC_MEMREF_WHOLE &&
                                        (TEEC_PARAM_TYPE_GET(param_types, n) & TEEC_MEM_OUTPUT))) {
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
