// SM2 public-key encryption (GB/T 32918.4, TEE_ALG_SM2_PKE) on OpenSSL 3's
// "SM2" keys. GP and OP-TEE write the ciphertext as C1 || C3 || C2: C1 the
// uncompressed point 04 || x || y (65 bytes), C3 the SM3 hash (32 bytes),
// C2 as long as the message. OpenSSL reads and writes GM/T 0009's DER
// instead, SEQUENCE { INTEGER x, INTEGER y, OCTET STRING C3, OCTET STRING C2 },
// so each call converts, checking every length it reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tee_api_types.h"

struct __TEE_OperationHandle;

namespace captee::gp_ta {

inline constexpr size_t kSm2CoordinateBytes = 32;
inline constexpr size_t kSm2PointBytes = 1 + 2 * kSm2CoordinateBytes;  // C1
inline constexpr size_t kSm2HashBytes = 32;                            // C3
// What a ciphertext adds to its message.
inline constexpr size_t kSm2Overhead = kSm2PointBytes + kSm2HashBytes;
// The longest message either direction takes: OpenSSL keeps C2's length in
// an int, and the DER around it must fit one too.
inline constexpr size_t kSm2MaxMessage = (size_t{1} << 30);

// GP's C1 || C3 || C2 (`len` bytes at `in`) as OpenSSL's DER, into `*der`.
// False if `len` is under kSm2Overhead or C2 longer than kSm2MaxMessage, C1
// is not in the uncompressed form, or memory runs out. Whether C1 is on the
// curve is the caller's check.
bool sm2_ciphertext_to_der(const uint8_t *in, size_t len, std::vector<uint8_t> *der);

// OpenSSL's DER (`der_len` bytes) as GP's C1 || C3 || C2, written to `out`,
// which has room for exactly `out_len` bytes: kSm2Overhead and the message's
// length. False if the DER is malformed in any way (a length past its end or
// short of it, a tag out of place, a coordinate or hash of the wrong size)
// or its C2 is not out_len - kSm2Overhead bytes; `out` may then hold part of
// the conversion.
bool sm2_ciphertext_from_der(const uint8_t *der, size_t der_len, uint8_t *out, size_t out_len);

// TEE_AsymmetricEncrypt / Decrypt for TEE_ALG_SM2_PKE; the caller checked
// the operation, its mode and key, and that the buffers are non-null if not
// empty. Encrypt: an empty message or one longer than kSm2MaxMessage is
// TEE_ERROR_BAD_PARAMETERS; SHORT_BUFFER with the ciphertext's size. Decrypt:
// a ciphertext with no C2 or too long, C1 not an uncompressed point of the
// curve: TEE_ERROR_BAD_PARAMETERS; SHORT_BUFFER with the message's size (C2's);
// C3 not matching: TEE_ERROR_CIPHERTEXT_INVALID, nothing written.
TEE_Result sm2_encrypt(const __TEE_OperationHandle *op, const void *src, size_t src_len, void *dst,
                       size_t *dst_len);
TEE_Result sm2_decrypt(const __TEE_OperationHandle *op, const void *src, size_t src_len, void *dst,
                       size_t *dst_len);

}  // namespace captee::gp_ta
