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

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "captee/memory.hpp"
#include "captee/object.h"
#include "tee_api_types.h"

namespace captee::gp {

// The four GP parameters of one call as the generated IGPSession and
// IGPAppClient skeletons hand them over, all borrowed for the call. The
// skeleton has already checked the counts and the bundles' sizes; nothing
// here is trusted beyond that.
struct ParamArgs {
  std::array<std::span<const std::byte>, 4> in;  // i1..i4
  std::array<std::span<std::byte>, 4> out;       // o1..o4; their sizes are the capacities
  std::array<size_t *, 4> out_len;               // where oN's produced length goes
  std::array<Object, 4> mem;                     // imem1..imem4, Object_NULL when unused
  std::array<uint32_t *, 4> out_size;            // where memrefOutSzN goes
};

// One call's TEE_Param array and the buffers behind its memrefs. Not
// thread-safe; one per call. Buffers and mappings live until destruction.
class Params {
 public:
  // Builds the TEE_Params from `args.in` (the iN bytes), `args.out` (the oN
  // capacities) and `args.mem` (the memory objects).
  // Returns TEE_ERROR_BAD_PARAMETERS for any inconsistency: an unknown type,
  // a value that is not 8 bytes, a temporary in/out memref whose capacity
  // differs from its input, a memory object that cannot be mapped with the
  // rights the type needs, or a range outside it.
  TEE_Result build(uint32_t types, uint32_t ex_types, const ParamArgs &args);

  // Copies outputs back into `args.out`, setting each *out_len, and writes
  // each parameter's produced size into *out_size (memrefOutSzN: the
  // required size when the TA answered SHORT_BUFFER). A memref larger than
  // its capacity is not copied (length 0) but its size is still reported.
  void finish(const ParamArgs &args);

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
  TEE_Result map_memory_object(unsigned n, uint32_t t, std::span<const std::byte> in, Object obj);

  uint32_t types_ = 0;
  TEE_Param params_[4] = {};
  std::vector<uint8_t> bufs_[4];
  std::optional<Mapping> maps_[4];
};

// Nothing produced: every oN length and every memrefOutSzN 0.
void clear_outputs(const ParamArgs &args);

// The client identity of capteed's openSessionAs: `login` and the UUID as 16
// bytes in RFC 4122 (network) byte order, as TEE_Identity holds them.
TEE_Identity client_identity(uint32_t login, std::span<const uint8_t, 16> uuid);

}  // namespace captee::gp
