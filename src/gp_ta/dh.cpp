// Finite-field Diffie-Hellman on OpenSSL 3's EVP_PKEY (dh.hpp).
#include "dh.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <climits>

#include "objects.hpp"
#include "operations.hpp"
#include "tee_internal_api.h"

namespace captee::gp_ta {

namespace {

const TEE_Attribute *find(const TEE_Attribute *attrs, uint32_t count, uint32_t id) {
  for (uint32_t i = 0; i < count; ++i) {
    if (attrs[i].attributeID == id) {
      return &attrs[i];
    }
  }
  return nullptr;
}

BIGNUM *to_bn(const TEE_Attribute *a) {
  if (a == nullptr || a->content.ref.length > static_cast<size_t>(INT_MAX)) {
    return nullptr;
  }
  return BN_bin2bn(static_cast<const unsigned char *>(a->content.ref.buffer),
                   static_cast<int>(a->content.ref.length), nullptr);
}

// The numbers of a DH key or group; the private one is cleared when freed.
struct Numbers {
  BIGNUM *p = nullptr;
  BIGNUM *q = nullptr;
  BIGNUM *g = nullptr;
  BIGNUM *pub = nullptr;
  BIGNUM *priv = nullptr;
  ~Numbers() {
    BN_free(p);
    BN_free(q);
    BN_free(g);
    BN_free(pub);
    BN_clear_free(priv);
  }
};

// A DH EVP_PKEY of `selection` from `n`; nullptr if OpenSSL refuses it.
EVP_PKEY *build(const Numbers &n, int selection) {
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  if (bld == nullptr) {
    return nullptr;
  }
  bool ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, n.p) == 1 &&
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, n.g) == 1;
  if (ok && n.q != nullptr) {
    ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_Q, n.q) == 1;
  }
  if (ok && n.pub != nullptr) {
    ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, n.pub) == 1;
  }
  if (ok && n.priv != nullptr) {
    ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, n.priv) == 1;
  }
  OSSL_PARAM *params = ok ? OSSL_PARAM_BLD_to_param(bld) : nullptr;
  OSSL_PARAM_BLD_free(bld);
  EVP_PKEY *key = nullptr;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr);
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &key, selection, params) != 1) {
    key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  // The array holds a copy of the private value: wiped before it goes.
  for (OSSL_PARAM *p = params; p != nullptr && p->key != nullptr; ++p) {
    OPENSSL_cleanse(p->data, p->data_size);
  }
  OSSL_PARAM_free(params);
  return key;
}

// The group numbers of `attrs`: prime and base mandatory, subprime
// optional. False if one is missing or cannot be made.
bool read_group(const TEE_Attribute *attrs, uint32_t count, Numbers *n) {
  const TEE_Attribute *q = find(attrs, count, TEE_ATTR_DH_SUBPRIME);
  n->p = to_bn(find(attrs, count, TEE_ATTR_DH_PRIME));
  n->g = to_bn(find(attrs, count, TEE_ATTR_DH_BASE));
  n->q = q != nullptr ? to_bn(q) : nullptr;
  return n->p != nullptr && n->g != nullptr && (q == nullptr || n->q != nullptr);
}

}  // namespace

TEE_Result dh_key_from_attributes(const TEE_Attribute *attrs, uint32_t count, EVP_PKEY **key,
                                  uint32_t *bits) {
  *key = nullptr;
  Numbers n;
  n.pub = to_bn(find(attrs, count, TEE_ATTR_DH_PUBLIC_VALUE));
  n.priv = to_bn(find(attrs, count, TEE_ATTR_DH_PRIVATE_VALUE));
  if (!read_group(attrs, count, &n) || n.pub == nullptr || n.priv == nullptr) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  BN_set_flags(n.priv, BN_FLG_CONSTTIME);
  *key = build(n, EVP_PKEY_KEYPAIR);
  if (*key == nullptr) {
    ERR_clear_error();
    return TEE_ERROR_BAD_PARAMETERS;
  }
  *bits = static_cast<uint32_t>(BN_num_bits(n.p));
  return TEE_SUCCESS;
}

