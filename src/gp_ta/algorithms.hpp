// The one table from GP algorithm identifiers (TEE_ALG_*) to what OpenSSL 3
// calls them, with what the operations family needs to know of each: its
// operation class, the key type it takes and its block or digest size. An
// algorithm not in the table, or one the OpenSSL at hand cannot fetch, is
// not supported (TEE_AllocateOperation: TEE_ERROR_NOT_SUPPORTED).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace captee::gp_ta {

// kCts runs on OpenSSL's CBC (cipher.cpp steals the ciphertext, CBC-CS3 as
// RFC 3962); kXts is OpenSSL's one-shot XTS.
enum class CipherMode { kNone, kEcb, kCbc, kCtr, kCts, kXts, kGcm, kCcm };
enum class MacKind { kNone, kHmac, kCmac, kCbcMacNoPad, kCbcMacPkcs5 };
// The RSA schemes (asymmetric.cpp): signatures PKCS#1 v1.5 and PSS,
// encryption PKCS#1 v1.5, OAEP and none (raw RSA).
enum class RsaScheme { kNone, kPkcs1Sign, kPss, kPkcs1Encrypt, kOaep, kNoPad };
// The elliptic-curve schemes (ecc.hpp; SM2 encryption sm2.hpp)
// (curve25519.hpp: Ed25519 and X25519), and finite-field DH (dh.hpp), which
// takes ECDH's path through TEE_DeriveKey.
enum class EcScheme { kNone, kEcdsa, kEcdh, kEd25519, kX25519, kDh, kSm2Dsa, kSm2Pke };

struct Algorithm {
  uint32_t id;               // TEE_ALG_*
  uint32_t operation_class;  // TEE_OPERATION_*
  // Digests, HMACs, key derivations and the RSA schemes that hash (the
  // signature's digest, OAEP's and MGF1's hash): OpenSSL's digest name. Ciphers and the other MACs:
  // the cipher family, "AES", "DES" or "DES3" (the name then depends on the
  // key size: cipher_name()).
  const char *openssl;
  uint32_t key_type;       // TEE_TYPE_* of the key; 0 for digests
  uint32_t block_size;     // cipher block size in bytes; 0 for digests and HMACs
  CipherMode cipher_mode;  // kNone for digests, HMACs and derivations
  MacKind mac_kind;        // kNone but for MACs
  RsaScheme rsa = RsaScheme::kNone;
  EcScheme ec = EcScheme::kNone;
  // The one curve size (bits) OP-TEE's older ECDSA_P* / ECDH_P* numbers
  // take; 0 for any NIST curve.
  uint32_t ec_bits = 0;
};

// The row of `id`, or nullptr if captee does not know the algorithm.
const Algorithm *find_algorithm(uint32_t id);

// True if `alg` is in the table and the OpenSSL providers loaded in this
// process have it.
bool algorithm_available(const Algorithm &alg);

// OpenSSL's name of the cipher of `alg` with a key of `key_bytes` in
// `mode` ("AES-128-CBC", "DES-EDE3-ECB", ...); empty if there is none.
std::string cipher_name(const Algorithm &alg, size_t key_bytes, CipherMode mode);

}  // namespace captee::gp_ta
