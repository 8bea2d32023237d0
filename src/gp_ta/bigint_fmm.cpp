// Fast modular multiplication (GP 8.10). captee's FMM representation is the
// residue itself (bigint_fmm_context.hpp says why), so these are modular
// reductions and products that check their context.
#include <openssl/bn.h>

#include "bigint_array.hpp"
#include "bigint_fmm_context.hpp"
#include "tee_internal_api.h"

using namespace captee::gp_ta::bigint;

namespace {

// The modulus `n`, checked against `context`.
Bn fmm_modulus(const TEE_BigInt *n, const TEE_BigIntFMMContext *context, const char *function) {
  Bn modulus = load(n, function);
  require_modulus(modulus.get(), function);
  check_fmm_context(context, modulus.get(), function);
  return modulus;
}

// `value` mod `modulus`, in [0, n - 1].
Bn reduce(const BIGNUM *value, const BIGNUM *modulus, const char *function) {
  Bn result = new_bn(function);
  BnCtx ctx = new_ctx(function);
  check(BN_nnmod(result.get(), value, modulus, ctx.get()), function);
  return result;
}

}  // namespace

extern "C" {

void TEE_BigIntConvertToFMM(TEE_BigIntFMM *dest, const TEE_BigInt *src, const TEE_BigInt *n,
                            const TEE_BigIntFMMContext *context) {
  Bn value = load(src, __func__);
  Bn modulus = fmm_modulus(n, context, __func__);
  Bn residue = reduce(value.get(), modulus.get(), __func__);
  store_or_panic(dest, residue.get(), __func__);
}

void TEE_BigIntConvertFromFMM(TEE_BigInt *dest, const TEE_BigIntFMM *src, const TEE_BigInt *n,
                              const TEE_BigIntFMMContext *context) {
  Bn value = load(src, __func__);
  Bn modulus = fmm_modulus(n, context, __func__);
  // An FMM value a TA wrote itself may be out of range: reduce it too.
  Bn residue = reduce(value.get(), modulus.get(), __func__);
  store_or_panic(dest, residue.get(), __func__);
}

void TEE_BigIntComputeFMM(TEE_BigIntFMM *dest, const TEE_BigIntFMM *op1, const TEE_BigIntFMM *op2,
                          const TEE_BigInt *n, const TEE_BigIntFMMContext *context) {
  Bn a = load(op1, __func__);
  Bn b = load(op2, __func__);
  Bn modulus = fmm_modulus(n, context, __func__);
  Bn product = new_bn(__func__);
  BnCtx ctx = new_ctx(__func__);
  check(BN_mod_mul(product.get(), a.get(), b.get(), modulus.get(), ctx.get()), __func__);
  store_or_panic(dest, product.get(), __func__);
}

}  // extern "C"
