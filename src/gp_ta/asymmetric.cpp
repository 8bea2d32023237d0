// Asymmetric operations (GP 6.7) for the RSA schemes of algorithms.cpp (and
// ECDSA, SM2 and Ed25519, whose work is in ecc_operations.cpp, sm2_pke.cpp
// and curve25519.cpp), on OpenSSL 3's EVP_PKEY: TEE_AsymmetricSignDigest / VerifyDigest
// (RSASSA-PKCS1-v1_5 and RSASSA-PSS with MGF1 of the same hash) and
// TEE_AsymmetricEncrypt / Decrypt (RSAES-PKCS1-v1_5, RSAES-OAEP with MGF1 of
// the same hash, raw RSA). Misuse panics (an invalid handle, the wrong class
// or mode, no key, a digest not the algorithm's length); a short output
// buffer answers TEE_ERROR_SHORT_BUFFER with the size needed.
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <climits>

#include "curve25519.hpp"
#include "ecc.hpp"
#include "operations.hpp"
#include "secret_buffer.hpp"
#include "sm2.hpp"
#include "tee_internal_api.h"

using captee::gp_ta::operation_or_panic;
using captee::gp_ta::RsaScheme;

namespace {

// The operation `handle` names, of `operation_class`, in `mode`, with a key;
// panics otherwise.
__TEE_OperationHandle *keyed_or_panic(TEE_OperationHandle handle, uint32_t operation_class,
                                      uint32_t mode) {
  __TEE_OperationHandle *op = operation_or_panic(handle, operation_class);
  if (op->info.mode != mode) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  captee::gp_ta::require_key(op);
  return op;
}

// A buffer the TA passes: null only if empty.
void check_buffer(const void *p, size_t len) {
  if (p == nullptr && len != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
}

// The attributes of one call: PSS's salt length and OAEP's label; others
// are ignored, as GP allows. One given twice panics.
struct CallParams {
  const TEE_Attribute *salt_length = nullptr;
  const TEE_Attribute *label = nullptr;
};

CallParams read_params(const TEE_Attribute *params, uint32_t count) {
  if (params == nullptr && count != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  CallParams p;
  for (uint32_t i = 0; i < count; ++i) {
    const TEE_Attribute **slot = nullptr;
    if (params[i].attributeID == TEE_ATTR_RSA_PSS_SALT_LENGTH) {
      slot = &p.salt_length;
    } else if (params[i].attributeID == TEE_ATTR_RSA_OAEP_LABEL) {
      slot = &p.label;
      check_buffer(params[i].content.ref.buffer, params[i].content.ref.length);
    }
    if (slot != nullptr) {
      if (*slot != nullptr) {
        TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
      }
      *slot = &params[i];
    }
  }
  return p;
}

// The modulus size in bytes: every signature's and ciphertext's size.
size_t modulus_bytes(const __TEE_OperationHandle *op) {
  const int size = EVP_PKEY_get_size(op->pkey);
  return size > 0 ? static_cast<size_t>(size) : 0;
}

// An EVP_PKEY_CTX for the operation's key and scheme, set up by `init`
// (EVP_PKEY_sign_init and its kind); nullptr if OpenSSL refuses the
// parameters (a PSS salt too long for the key, a label it cannot copy).
EVP_PKEY_CTX *scheme_ctx(const __TEE_OperationHandle *op, const CallParams &p,
                         int (*init)(EVP_PKEY_CTX *)) {
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, op->pkey, nullptr);
  if (ctx == nullptr || init(ctx) != 1) {
    EVP_PKEY_CTX_free(ctx);
    return nullptr;
  }
  bool ok = true;
  switch (op->alg->rsa) {
    case RsaScheme::kPkcs1Sign:
      ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
           EVP_PKEY_CTX_set_signature_md(ctx, op->md) == 1;
      break;
    case RsaScheme::kPss: {
      // GP's default salt is as long as the digest.
      int salt = EVP_MD_get_size(op->md);
      if (p.salt_length != nullptr) {
        if (p.salt_length->content.value.a > static_cast<uint32_t>(INT_MAX)) {
          ok = false;
        }
        salt = static_cast<int>(p.salt_length->content.value.a);
      }
      ok = ok && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_signature_md(ctx, op->md) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, op->md) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, salt) == 1;
      break;
    }
    case RsaScheme::kPkcs1Encrypt:
      ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
      break;
    case RsaScheme::kOaep:
      ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_oaep_md(ctx, op->md) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, op->md) == 1;
      if (ok && p.label != nullptr && p.label->content.ref.length != 0) {
        // OpenSSL takes ownership of the label's copy.
        void *label = OPENSSL_memdup(p.label->content.ref.buffer, p.label->content.ref.length);
        ok = label != nullptr && p.label->content.ref.length <= static_cast<size_t>(INT_MAX) &&
             EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label,
                                              static_cast<int>(p.label->content.ref.length)) == 1;
        if (!ok) {
          OPENSSL_free(label);
        }
      }
      break;
    case RsaScheme::kNoPad:
      ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1;
      break;
    case RsaScheme::kNone:
      ok = false;
      break;
  }
  if (!ok) {
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return nullptr;
  }
  return ctx;
}

