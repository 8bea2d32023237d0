// The arithmetic family's sizes and initialisation (GP 8.3, 8.4).
#include <openssl/bn.h>

#include "bigint_array.hpp"
#include "bigint_fmm_context.hpp"
#include "tee_internal_api.h"

using namespace captee::gp_ta::bigint;

extern "C" {

size_t TEE_BigIntFMMSizeInU32(size_t modulusSizeInBits) {
  // An FMM value is a residue below the modulus, in a TEE_BigInt's layout.
  return TEE_BigIntSizeInU32(modulusSizeInBits);
}

size_t TEE_BigIntFMMContextSizeInU32(size_t) {
  return kFmmContextWords;
}

void TEE_BigIntInit(TEE_BigInt *bigInt, size_t len) {
  init(bigInt, len, __func__);
}

void TEE_BigIntInitFMM(TEE_BigIntFMM *bigIntFMM, size_t len) {
  init(bigIntFMM, len, __func__);
}

void TEE_BigIntInitFMMContext(TEE_BigIntFMMContext *context, size_t len,
                              const TEE_BigInt *modulus) {
  Bn n = load(modulus, __func__);
  require_modulus(n.get(), __func__);
  write_fmm_context(context, len, n.get(), __func__);
}

TEE_Result TEE_BigIntInitFMMContext1(TEE_BigIntFMMContext *context, size_t len,
                                     const TEE_BigInt *modulus) {
  Bn n = load(modulus, __func__);
  // The variant with a result reports a modulus it cannot use rather than
  // panicking (GP 1.2): below 2 there is no residue ring to work in.
  if (BN_is_negative(n.get()) || BN_num_bits(n.get()) < 2) {
    return TEE_ERROR_NOT_SUPPORTED;
  }
  write_fmm_context(context, len, n.get(), __func__);
  return TEE_SUCCESS;
}

}  // extern "C"
