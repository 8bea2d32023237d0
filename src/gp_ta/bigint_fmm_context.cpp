// The TEE_BigIntFMMContext captee writes and checks (bigint_fmm_context.hpp).
#include "bigint_fmm_context.hpp"

#include <cstring>

#include "bigint_array.hpp"

namespace captee::gp_ta::bigint {

namespace {
// "FMMC" in the first word: a context TEE_BigIntInitFMMContext wrote.
constexpr uint32_t kFmmContextMagic = 0x464d4d43;
}  // namespace

void write_fmm_context(TEE_BigIntFMMContext *context, size_t len, const BIGNUM *n,
                       const char *function) {
  if (context == nullptr) {
    panic(function, "null TEE_BigIntFMMContext");
  }
  if (len < kFmmContextWords) {
    panic(function, "context shorter than TEE_BigIntFMMContextSizeInU32");
  }
  // Byte copies: the TA's array need only be aligned for uint32_t, while
  // the typedef asks for a pointer's alignment.
  const uint32_t words[2] = {kFmmContextMagic, static_cast<uint32_t>(BN_num_bits(n))};
  std::memcpy(static_cast<void *>(context), words, sizeof words);
}

void check_fmm_context(const TEE_BigIntFMMContext *context, const BIGNUM *n, const char *function) {
  if (context == nullptr) {
    panic(function, "null TEE_BigIntFMMContext");
  }
  uint32_t words[2];
  std::memcpy(words, static_cast<const void *>(context), sizeof words);
  if (words[0] != kFmmContextMagic || words[1] != static_cast<uint32_t>(BN_num_bits(n))) {
    panic(function, "context not initialised for this modulus");
  }
}

}  // namespace captee::gp_ta::bigint
