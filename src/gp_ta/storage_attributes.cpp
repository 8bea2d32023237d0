// A persistent object's attributes as capteed keeps them (storage.hpp):
// written from a key object with the attribute getters of the crypto
// family, read back through TEE_PopulateTransientObject, so a stored AES,
// HMAC, RSA, ECC, Curve25519 or DH key is the same key once reopened.
//
// The format, version 1, little-endian (docs/GP.md "Trusted storage"):
//   u8  version (1)
//   u8  count of attributes that follow (at most kMaxAttributes)
//   count times:
//     u32 attributeID
//     a value attribute (TEE_ATTR_FLAG_VALUE set): u32 a, u32 b
//     a buffer attribute: u32 length, then length bytes
// A pure data object (TEE_TYPE_DATA) stores no bytes at all.
#include <openssl/crypto.h>

#include <array>
#include <cstring>
#include <new>

#include "ecc.hpp"
#include "object_types.hpp"
#include "storage.hpp"

namespace captee::gp_ta {

namespace {

constexpr uint8_t kFormatVersion = 1;
// More than any type has (an RSA key pair has eight).
constexpr size_t kMaxAttributes = 16;

// Every attribute a key type may have (object_types.cpp says which type
// has which); a type's secret attribute is added by the caller.
constexpr std::array<uint32_t, 22> kKeyAttributes = {
    TEE_ATTR_RSA_MODULUS,
    TEE_ATTR_RSA_PUBLIC_EXPONENT,
    TEE_ATTR_RSA_PRIVATE_EXPONENT,
    TEE_ATTR_RSA_PRIME1,
    TEE_ATTR_RSA_PRIME2,
    TEE_ATTR_RSA_EXPONENT1,
    TEE_ATTR_RSA_EXPONENT2,
    TEE_ATTR_RSA_COEFFICIENT,
    TEE_ATTR_ECC_CURVE,
    TEE_ATTR_ECC_PUBLIC_VALUE_X,
    TEE_ATTR_ECC_PUBLIC_VALUE_Y,
    TEE_ATTR_ECC_PRIVATE_VALUE,
    TEE_ATTR_DH_PRIME,
    TEE_ATTR_DH_SUBPRIME,
    TEE_ATTR_DH_BASE,
    TEE_ATTR_DH_PUBLIC_VALUE,
    TEE_ATTR_DH_PRIVATE_VALUE,
    TEE_ATTR_ED25519_PUBLIC_VALUE,
    TEE_ATTR_ED25519_PRIVATE_VALUE,
    TEE_ATTR_X25519_PUBLIC_VALUE,
    TEE_ATTR_X25519_PRIVATE_VALUE,
    0,  // the type's secret attribute, filled in
};

void put_u32(std::vector<uint8_t> *out, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    out->push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
}

// Reads a u32 at `*pos`, advancing it; false past the end.
bool get_u32(std::span<const uint8_t> in, size_t *pos, uint32_t *v) {
  if (in.size() - *pos < 4) {
    return false;
  }
  *v = 0;
  for (int i = 0; i < 4; ++i) {
    *v |= uint32_t(in[*pos + i]) << (8 * i);
  }
  *pos += 4;
  return true;
}

// The attributes parsed from stored bytes, pointing into them.
struct Parsed {
  std::array<TEE_Attribute, kMaxAttributes> attrs{};
  uint32_t count = 0;
};

// Parses and checks `in` for objects of `type`: every attribute one the
// type has, none twice, nothing left over. False if not.
bool parse(uint32_t type, std::span<const uint8_t> in, Parsed *p) {
  if (in.size() < 2 || in[0] != kFormatVersion || in[1] > kMaxAttributes) {
    return false;
  }
  p->count = in[1];
  size_t pos = 2;
  for (uint32_t i = 0; i < p->count; ++i) {
    TEE_Attribute &a = p->attrs[i];
    if (!get_u32(in, &pos, &a.attributeID) || !object_attribute_allowed(type, a.attributeID)) {
      return false;
    }
    for (uint32_t j = 0; j < i; ++j) {
      if (p->attrs[j].attributeID == a.attributeID) {
        return false;
      }
    }
    if ((a.attributeID & TEE_ATTR_FLAG_VALUE) != 0) {
      if (!get_u32(in, &pos, &a.content.value.a) || !get_u32(in, &pos, &a.content.value.b)) {
        return false;
      }
      continue;
    }
    uint32_t len = 0;
    if (!get_u32(in, &pos, &len) || in.size() - pos < len) {
      return false;
    }
    a.content.ref.buffer = const_cast<uint8_t *>(in.data() + pos);
    a.content.ref.length = len;
    pos += len;
  }
  return pos == in.size();
}

}  // namespace

TEE_Result serialise_attributes(const __TEE_ObjectHandle *o, std::vector<uint8_t> *out) {
  out->clear();
  const uint32_t type = o->info.objectType;
  if (type == TEE_TYPE_DATA) {
    return TEE_SUCCESS;
  }
  std::array<uint32_t, kKeyAttributes.size()> ids = kKeyAttributes;
  ids.back() = object_secret_attribute(type);
  try {
    out->push_back(kFormatVersion);
    out->push_back(0);  // the count, set below
    uint8_t count = 0;
    for (uint32_t id : ids) {
      if (id == 0 || !object_attribute_allowed(type, id)) {
        continue;
      }
      if ((id & TEE_ATTR_FLAG_VALUE) != 0) {
        // ECC's curve is the one value attribute of the types captee has.
        put_u32(out, id);
        put_u32(out, ecc_curve_of(o->info.objectType, o->info.objectSize));
        put_u32(out, 0);
        ++count;
        continue;
      }
      size_t len = 0;
      TEE_Result r = object_buffer_attribute(o, id, nullptr, &len);
      if (r == TEE_ERROR_ITEM_NOT_FOUND) {
        continue;  // an optional attribute the key lacks (DH's subprime)
      }
      if (r != TEE_SUCCESS && r != TEE_ERROR_SHORT_BUFFER) {
        return r;
      }
      const size_t at = out->size() + 8;
      put_u32(out, id);
      put_u32(out, static_cast<uint32_t>(len));
      out->resize(at + len);
      r = object_buffer_attribute(o, id, out->data() + at, &len);
      if (r != TEE_SUCCESS) {
        return r;
      }
      out->resize(at + len);
      ++count;
    }
    (*out)[1] = count;
  } catch (const std::bad_alloc &) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  return TEE_SUCCESS;
}

TEE_Result object_from_attributes(const ITrustedStorage_Head &head,
                                  std::span<const uint8_t> attributes, __TEE_ObjectHandle **out) {
  *out = nullptr;
  if (head.objectType == TEE_TYPE_DATA) {
    if (!attributes.empty()) {
      return TEE_ERROR_CORRUPT_OBJECT;
    }
    auto *o = new (std::nothrow) __TEE_ObjectHandle;
    if (o == nullptr) {
      return TEE_ERROR_OUT_OF_MEMORY;
    }
    o->info.objectType = TEE_TYPE_DATA;
    o->info.objectUsage = head.objectUsage;
    if (register_object(o) == TEE_HANDLE_NULL) {
      return TEE_ERROR_OUT_OF_MEMORY;
    }
    *out = o;
    return TEE_SUCCESS;
  }
  Parsed p;
  if (!parse(head.objectType, attributes, &p)) {
    return TEE_ERROR_CORRUPT_OBJECT;
  }
  TEE_ObjectHandle h = TEE_HANDLE_NULL;
  TEE_Result r = TEE_AllocateTransientObject(head.objectType, head.maxObjectSize, &h);
  if (r == TEE_ERROR_NOT_SUPPORTED) {
    return TEE_ERROR_CORRUPT_OBJECT;  // not a type and size captee makes
  }
  if (r != TEE_SUCCESS) {
    return r;
  }
  // The population path checks the key itself; a symmetric type needs its
  // one attribute, which the population would panic without.
  if (object_secret_attribute(head.objectType) != 0 && p.count != 1) {
    TEE_FreeTransientObject(h);
    return TEE_ERROR_CORRUPT_OBJECT;
  }
  r = TEE_PopulateTransientObject(h, p.attrs.data(), p.count);
  __TEE_ObjectHandle *o = object_or_panic(h);
  if (r != TEE_SUCCESS || o->info.objectSize != head.objectSize) {
    TEE_FreeTransientObject(h);
    return r == TEE_ERROR_OUT_OF_MEMORY ? r : TEE_ERROR_CORRUPT_OBJECT;
  }
  o->info.objectUsage = head.objectUsage;
  *out = o;
  return TEE_SUCCESS;
}

}  // namespace captee::gp_ta
