// GCDs and primality of TEE_BigInt values (GP 8.9).
#include <openssl/bn.h>

#include <algorithm>
#include <cstdint>

#include "bigint_array.hpp"
#include "tee_internal_api.h"

using namespace captee::gp_ta::bigint;

namespace {

// GP's floor for IsProbablePrime's confidence level.
constexpr uint32_t kMinConfidence = 80;
// Each BN_check_prime run is wrong about a composite with probability at most
// 2^-128 (OpenSSL 3 runs at least 64 Miller-Rabin rounds with random bases).
constexpr uint32_t kConfidencePerRun = 128;
// Levels above 8 runs (2^-1024) are treated as 1024: the runs are the TA's
// own time, but a level near 2^32 would make it spin for ever.
constexpr uint32_t kMaxRuns = 8;

// Values of up to 32 bits are decided exactly by trial division (at most
// 2^16 divisions), so their answer is "prime" (1), not "probably" (-1).
int32_t small_is_prime(uint64_t v) {
  if (v < 2) {
    return 0;
  }
  for (uint64_t d = 2; d * d <= v; ++d) {
    if (v % d == 0) {
      return 0;
    }
  }
  return 1;
}

// r0 = gcd(a, b) and s0 * a + t0 * b = r0, for a, b >= 0 (Euclid's algorithm
// keeping the Bezout coefficients of each remainder).
void extended_gcd(BIGNUM *gcd, BIGNUM *u, BIGNUM *v, const BIGNUM *a, const BIGNUM *b,
                  const char *function) {
  BnCtx ctx = new_ctx(function);
  Bn r0(BN_dup(a)), r1(BN_dup(b));
  Bn s0 = new_bn(function), s1 = new_bn(function);
  Bn t0 = new_bn(function), t1 = new_bn(function);
  Bn q = new_bn(function), rem = new_bn(function), tmp = new_bn(function);
  if (!r0 || !r1) {
    panic(function, "out of memory", TEE_ERROR_OUT_OF_MEMORY);
  }
  check(BN_one(s0.get()), function);
  BN_zero(s1.get());
  BN_zero(t0.get());
  check(BN_one(t1.get()), function);
  // (r, s, t)_{i+1} = (r, s, t)_{i-1} - q * (r, s, t)_i until r is 0.
  while (!BN_is_zero(r1.get())) {
    check(BN_div(q.get(), rem.get(), r0.get(), r1.get(), ctx.get()), function);
    std::swap(r0, r1);
    std::swap(r1, rem);
    check(BN_mul(tmp.get(), q.get(), s1.get(), ctx.get()), function);
    check(BN_sub(tmp.get(), s0.get(), tmp.get()), function);
    std::swap(s0, s1);
    std::swap(s1, tmp);
    check(BN_mul(tmp.get(), q.get(), t1.get(), ctx.get()), function);
    check(BN_sub(tmp.get(), t0.get(), tmp.get()), function);
    std::swap(t0, t1);
    std::swap(t1, tmp);
  }
  check(BN_copy(gcd, r0.get()) != nullptr, function);
  check(BN_copy(u, s0.get()) != nullptr, function);
  check(BN_copy(v, t0.get()) != nullptr, function);
}

}  // namespace

extern "C" {

bool TEE_BigIntRelativePrime(const TEE_BigInt *op1, const TEE_BigInt *op2) {
  Bn a = load(op1, __func__);
  Bn b = load(op2, __func__);
  Bn gcd = new_bn(__func__);
  BnCtx ctx = new_ctx(__func__);
  check(BN_gcd(gcd.get(), a.get(), b.get(), ctx.get()), __func__);
  return BN_is_one(gcd.get());
}

void TEE_BigIntComputeExtendedGcd(TEE_BigInt *gcd, TEE_BigInt *u, TEE_BigInt *v,
                                  const TEE_BigInt *op1, const TEE_BigInt *op2) {
  Bn a = load(op1, __func__);
  Bn b = load(op2, __func__);
  if (gcd == nullptr) {
    panic(__func__, "null gcd");
  }
  // On the magnitudes, then u and v take the operands' signs, so that
  // u * op1 + v * op2 = gcd >= 0 holds for signed operands too.
  const int a_negative = BN_is_negative(a.get());
  const int b_negative = BN_is_negative(b.get());
  BN_set_negative(a.get(), 0);
  BN_set_negative(b.get(), 0);
  Bn g = new_bn(__func__), cu = new_bn(__func__), cv = new_bn(__func__);
  extended_gcd(g.get(), cu.get(), cv.get(), a.get(), b.get(), __func__);
  if (a_negative && !BN_is_zero(cu.get())) {
    BN_set_negative(cu.get(), !BN_is_negative(cu.get()));
  }
  if (b_negative && !BN_is_zero(cv.get())) {
    BN_set_negative(cv.get(), !BN_is_negative(cv.get()));
  }
  // Every destination checked before any is written.
  const char *function = __func__;
  const auto fits = [function](TEE_BigInt *dest, const BIGNUM *value) {
    return dest == nullptr ||
           room_words(dest, function) * 32 >= static_cast<size_t>(BN_num_bits(value));
  };
  if (!fits(gcd, g.get()) || !fits(u, cu.get()) || !fits(v, cv.get())) {
    panic(__func__, "a result does not fit its destination", TEE_ERROR_OVERFLOW);
  }
  store_or_panic(gcd, g.get(), __func__);
  if (u != nullptr) {
    store_or_panic(u, cu.get(), __func__);
  }
  if (v != nullptr) {
    store_or_panic(v, cv.get(), __func__);
  }
}

int32_t TEE_BigIntIsProbablePrime(const TEE_BigInt *op, uint32_t confidenceLevel) {
  Bn value = load(op, __func__);
  // Primes are positive: zero, one and negative values are not.
  if (BN_is_negative(value.get())) {
    return 0;
  }
  if (BN_num_bits(value.get()) <= 32) {
    return small_is_prime(BN_get_word(value.get()));
  }
  const uint32_t level = std::max(confidenceLevel, kMinConfidence);
  const uint32_t runs = std::min(kMaxRuns, (level + kConfidencePerRun - 1) / kConfidencePerRun);
  BnCtx ctx = new_ctx(__func__);
  for (uint32_t i = 0; i < runs; ++i) {
    const int verdict = BN_check_prime(value.get(), ctx.get(), nullptr);
    if (verdict < 0) {
      panic(__func__, "OpenSSL BN call failed", TEE_ERROR_GENERIC);
    }
    if (verdict == 0) {
      return 0;
    }
  }
  // Probably prime: wrong with probability at most 2^-level.
  return -1;
}

}  // extern "C"
