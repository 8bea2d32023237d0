// One TEEC_Operation in the IGPSession / IGPAppClient argument layout (spec
// mink-interfaces §8.6): what goes in iN, oN and imemN, and what comes back.
//
// Where a memref's bytes travel:
//  - values, temporary memrefs up to kInlineMax bytes and registered memory
//    up to kInlineMax bytes: inline, copied by the channel;
//  - allocated shared memory: its memory object (zero-copy, the TA maps the
//    same pages);
//  - registered memory over kInlineMax: its shadow memory object. The bytes
//    the memref names are copied from the client buffer into the shadow
//    before the call (input directions) and the bytes the TA produced back
//    after it (output directions), with OP-TEE's shadow-buffer rules;
//  - temporary memrefs over kInlineMax: a memory object for the call (from
//    the session's CallMemory), filled and drained the same way
//    (libminkteec converts them likewise).
#pragma once

#include <cstddef>
#include <cstdint>

#include "IGPSession.h"
#include "call_memory.hpp"
#include "captee/object.hpp"
#include "tee_client_api.h"

namespace captee::teec {

// libminkteec's TEEC_SHM_MAX_HEAP_SZ: memrefs up to this size travel inline.
inline constexpr size_t kInlineMax = 0x1000;
// libminkteec's TEEC_CONFIG_SHAREDMEM_MAX_SIZE.
inline constexpr size_t kMaxSharedMemory = 16u << 20;

// Not thread-safe; one per call, on the calling thread's stack.
class OperationParams {
 public:
  // `pool` (borrowed, may be null: then call objects are not recycled)
  // provides the memory objects of large temporary memrefs.
  explicit OperationParams(CallMemory *pool) : pool_(pool) {}
  // Hands the call objects back to the pool.
  ~OperationParams();
  OperationParams(const OperationParams &) = delete;
  OperationParams &operator=(const OperationParams &) = delete;

  // The API checks of §8.5 step 1 and the mapping of §8.6 for `op` (NULL: no
  // parameters), including the copy into shadows and call objects.
  // TEEC_SUCCESS; BAD_PARAMETERS (origin API) for a malformed operation;
  // OUT_OF_MEMORY (origin COMMS) if a call object cannot be made.
  TEEC_Result marshal(const TEEC_Context *ctx, TEEC_Operation *op, uint32_t *origin);

  // After a call that reached the TEE: writes the output sizes into `op`
  // (the oN length, then memrefOutSzN if non-zero) and copies what the TA
  // produced from shadows and call objects back to the client's buffers.
  void finish(TEEC_Operation *op, const uint32_t out_sz[4]);

  uint32_t param_types = 0;
  uint32_t ex_param_types = 0;
  const void *in_ptr[4] = {};
  size_t in_len[4] = {};
  void *out_ptr[4] = {};
  size_t out_len[4] = {};  // capacities; the stub stores the produced sizes in out_got
  size_t out_got[4] = {};
  Object mem[4] = {Object_NULL, Object_NULL, Object_NULL, Object_NULL};  // borrowed

 private:
  TEEC_Result memref(unsigned n, uint32_t t, TEEC_Parameter &p, const TEEC_Context *ctx,
                     uint32_t &sent);
  TEEC_Result temp_object(unsigned n, uint32_t t, TEEC_TempMemoryReference &tmp);
  void send_object(unsigned n, Object obj, size_t size, size_t offset);

  CallMemory *pool_;
  IGPSession_MemoryObjectParameters mem_params_[4] = {};
  Ref call_obj_[4];                  // memory objects of large temporary memrefs
  uint8_t *copy_back_from_[4] = {};  // shadow or call object bytes at the memref's offset
  uint8_t *copy_back_to_[4] = {};    // the client's bytes at the same offset
  size_t window_[4] = {};            // the memref's size when the call started
};

}  // namespace captee::teec