// One EVP_PKEY_sign, _encrypt or _decrypt (`run`, with its `init`) over the
// operation's key and scheme: true once OpenSSL wrote *out_len bytes (in:
// the room at `out`). A refusal leaves OpenSSL's error queue empty.
bool run_scheme(const __TEE_OperationHandle *op, const CallParams &p, int (*init)(EVP_PKEY_CTX *),
                int (*run)(EVP_PKEY_CTX *, unsigned char *, size_t *, const unsigned char *,
                           size_t),
                void *out, size_t *out_len, const void *in, size_t in_len) {
  EVP_PKEY_CTX *ctx = scheme_ctx(op, p, init);
  const bool ok = ctx != nullptr && run(ctx, static_cast<unsigned char *>(out), out_len,
                                        static_cast<const unsigned char *>(in), in_len) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) {
    ERR_clear_error();
  }
  return ok;
}

// The digest a signature covers must be the algorithm's length: anything
// else is a programming error, which GP says panics.
void check_digest(const __TEE_OperationHandle *op, const void *digest, size_t len) {
  check_buffer(digest, len);
  if (len != static_cast<size_t>(EVP_MD_get_size(op->md))) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
}

// Raw RSA takes an input of up to the modulus's size, zeros on the left
// making up the rest (OpenSSL wants exactly the modulus's size). False if
// the input is longer.
bool left_pad(const uint8_t *in, size_t len, captee::gp_ta::SecretBuffer *out, size_t k) {
  if (len > k || !out->reserve(k) || !out->resize(k)) {
    return false;
  }
  TEE_MemFill(out->data(), 0, k - len);
  if (len != 0) {
    TEE_MemMove(out->data() + (k - len), in, len);
  }
  return true;
}

}  // namespace

