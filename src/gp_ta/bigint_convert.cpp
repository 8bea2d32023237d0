// Conversions between TEE_BigInt and octet strings or int32_t (GP 8.5).
#include <openssl/bn.h>

#include <climits>
#include <cstdint>

#include "bigint_array.hpp"
#include "tee_internal_api.h"

using namespace captee::gp_ta::bigint;

extern "C" {

TEE_Result TEE_BigIntConvertFromOctetString(TEE_BigInt *dest, const uint8_t *buffer,
                                            size_t bufferLen, int32_t sign) {
  const size_t room = room_words(dest, __func__);
  if (buffer == nullptr && bufferLen != 0) {
    panic(__func__, "null buffer");
  }
  // Leading zero octets carry no value: a long buffer may still fit.
  while (bufferLen > 0 && buffer[0] == 0) {
    ++buffer;
    --bufferLen;
  }
  if (bufferLen > room * sizeof(uint32_t)) {
    return TEE_ERROR_OVERFLOW;
  }
  Bn value(BN_bin2bn(buffer, static_cast<int>(bufferLen), nullptr));
  if (!value) {
    panic(__func__, "out of memory", TEE_ERROR_OUT_OF_MEMORY);
  }
  // The octets are the magnitude; a negative `sign` makes the value
  // negative (a zero stays zero).
  BN_set_negative(value.get(), sign < 0 ? 1 : 0);
  if (!store(dest, value.get(), __func__)) {
    return TEE_ERROR_OVERFLOW;
  }
  return TEE_SUCCESS;
}

TEE_Result TEE_BigIntConvertToOctetString(uint8_t *buffer, size_t *bufferLen,
                                          const TEE_BigInt *bigInt) {
  Bn value = load(bigInt, __func__);
  if (bufferLen == nullptr) {
    panic(__func__, "null bufferLen");
  }
  // The magnitude only, big-endian, in as few octets as it takes (none for
  // zero); the sign is not encoded.
  const size_t needed = static_cast<size_t>(BN_num_bytes(value.get()));
  if (*bufferLen < needed) {
    *bufferLen = needed;
    return TEE_ERROR_SHORT_BUFFER;
  }
  if (buffer == nullptr && needed != 0) {
    panic(__func__, "null buffer");
  }
  if (needed != 0 && BN_bn2binpad(value.get(), buffer, static_cast<int>(needed)) < 0) {
    panic(__func__, "OpenSSL BN call failed", TEE_ERROR_GENERIC);
  }
  *bufferLen = needed;
  return TEE_SUCCESS;
}

void TEE_BigIntConvertFromS32(TEE_BigInt *dest, int32_t shortVal) {
  Bn value = from_s32(shortVal, __func__);
  store_or_panic(dest, value.get(), __func__);
}

TEE_Result TEE_BigIntConvertToS32(int32_t *dest, const TEE_BigInt *src) {
  Bn value = load(src, __func__);
  if (dest == nullptr) {
    panic(__func__, "null dest");
  }
  if (BN_num_bits(value.get()) > 32) {
    return TEE_ERROR_OVERFLOW;
  }
  const int64_t magnitude = static_cast<int64_t>(BN_get_word(value.get()));
  const int64_t wide = BN_is_negative(value.get()) ? -magnitude : magnitude;
  if (wide < INT32_MIN || wide > INT32_MAX) {
    return TEE_ERROR_OVERFLOW;
  }
  *dest = static_cast<int32_t>(wide);
  return TEE_SUCCESS;
}

}  // extern "C"
