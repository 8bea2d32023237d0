// One TEEC_Operation in the IGPSession / IGPAppClient argument layout (spec
// mink-interfaces §8.6): what goes in iN, oN and imemN, and what comes back.
//
// A TA is handed the bytes a memref names and no others (issue 20 finding 6,
// decision 0009). Where a memref's bytes travel:
//  - values, and every memref that is copied (below) of up to kInlineMax
//    bytes: inline, copied by the channel;
//  - allocated shared memory named whole (MEMREF_WHOLE, or a PARTIAL window
//    over every page of it): its memory object, zero-copy (the TA maps the
//    same pages; bytes beside the window on those pages are visible, as in
//    OP-TEE);
//  - everything else over kInlineMax (temporary memrefs, registered memory,
//    a PARTIAL window of allocated memory over fewer pages): a memory object
//    for the call (from the session's CallMemory) holding a copy of the
//    window and nothing a client passed before. The window is copied in
//    before the call for input directions, and the bytes the TA produced
//    back after it for output directions, with OP-TEE's shadow-buffer rules
//    (libminkteec converts temporary memrefs likewise).
//
// Every TEEC_SharedMemory a memref names is held (shared_memory_use.hpp) from
// marshal() until destruction, so a release on another thread waits for the
// copy-back instead of freeing memory under it.
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
  // provides the memory objects of copied memrefs.
  explicit OperationParams(CallMemory *pool) : pool_(pool) {}
  // Hands the call objects back to the pool, then gives back the uses of the
  // shared memory the operation names.
  ~OperationParams();
  OperationParams(const OperationParams &) = delete;
  OperationParams &operator=(const OperationParams &) = delete;

  // The API checks of §8.5 step 1 and the mapping of §8.6 for `op` (NULL: no
  // parameters), including the copy into call objects. TEEC_SUCCESS;
  // BAD_PARAMETERS (origin API) for a malformed operation or shared memory
  // that is released or being released; OUT_OF_MEMORY (origin COMMS) if a
  // call object cannot be made. Call once.
  TEEC_Result marshal(const TEEC_Context *ctx, TEEC_Operation *op, uint32_t *origin);

  // After a call that reached the TEE: writes the output sizes into `op`
  // (the oN length, then memrefOutSzN if non-zero) and copies what the TA
  // produced from call objects back to the client's buffers.
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
  // A memref whose window [client, client + size) travels as a copy: inline,
  // or in a call object.
  TEEC_Result copied(unsigned n, uint8_t *client, size_t size, bool in, bool out);
  void send_object(unsigned n, Object obj, size_t size, size_t offset);

  CallMemory *pool_;
  IGPSession_MemoryObjectParameters mem_params_[4] = {};
  Ref call_obj_[4];                  // memory objects of copied memrefs
  size_t call_filled_[4] = {};       // bytes of call_obj_[n] copied from the client
  uint8_t *copy_back_from_[4] = {};  // call object bytes of the window
  uint8_t *copy_back_to_[4] = {};    // the client's bytes of the window
  size_t window_[4] = {};            // the memref's size when the call started
  TEEC_SharedMemory *held_[4] = {};  // shared memory whose use this call holds
};

}  // namespace captee::teec
