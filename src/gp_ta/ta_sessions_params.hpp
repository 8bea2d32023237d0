// The four parameters of one call to another TA (GP TA-to-TA), from the
// calling TA's TEE_Param[4] to the IGPAppClient / IGPSession layout (spec
// mink-interfaces §8.6) and back.
//
// The callee never sees the caller's memory: values travel as 8 bytes, and a
// memref as a copy of its bytes, made here, in the caller's own process.
// Up to kInlineMax bytes the copy goes inline with the call; above, in a
// memory object made for the call (the callee maps its pages; nothing else
// is in it). After the call, values come back, and an output memref gets
// the size the callee set (the size needed, with TEE_ERROR_SHORT_BUFFER) and,
// if that fits, the bytes it produced; the callee's bytes never go past the
// caller's buffer.
//
// Before anything is copied, each memref's buffer must be accessible to the
// caller with its direction's rights (TEE_CheckMemoryAccessRights: readable
// for an input, writable for an output, both for in/out, the calling TA's own
// memory or memory its client shares with it for the current call, which a
// TA may pass on); a memref that is not, or an unknown parameter type, panics
// the calling TA, as the specification says for these functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "captee/object.hpp"
#include "tee_api_types.h"

namespace captee::gp_ta {

class OutgoingParams {
 public:
  static constexpr size_t kInlineMax = 4096;

  // Reads `params` (may be null only when every type is NONE) as `types`
  // says. TEE_SUCCESS, or TEE_ERROR_OUT_OF_MEMORY when a copy cannot be
  // made. Panics as above.
  TEE_Result build(uint32_t types, const TEE_Param *params);

  // Writes what the callee produced back into `params`: only for an answer
  // of the called TA (origin TEE_ORIGIN_TRUSTED_APP); when the TEE answered
  // (the callee never ran, or died), the caller's parameters stay as they were.
  void finish(TEE_Param *params) const;

  uint32_t ex_types() const { return ex_types_; }
  std::span<const std::byte> in(unsigned n) const { return in_[n]; }
  std::span<std::byte> out(unsigned n) { return out_[n]; }
  size_t *out_len(unsigned n) { return &out_len_[n]; }
  Object mem(unsigned n) const { return mem_[n].get(); }
  uint32_t *out_size(unsigned n) { return &out_size_[n]; }

 private:
  uint32_t types_ = 0;
  uint32_t ex_types_ = 0;
  std::array<std::span<const std::byte>, 4> in_{};
  std::array<std::span<std::byte>, 4> out_{};
  std::array<size_t, 4> out_len_{};
  std::array<uint32_t, 4> out_size_{};
  std::array<Ref, 4> mem_{};
  std::array<std::byte *, 4> mem_bytes_{};        // this side's mapping of mem_[n]
  std::array<std::vector<std::byte>, 4> bufs_{};  // inline copies and output space
  std::array<std::array<std::byte, 8>, 4> values_{};
};

}  // namespace captee::gp_ta
