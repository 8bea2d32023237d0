// The generic and transient object functions (GP 5.5 and 5.6) for the
// types of object_types.hpp (RSA keys through rsa_keys.hpp, ECC keys through
// ecc.hpp). Persistent objects are the storage family's
// (storage_objects.cpp): they are live objects here too, and the generic
// functions call that family for what only a persistent object has.
#include "objects.hpp"

#include <mutex>
#include <new>
#include <unordered_map>

#include "curve25519.hpp"
#include "dh.hpp"
#include "ecc.hpp"
#include "object_types.hpp"
#include "rsa_keys.hpp"
#include "tee_internal_api.h"

using captee::gp_ta::object_or_panic;

namespace captee::gp_ta {

namespace {

// The live objects by the handle value the TA holds: a handle is checked
// against them before use.
std::mutex g_mu;
std::unordered_map<uintptr_t, __TEE_ObjectHandle *> g_objects;
// The next handle value to try; values stay below 2^31 (see register_object).
uintptr_t g_next_handle = 1;
constexpr uintptr_t kHandleLimit = uintptr_t(1) << 31;

bool initialized(const __TEE_ObjectHandle *o) {
  return (o->info.handleFlags & TEE_HANDLE_FLAG_INITIALIZED) != 0;
}

// A protected attribute (TEE_ATTR_FLAG_PUBLIC clear) leaves the object only
// if the object is extractable; asking otherwise is a programming error.
void check_readable(const __TEE_ObjectHandle *o, uint32_t attribute_id) {
  if (!initialized(o) || ((attribute_id & TEE_ATTR_FLAG_PUBLIC) == 0 &&
                          (o->info.objectUsage & TEE_USAGE_EXTRACTABLE) == 0)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
}

// Empties a transient object: its key is wiped and it may be filled again.
void reset(__TEE_ObjectHandle *o) {
  o->secret.clear();
  EVP_PKEY_free(o->pkey);
  o->pkey = nullptr;
  o->info.objectSize = 0;
  o->info.objectUsage = 0xFFFFFFFF;
  o->info.handleFlags &= ~TEE_HANDLE_FLAG_INITIALIZED;
}

// A transient object that holds no key yet: the only kind Populate, Copy and
// GenerateKey may fill.
__TEE_ObjectHandle *empty_transient_or_panic(TEE_ObjectHandle handle) {
  __TEE_ObjectHandle *o = object_or_panic(handle);
  if (initialized(o) || (o->info.handleFlags & TEE_HANDLE_FLAG_PERSISTENT) != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  return o;
}

bool is_key_type(uint32_t type) {
  return is_rsa_type(type) || is_ecc_type(type) || is_25519_type(type) ||
         type == TEE_TYPE_DH_KEYPAIR;
}

// Populate for RSA and ECC: every attribute one the type has, none twice,
// then the key (rsa_keys.cpp, ecc_keys.cpp), which must fit the object.
TEE_Result populate_key(__TEE_ObjectHandle *o, const TEE_Attribute *attrs, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    // Only eight attributes are allowed, so a duplicate shows within nine:
    // the inner loop stays short whatever count the TA gives. A value
    // attribute (ECC's curve) has no buffer to check.
    const bool value = (attrs[i].attributeID & TEE_ATTR_FLAG_VALUE) != 0;
    if (!object_attribute_allowed(o->info.objectType, attrs[i].attributeID) ||
        (!value && attrs[i].content.ref.buffer == nullptr && attrs[i].content.ref.length != 0)) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
    for (uint32_t j = 0; j < i; ++j) {
      if (attrs[j].attributeID == attrs[i].attributeID) {
        TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
      }
    }
  }
  EVP_PKEY *key = nullptr;
  uint32_t bits = 0;
  TEE_Result res = TEE_SUCCESS;
  if (is_rsa_type(o->info.objectType)) {
    res = rsa_key_from_attributes(o->info.objectType, attrs, count, &key, &bits);
  } else if (o->info.objectType == TEE_TYPE_DH_KEYPAIR) {
    res = dh_key_from_attributes(attrs, count, &key, &bits);
  } else if (is_ecc_type(o->info.objectType)) {
    res = ecc_key_from_attributes(o->info.objectType, attrs, count, &key, &bits);
  } else {
    res = key_25519_from_attributes(o->info.objectType, attrs, count, &key);
    bits = 256;
  }
  if (res != TEE_SUCCESS) {
    return res;
  }
  if (bits > o->info.maxObjectSize || !object_size_valid(o->info.objectType, bits)) {
    EVP_PKEY_free(key);
    return TEE_ERROR_BAD_PARAMETERS;
  }
  o->pkey = key;
  o->info.objectSize = bits;
  o->info.handleFlags |= TEE_HANDLE_FLAG_INITIALIZED;
  return TEE_SUCCESS;
}

// GenerateKey for an ECC key pair (TEE_ATTR_ECC_CURVE names the curve,
// which must be of the key size; an SM2 type's is SM2's), a Curve25519 one (no parameter) or a DH
// one (its group's TEE_ATTR_DH_* and optionally TEE_ATTR_DH_X_BITS).
TEE_Result generate_ecc(__TEE_ObjectHandle *o, uint32_t bits, const TEE_Attribute *params,
                        uint32_t count) {
  const uint32_t type = o->info.objectType;
  if (!is_ecc_keypair_type(type) && type != TEE_TYPE_ED25519_KEYPAIR &&
      type != TEE_TYPE_X25519_KEYPAIR && type != TEE_TYPE_DH_KEYPAIR) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);  // a public key cannot be generated
  }
  EVP_PKEY *key = nullptr;
  const TEE_Result res = is_25519_type(type) ? generate_25519(type, &key)
                         : type == TEE_TYPE_DH_KEYPAIR
                             ? dh_generate(bits, params, count, &key)
                             : ecc_generate(type, bits, params, count, &key);
  if (res != TEE_SUCCESS) {
    return res;
  }
  o->pkey = key;
  o->info.objectSize = bits;
  o->info.handleFlags |= TEE_HANDLE_FLAG_INITIALIZED;
  return TEE_SUCCESS;
}

// GenerateKey for an RSA key pair: TEE_ATTR_RSA_PUBLIC_EXPONENT is the one
// parameter read (65537 without it); others are ignored, as GP allows.
TEE_Result generate_rsa(__TEE_ObjectHandle *o, uint32_t bits, const TEE_Attribute *params,
                        uint32_t count) {
  if (o->info.objectType != TEE_TYPE_RSA_KEYPAIR) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);  // a public key cannot be generated
  }
  const TEE_Attribute *exponent = nullptr;
  for (uint32_t i = 0; i < count; ++i) {
    if (params[i].attributeID == TEE_ATTR_RSA_PUBLIC_EXPONENT) {
      if (exponent != nullptr ||
          (params[i].content.ref.buffer == nullptr && params[i].content.ref.length != 0)) {
        TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
      }
      exponent = &params[i];
    }
  }
  EVP_PKEY *key = nullptr;
  const TEE_Result res = exponent == nullptr ? rsa_generate(bits, nullptr, 0, &key)
                                             : rsa_generate(bits, exponent->content.ref.buffer,
                                                            exponent->content.ref.length, &key);
  if (res != TEE_SUCCESS) {
    return res;
  }
  o->pkey = key;
  o->info.objectSize = bits;
  o->info.handleFlags |= TEE_HANDLE_FLAG_INITIALIZED;
  return TEE_SUCCESS;
}

}  // namespace

