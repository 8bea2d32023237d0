// GP algorithm → OpenSSL name (algorithms.hpp). Single DES lives in
// OpenSSL's legacy provider, which the TA host loads before its sandbox
// closes (src/tee/apps/openssl_preload.cpp); MD5 and 3DES are in the default
// one.
#include "algorithms.hpp"

#include <openssl/evp.h>

#include "tee_api_defines.h"
#include "tee_api_defines_extensions.h"

namespace captee::gp_ta {

namespace {

constexpr CipherMode kEcb = CipherMode::kEcb;
constexpr CipherMode kCbc = CipherMode::kCbc;
constexpr CipherMode kCtr = CipherMode::kCtr;
constexpr CipherMode kNoMode = CipherMode::kNone;
constexpr MacKind kHmac = MacKind::kHmac;
constexpr MacKind kNoMac = MacKind::kNone;
constexpr uint32_t kSignature = TEE_OPERATION_ASYMMETRIC_SIGNATURE;
constexpr uint32_t kAsymCipher = TEE_OPERATION_ASYMMETRIC_CIPHER;
// An RSA operation's key is a key pair; operations.cpp also takes a public
// key where only the public half is used (verify, encrypt).
constexpr uint32_t kRsa = TEE_TYPE_RSA_KEYPAIR;
constexpr RsaScheme kPkcs1Sign = RsaScheme::kPkcs1Sign;
constexpr RsaScheme kPss = RsaScheme::kPss;
constexpr RsaScheme kPkcs1Encrypt = RsaScheme::kPkcs1Encrypt;
constexpr RsaScheme kOaep = RsaScheme::kOaep;
constexpr RsaScheme kNoRsa = RsaScheme::kNone;
constexpr uint32_t kDerive = TEE_OPERATION_KEY_DERIVATION;
// ECDSA verification also takes a public key (operations.cpp).
constexpr uint32_t kEcdsaKey = TEE_TYPE_ECDSA_KEYPAIR;
constexpr uint32_t kEcdhKey = TEE_TYPE_ECDH_KEYPAIR;
constexpr EcScheme kEcdsa = EcScheme::kEcdsa;
constexpr EcScheme kEcdh = EcScheme::kEcdh;

constexpr Algorithm kAlgorithms[] = {
    // Digests.
    {TEE_ALG_MD5, TEE_OPERATION_DIGEST, "MD5", 0, 0, kNoMode, kNoMac},
    {TEE_ALG_SHA1, TEE_OPERATION_DIGEST, "SHA1", 0, 0, kNoMode, kNoMac},
    {TEE_ALG_SHA224, TEE_OPERATION_DIGEST, "SHA224", 0, 0, kNoMode, kNoMac},
    {TEE_ALG_SHA256, TEE_OPERATION_DIGEST, "SHA256", 0, 0, kNoMode, kNoMac},
    {TEE_ALG_SHA384, TEE_OPERATION_DIGEST, "SHA384", 0, 0, kNoMode, kNoMac},
    {TEE_ALG_SHA512, TEE_OPERATION_DIGEST, "SHA512", 0, 0, kNoMode, kNoMac},
    {TEE_ALG_SHA3_224, TEE_OPERATION_DIGEST, "SHA3-224", 0, 0, kNoMode, kNoMac},
    {TEE_ALG_SHA3_256, TEE_OPERATION_DIGEST, "SHA3-256", 0, 0, kNoMode, kNoMac},
    {TEE_ALG_SHA3_384, TEE_OPERATION_DIGEST, "SHA3-384", 0, 0, kNoMode, kNoMac},
    {TEE_ALG_SHA3_512, TEE_OPERATION_DIGEST, "SHA3-512", 0, 0, kNoMode, kNoMac},
    {TEE_ALG_SM3, TEE_OPERATION_DIGEST, "SM3", 0, 0, kNoMode, kNoMac},
    // HMACs, on the digest named.
    {TEE_ALG_HMAC_MD5, TEE_OPERATION_MAC, "MD5", TEE_TYPE_HMAC_MD5, 0, kNoMode, kHmac},
    {TEE_ALG_HMAC_SHA1, TEE_OPERATION_MAC, "SHA1", TEE_TYPE_HMAC_SHA1, 0, kNoMode, kHmac},
    {TEE_ALG_HMAC_SHA224, TEE_OPERATION_MAC, "SHA224", TEE_TYPE_HMAC_SHA224, 0, kNoMode, kHmac},
    {TEE_ALG_HMAC_SHA256, TEE_OPERATION_MAC, "SHA256", TEE_TYPE_HMAC_SHA256, 0, kNoMode, kHmac},
    {TEE_ALG_HMAC_SHA384, TEE_OPERATION_MAC, "SHA384", TEE_TYPE_HMAC_SHA384, 0, kNoMode, kHmac},
    {TEE_ALG_HMAC_SHA512, TEE_OPERATION_MAC, "SHA512", TEE_TYPE_HMAC_SHA512, 0, kNoMode, kHmac},
    {TEE_ALG_HMAC_SM3, TEE_OPERATION_MAC, "SM3", TEE_TYPE_HMAC_SM3, 0, kNoMode, kHmac},
    {TEE_ALG_HMAC_SHA3_224, TEE_OPERATION_MAC, "SHA3-224", TEE_TYPE_HMAC_SHA3_224, 0, kNoMode,
     kHmac},
    {TEE_ALG_HMAC_SHA3_256, TEE_OPERATION_MAC, "SHA3-256", TEE_TYPE_HMAC_SHA3_256, 0, kNoMode,
     kHmac},
    {TEE_ALG_HMAC_SHA3_384, TEE_OPERATION_MAC, "SHA3-384", TEE_TYPE_HMAC_SHA3_384, 0, kNoMode,
     kHmac},
    {TEE_ALG_HMAC_SHA3_512, TEE_OPERATION_MAC, "SHA3-512", TEE_TYPE_HMAC_SHA3_512, 0, kNoMode,
     kHmac},
    // Block-cipher MACs.
    {TEE_ALG_AES_CMAC, TEE_OPERATION_MAC, "AES", TEE_TYPE_AES, 16, kCbc, MacKind::kCmac},
    {TEE_ALG_AES_CBC_MAC_NOPAD, TEE_OPERATION_MAC, "AES", TEE_TYPE_AES, 16, kCbc,
     MacKind::kCbcMacNoPad},
    {TEE_ALG_AES_CBC_MAC_PKCS5, TEE_OPERATION_MAC, "AES", TEE_TYPE_AES, 16, kCbc,
     MacKind::kCbcMacPkcs5},
    {TEE_ALG_DES_CBC_MAC_NOPAD, TEE_OPERATION_MAC, "DES", TEE_TYPE_DES, 8, kCbc,
     MacKind::kCbcMacNoPad},
    {TEE_ALG_DES_CBC_MAC_PKCS5, TEE_OPERATION_MAC, "DES", TEE_TYPE_DES, 8, kCbc,
     MacKind::kCbcMacPkcs5},
    {TEE_ALG_DES3_CBC_MAC_NOPAD, TEE_OPERATION_MAC, "DES3", TEE_TYPE_DES3, 8, kCbc,
     MacKind::kCbcMacNoPad},
    {TEE_ALG_DES3_CBC_MAC_PKCS5, TEE_OPERATION_MAC, "DES3", TEE_TYPE_DES3, 8, kCbc,
     MacKind::kCbcMacPkcs5},
    // Ciphers.
    {TEE_ALG_AES_ECB_NOPAD, TEE_OPERATION_CIPHER, "AES", TEE_TYPE_AES, 16, kEcb, kNoMac},
    {TEE_ALG_AES_CBC_NOPAD, TEE_OPERATION_CIPHER, "AES", TEE_TYPE_AES, 16, kCbc, kNoMac},
    {TEE_ALG_AES_CTR, TEE_OPERATION_CIPHER, "AES", TEE_TYPE_AES, 16, kCtr, kNoMac},
    {TEE_ALG_AES_CTS, TEE_OPERATION_CIPHER, "AES", TEE_TYPE_AES, 16, CipherMode::kCts, kNoMac},
    // Two keys of the same size; OpenSSL's name counts one of them.
    {TEE_ALG_AES_XTS, TEE_OPERATION_CIPHER, "AES", TEE_TYPE_AES, 16, CipherMode::kXts, kNoMac},
    // SM4 (GB/T 32907), in OpenSSL 3.0's default provider.
    {TEE_ALG_SM4_ECB_NOPAD, TEE_OPERATION_CIPHER, "SM4", TEE_TYPE_SM4, 16, kEcb, kNoMac},
    {TEE_ALG_SM4_CBC_NOPAD, TEE_OPERATION_CIPHER, "SM4", TEE_TYPE_SM4, 16, kCbc, kNoMac},
    {TEE_ALG_SM4_CTR, TEE_OPERATION_CIPHER, "SM4", TEE_TYPE_SM4, 16, kCtr, kNoMac},
    {TEE_ALG_DES_ECB_NOPAD, TEE_OPERATION_CIPHER, "DES", TEE_TYPE_DES, 8, kEcb, kNoMac},
    {TEE_ALG_DES_CBC_NOPAD, TEE_OPERATION_CIPHER, "DES", TEE_TYPE_DES, 8, kCbc, kNoMac},
    {TEE_ALG_DES3_ECB_NOPAD, TEE_OPERATION_CIPHER, "DES3", TEE_TYPE_DES3, 8, kEcb, kNoMac},
    {TEE_ALG_DES3_CBC_NOPAD, TEE_OPERATION_CIPHER, "DES3", TEE_TYPE_DES3, 8, kCbc, kNoMac},
    // OP-TEE's key derivations, on the digest named; the key type says which.
    {TEE_ALG_HKDF_MD5_DERIVE_KEY, TEE_OPERATION_KEY_DERIVATION, "MD5", TEE_TYPE_HKDF_IKM, 0,
     kNoMode, kNoMac},
    {TEE_ALG_HKDF_SHA1_DERIVE_KEY, TEE_OPERATION_KEY_DERIVATION, "SHA1", TEE_TYPE_HKDF_IKM, 0,
     kNoMode, kNoMac},
    {TEE_ALG_HKDF_SHA224_DERIVE_KEY, TEE_OPERATION_KEY_DERIVATION, "SHA224", TEE_TYPE_HKDF_IKM, 0,
     kNoMode, kNoMac},
    {TEE_ALG_HKDF_SHA256_DERIVE_KEY, TEE_OPERATION_KEY_DERIVATION, "SHA256", TEE_TYPE_HKDF_IKM, 0,
     kNoMode, kNoMac},
    {TEE_ALG_HKDF_SHA384_DERIVE_KEY, TEE_OPERATION_KEY_DERIVATION, "SHA384", TEE_TYPE_HKDF_IKM, 0,
     kNoMode, kNoMac},
    {TEE_ALG_HKDF_SHA512_DERIVE_KEY, TEE_OPERATION_KEY_DERIVATION, "SHA512", TEE_TYPE_HKDF_IKM, 0,
     kNoMode, kNoMac},
    {TEE_ALG_CONCAT_KDF_SHA1_DERIVE_KEY, TEE_OPERATION_KEY_DERIVATION, "SHA1",
     TEE_TYPE_CONCAT_KDF_Z, 0, kNoMode, kNoMac},
    {TEE_ALG_CONCAT_KDF_SHA224_DERIVE_KEY, TEE_OPERATION_KEY_DERIVATION, "SHA224",
     TEE_TYPE_CONCAT_KDF_Z, 0, kNoMode, kNoMac},
    {TEE_ALG_CONCAT_KDF_SHA256_DERIVE_KEY, TEE_OPERATION_KEY_DERIVATION, "SHA256",
     TEE_TYPE_CONCAT_KDF_Z, 0, kNoMode, kNoMac},
    {TEE_ALG_CONCAT_KDF_SHA384_DERIVE_KEY, TEE_OPERATION_KEY_DERIVATION, "SHA384",
     TEE_TYPE_CONCAT_KDF_Z, 0, kNoMode, kNoMac},
    {TEE_ALG_CONCAT_KDF_SHA512_DERIVE_KEY, TEE_OPERATION_KEY_DERIVATION, "SHA512",
     TEE_TYPE_CONCAT_KDF_Z, 0, kNoMode, kNoMac},
    {TEE_ALG_PBKDF2_HMAC_SHA1_DERIVE_KEY, TEE_OPERATION_KEY_DERIVATION, "SHA1",
     TEE_TYPE_PBKDF2_PASSWORD, 0, kNoMode, kNoMac},
    // Authenticated encryption.
    {TEE_ALG_AES_GCM, TEE_OPERATION_AE, "AES", TEE_TYPE_AES, 16, CipherMode::kGcm, kNoMac},
    {TEE_ALG_AES_CCM, TEE_OPERATION_AE, "AES", TEE_TYPE_AES, 16, CipherMode::kCcm, kNoMac},
    // RSA signatures, over the digest named; PSS's MGF1 uses the same hash.
    {TEE_ALG_RSASSA_PKCS1_V1_5_MD5, kSignature, "MD5", kRsa, 0, kNoMode, kNoMac, kPkcs1Sign},
    {TEE_ALG_RSASSA_PKCS1_V1_5_SHA1, kSignature, "SHA1", kRsa, 0, kNoMode, kNoMac, kPkcs1Sign},
    {TEE_ALG_RSASSA_PKCS1_V1_5_SHA224, kSignature, "SHA224", kRsa, 0, kNoMode, kNoMac, kPkcs1Sign},
    {TEE_ALG_RSASSA_PKCS1_V1_5_SHA256, kSignature, "SHA256", kRsa, 0, kNoMode, kNoMac, kPkcs1Sign},
    {TEE_ALG_RSASSA_PKCS1_V1_5_SHA384, kSignature, "SHA384", kRsa, 0, kNoMode, kNoMac, kPkcs1Sign},
    {TEE_ALG_RSASSA_PKCS1_V1_5_SHA512, kSignature, "SHA512", kRsa, 0, kNoMode, kNoMac, kPkcs1Sign},
    {TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA1, kSignature, "SHA1", kRsa, 0, kNoMode, kNoMac, kPss},
    {TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA224, kSignature, "SHA224", kRsa, 0, kNoMode, kNoMac, kPss},
    {TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256, kSignature, "SHA256", kRsa, 0, kNoMode, kNoMac, kPss},
    {TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA384, kSignature, "SHA384", kRsa, 0, kNoMode, kNoMac, kPss},
    {TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA512, kSignature, "SHA512", kRsa, 0, kNoMode, kNoMac, kPss},
    // RSA encryption; OAEP hashes the label and runs MGF1 with the hash named.
    {TEE_ALG_RSAES_PKCS1_V1_5, kAsymCipher, nullptr, kRsa, 0, kNoMode, kNoMac, kPkcs1Encrypt},
    {TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA1, kAsymCipher, "SHA1", kRsa, 0, kNoMode, kNoMac, kOaep},
    {TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA224, kAsymCipher, "SHA224", kRsa, 0, kNoMode, kNoMac, kOaep},
    {TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA256, kAsymCipher, "SHA256", kRsa, 0, kNoMode, kNoMac, kOaep},
    {TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA384, kAsymCipher, "SHA384", kRsa, 0, kNoMode, kNoMac, kOaep},
    {TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA512, kAsymCipher, "SHA512", kRsa, 0, kNoMode, kNoMac, kOaep},
    {TEE_ALG_RSA_NOPAD, kAsymCipher, nullptr, kRsa, 0, kNoMode, kNoMac, RsaScheme::kNoPad},
    // ECDSA over a digest of the hash named: GP v1.3's numbers on any NIST
    // curve, OP-TEE's older ones each on its curve.
    {TEE_ALG_ECDSA_SHA1, kSignature, "SHA1", kEcdsaKey, 0, kNoMode, kNoMac, kNoRsa, kEcdsa},
    {TEE_ALG_ECDSA_SHA224, kSignature, "SHA224", kEcdsaKey, 0, kNoMode, kNoMac, kNoRsa, kEcdsa},
    {TEE_ALG_ECDSA_SHA256, kSignature, "SHA256", kEcdsaKey, 0, kNoMode, kNoMac, kNoRsa, kEcdsa},
    {TEE_ALG_ECDSA_SHA384, kSignature, "SHA384", kEcdsaKey, 0, kNoMode, kNoMac, kNoRsa, kEcdsa},
    {TEE_ALG_ECDSA_SHA512, kSignature, "SHA512", kEcdsaKey, 0, kNoMode, kNoMac, kNoRsa, kEcdsa},
    {__OPTEE_ALG_ECDSA_P192, kSignature, "SHA1", kEcdsaKey, 0, kNoMode, kNoMac, kNoRsa, kEcdsa,
     192},
    {__OPTEE_ALG_ECDSA_P224, kSignature, "SHA224", kEcdsaKey, 0, kNoMode, kNoMac, kNoRsa, kEcdsa,
     224},
    {__OPTEE_ALG_ECDSA_P256, kSignature, "SHA256", kEcdsaKey, 0, kNoMode, kNoMac, kNoRsa, kEcdsa,
     256},
    {__OPTEE_ALG_ECDSA_P384, kSignature, "SHA384", kEcdsaKey, 0, kNoMode, kNoMac, kNoRsa, kEcdsa,
     384},
    {__OPTEE_ALG_ECDSA_P521, kSignature, "SHA512", kEcdsaKey, 0, kNoMode, kNoMac, kNoRsa, kEcdsa,
     521},
    // ECDH's shared secret, likewise.
    {TEE_ALG_ECDH_DERIVE_SHARED_SECRET, kDerive, nullptr, kEcdhKey, 0, kNoMode, kNoMac, kNoRsa,
     kEcdh},
    {__OPTEE_ALG_ECDH_P192, kDerive, nullptr, kEcdhKey, 0, kNoMode, kNoMac, kNoRsa, kEcdh, 192},
    {__OPTEE_ALG_ECDH_P224, kDerive, nullptr, kEcdhKey, 0, kNoMode, kNoMac, kNoRsa, kEcdh, 224},
    {__OPTEE_ALG_ECDH_P256, kDerive, nullptr, kEcdhKey, 0, kNoMode, kNoMac, kNoRsa, kEcdh, 256},
    {__OPTEE_ALG_ECDH_P384, kDerive, nullptr, kEcdhKey, 0, kNoMode, kNoMac, kNoRsa, kEcdh, 384},
    {__OPTEE_ALG_ECDH_P521, kDerive, nullptr, kEcdhKey, 0, kNoMode, kNoMac, kNoRsa, kEcdh, 521},
    // Ed25519 signs the whole message; X25519 derives a 32-byte secret.
    {TEE_ALG_ED25519, kSignature, nullptr, TEE_TYPE_ED25519_KEYPAIR, 0, kNoMode, kNoMac, kNoRsa,
     EcScheme::kEd25519},
    {TEE_ALG_X25519, kDerive, nullptr, TEE_TYPE_X25519_KEYPAIR, 0, kNoMode, kNoMac, kNoRsa,
     EcScheme::kX25519},
    {TEE_ALG_DH_DERIVE_SHARED_SECRET, kDerive, nullptr, TEE_TYPE_DH_KEYPAIR, 0, kNoMode, kNoMac,
     kNoRsa, EcScheme::kDh},
    // SM2 (GB/T 32918) on OpenSSL's "SM2" keys: signatures over the SM3
    // digest the TA computed (SM3(Z || M)), and encryption.
    {TEE_ALG_SM2_DSA_SM3, kSignature, "SM3", TEE_TYPE_SM2_DSA_KEYPAIR, 0, kNoMode, kNoMac, kNoRsa,
     EcScheme::kSm2Dsa},
    {TEE_ALG_SM2_PKE, kAsymCipher, nullptr, TEE_TYPE_SM2_PKE_KEYPAIR, 0, kNoMode, kNoMac, kNoRsa,
     EcScheme::kSm2Pke},
};

const char *mode_suffix(CipherMode mode) {
  switch (mode) {
    case CipherMode::kNone:
      return "";
    case CipherMode::kEcb:
      return "ECB";
    case CipherMode::kCbc:
      return "CBC";
    case CipherMode::kCtr:
      return "CTR";
    case CipherMode::kCts:
      return "CBC";
    case CipherMode::kXts:
      return "XTS";
    case CipherMode::kGcm:
      return "GCM";
    case CipherMode::kCcm:
      return "CCM";
  }
  return "";
}

}  // namespace

const Algorithm *find_algorithm(uint32_t id) {
  for (const Algorithm &a : kAlgorithms) {
    if (a.id == id) {
      return &a;
    }
  }
  return nullptr;
}

std::string cipher_name(const Algorithm &alg, size_t key_bytes, CipherMode mode) {
  const std::string family = alg.openssl;
  const std::string suffix = mode_suffix(mode);
  if (family == "AES" && (key_bytes == 16 || key_bytes == 24 || key_bytes == 32)) {
    return "AES-" + std::to_string(key_bytes * 8) + "-" + suffix;
  }
  const bool sm4_mode =
      mode == CipherMode::kEcb || mode == CipherMode::kCbc || mode == CipherMode::kCtr;
  if (family == "SM4" && key_bytes == 16 && sm4_mode) {
    return "SM4-" + suffix;
  }
  const bool des_mode = mode == CipherMode::kEcb || mode == CipherMode::kCbc;
  if (family == "DES" && key_bytes == 8 && des_mode) {
    return "DES-" + suffix;
  }
  if (family == "DES3" && des_mode) {
    if (key_bytes == 16) {
      return "DES-EDE-" + suffix;
    }
    if (key_bytes == 24) {
      return "DES-EDE3-" + suffix;
    }
  }
  return {};
}

bool algorithm_available(const Algorithm &alg) {
  if (alg.ec == EcScheme::kSm2Dsa || alg.ec == EcScheme::kSm2Pke) {
    // An OpenSSL built without SM2 has no key management of that name.
    EVP_KEYMGMT *sm2 = EVP_KEYMGMT_fetch(nullptr, "SM2", nullptr);
    EVP_KEYMGMT_free(sm2);
    if (sm2 == nullptr) {
      return false;
    }
  }
  if (alg.rsa != RsaScheme::kNone || alg.ec != EcScheme::kNone) {
    if (alg.openssl == nullptr) {
      return true;
    }
    EVP_MD *md = EVP_MD_fetch(nullptr, alg.openssl, nullptr);
    EVP_MD_free(md);
    return md != nullptr;
  }
  if (alg.operation_class == TEE_OPERATION_DIGEST ||
      alg.operation_class == TEE_OPERATION_KEY_DERIVATION ||
      (alg.operation_class == TEE_OPERATION_MAC && alg.mac_kind == MacKind::kHmac)) {
    EVP_MD *md = EVP_MD_fetch(nullptr, alg.openssl, nullptr);
    EVP_MD_free(md);
    return md != nullptr;
  }
  const size_t key_bytes = alg.key_type == TEE_TYPE_DES ? 8 : 16;
  const std::string name = cipher_name(alg, key_bytes, alg.cipher_mode);
  EVP_CIPHER *c = name.empty() ? nullptr : EVP_CIPHER_fetch(nullptr, name.c_str(), nullptr);
  EVP_CIPHER_free(c);
  return c != nullptr;
}

}  // namespace captee::gp_ta