TEE_Result dh_generate(uint32_t bits, const TEE_Attribute *params, uint32_t count, EVP_PKEY **key) {
  *key = nullptr;
  Numbers n;
  if (!read_group(params, count, &n) || static_cast<uint32_t>(BN_num_bits(n.p)) != bits) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  EVP_PKEY *group = build(n, EVP_PKEY_KEY_PARAMETERS);
  EVP_PKEY_CTX *ctx =
      group != nullptr ? EVP_PKEY_CTX_new_from_pkey(nullptr, group, nullptr) : nullptr;
  bool ok = ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1;
  const TEE_Attribute *x_bits = find(params, count, TEE_ATTR_DH_X_BITS);
  if (ok && x_bits != nullptr) {
    if (x_bits->content.value.a == 0 || x_bits->content.value.a > bits) {
      ok = false;
    } else {
      int len = static_cast<int>(x_bits->content.value.a);
      const OSSL_PARAM p[] = {OSSL_PARAM_int(OSSL_PKEY_PARAM_DH_PRIV_LEN, &len), OSSL_PARAM_END};
      ok = EVP_PKEY_CTX_set_params(ctx, p) == 1;
    }
  }
  ok = ok && EVP_PKEY_generate(ctx, key) == 1;
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(group);
  if (!ok) {
    EVP_PKEY_free(*key);
    *key = nullptr;
    ERR_clear_error();
    return TEE_ERROR_BAD_PARAMETERS;
  }
  return TEE_SUCCESS;
}

TEE_Result dh_attribute(const EVP_PKEY *key, uint32_t attribute_id, void *buffer, size_t *size) {
  const char *param = attribute_id == TEE_ATTR_DH_PRIME           ? OSSL_PKEY_PARAM_FFC_P
                      : attribute_id == TEE_ATTR_DH_BASE          ? OSSL_PKEY_PARAM_FFC_G
                      : attribute_id == TEE_ATTR_DH_SUBPRIME      ? OSSL_PKEY_PARAM_FFC_Q
                      : attribute_id == TEE_ATTR_DH_PUBLIC_VALUE  ? OSSL_PKEY_PARAM_PUB_KEY
                      : attribute_id == TEE_ATTR_DH_PRIVATE_VALUE ? OSSL_PKEY_PARAM_PRIV_KEY
                                                                  : nullptr;
  BIGNUM *bn = nullptr;
  if (param == nullptr || EVP_PKEY_get_bn_param(key, param, &bn) != 1) {
    ERR_clear_error();
    return TEE_ERROR_ITEM_NOT_FOUND;
  }
  const size_t len = static_cast<size_t>(BN_num_bytes(bn));
  TEE_Result res = TEE_SUCCESS;
  if (*size < len || (buffer == nullptr && len > 0)) {
    res = TEE_ERROR_SHORT_BUFFER;
  } else if (len > 0) {
    (void)BN_bn2bin(bn, static_cast<unsigned char *>(buffer));
  }
  *size = len;
  BN_clear_free(bn);
  return res;
}

void dh_derive(const __TEE_OperationHandle *op, const TEE_Attribute *params, uint32_t count,
               __TEE_ObjectHandle *out) {
  const TEE_Attribute *pub = nullptr;
  for (uint32_t i = 0; i < count; ++i) {
    if (params[i].attributeID != TEE_ATTR_DH_PUBLIC_VALUE || pub != nullptr ||
        (params[i].content.ref.buffer == nullptr && params[i].content.ref.length != 0)) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
    pub = &params[i];
  }
  // The peer is a public key in our group.
  Numbers n;
  const bool group = EVP_PKEY_get_bn_param(op->pkey, OSSL_PKEY_PARAM_FFC_P, &n.p) == 1 &&
                     EVP_PKEY_get_bn_param(op->pkey, OSSL_PKEY_PARAM_FFC_G, &n.g) == 1;
  n.pub = to_bn(pub);
  EVP_PKEY *peer = group && n.pub != nullptr ? build(n, EVP_PKEY_PUBLIC_KEY) : nullptr;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, op->pkey, nullptr);
  size_t len = 0;
  // OpenSSL checks the peer's value is in range (1 < y < p - 1).
  bool ok = peer != nullptr && ctx != nullptr && EVP_PKEY_derive_init(ctx) == 1 &&
            EVP_PKEY_derive_set_peer(ctx, peer) == 1 && EVP_PKEY_derive(ctx, nullptr, &len) == 1 &&
            len <= out->info.maxObjectSize / 8 && out->secret.resize(len) &&
            EVP_PKEY_derive(ctx, out->secret.data(), &len) == 1;
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(peer);
  if (!ok || len == 0) {
    out->secret.clear();
    ERR_clear_error();
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  (void)out->secret.resize(len);
  out->info.objectSize = static_cast<uint32_t>(len * 8);
  out->info.handleFlags |= TEE_HANDLE_FLAG_INITIALIZED;
}

}  // namespace captee::gp_ta
