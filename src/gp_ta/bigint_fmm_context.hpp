// What a TEE_BigIntFMMContext holds in captee (bigint_init.cpp writes it,
// bigint_fmm.cpp and TEE_BigIntExpMod check it). captee's fast modular
// multiplication is ordinary modular multiplication on OpenSSL's BN (a TA
// computing with FMM values gets the same results, and GP leaves the
// representation to the implementation), so the context only records that
// TEE_BigIntInitFMMContext ran and for which modulus size, so that a context
// never initialised, or made for another modulus, panics the TA.
#pragma once

#include <openssl/bn.h>

#include <cstddef>
#include <cstdint>

#include "tee_api_types.h"

namespace captee::gp_ta::bigint {

// The context's size in uint32_t words.
constexpr size_t kFmmContextWords = 2;

// Writes the context for modulus `n` (already checked to be >= 2). Panics if
// `context` is null or `len` is below kFmmContextWords.
void write_fmm_context(TEE_BigIntFMMContext *context, size_t len, const BIGNUM *n,
                       const char *function);

// Panics unless `context` is one write_fmm_context wrote for a modulus of
// n's size.
void check_fmm_context(const TEE_BigIntFMMContext *context, const BIGNUM *n, const char *function);

}  // namespace captee::gp_ta::bigint
