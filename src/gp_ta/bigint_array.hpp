// The caller-allocated TEE_BigInt arrays of the arithmetic family (GP 8) and
// their conversion to and from OpenSSL's BIGNUM, on which every function
// computes.
//
// An array is OP-TEE's layout, so a TA that looks inside behaves the same:
//   word 0       the sign, an int32_t: 1 (zero or positive) or -1;
//   word 1       two uint16_t, in memory order: the magnitude words the array
//                has room for (its length given to TEE_BigIntInit, less the
//                two header words), then the magnitude words in use;
//   words 2 ...  the magnitude, least significant word first.
// The array is the TA's own memory, so a TA can corrupt it: every function
// reads the header through load(), which panics the TA on a header
// TEE_BigIntInit could not have written, and never touches a word beyond
// the room the header records. A TEE_BigIntFMM has the same layout.
#pragma once

#include <openssl/bn.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "bigint_limits.hpp"
#include "tee_api_types.h"

namespace captee::gp_ta::bigint {

constexpr size_t kHeaderWords = 2;
// The most magnitude words an array may have room for.
constexpr size_t kMaxMagnitudeWords = kMaxBigIntArrayBits / 32;

struct BnClearFree {
  void operator()(BIGNUM *bn) const { BN_clear_free(bn); }
};
struct BnCtxFree {
  void operator()(BN_CTX *ctx) const { BN_CTX_free(ctx); }
};
// A BIGNUM wiped when freed: values may be a TA's secrets (a private
// exponent, a prime).
using Bn = std::unique_ptr<BIGNUM, BnClearFree>;
using BnCtx = std::unique_ptr<BN_CTX, BnCtxFree>;

// Logs "<function>: <why>" and panics the TA with `reason`.
[[noreturn]] void panic(const char *function, const char *why,
                        TEE_Result reason = TEE_ERROR_BAD_PARAMETERS);

// A fresh zero (panics the TA if OpenSSL has no memory).
Bn new_bn(const char *function);
// Scratch space for OpenSSL's BN calls (OpenSSL wipes its temporaries when
// the context is freed). Panics the TA if OpenSSL has no memory.
BnCtx new_ctx(const char *function);

// The value `v` (panics the TA if OpenSSL has no memory).
Bn from_s32(int32_t v, const char *function);

// Writes a fresh header: room for len - 2 magnitude words, value zero.
// Panics if `array` is null, len < 2 or the room exceeds kMaxMagnitudeWords.
void init(TEE_BigInt *array, size_t len, const char *function);

// The value the array holds. Panics if `array` is null or its header is not
// one init() wrote (a sign not 1 or -1, more room than allowed, more words in
// use than room).
Bn load(const TEE_BigInt *array, const char *function);

// The magnitude words `array` has room for (its header checked as load()).
size_t room_words(const TEE_BigInt *array, const char *function);

// Writes `value` into `array` if it fits the room the header records (the
// words past it are zeroed); false, and the array unchanged, if it does not.
bool store(TEE_BigInt *array, const BIGNUM *value, const char *function);

// store(), panicking the TA (TEE_ERROR_OVERFLOW) if the value does not fit:
// what GP requires of the functions with no result code.
void store_or_panic(TEE_BigInt *array, const BIGNUM *value, const char *function);

// Panics unless `n` is a modulus the family accepts: n >= 2.
void require_modulus(const BIGNUM *n, const char *function);

// Panics if an OpenSSL BN call failed (only memory exhaustion can fail
// them once the inputs are checked).
void check(int ok, const char *function);

}  // namespace captee::gp_ta::bigint
