// GP parameters between the Mink IGPSession / IGPAppClient argument layout and
// a TA's TEE_Param[4].
//
// A GP TA sees four TEE_Params; on the wire they are four input buffers (iN),
// four output buffers (oN) and four optional memory objects (memN), as spec
// mink-interfaces §8.6 lays them out. Both places that run GP entry points
// need the same translation: the GP runtime inside captee-tahost and capteed's
// built-in TAs (the remoteproc TA). It lives here once, so both check the same
// rules and one fuzz target covers it.
//
// The rules: values arrive as exactly 8 bytes in iN and leave in oN; a
// temporary memref's bytes arrive in iN and are copied into a buffer the TA
// may write (its oN must offer the same capacity unless it is input-only); a
// memref backed by a memory object (iN = IGPSession_MemoryObjectParameters)
// is mapped for the call, zero-copy, and offset + size must lie inside it:
// only the pages under that window are mapped, never the rest of the object.
// Every size is checked before use, with overflow-checked arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "captee/memory.hpp"
#include "captee/object.h"
#include "tee_api_types.h"

namespace captee::gp {

// One call's TEE_Param array and the buffers behind its memrefs. Not
// thread-safe; one per call. Buffers and mappings live until destruction.
class Params {
 public:
  // Builds the TEE_Params from `in` = four iN buffers, `out` = the four oN
  // buffers (their sizes are the capacities) and `mem` = four object slots
  // (Object_NULL when unused), all borrowed for the call.
  // Returns TEE_ERROR_BAD_PARAMETERS for any inconsistency: an unknown type,
  // a value that is not 8 bytes, a temporary in/out memref whose capacity
  // differs from its input, a memory object that cannot be mapped with the
  // rights the type needs, or a range outside it.
  TEE_Result build(uint32_t types, uint32_t ex_types, const ObjectArg *in, const ObjectArg *out,
                   const ObjectArg *mem);

  // Copies outputs back into `out` (setting each oN's size) and writes each
  // parameter's produced size into out_sz[n] (memrefOutSzN: the required size
  // when the TA answered SHORT_BUFFER). A memref larger than its capacity is
  // not copied (oN size 0) but its size is still reported.
  void finish(ObjectArg *out, uint32_t out_sz[4]);

  TEE_Param *get() { return params_; }
  uint32_t types() const { return types_; }

  // The memory behind memref parameter n that the client shares for this
  // call: the mapped pages of its memory object (the pages under the window,
  // so bytes beside the window on those pages too), or the runtime's copy of
  // an inline memref's bytes. Empty
  // for values, NONE and NULL memrefs. Borrowed: valid until destruction.
  // TEE_CheckMemoryAccessRights uses it to refuse client memory to a caller
  // that did not ask for TEE_MEMORY_ACCESS_ANY_OWNER.
  std::span<const std::byte> client_memory(unsigned n) const;
  // Whether the TA may write parameter n (an output or in/out memref).
  bool client_writable(unsigned n) const;

 private:
  TEE_Result map_memory_object(unsigned n, uint32_t t, const ObjectArg &in, Object obj);

  uint32_t types_ = 0;
  TEE_Param params_[4] = {};
  std::vector<uint8_t> bufs_[4];
  std::optional<Mapping> maps_[4];
};

// An openSession request's first bundle, normalised (IGPAppClient op 0's 20
// bytes, op 1's 24, or capteed's CAPTEE_GP_OP_OPEN_SESSION_AS with the client
// identity after them; captee/gp_ta_protocol.h).
struct OpenRequest {
  uint32_t cancel_code = 0;
  uint32_t cancel_timeout = 0xFFFFFFFFu;
  uint32_t connection_method = 0;
  uint32_t connection_data = 0;
  uint32_t param_types = 0;
  uint32_t ex_param_types = 0;
  TEE_Identity client{};  // TEE_LOGIN_PUBLIC unless the request carries one
};

// Decodes a[0] of an openSession-shaped call for `method` (0, 1 or
// CAPTEE_GP_OP_OPEN_SESSION_AS). False if the method is none of those or the
// bundle has the wrong size.
bool decode_open_request(uint32_t method, const ObjectArg &bundle, OpenRequest *out);

// IGPSession.invokeCommand's first bundle.
struct InvokeRequest {
  uint32_t command = 0;
  uint32_t cancel_code = 0;
  uint32_t param_types = 0;
  uint32_t ex_param_types = 0;
};

// Checks the invokeCommand shape (counts 0x0455, a[0] 20 bytes, a[5] 24
// bytes) and decodes a[0]. False for any other shape.
bool decode_invoke_request(ObjectCounts k, const ObjectArg *a, InvokeRequest *out);

// Writes the 24-byte result bundle (memrefOutSz0..3, retValue, retOrigin).
void put_result(ObjectArg &bundle, const uint32_t out_sz[4], uint32_t value, uint32_t origin);

// Sets the four oN sizes to 0 (nothing produced).
void clear_outputs(ObjectArg *out);

}  // namespace captee::gp