__TEE_ObjectHandle *object_or_panic(TEE_ObjectHandle handle) {
  {
    std::lock_guard lock(g_mu);
    auto it = g_objects.find(reinterpret_cast<uintptr_t>(handle));
    if (handle != TEE_HANDLE_NULL && it != g_objects.end()) {
      return it->second;
    }
  }
  TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
}

TEE_ObjectHandle register_object(__TEE_ObjectHandle *o) {
  std::lock_guard lock(g_mu);
  // A value not in use: the table never holds 2^31 objects, so one is found.
  while (g_objects.count(g_next_handle) != 0) {
    g_next_handle = g_next_handle + 1 < kHandleLimit ? g_next_handle + 1 : 1;
  }
  const uintptr_t value = g_next_handle;
  g_next_handle = g_next_handle + 1 < kHandleLimit ? g_next_handle + 1 : 1;
  try {
    g_objects.emplace(value, o);
  } catch (const std::bad_alloc &) {
    EVP_PKEY_free(o->pkey);
    delete o;
    return TEE_HANDLE_NULL;
  }
  o->handle_value = value;
  return reinterpret_cast<TEE_ObjectHandle>(value);
}

void free_object(__TEE_ObjectHandle *o) {
  {
    std::lock_guard lock(g_mu);
    g_objects.erase(o->handle_value);
  }
  EVP_PKEY_free(o->pkey);  // OpenSSL clears an RSA key's private numbers
  delete o;                // SecretBuffer wipes the key
}