extern "C" {

TEE_Result TEE_AsymmetricSignDigest(TEE_OperationHandle operation, const TEE_Attribute *params,
                                    uint32_t paramCount, const void *digest, size_t digestLen,
                                    void *signature, size_t *signatureLen) {
  const __TEE_OperationHandle *op =
      keyed_or_panic(operation, TEE_OPERATION_ASYMMETRIC_SIGNATURE, TEE_MODE_SIGN);
  const CallParams p = read_params(params, paramCount);
  if (op->alg->ec == captee::gp_ta::EcScheme::kEd25519) {
    // Ed25519 signs the message itself, of any length.
    check_buffer(digest, digestLen);
    if (signatureLen == nullptr) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
    return captee::gp_ta::ed25519_sign(op, params, paramCount, digest, digestLen, signature,
                                       signatureLen);
  }
  check_digest(op, digest, digestLen);
  if (signatureLen == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  // SM2's signature is ECDSA's r || s (ecc_operations.cpp).
  if (op->alg->ec == captee::gp_ta::EcScheme::kEcdsa ||
      op->alg->ec == captee::gp_ta::EcScheme::kSm2Dsa) {
    return captee::gp_ta::ecdsa_sign(op, digest, digestLen, signature, signatureLen);
  }
  const size_t k = modulus_bytes(op);
  if (*signatureLen < k) {
    *signatureLen = k;
    return TEE_ERROR_SHORT_BUFFER;
  }
  check_buffer(signature, *signatureLen);
  size_t written = *signatureLen;
  // OpenSSL refuses a key too short for the digest (and, for PSS, the salt).
  if (!run_scheme(op, p, EVP_PKEY_sign_init, EVP_PKEY_sign, signature, &written, digest,
                  digestLen)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  *signatureLen = written;
  return TEE_SUCCESS;
}

TEE_Result TEE_AsymmetricVerifyDigest(TEE_OperationHandle operation, const TEE_Attribute *params,
                                      uint32_t paramCount, const void *digest, size_t digestLen,
                                      const void *signature, size_t signatureLen) {
  const __TEE_OperationHandle *op =
      keyed_or_panic(operation, TEE_OPERATION_ASYMMETRIC_SIGNATURE, TEE_MODE_VERIFY);
  const CallParams p = read_params(params, paramCount);
  if (op->alg->ec == captee::gp_ta::EcScheme::kEd25519) {
    check_buffer(digest, digestLen);
    check_buffer(signature, signatureLen);
    return captee::gp_ta::ed25519_verify(op, params, paramCount, digest, digestLen, signature,
                                         signatureLen);
  }
  check_digest(op, digest, digestLen);
  check_buffer(signature, signatureLen);
  if (op->alg->ec == captee::gp_ta::EcScheme::kEcdsa ||
      op->alg->ec == captee::gp_ta::EcScheme::kSm2Dsa) {
    return captee::gp_ta::ecdsa_verify(op, digest, digestLen, signature, signatureLen);
  }
  EVP_PKEY_CTX *ctx = scheme_ctx(op, p, EVP_PKEY_verify_init);
  if (ctx == nullptr) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  // Anything but a good signature (a wrong length, a value over the
  // modulus, bad padding) is an invalid one.
  const int verdict =
      EVP_PKEY_verify(ctx, static_cast<const unsigned char *>(signature), signatureLen,
                      static_cast<const unsigned char *>(digest), digestLen);
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();
  return verdict == 1 ? TEE_SUCCESS : TEE_ERROR_SIGNATURE_INVALID;
}

TEE_Result TEE_AsymmetricEncrypt(TEE_OperationHandle operation, const TEE_Attribute *params,
                                 uint32_t paramCount, const void *srcData, size_t srcLen,
                                 void *destData, size_t *destLen) {
  const __TEE_OperationHandle *op =
      keyed_or_panic(operation, TEE_OPERATION_ASYMMETRIC_CIPHER, TEE_MODE_ENCRYPT);
  const CallParams p = read_params(params, paramCount);
  check_buffer(srcData, srcLen);
  if (destLen == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (op->alg->ec == captee::gp_ta::EcScheme::kSm2Pke) {
    check_buffer(destData, *destLen);
    return captee::gp_ta::sm2_encrypt(op, srcData, srcLen, destData, destLen);
  }
  const size_t k = modulus_bytes(op);
  if (*destLen < k) {
    *destLen = k;
    return TEE_ERROR_SHORT_BUFFER;
  }
  check_buffer(destData, *destLen);
  const auto *in = static_cast<const uint8_t *>(srcData);
  size_t in_len = srcLen;
  captee::gp_ta::SecretBuffer padded;
  if (op->alg->rsa == RsaScheme::kNoPad) {
    if (!left_pad(in, srcLen, &padded, k)) {
      return TEE_ERROR_BAD_PARAMETERS;
    }
    in = padded.data();
    in_len = k;
  }
  size_t written = *destLen;
  // OpenSSL refuses a message too long for the scheme and key (or, raw, not
  // under the modulus): the TA's bad parameter.
  if (!run_scheme(op, p, EVP_PKEY_encrypt_init, EVP_PKEY_encrypt, destData, &written, in, in_len)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  *destLen = written;
  return TEE_SUCCESS;
}

TEE_Result TEE_AsymmetricDecrypt(TEE_OperationHandle operation, const TEE_Attribute *params,
                                 uint32_t paramCount, const void *srcData, size_t srcLen,
                                 void *destData, size_t *destLen) {
  const __TEE_OperationHandle *op =
      keyed_or_panic(operation, TEE_OPERATION_ASYMMETRIC_CIPHER, TEE_MODE_DECRYPT);
  const CallParams p = read_params(params, paramCount);
  check_buffer(srcData, srcLen);
  if (destLen == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (op->alg->ec == captee::gp_ta::EcScheme::kSm2Pke) {
    check_buffer(destData, *destLen);
    return captee::gp_ta::sm2_decrypt(op, srcData, srcLen, destData, destLen);
  }
  const size_t k = modulus_bytes(op);
  const auto *in = static_cast<const uint8_t *>(srcData);
  size_t in_len = srcLen;
  captee::gp_ta::SecretBuffer padded;
  if (op->alg->rsa == RsaScheme::kNoPad) {
    if (!left_pad(in, srcLen, &padded, k)) {
      return TEE_ERROR_BAD_PARAMETERS;
    }
    in = padded.data();
    in_len = k;
  }
  // The plaintext goes to a buffer of its own first: GP's SHORT_BUFFER
  // reports its exact size, known only once it is decrypted.
  captee::gp_ta::SecretBuffer plain;
  if (!plain.reserve(k)) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  size_t written = k;
  if (!run_scheme(op, p, EVP_PKEY_decrypt_init, EVP_PKEY_decrypt, plain.data(), &written, in,
                  in_len) ||
      written > k) {
    return TEE_ERROR_CIPHERTEXT_INVALID;
  }
  size_t start = 0;
  if (op->alg->rsa == RsaScheme::kNoPad) {
    // Raw RSA hands back the number without its leading zeros (one zero
    // stays if it is all zeros), as OP-TEE does.
    while (start + 1 < written && plain.data()[start] == 0) {
      ++start;
    }
  }
  const size_t len = written - start;
  if (*destLen < len) {
    *destLen = len;
    return TEE_ERROR_SHORT_BUFFER;
  }
  check_buffer(destData, len);
  if (len != 0) {
    TEE_MemMove(destData, plain.data() + start, len);
  }
  *destLen = len;
  return TEE_SUCCESS;
}

}  // extern "C"
