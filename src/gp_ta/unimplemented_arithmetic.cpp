// The TEE Arithmetical API (GP 8), not implemented yet: it needs the same
// multi-precision backend as the crypto API, so the crypto issue (#15)
// implements it and deletes this file. See unimplemented.hpp for what a
// stand-in does; the functions returning a number, a bool or nothing panic,
// since any value they returned would be a wrong answer.
#include "tee_internal_api.h"
#include "unimplemented.hpp"

using captee::gp_ta::not_implemented;
using captee::gp_ta::unimplemented_panic;

extern "C" {

// ---- Sizes (GP 8.3; TEE_BigIntSizeInU32 is a macro) ----

size_t TEE_BigIntFMMSizeInU32(size_t) {
  unimplemented_panic(__func__);
}

size_t TEE_BigIntFMMContextSizeInU32(size_t) {
  unimplemented_panic(__func__);
}

// ---- Initialisation (GP 8.4) ----

void TEE_BigIntInit(TEE_BigInt *, size_t) {
  unimplemented_panic(__func__);
}

void TEE_BigIntInitFMMContext(TEE_BigIntFMMContext *, size_t, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

TEE_Result TEE_BigIntInitFMMContext1(TEE_BigIntFMMContext *, size_t, const TEE_BigInt *) {
  return not_implemented(__func__);
}

void TEE_BigIntInitFMM(TEE_BigIntFMM *, size_t) {
  unimplemented_panic(__func__);
}

// ---- Conversion (GP 8.5) ----

TEE_Result TEE_BigIntConvertFromOctetString(TEE_BigInt *, const uint8_t *, size_t, int32_t) {
  return not_implemented(__func__);
}

TEE_Result TEE_BigIntConvertToOctetString(uint8_t *, size_t *, const TEE_BigInt *) {
  return not_implemented(__func__);
}

void TEE_BigIntConvertFromS32(TEE_BigInt *, int32_t) {
  unimplemented_panic(__func__);
}

TEE_Result TEE_BigIntConvertToS32(int32_t *, const TEE_BigInt *) {
  return not_implemented(__func__);
}

// ---- Logical operations (GP 8.6) ----

int32_t TEE_BigIntCmp(const TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

int32_t TEE_BigIntCmpS32(const TEE_BigInt *, int32_t) {
  unimplemented_panic(__func__);
}

void TEE_BigIntShiftRight(TEE_BigInt *, const TEE_BigInt *, size_t) {
  unimplemented_panic(__func__);
}

bool TEE_BigIntGetBit(const TEE_BigInt *, uint32_t) {
  unimplemented_panic(__func__);
}

uint32_t TEE_BigIntGetBitCount(const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

TEE_Result TEE_BigIntSetBit(TEE_BigInt *, uint32_t, bool) {
  return not_implemented(__func__);
}

TEE_Result TEE_BigIntAssign(TEE_BigInt *, const TEE_BigInt *) {
  return not_implemented(__func__);
}

TEE_Result TEE_BigIntAbs(TEE_BigInt *, const TEE_BigInt *) {
  return not_implemented(__func__);
}

// ---- Basic arithmetic (GP 8.7) ----

void TEE_BigIntAdd(TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

void TEE_BigIntSub(TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

void TEE_BigIntNeg(TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

void TEE_BigIntMul(TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

void TEE_BigIntSquare(TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

void TEE_BigIntDiv(TEE_BigInt *, TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

// ---- Modular arithmetic (GP 8.8) ----

void TEE_BigIntMod(TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

void TEE_BigIntAddMod(TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

void TEE_BigIntSubMod(TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

void TEE_BigIntMulMod(TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

void TEE_BigIntSquareMod(TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

void TEE_BigIntInvMod(TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

TEE_Result TEE_BigIntExpMod(TEE_BigInt *, const TEE_BigInt *, const TEE_BigInt *,
                            const TEE_BigInt *, const TEE_BigIntFMMContext *) {
  return not_implemented(__func__);
}

// ---- Other arithmetic (GP 8.9) ----

bool TEE_BigIntRelativePrime(const TEE_BigInt *, const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

void TEE_BigIntComputeExtendedGcd(TEE_BigInt *, TEE_BigInt *, TEE_BigInt *, const TEE_BigInt *,
                                  const TEE_BigInt *) {
  unimplemented_panic(__func__);
}

int32_t TEE_BigIntIsProbablePrime(const TEE_BigInt *, uint32_t) {
  unimplemented_panic(__func__);
}

// ---- Fast modular multiplication (GP 8.10) ----

void TEE_BigIntConvertToFMM(TEE_BigIntFMM *, const TEE_BigInt *, const TEE_BigInt *,
                            const TEE_BigIntFMMContext *) {
  unimplemented_panic(__func__);
}

void TEE_BigIntConvertFromFMM(TEE_BigInt *, const TEE_BigIntFMM *, const TEE_BigInt *,
                              const TEE_BigIntFMMContext *) {
  unimplemented_panic(__func__);
}

void TEE_BigIntComputeFMM(TEE_BigIntFMM *, const TEE_BigIntFMM *, const TEE_BigIntFMM *,
                          const TEE_BigInt *, const TEE_BigIntFMMContext *) {
  unimplemented_panic(__func__);
}

}  // extern "C"