bool is_persistent(const __TEE_ObjectHandle *o) {
  return (o->info.handleFlags & TEE_HANDLE_FLAG_PERSISTENT) != 0;
}

TEE_Result object_buffer_attribute(const __TEE_ObjectHandle *o, uint32_t attributeID, void *buffer,
                                   size_t *size) {
  if (o->pkey != nullptr) {
    const uint32_t type = o->info.objectType;
    if (is_25519_type(type)) {
      return attribute_25519(type, o->pkey, attributeID, buffer, size);
    }
    if (type == TEE_TYPE_DH_KEYPAIR) {
      return dh_attribute(o->pkey, attributeID, buffer, size);
    }
    return is_rsa_type(type) ? rsa_attribute(o->pkey, attributeID, buffer, size)
                             : ecc_attribute(o->pkey, attributeID, buffer, size);
  }
  if (attributeID != object_secret_attribute(o->info.objectType)) {
    return TEE_ERROR_ITEM_NOT_FOUND;
  }
  const size_t len = o->secret.size();
  if (*size < len || (buffer == nullptr && len > 0)) {
    *size = len;
    return TEE_ERROR_SHORT_BUFFER;
  }
  TEE_MemMove(buffer, o->secret.data(), len);
  *size = len;
  return TEE_SUCCESS;
}

}  // namespace captee::gp_ta

