// TEE_BigInt arrays to and from OpenSSL's BIGNUM (bigint_array.hpp).
#include "bigint_array.hpp"

#include <openssl/crypto.h>

#include <array>
#include <cstring>

#include "tee_internal_api.h"
#include "trace.h"

namespace captee::gp_ta::bigint {

namespace {

struct Header {
  int32_t sign;
  uint16_t room;
  uint16_t used;
};
static_assert(sizeof(Header) == kHeaderWords * sizeof(uint32_t));
static_assert(kMaxMagnitudeWords <= UINT16_MAX);

constexpr int32_t kPositive = 1;
constexpr int32_t kNegative = -1;

Header read_header(const TEE_BigInt *array, const char *function) {
  if (array == nullptr) {
    panic(function, "null TEE_BigInt");
  }
  Header h{};
  std::memcpy(&h, array, sizeof h);
  if ((h.sign != kPositive && h.sign != kNegative) || h.room > kMaxMagnitudeWords ||
      h.used > h.room) {
    panic(function, "not a TEE_BigInt TEE_BigIntInit initialised");
  }
  return h;
}

// The magnitude's bytes, least significant first, for BN_lebin2bn and
// BN_bn2lebinpad (the words are in the host's order; the bytes of a word
// are spelled out so the layout does not depend on it). Wiped on scope exit.
class ScratchBytes {
 public:
  ~ScratchBytes() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
  uint8_t *data() { return bytes_.data(); }

 private:
  std::array<uint8_t, kMaxMagnitudeWords * sizeof(uint32_t)> bytes_{};
};

}  // namespace

void panic(const char *function, const char *why, TEE_Result reason) {
  trace_printf(nullptr, 0, TRACE_ERROR, true, "%s: %s; panicking the TA", function, why);
  TEE_Panic(reason);
  __builtin_unreachable();
}

Bn new_bn(const char *function) {
  Bn bn(BN_new());
  if (!bn) {
    panic(function, "out of memory", TEE_ERROR_OUT_OF_MEMORY);
  }
  return bn;
}

BnCtx new_ctx(const char *function) {
  BnCtx ctx(BN_CTX_new());
  if (!ctx) {
    panic(function, "out of memory", TEE_ERROR_OUT_OF_MEMORY);
  }
  return ctx;
}

Bn from_s32(int32_t v, const char *function) {
  Bn value = new_bn(function);
  // Through 64 bits: INT32_MIN's magnitude is no int32_t.
  const int64_t wide = v;
  check(BN_set_word(value.get(), static_cast<BN_ULONG>(wide < 0 ? -wide : wide)), function);
  BN_set_negative(value.get(), wide < 0 ? 1 : 0);
  return value;
}

void check(int ok, const char *function) {
  if (ok != 1) {
    panic(function, "OpenSSL BN call failed", TEE_ERROR_OUT_OF_MEMORY);
  }
}

void init(TEE_BigInt *array, size_t len, const char *function) {
  if (array == nullptr) {
    panic(function, "null TEE_BigInt");
  }
  if (len < kHeaderWords || len - kHeaderWords > kMaxMagnitudeWords) {
    panic(function, "length outside [2, TEE_BigIntSizeInU32(2 * gpd.tee.arith.maxBigIntSize)]");
  }
  const Header h{kPositive, static_cast<uint16_t>(len - kHeaderWords), 0};
  std::memcpy(array, &h, sizeof h);
  std::memset(array + kHeaderWords, 0, (len - kHeaderWords) * sizeof(uint32_t));
}

size_t room_words(const TEE_BigInt *array, const char *function) {
  return read_header(array, function).room;
}

Bn load(const TEE_BigInt *array, const char *function) {
  const Header h = read_header(array, function);
  ScratchBytes bytes;
  for (size_t i = 0; i < h.used; ++i) {
    const uint32_t w = array[kHeaderWords + i];
    for (size_t b = 0; b < sizeof w; ++b) {
      bytes.data()[i * sizeof w + b] = static_cast<uint8_t>(w >> (8 * b));
    }
  }
  Bn value(BN_lebin2bn(bytes.data(), static_cast<int>(h.used * sizeof(uint32_t)), nullptr));
  if (!value) {
    panic(function, "out of memory", TEE_ERROR_OUT_OF_MEMORY);
  }
  BN_set_negative(value.get(), h.sign == kNegative ? 1 : 0);
  return value;
}

bool store(TEE_BigInt *array, const BIGNUM *value, const char *function) {
  const Header old = read_header(array, function);
  const size_t bytes_needed = static_cast<size_t>(BN_num_bytes(value));
  const size_t words = (bytes_needed + sizeof(uint32_t) - 1) / sizeof(uint32_t);
  if (words > old.room) {
    return false;
  }
  ScratchBytes bytes;
  if (BN_bn2lebinpad(value, bytes.data(), static_cast<int>(words * sizeof(uint32_t))) < 0) {
    panic(function, "OpenSSL BN call failed", TEE_ERROR_GENERIC);
  }
  for (size_t i = 0; i < old.room; ++i) {
    uint32_t w = 0;
    if (i < words) {
      for (size_t b = 0; b < sizeof w; ++b) {
        w |= static_cast<uint32_t>(bytes.data()[i * sizeof w + b]) << (8 * b);
      }
    }
    array[kHeaderWords + i] = w;
  }
  // BN never holds a negative zero, so a zero is always stored positive.
  const Header h{BN_is_negative(value) ? kNegative : kPositive, old.room,
                 static_cast<uint16_t>(words)};
  std::memcpy(array, &h, sizeof h);
  return true;
}

void store_or_panic(TEE_BigInt *array, const BIGNUM *value, const char *function) {
  if (!store(array, value, function)) {
    panic(function, "the result does not fit the destination", TEE_ERROR_OVERFLOW);
  }
}

void require_modulus(const BIGNUM *n, const char *function) {
  if (BN_is_negative(n) || BN_num_bits(n) < 2) {
    panic(function, "modulus below 2");
  }
}

}  // namespace captee::gp_ta::bigint
