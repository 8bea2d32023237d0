// The size of the TEE_BigInt values captee's arithmetic family accepts, shared
// by the family (bigint_array.cpp) and the TEE property that advertises it
// (property_sets.cpp: gpd.tee.arith.maxBigIntSize).
#pragma once

#include <cstdint>

namespace captee::gp_ta {

// gpd.tee.arith.maxBigIntSize: the least GP lets a TEE claim (and OP-TEE's
// default). The arrays themselves may hold twice as many bits, so that the
// product of two maximal operands (TEE_BigIntMul, TEE_BigIntSquare) has a
// destination.
constexpr uint32_t kMaxBigIntBits = 2048;
constexpr uint32_t kMaxBigIntArrayBits = 2 * kMaxBigIntBits;

}  // namespace captee::gp_ta