extern "C" {

// ---- Generic objects (GP 5.5) ----

TEE_Result TEE_GetObjectInfo1(TEE_ObjectHandle object, TEE_ObjectInfo *objectInfo) {
  __TEE_ObjectHandle *o = object_or_panic(object);
  if (objectInfo == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (captee::gp_ta::is_persistent(o)) {
    // Another handle may have changed the data size.
    const TEE_Result r = captee::gp_ta::refresh_persistent_info(o);
    if (r != TEE_SUCCESS) {
      return r;  // on TEE_ERROR_CORRUPT_OBJECT the handle is closed
    }
  }
  *objectInfo = o->info;
  return TEE_SUCCESS;
}

void TEE_GetObjectInfo(TEE_ObjectHandle object, TEE_ObjectInfo *objectInfo) {
  (void)TEE_GetObjectInfo1(object, objectInfo);
}

TEE_Result TEE_RestrictObjectUsage1(TEE_ObjectHandle object, uint32_t objectUsage) {
  __TEE_ObjectHandle *o = object_or_panic(object);
  if (captee::gp_ta::is_persistent(o)) {
    return captee::gp_ta::restrict_persistent_usage(o, objectUsage);
  }
  o->info.objectUsage &= objectUsage;
  return TEE_SUCCESS;
}

void TEE_RestrictObjectUsage(TEE_ObjectHandle object, uint32_t objectUsage) {
  (void)TEE_RestrictObjectUsage1(object, objectUsage);
}

TEE_Result TEE_GetObjectBufferAttribute(TEE_ObjectHandle object, uint32_t attributeID, void *buffer,
                                        size_t *size) {
  const __TEE_ObjectHandle *o = object_or_panic(object);
  if ((attributeID & TEE_ATTR_FLAG_VALUE) != 0 || size == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  captee::gp_ta::check_readable(o, attributeID);
  return captee::gp_ta::object_buffer_attribute(o, attributeID, buffer, size);
}

TEE_Result TEE_GetObjectValueAttribute(TEE_ObjectHandle object, uint32_t attributeID, uint32_t *a,
                                       uint32_t *b) {
  const __TEE_ObjectHandle *o = object_or_panic(object);
  if ((attributeID & TEE_ATTR_FLAG_VALUE) == 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  captee::gp_ta::check_readable(o, attributeID);
  // ECC's curve is the one value attribute of the types captee has.
  if (attributeID != TEE_ATTR_ECC_CURVE || !captee::gp_ta::is_ecc_type(o->info.objectType)) {
    return TEE_ERROR_ITEM_NOT_FOUND;
  }
  if (a != nullptr) {
    *a = captee::gp_ta::ecc_curve_of(o->info.objectType, o->info.objectSize);
  }
  if (b != nullptr) {
    *b = 0;
  }
  return TEE_SUCCESS;
}

void TEE_CloseObject(TEE_ObjectHandle object) {
  if (object == TEE_HANDLE_NULL) {
    return;
  }
  __TEE_ObjectHandle *o = object_or_panic(object);
  if (captee::gp_ta::is_persistent(o)) {
    captee::gp_ta::close_persistent(o);
    return;
  }
  captee::gp_ta::free_object(o);
}

// ---- Transient objects (GP 5.6) ----

TEE_Result TEE_AllocateTransientObject(TEE_ObjectType objectType, uint32_t maxObjectSize,
                                       TEE_ObjectHandle *object) {
  if (object == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  *object = TEE_HANDLE_NULL;
  if (!captee::gp_ta::object_type_supported(objectType) ||
      !captee::gp_ta::object_size_valid(objectType, maxObjectSize)) {
    return TEE_ERROR_NOT_SUPPORTED;
  }
  // An RSA key lives in its EVP_PKEY, not in the secret buffer.
  const size_t secret_bytes = captee::gp_ta::is_key_type(objectType) ? 0 : maxObjectSize / 8;
  auto *o = new (std::nothrow) __TEE_ObjectHandle;
  if (o == nullptr || !o->secret.reserve(secret_bytes)) {
    delete o;
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  o->info.objectType = objectType;
  o->info.maxObjectSize = maxObjectSize;
  o->info.objectUsage = 0xFFFFFFFF;
  *object = captee::gp_ta::register_object(o);
  return *object == TEE_HANDLE_NULL ? TEE_ERROR_OUT_OF_MEMORY : TEE_SUCCESS;
}

void TEE_FreeTransientObject(TEE_ObjectHandle object) {
  if (object == TEE_HANDLE_NULL) {
    return;
  }
  __TEE_ObjectHandle *o = object_or_panic(object);
  if ((o->info.handleFlags & TEE_HANDLE_FLAG_PERSISTENT) != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  captee::gp_ta::free_object(o);
}

void TEE_ResetTransientObject(TEE_ObjectHandle object) {
  if (object == TEE_HANDLE_NULL) {
    return;
  }
  __TEE_ObjectHandle *o = object_or_panic(object);
  if ((o->info.handleFlags & TEE_HANDLE_FLAG_PERSISTENT) != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  captee::gp_ta::reset(o);
}

TEE_Result TEE_PopulateTransientObject(TEE_ObjectHandle object, const TEE_Attribute *attrs,
                                       uint32_t attrCount) {
  __TEE_ObjectHandle *o = captee::gp_ta::empty_transient_or_panic(object);
  if (attrs == nullptr && attrCount != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (captee::gp_ta::is_key_type(o->info.objectType)) {
    return captee::gp_ta::populate_key(o, attrs, attrCount);
  }
  const TEE_Attribute *secret = nullptr;
  for (uint32_t i = 0; i < attrCount; ++i) {
    // An attribute the type does not have, or one given twice, is a
    // programming error (the specification's panic).
    if (!captee::gp_ta::object_attribute_allowed(o->info.objectType, attrs[i].attributeID) ||
        secret != nullptr) {
      TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
    }
    secret = &attrs[i];
  }
  if (secret == nullptr) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);  // a mandatory attribute is missing
  }
  const size_t len = secret->content.ref.length;
  if (secret->content.ref.buffer == nullptr && len != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  // The key must be one of the type's sizes and fit the object. A generic
  // secret may be shorter than its maximum; the other types' sizes are
  // checked exactly.
  if (len > o->info.maxObjectSize / 8 ||
      !captee::gp_ta::object_size_valid(o->info.objectType, static_cast<uint32_t>(len * 8))) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  if (!o->secret.assign(secret->content.ref.buffer, len)) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  o->info.objectSize = static_cast<uint32_t>(len * 8);
  o->info.handleFlags |= TEE_HANDLE_FLAG_INITIALIZED;
  return TEE_SUCCESS;
}

TEE_Result TEE_CopyObjectAttributes1(TEE_ObjectHandle destObject, TEE_ObjectHandle srcObject) {
  __TEE_ObjectHandle *dst = captee::gp_ta::empty_transient_or_panic(destObject);
  const __TEE_ObjectHandle *src = object_or_panic(srcObject);
  // GP lets a key pair's public half go into a public-key object.
  const uint32_t from = src->info.objectType;
  const uint32_t to = dst->info.objectType;
  const bool public_half =
      (from == TEE_TYPE_RSA_KEYPAIR && to == TEE_TYPE_RSA_PUBLIC_KEY) ||
      (from == TEE_TYPE_ECDSA_KEYPAIR && to == TEE_TYPE_ECDSA_PUBLIC_KEY) ||
      (from == TEE_TYPE_ECDH_KEYPAIR && to == TEE_TYPE_ECDH_PUBLIC_KEY) ||
      (from == TEE_TYPE_SM2_DSA_KEYPAIR && to == TEE_TYPE_SM2_DSA_PUBLIC_KEY) ||
      (from == TEE_TYPE_SM2_PKE_KEYPAIR && to == TEE_TYPE_SM2_PKE_PUBLIC_KEY) ||
      (from == TEE_TYPE_SM2_KEP_KEYPAIR && to == TEE_TYPE_SM2_KEP_PUBLIC_KEY) ||
      (from == TEE_TYPE_ED25519_KEYPAIR && to == TEE_TYPE_ED25519_PUBLIC_KEY) ||
      (from == TEE_TYPE_X25519_KEYPAIR && to == TEE_TYPE_X25519_PUBLIC_KEY);
  if ((src->info.handleFlags & TEE_HANDLE_FLAG_INITIALIZED) == 0 ||
      (src->info.objectType != dst->info.objectType && !public_half) ||
      src->info.objectSize > dst->info.maxObjectSize) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (src->pkey != nullptr) {
    // The key never changes once made, so the copy may share it.
    if (public_half) {
      dst->pkey = captee::gp_ta::is_rsa_type(from)   ? captee::gp_ta::rsa_public_half(src->pkey)
                  : captee::gp_ta::is_ecc_type(from) ? captee::gp_ta::ecc_public_half(src->pkey)
                                                     : captee::gp_ta::public_half_25519(src->pkey);
    } else if (EVP_PKEY_up_ref(src->pkey) == 1) {
      dst->pkey = src->pkey;
    }
    if (dst->pkey == nullptr) {
      TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
    }
  } else if (!dst->secret.assign(src->secret.data(), src->secret.size())) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  dst->info.objectSize = src->info.objectSize;
  dst->info.objectUsage &= src->info.objectUsage;
  dst->info.handleFlags |= TEE_HANDLE_FLAG_INITIALIZED;
  return TEE_SUCCESS;
}

void TEE_CopyObjectAttributes(TEE_ObjectHandle destObject, TEE_ObjectHandle srcObject) {
  (void)TEE_CopyObjectAttributes1(destObject, srcObject);
}

TEE_Result TEE_GenerateKey(TEE_ObjectHandle object, uint32_t keySize, const TEE_Attribute *params,
                           uint32_t paramCount) {
  __TEE_ObjectHandle *o = captee::gp_ta::empty_transient_or_panic(object);
  if ((params == nullptr && paramCount != 0) || keySize > o->info.maxObjectSize ||
      !captee::gp_ta::object_size_valid(o->info.objectType, keySize)) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  if (captee::gp_ta::is_rsa_type(o->info.objectType)) {
    return captee::gp_ta::generate_rsa(o, keySize, params, paramCount);
  }
  if (captee::gp_ta::is_ecc_type(o->info.objectType) ||
      captee::gp_ta::is_25519_type(o->info.objectType) ||
      o->info.objectType == TEE_TYPE_DH_KEYPAIR) {
    return captee::gp_ta::generate_ecc(o, keySize, params, paramCount);
  }
  // The symmetric types take no generation parameters; unknown ones are
  // ignored, as the specification allows.
  o->secret.clear();
  if (!o->secret.resize(keySize / 8)) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  TEE_GenerateRandom(o->secret.data(), o->secret.size());
  o->info.objectSize = keySize;
  o->info.handleFlags |= TEE_HANDLE_FLAG_INITIALIZED;
  return TEE_SUCCESS;
}

}  // extern "C"
