// Ed25519 and X25519 on OpenSSL 3's EVP_PKEY (curve25519.hpp).
#include "curve25519.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "objects.hpp"
#include "operations.hpp"
#include "tee_internal_api.h"

namespace captee::gp_ta {

namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kSignatureBytes = 64;

bool is_ed25519(uint32_t type) {
  return type == TEE_TYPE_ED25519_PUBLIC_KEY || type == TEE_TYPE_ED25519_KEYPAIR;
}

const TEE_Attribute *find(const TEE_Attribute *attrs, uint32_t count, uint32_t id) {
  for (uint32_t i = 0; i < count; ++i) {
    if (attrs[i].attributeID == id) {
      return &attrs[i];
    }
  }
  return nullptr;
}

// Ed25519ctx and Ed25519ph are not in OpenSSL 3.0: true if the call asks
// for either.
bool wants_variant(const TEE_Attribute *params, uint32_t count) {
  const TEE_Attribute *ctx = find(params, count, TEE_ATTR_EDDSA_CTX);
  const TEE_Attribute *prehash = find(params, count, TEE_ATTR_EDDSA_PREHASH);
  return (ctx != nullptr && ctx->content.ref.length != 0) ||
         (prehash != nullptr && prehash->content.value.a != 0);
}

}  // namespace

bool is_25519_type(uint32_t type) {
  return is_ed25519(type) || type == TEE_TYPE_X25519_PUBLIC_KEY || type == TEE_TYPE_X25519_KEYPAIR;
}

TEE_Result key_25519_from_attributes(uint32_t type, const TEE_Attribute *attrs, uint32_t count,
                                     EVP_PKEY **key) {
  *key = nullptr;
  const bool ed = is_ed25519(type);
  const bool keypair = type == TEE_TYPE_ED25519_KEYPAIR || type == TEE_TYPE_X25519_KEYPAIR;
  const int id = ed ? EVP_PKEY_ED25519 : EVP_PKEY_X25519;
  const TEE_Attribute *pub =
      find(attrs, count, ed ? TEE_ATTR_ED25519_PUBLIC_VALUE : TEE_ATTR_X25519_PUBLIC_VALUE);
  const TEE_Attribute *priv =
      find(attrs, count, ed ? TEE_ATTR_ED25519_PRIVATE_VALUE : TEE_ATTR_X25519_PRIVATE_VALUE);
  if (pub == nullptr || pub->content.ref.length != kKeyBytes ||
      (keypair && (priv == nullptr || priv->content.ref.length != kKeyBytes))) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  const auto *pub_bytes = static_cast<const unsigned char *>(pub->content.ref.buffer);
  if (!keypair) {
    *key = EVP_PKEY_new_raw_public_key(id, nullptr, pub_bytes, kKeyBytes);
    return *key != nullptr ? TEE_SUCCESS : TEE_ERROR_BAD_PARAMETERS;
  }
  *key = EVP_PKEY_new_raw_private_key(
      id, nullptr, static_cast<const unsigned char *>(priv->content.ref.buffer), kKeyBytes);
  // The public value is derived from the private one; a different one
  // given would make a key that signs for someone else.
  unsigned char derived[kKeyBytes];
  size_t len = sizeof derived;
  if (*key == nullptr || EVP_PKEY_get_raw_public_key(*key, derived, &len) != 1 ||
      len != kKeyBytes || CRYPTO_memcmp(derived, pub_bytes, kKeyBytes) != 0) {
    EVP_PKEY_free(*key);
    *key = nullptr;
    return TEE_ERROR_BAD_PARAMETERS;
  }
  return TEE_SUCCESS;
}

TEE_Result generate_25519(uint32_t type, EVP_PKEY **key) {
  *key = EVP_PKEY_Q_keygen(nullptr, nullptr, is_ed25519(type) ? "ED25519" : "X25519");
  return *key != nullptr ? TEE_SUCCESS : TEE_ERROR_OUT_OF_MEMORY;
}

EVP_PKEY *public_half_25519(const EVP_PKEY *key) {
  unsigned char pub[kKeyBytes];
  size_t len = sizeof pub;
  if (EVP_PKEY_get_raw_public_key(key, pub, &len) != 1 || len != kKeyBytes) {
    return nullptr;
  }
  return EVP_PKEY_new_raw_public_key(EVP_PKEY_get_id(key), nullptr, pub, len);
}

