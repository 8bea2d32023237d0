// Signed arithmetic on TEE_BigInt values (GP 8.7). Every operand is read
// before the destination is written, so a destination may be an operand.
// These functions have no result code: a result the destination has no room
// for panics the TA (TEE_ERROR_OVERFLOW).
#include <openssl/bn.h>

#include "bigint_array.hpp"
#include "tee_internal_api.h"

using namespace captee::gp_ta::bigint;

extern "C" {

void TEE_BigIntAdd(TEE_BigInt *dest, const TEE_BigInt *op1, const TEE_BigInt *op2) {
  Bn a = load(op1, __func__);
  Bn b = load(op2, __func__);
  Bn sum = new_bn(__func__);
  check(BN_add(sum.get(), a.get(), b.get()), __func__);
  store_or_panic(dest, sum.get(), __func__);
}

void TEE_BigIntSub(TEE_BigInt *dest, const TEE_BigInt *op1, const TEE_BigInt *op2) {
  Bn a = load(op1, __func__);
  Bn b = load(op2, __func__);
  Bn difference = new_bn(__func__);
  check(BN_sub(difference.get(), a.get(), b.get()), __func__);
  store_or_panic(dest, difference.get(), __func__);
}

void TEE_BigIntNeg(TEE_BigInt *dest, const TEE_BigInt *op) {
  Bn value = load(op, __func__);
  if (!BN_is_zero(value.get())) {
    BN_set_negative(value.get(), BN_is_negative(value.get()) ? 0 : 1);
  }
  store_or_panic(dest, value.get(), __func__);
}

void TEE_BigIntMul(TEE_BigInt *dest, const TEE_BigInt *op1, const TEE_BigInt *op2) {
  Bn a = load(op1, __func__);
  Bn b = load(op2, __func__);
  Bn product = new_bn(__func__);
  BnCtx ctx = new_ctx(__func__);
  check(BN_mul(product.get(), a.get(), b.get(), ctx.get()), __func__);
  store_or_panic(dest, product.get(), __func__);
}

void TEE_BigIntSquare(TEE_BigInt *dest, const TEE_BigInt *op) {
  Bn a = load(op, __func__);
  Bn square = new_bn(__func__);
  BnCtx ctx = new_ctx(__func__);
  check(BN_sqr(square.get(), a.get(), ctx.get()), __func__);
  store_or_panic(dest, square.get(), __func__);
}

void TEE_BigIntDiv(TEE_BigInt *dest_q, TEE_BigInt *dest_r, const TEE_BigInt *op1,
                   const TEE_BigInt *op2) {
  Bn a = load(op1, __func__);
  Bn b = load(op2, __func__);
  if (BN_is_zero(b.get())) {
    panic(__func__, "division by zero");
  }
  if (dest_q != nullptr && dest_q == dest_r) {
    panic(__func__, "quotient and remainder in one array");
  }
  // op1 = q * op2 + r with q rounded toward zero and r of op1's sign: BN's
  // truncating division.
  Bn q = new_bn(__func__);
  Bn r = new_bn(__func__);
  BnCtx ctx = new_ctx(__func__);
  check(BN_div(q.get(), r.get(), a.get(), b.get(), ctx.get()), __func__);
  // Both checked before either is written, so a panic leaves neither half
  // written.
  if (dest_q != nullptr &&
      room_words(dest_q, __func__) * 32 < static_cast<size_t>(BN_num_bits(q.get()))) {
    panic(__func__, "the quotient does not fit dest_q", TEE_ERROR_OVERFLOW);
  }
  if (dest_r != nullptr &&
      room_words(dest_r, __func__) * 32 < static_cast<size_t>(BN_num_bits(r.get()))) {
    panic(__func__, "the remainder does not fit dest_r", TEE_ERROR_OVERFLOW);
  }
  if (dest_q != nullptr) {
    store_or_panic(dest_q, q.get(), __func__);
  }
  if (dest_r != nullptr) {
    store_or_panic(dest_r, r.get(), __func__);
  }
}

}  // extern "C"
