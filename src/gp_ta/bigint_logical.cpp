// Comparisons, shifts, bits and copies of TEE_BigInt values (GP 8.6).
#include <openssl/bn.h>

#include <climits>
#include <cstdint>

#include "bigint_array.hpp"
#include "tee_internal_api.h"

using namespace captee::gp_ta::bigint;

extern "C" {

int32_t TEE_BigIntCmp(const TEE_BigInt *op1, const TEE_BigInt *op2) {
  Bn a = load(op1, __func__);
  Bn b = load(op2, __func__);
  return BN_cmp(a.get(), b.get());
}

int32_t TEE_BigIntCmpS32(const TEE_BigInt *op, int32_t shortVal) {
  Bn a = load(op, __func__);
  Bn b = from_s32(shortVal, __func__);
  return BN_cmp(a.get(), b.get());
}

void TEE_BigIntShiftRight(TEE_BigInt *dest, const TEE_BigInt *op, size_t bits) {
  Bn value = load(op, __func__);
  // |dest| = |op| >> bits, with op's sign; shifting out every bit leaves
  // zero (and BN's int shift count is never handed a size_t that big).
  if (bits >= static_cast<size_t>(BN_num_bits(value.get()))) {
    BN_zero(value.get());
  } else {
    const int negative = BN_is_negative(value.get());
    BN_set_negative(value.get(), 0);
    check(BN_rshift(value.get(), value.get(), static_cast<int>(bits)), __func__);
    BN_set_negative(value.get(), negative);
  }
  store_or_panic(dest, value.get(), __func__);
}

bool TEE_BigIntGetBit(const TEE_BigInt *src, uint32_t bitIndex) {
  Bn value = load(src, __func__);
  // A bit of the magnitude; past its length every bit is 0.
  if (bitIndex >= static_cast<uint32_t>(BN_num_bits(value.get()))) {
    return false;
  }
  return BN_is_bit_set(value.get(), static_cast<int>(bitIndex)) == 1;
}

uint32_t TEE_BigIntGetBitCount(const TEE_BigInt *src) {
  Bn value = load(src, __func__);
  return static_cast<uint32_t>(BN_num_bits(value.get()));
}

TEE_Result TEE_BigIntSetBit(TEE_BigInt *op, uint32_t bitIndex, bool value) {
  Bn current = load(op, __func__);
  const size_t room_bits = room_words(op, __func__) * 32;
  if (bitIndex >= room_bits) {
    // Clearing a bit the array has no room for changes nothing.
    return value ? TEE_ERROR_OVERFLOW : TEE_SUCCESS;
  }
  if (value) {
    check(BN_set_bit(current.get(), static_cast<int>(bitIndex)), __func__);
  } else if (bitIndex < static_cast<uint32_t>(BN_num_bits(current.get()))) {
    check(BN_clear_bit(current.get(), static_cast<int>(bitIndex)), __func__);
  }
  // A bit within the room always fits.
  store_or_panic(op, current.get(), __func__);
  return TEE_SUCCESS;
}

TEE_Result TEE_BigIntAssign(TEE_BigInt *dest, const TEE_BigInt *src) {
  Bn value = load(src, __func__);
  return store(dest, value.get(), __func__) ? TEE_SUCCESS : TEE_ERROR_OVERFLOW;
}

TEE_Result TEE_BigIntAbs(TEE_BigInt *dest, const TEE_BigInt *src) {
  Bn value = load(src, __func__);
  BN_set_negative(value.get(), 0);
  return store(dest, value.get(), __func__) ? TEE_SUCCESS : TEE_ERROR_OVERFLOW;
}

}  // extern "C"
