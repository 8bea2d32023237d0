// Modular arithmetic on TEE_BigInt values (GP 8.8). Results are in
// [0, n - 1]; a modulus below 2 panics the TA, as does a result the
// destination has no room for. Operands outside [0, n - 1] are reduced
// first rather than trusted.
#include <openssl/bn.h>

#include "bigint_array.hpp"
#include "bigint_fmm_context.hpp"
#include "tee_internal_api.h"

using namespace captee::gp_ta::bigint;

namespace {

using BinaryModOp = int (*)(BIGNUM *, const BIGNUM *, const BIGNUM *, const BIGNUM *, BN_CTX *);

void binary_mod(TEE_BigInt *dest, const TEE_BigInt *op1, const TEE_BigInt *op2, const TEE_BigInt *n,
                BinaryModOp op, const char *function) {
  Bn a = load(op1, function);
  Bn b = load(op2, function);
  Bn modulus = load(n, function);
  require_modulus(modulus.get(), function);
  Bn result = new_bn(function);
  BnCtx ctx = new_ctx(function);
  check(op(result.get(), a.get(), b.get(), modulus.get(), ctx.get()), function);
  store_or_panic(dest, result.get(), function);
}

}  // namespace

extern "C" {

void TEE_BigIntMod(TEE_BigInt *dest, const TEE_BigInt *op, const TEE_BigInt *n) {
  Bn a = load(op, __func__);
  Bn modulus = load(n, __func__);
  require_modulus(modulus.get(), __func__);
  Bn result = new_bn(__func__);
  BnCtx ctx = new_ctx(__func__);
  // BN_nnmod, not BN_mod: the result is never negative.
  check(BN_nnmod(result.get(), a.get(), modulus.get(), ctx.get()), __func__);
  store_or_panic(dest, result.get(), __func__);
}

void TEE_BigIntAddMod(TEE_BigInt *dest, const TEE_BigInt *op1, const TEE_BigInt *op2,
                      const TEE_BigInt *n) {
  binary_mod(dest, op1, op2, n, BN_mod_add, __func__);
}

void TEE_BigIntSubMod(TEE_BigInt *dest, const TEE_BigInt *op1, const TEE_BigInt *op2,
                      const TEE_BigInt *n) {
  binary_mod(dest, op1, op2, n, BN_mod_sub, __func__);
}

void TEE_BigIntMulMod(TEE_BigInt *dest, const TEE_BigInt *op1, const TEE_BigInt *op2,
                      const TEE_BigInt *n) {
  binary_mod(dest, op1, op2, n, BN_mod_mul, __func__);
}

void TEE_BigIntSquareMod(TEE_BigInt *dest, const TEE_BigInt *op, const TEE_BigInt *n) {
  binary_mod(dest, op, op, n, BN_mod_mul, __func__);
}

void TEE_BigIntInvMod(TEE_BigInt *dest, const TEE_BigInt *op, const TEE_BigInt *n) {
  Bn a = load(op, __func__);
  Bn modulus = load(n, __func__);
  require_modulus(modulus.get(), __func__);
  if (BN_is_zero(a.get())) {
    panic(__func__, "zero has no inverse");
  }
  Bn inverse = new_bn(__func__);
  BnCtx ctx = new_ctx(__func__);
  if (BN_mod_inverse(inverse.get(), a.get(), modulus.get(), ctx.get()) == nullptr) {
    panic(__func__, "op and n are not relatively prime: no inverse");
  }
  store_or_panic(dest, inverse.get(), __func__);
}

TEE_Result TEE_BigIntExpMod(TEE_BigInt *dest, const TEE_BigInt *op1, const TEE_BigInt *op2,
                            const TEE_BigInt *n, const TEE_BigIntFMMContext *context) {
  Bn base = load(op1, __func__);
  Bn exponent = load(op2, __func__);
  Bn modulus = load(n, __func__);
  require_modulus(modulus.get(), __func__);
  if (BN_is_negative(exponent.get())) {
    panic(__func__, "negative exponent");
  }
  // The context is optional; one given must be for this modulus.
  if (context != nullptr) {
    check_fmm_context(context, modulus.get(), __func__);
  }
  Bn reduced = new_bn(__func__);
  Bn result = new_bn(__func__);
  BnCtx ctx = new_ctx(__func__);
  check(BN_nnmod(reduced.get(), base.get(), modulus.get(), ctx.get()), __func__);
  if (BN_is_odd(modulus.get())) {
    // The exponent may be a TA's secret: Montgomery in constant time.
    check(BN_mod_exp_mont_consttime(result.get(), reduced.get(), exponent.get(), modulus.get(),
                                    ctx.get(), nullptr),
          __func__);
  } else {
    // GP lets an implementation refuse even moduli (TEE_ERROR_NOT_SUPPORTED);
    // OpenSSL computes them (not in constant time: Montgomery needs an odd
    // modulus), so captee does.
    check(BN_mod_exp(result.get(), reduced.get(), exponent.get(), modulus.get(), ctx.get()),
          __func__);
  }
  store_or_panic(dest, result.get(), __func__);
  return TEE_SUCCESS;
}

}  // extern "C"
