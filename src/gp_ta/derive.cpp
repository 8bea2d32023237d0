// Key derivation (GP 6.8), for OP-TEE's extensions
// (tee_api_defines_extensions.h): HKDF (RFC 5869), Concat KDF (SP 800-56A's
// single-step KDF, OpenSSL's SSKDF) and PBKDF2-HMAC-SHA1 (RFC 2898), on
// OpenSSL's EVP_KDF, ECDH (ecc_operations.cpp), X25519 (curve25519.cpp) and
// DH (dh.cpp). The derived key fills a
// transient generic secret. The
// function returns nothing, so every error is a panic, as GP says.
#include <openssl/core_names.h>
#include <openssl/kdf.h>

#include "curve25519.hpp"
#include "dh.hpp"
#include "ecc.hpp"
#include "objects.hpp"
#include "operations.hpp"
#include "tee_api_defines_extensions.h"
#include "tee_internal_api.h"

using captee::gp_ta::operation_or_panic;

namespace {

// The parameters one derivation reads: which attributes it takes, and what
// the TA gave.
struct KdfInputs {
  uint32_t salt_id = 0;
  uint32_t info_id = 0;
  uint32_t length_id = 0;
  uint32_t iterations_id = 0;
  const TEE_Attribute *salt = nullptr;
  const TEE_Attribute *info = nullptr;
  const TEE_Attribute *length = nullptr;
  const TEE_Attribute *iterations = nullptr;
};

KdfInputs inputs_for(uint32_t key_type) {
  KdfInputs in;
  switch (key_type) {
    case TEE_TYPE_HKDF_IKM:
      in.salt_id = __OPTEE_TEE_ATTR_HKDF_SALT;
      in.info_id = __OPTEE_TEE_ATTR_HKDF_INFO;
      in.length_id = TEE_ATTR_HKDF_OKM_LENGTH;
      break;
    case TEE_TYPE_CONCAT_KDF_Z:
      in.info_id = TEE_ATTR_CONCAT_KDF_OTHER_INFO;
      in.length_id = TEE_ATTR_CONCAT_KDF_DKM_LENGTH;
      break;
    default:  // TEE_TYPE_PBKDF2_PASSWORD
      in.salt_id = TEE_ATTR_PBKDF2_SALT;
      in.length_id = TEE_ATTR_PBKDF2_DKM_LENGTH;
      in.iterations_id = TEE_ATTR_PBKDF2_ITERATION_COUNT;
      break;
  }
  return in;
}

// Sorts the TA's attributes into `in`; one the derivation does not take, or
// one given twice, panics.
void sort_params(const TEE_Attribute *params, uint32_t count, KdfInputs *in) {
  for (uint32_t i = 0; i < count; ++i) {
    const TEE_Attribute *a = &params[i];
    const TEE_Attribute **slot = nullptr;
    if (in->salt_id != 0 && a->attributeID == in->salt_id) {
      slot = &in->salt;
    } else if (in->info_id != 0 && a->attributeID == in->info_id) {
      slot = &in->info;
    } else if (a->attributeID == in->length_id) {
      slot = &in->length;
    } else if (in->iterations_id != 0 && a->attributeID == in->iterations_id) {
      slot = &in->iterations;
    }
    if (slot == nullptr || *slot != nullptr) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
    const bool value = (a->attributeID & TEE_ATTR_FLAG_VALUE) != 0;
    if (!value && a->content.ref.buffer == nullptr && a->content.ref.length != 0) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
    *slot = a;
  }
}

OSSL_PARAM octets(const char *name, const TEE_Attribute *a) {
  static unsigned char empty[1];
  void *p = a->content.ref.length == 0 ? empty : a->content.ref.buffer;
  return OSSL_PARAM_construct_octet_string(name, p, a->content.ref.length);
}

}  // namespace

extern "C" {

void TEE_DeriveKey(TEE_OperationHandle operation, const TEE_Attribute *params, uint32_t paramCount,
                   TEE_ObjectHandle derivedKey) {
  __TEE_OperationHandle *op = operation_or_panic(operation, TEE_OPERATION_KEY_DERIVATION);
  captee::gp_ta::require_key(op);
  if (params == nullptr && paramCount != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  __TEE_ObjectHandle *out = captee::gp_ta::object_or_panic(derivedKey);
  if (out->info.objectType != TEE_TYPE_GENERIC_SECRET ||
      (out->info.handleFlags & (TEE_HANDLE_FLAG_INITIALIZED | TEE_HANDLE_FLAG_PERSISTENT)) != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (op->alg->ec == captee::gp_ta::EcScheme::kEcdh) {
    captee::gp_ta::ecdh_derive(op, params, paramCount, out);
    return;
  }
  if (op->alg->ec == captee::gp_ta::EcScheme::kDh) {
    captee::gp_ta::dh_derive(op, params, paramCount, out);
    return;
  }
  if (op->alg->ec == captee::gp_ta::EcScheme::kX25519) {
    captee::gp_ta::x25519_derive(op, params, paramCount, out);
    return;
  }
  const uint32_t key_type = op->alg->key_type;
  KdfInputs in = inputs_for(key_type);
  sort_params(params, paramCount, &in);
  // The length is mandatory, and must be a generic secret's size that fits
  // the derived object; PBKDF2 needs its iteration count.
  if (in.length == nullptr || (key_type == TEE_TYPE_PBKDF2_PASSWORD && in.iterations == nullptr)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  const uint32_t len = in.length->content.value.a;
  if (len == 0 || len > out->info.maxObjectSize / 8) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  const char *kdf_name = key_type == TEE_TYPE_HKDF_IKM       ? OSSL_KDF_NAME_HKDF
                         : key_type == TEE_TYPE_CONCAT_KDF_Z ? OSSL_KDF_NAME_SSKDF
                                                             : OSSL_KDF_NAME_PBKDF2;
  OSSL_PARAM p[6];
  size_t n = 0;
  p[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                            const_cast<char *>(op->alg->openssl), 0);
  p[n++] = OSSL_PARAM_construct_octet_string(
      key_type == TEE_TYPE_PBKDF2_PASSWORD ? OSSL_KDF_PARAM_PASSWORD : OSSL_KDF_PARAM_KEY,
      op->key.data(), op->key.size());
  if (in.salt != nullptr) {
    p[n++] = octets(OSSL_KDF_PARAM_SALT, in.salt);
  }
  if (in.info != nullptr) {
    p[n++] = octets(OSSL_KDF_PARAM_INFO, in.info);
  }
  unsigned int iterations = 0;
  if (in.iterations != nullptr) {
    iterations = in.iterations->content.value.a;
    if (iterations == 0) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
    p[n++] = OSSL_PARAM_construct_uint(OSSL_KDF_PARAM_ITER, &iterations);
  }
  p[n] = OSSL_PARAM_construct_end();
  EVP_KDF *kdf = EVP_KDF_fetch(nullptr, kdf_name, nullptr);
  EVP_KDF_CTX *ctx = kdf == nullptr ? nullptr : EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);  // the context keeps its own reference
  out->secret.clear();
  const bool ok = ctx != nullptr && out->secret.resize(len) &&
                  EVP_KDF_derive(ctx, out->secret.data(), len, p) == 1;
  EVP_KDF_CTX_free(ctx);  // OpenSSL wipes the context
  if (!ok) {
    // An output longer than the KDF can make (HKDF: 255 digests) too.
    out->secret.clear();
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  out->info.objectSize = len * 8;
  out->info.handleFlags |= TEE_HANDLE_FLAG_INITIALIZED;
}

}  // extern "C"