TEE_Result attribute_25519(uint32_t type, const EVP_PKEY *key, uint32_t attribute_id, void *buffer,
                           size_t *size) {
  const bool ed = is_ed25519(type);
  const bool is_public =
      attribute_id == (ed ? TEE_ATTR_ED25519_PUBLIC_VALUE : TEE_ATTR_X25519_PUBLIC_VALUE);
  const bool is_private =
      attribute_id == (ed ? TEE_ATTR_ED25519_PRIVATE_VALUE : TEE_ATTR_X25519_PRIVATE_VALUE);
  if (!is_public && !is_private) {
    return TEE_ERROR_ITEM_NOT_FOUND;
  }
  unsigned char value[kKeyBytes];
  size_t len = sizeof value;
  const int ok = is_public ? EVP_PKEY_get_raw_public_key(key, value, &len)
                           : EVP_PKEY_get_raw_private_key(key, value, &len);
  if (ok != 1) {
    ERR_clear_error();
    return TEE_ERROR_ITEM_NOT_FOUND;  // a public key's private value
  }
  TEE_Result res = TEE_SUCCESS;
  if (*size < len || buffer == nullptr) {
    res = TEE_ERROR_SHORT_BUFFER;
  } else {
    TEE_MemMove(buffer, value, len);
  }
  *size = len;
  OPENSSL_cleanse(value, sizeof value);
  return res;
}

TEE_Result ed25519_sign(const __TEE_OperationHandle *op, const TEE_Attribute *params,
                        uint32_t count, const void *msg, size_t msg_len, void *signature,
                        size_t *signature_len) {
  if (wants_variant(params, count)) {
    return TEE_ERROR_NOT_SUPPORTED;
  }
  if (*signature_len < kSignatureBytes) {
    *signature_len = kSignatureBytes;
    return TEE_ERROR_SHORT_BUFFER;
  }
  if (signature == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  size_t len = kSignatureBytes;
  const bool ok =
      ctx != nullptr &&
      EVP_DigestSignInit_ex(ctx, nullptr, nullptr, nullptr, nullptr, op->pkey, nullptr) == 1 &&
      EVP_DigestSign(ctx, static_cast<unsigned char *>(signature), &len,
                     static_cast<const unsigned char *>(msg), msg_len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok || len != kSignatureBytes) {
    ERR_clear_error();
    TEE_Panic(TEE_ERROR_GENERIC);  // OpenSSL failing on a good key
  }
  *signature_len = len;
  return TEE_SUCCESS;
}

TEE_Result ed25519_verify(const __TEE_OperationHandle *op, const TEE_Attribute *params,
                          uint32_t count, const void *msg, size_t msg_len, const void *signature,
                          size_t signature_len) {
  if (wants_variant(params, count)) {
    return TEE_ERROR_NOT_SUPPORTED;
  }
  if (signature_len != kSignatureBytes) {
    return TEE_ERROR_SIGNATURE_INVALID;
  }
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  const int verdict =
      ctx != nullptr && EVP_DigestVerifyInit_ex(ctx, nullptr, nullptr, nullptr, nullptr, op->pkey,
                                                nullptr) == 1
          ? EVP_DigestVerify(ctx, static_cast<const unsigned char *>(signature), signature_len,
                             static_cast<const unsigned char *>(msg), msg_len)
          : -1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return verdict == 1 ? TEE_SUCCESS : TEE_ERROR_SIGNATURE_INVALID;
}

void x25519_derive(const __TEE_OperationHandle *op, const TEE_Attribute *params, uint32_t count,
                   __TEE_ObjectHandle *out) {
  const TEE_Attribute *pub = nullptr;
  for (uint32_t i = 0; i < count; ++i) {
    if (params[i].attributeID != TEE_ATTR_X25519_PUBLIC_VALUE || pub != nullptr) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
    pub = &params[i];
  }
  if (pub == nullptr || pub->content.ref.buffer == nullptr ||
      pub->content.ref.length != kKeyBytes || kKeyBytes * 8 > out->info.maxObjectSize) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_X25519, nullptr, static_cast<const unsigned char *>(pub->content.ref.buffer),
      kKeyBytes);
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, op->pkey, nullptr);
  size_t len = kKeyBytes;
  // OpenSSL refuses a low-order peer point (an all-zero secret).
  const bool ok = peer != nullptr && ctx != nullptr && out->secret.resize(kKeyBytes) &&
                  EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
                  EVP_PKEY_derive(ctx, out->secret.data(), &len) == 1 && len == kKeyBytes;
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(peer);
  if (!ok) {
    out->secret.clear();
    ERR_clear_error();
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  out->info.objectSize = kKeyBytes * 8;
  out->info.handleFlags |= TEE_HANDLE_FLAG_INITIALIZED;
}

}  // namespace captee::gp_ta
