// Fuzzes what a TA's crypto calls decode from the TA's own hostile sizes: the
// attribute arrays of TEE_PopulateTransientObject (every key type, in the
// v1.3.1 form and through the v1.1 form's 32-bit conversion), the read-back
// of each attribute into a buffer of a fuzzed size, and the conversion of
// the GP parameters a v1.1 TA receives and returns (gp11_params.hpp). A
// panic is a TA's correct death for a bad argument (ta_panic_stub.hpp);
// what must never happen is a read or write outside what the TA passed, a
// size reported larger than the buffer written, or an object larger than
// its maximum. A third round feeds the arithmetic family (GP 8) arrays of
// hostile lengths, corrupted headers and octet strings of any size. A fourth
// decrypts hostile SM2 ciphertexts (C1 || C3 || C2 of any length and
// content) under a fixed key, and reads the same bytes as the DER OpenSSL
// writes (sm2.hpp), each into a buffer of a fuzzed size.
//
// Input:
//   u8  flags: bit 0 through the __GP11_ functions, bit 1 then a params round
//   u8  object type (index into kTypes; past it, the next u32 is the type)
//   u16 maxObjectSize
//   u8  attribute count (at most 8)
//   per attribute: u8 ID (index into kAttributeIds; past it, the next u32),
//       u16 length (a ref's bytes, clipped to what is left), u32 a, u32 b
//   u16 read-back buffer size
//   params round: u32 paramTypes, then per parameter u32 a, u32 b, u64 size
//   bigint round (flags bit 2): per operand (three: a, b, dest) u16 length
//       in words, u8 header corruption (0: none; else the next u32 replaces
//       word 1), u16 octet count then the octets, i8 sign; then u8 the
//       operation and u16 an output buffer's size
//   sm2 round (flags bit 3): u16 length then the ciphertext's bytes (clipped
//       to what is left), u16 an output buffer's size
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "gp11_params.hpp"
#include "sm2.hpp"
#include "ta_panic_stub.hpp"
#include "tee_internal_api.h"

namespace {

constexpr uint32_t kTypes[] = {
    TEE_TYPE_AES,
    TEE_TYPE_DES,
    TEE_TYPE_DES3,
    TEE_TYPE_HMAC_SHA1,
    TEE_TYPE_HMAC_SHA256,
    TEE_TYPE_GENERIC_SECRET,
    TEE_TYPE_RSA_PUBLIC_KEY,
    TEE_TYPE_RSA_KEYPAIR,
    TEE_TYPE_ECDSA_PUBLIC_KEY,
    TEE_TYPE_ECDSA_KEYPAIR,
    TEE_TYPE_ECDH_PUBLIC_KEY,
    TEE_TYPE_ECDH_KEYPAIR,
    TEE_TYPE_ED25519_PUBLIC_KEY,
    TEE_TYPE_ED25519_KEYPAIR,
    TEE_TYPE_X25519_PUBLIC_KEY,
    TEE_TYPE_X25519_KEYPAIR,
    TEE_TYPE_DH_KEYPAIR,
    TEE_TYPE_SM2_DSA_PUBLIC_KEY,
    TEE_TYPE_SM2_DSA_KEYPAIR,
    TEE_TYPE_SM2_PKE_PUBLIC_KEY,
    TEE_TYPE_SM2_PKE_KEYPAIR,
    TEE_TYPE_SM2_KEP_PUBLIC_KEY,
    TEE_TYPE_SM2_KEP_KEYPAIR,
};

constexpr uint32_t kAttributeIds[] = {
    TEE_ATTR_SECRET_VALUE,
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
    TEE_ATTR_ED25519_PUBLIC_VALUE,
    TEE_ATTR_ED25519_PRIVATE_VALUE,
    TEE_ATTR_X25519_PUBLIC_VALUE,
    TEE_ATTR_X25519_PRIVATE_VALUE,
    TEE_ATTR_DH_PRIME,
    TEE_ATTR_DH_BASE,
    TEE_ATTR_DH_SUBPRIME,
    TEE_ATTR_DH_PUBLIC_VALUE,
    TEE_ATTR_DH_PRIVATE_VALUE,
};

struct Reader {
  const uint8_t *d;
  size_t n;
  size_t at = 0;
  uint8_t u8() { return at < n ? d[at++] : 0; }
  uint16_t u16() { return uint16_t(u8() | (u8() << 8)); }
  uint32_t u32() { return uint32_t(u16()) | (uint32_t(u16()) << 16); }
  uint64_t u64() { return uint64_t(u32()) | (uint64_t(u32()) << 32); }
};

[[noreturn]] void fail() {
  __builtin_trap();
}

template <size_t N>
uint32_t pick(Reader &r, const uint32_t (&table)[N]) {
  const uint8_t i = r.u8();
  return i < N ? table[i] : r.u32();
}

struct Attribute {
  uint32_t id;
  // Exact-size heap blocks, so ASan sees any read past them.
  std::unique_ptr<uint8_t[]> bytes;
  uint16_t length;
  uint32_t a, b;
};

// Calls f, absorbing a TA panic; true if it panicked.
template <typename F>
bool panics(F &&f) {
  try {
    f();
    return false;
  } catch (const TaPanicked &) {
    return true;
  }
}

void read_back(TEE_ObjectHandle o, const std::vector<Attribute> &attrs, uint16_t cap, bool gp11) {
  TEE_ObjectInfo info{};
  if (panics([&] { (void)TEE_GetObjectInfo1(o, &info); })) {
    return;
  }
  if (info.objectSize > info.maxObjectSize) {
    fail();
  }
  for (const Attribute &at : attrs) {
    if ((at.id & TEE_ATTR_FLAG_VALUE) != 0) {
      uint32_t a = 0, b = 0;
      panics([&] { (void)TEE_GetObjectValueAttribute(o, at.id, &a, &b); });
      continue;
    }
    std::unique_ptr<uint8_t[]> buf(new uint8_t[cap + 1]);
    buf[cap] = 0x5a;  // a canary past the size the TA gives
    panics([&] {
      TEE_Result r;
      size_t got = 0;
      if (gp11) {
        uint32_t len = cap;
        r = __GP11_TEE_GetObjectBufferAttribute(o, at.id, buf.get(), &len);
        got = len;
      } else {
        size_t len = cap;
        r = TEE_GetObjectBufferAttribute(o, at.id, buf.get(), &len);
        got = len;
      }
      if (r == TEE_SUCCESS && got > cap) {
        fail();  // more reported written than the buffer holds
      }
    });
    if (buf[cap] != 0x5a) {
      fail();
    }
  }
}

void attributes_round(Reader &r, bool gp11) {
  const uint32_t type = pick(r, kTypes);
  const uint16_t max_size = r.u16();
  const uint8_t count = r.u8() % 9;
  std::vector<Attribute> attrs(count);
  for (Attribute &at : attrs) {
    at.id = pick(r, kAttributeIds);
    at.length = r.u16();
    at.a = r.u32();
    at.b = r.u32();
    const size_t left = r.n - r.at;
    if (at.length > left) {
      at.length = static_cast<uint16_t>(left);
    }
    at.bytes.reset(new uint8_t[at.length]);
    std::memcpy(at.bytes.get(), r.d + r.at, at.length);
    r.at += at.length;
  }
  const uint16_t cap = r.u16();

  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  if (panics([&] { (void)TEE_AllocateTransientObject(type, max_size, &o); }) ||
      o == TEE_HANDLE_NULL) {
    return;
  }
  TEE_Result populated = TEE_ERROR_GENERIC;
  const bool died = panics([&] {
    if (gp11) {
      std::vector<__GP11_TEE_Attribute> a(count);
      for (size_t i = 0; i < count; ++i) {
        a[i].attributeID = attrs[i].id;
        if ((attrs[i].id & TEE_ATTR_FLAG_VALUE) != 0) {
          a[i].content.value.a = attrs[i].a;
          a[i].content.value.b = attrs[i].b;
        } else {
          a[i].content.ref.buffer = attrs[i].bytes.get();
          a[i].content.ref.length = attrs[i].length;
        }
      }
      populated = __GP11_TEE_PopulateTransientObject(o, a.data(), count);
    } else {
      std::vector<TEE_Attribute> a(count);
      for (size_t i = 0; i < count; ++i) {
        a[i].attributeID = attrs[i].id;
        if ((attrs[i].id & TEE_ATTR_FLAG_VALUE) != 0) {
          a[i].content.value.a = attrs[i].a;
          a[i].content.value.b = attrs[i].b;
        } else {
          a[i].content.ref.buffer = attrs[i].bytes.get();
          a[i].content.ref.length = attrs[i].length;
        }
      }
      populated = TEE_PopulateTransientObject(o, a.data(), count);
    }
  });
  if (!died && populated == TEE_SUCCESS) {
    read_back(o, attrs, cap, gp11);
  }
  // The object goes whatever happened: an object the runtime lost track of
  // would show as a leak.
  panics([&] { TEE_FreeTransientObject(o); });
}

// The parameters a v1.1 TA receives and returns: every size that fits 32
// bits crosses unchanged, one that does not is refused, never truncated.
void params_round(Reader &r) {
  const uint32_t types = r.u32();
  TEE_Param in[TEE_NUM_PARAMS]{};
  for (TEE_Param &p : in) {
    const uint32_t a = r.u32();
    const uint32_t b = r.u32();
    const uint64_t size = r.u64();
    p.value.a = a;
    p.value.b = b;
    // A memref's fields overlay the value's; the size is what matters here.
    if ((TEE_PARAM_TYPE_GET(types, &p - in) & 4) != 0) {
      p.memref.buffer = reinterpret_cast<void *>(uintptr_t(a) << 4);
      p.memref.size = static_cast<size_t>(size);
    }
  }
  __GP11_TEE_Param narrow[TEE_NUM_PARAMS]{};
  const bool fits = captee::gp_ta::params_to_gp11_checked(types, in, narrow);
  bool expect_fit = true;
  for (uint32_t n = 0; n < TEE_NUM_PARAMS; ++n) {
    const uint32_t t = TEE_PARAM_TYPE_GET(types, n);
    if ((t == TEE_PARAM_TYPE_MEMREF_INPUT || t == TEE_PARAM_TYPE_MEMREF_OUTPUT ||
         t == TEE_PARAM_TYPE_MEMREF_INOUT) &&
        in[n].memref.size > std::numeric_limits<uint32_t>::max()) {
      expect_fit = false;
    }
  }
  if (fits != expect_fit) {
    fail();
  }
  if (!fits) {
    return;
  }
  TEE_Param wide[TEE_NUM_PARAMS]{};
  captee::gp_ta::params_from_gp11(types, narrow, wide);
  for (uint32_t n = 0; n < TEE_NUM_PARAMS; ++n) {
    const uint32_t t = TEE_PARAM_TYPE_GET(types, n);
    if ((t == TEE_PARAM_TYPE_MEMREF_INPUT || t == TEE_PARAM_TYPE_MEMREF_OUTPUT ||
         t == TEE_PARAM_TYPE_MEMREF_INOUT) &&
        (wide[n].memref.size != in[n].memref.size ||
         wide[n].memref.buffer != in[n].memref.buffer)) {
      fail();
    }
    if ((t == TEE_PARAM_TYPE_VALUE_INPUT || t == TEE_PARAM_TYPE_VALUE_OUTPUT ||
         t == TEE_PARAM_TYPE_VALUE_INOUT) &&
        (wide[n].value.a != in[n].value.a || wide[n].value.b != in[n].value.b)) {
      fail();
    }
  }
}

// A TEE_BigInt array on the heap, sized so ASan sees any access past it.
struct HeapBigInt {
  std::unique_ptr<TEE_BigInt[]> words;
  size_t len = 0;
};

void bigint_round(Reader &r) {
  HeapBigInt v[3];
  for (HeapBigInt &x : v) {
    x.len = r.u16() % 160;  // up to past the largest array TEE_BigIntInit takes
    const uint8_t corrupt = r.u8();
    const uint32_t word1 = corrupt != 0 ? r.u32() : 0;
    // A TA's array always has its two header words (the runtime reads them
    // to learn the rest), and a TA that rewrites its header's room owns the
    // memory that room claims: such arrays get the largest size the runtime
    // accepts, the others exactly their length.
    const size_t alloc = corrupt != 0 ? TEE_BigIntSizeInU32(4096) : std::max<size_t>(x.len, 2);
    x.words.reset(new TEE_BigInt[alloc]());
    const bool inited = !panics([&] { TEE_BigIntInit(x.words.get(), x.len); });
    const uint16_t octets = r.u16();
    const size_t take = std::min<size_t>(octets, r.n - r.at);
    std::vector<uint8_t> bytes(r.d + r.at, r.d + r.at + take);
    r.at += take;
    const int8_t sign = static_cast<int8_t>(r.u8());
    if (!inited) {
      continue;  // the panic was the answer; the array stays zeroed (invalid)
    }
    panics([&] {
      (void)TEE_BigIntConvertFromOctetString(x.words.get(), bytes.data(), bytes.size(), sign);
    });
    if (corrupt != 0 && x.len >= 2) {
      x.words[1] = word1;
    }
  }
  const uint8_t op = r.u8();
  const uint16_t cap = r.u16();
  TEE_BigInt *a = v[0].words.get();
  TEE_BigInt *b = v[1].words.get();
  TEE_BigInt *d = v[2].words.get();
  panics([&] {
    switch (op % 12) {
      case 0:
        TEE_BigIntAdd(d, a, b);
        break;
      case 1:
        TEE_BigIntSub(d, a, b);
        break;
      case 2:
        TEE_BigIntMul(d, a, b);
        break;
      case 3:
        TEE_BigIntDiv(d, a, a, b);  // quotient and remainder, one an operand
        break;
      case 4:
        TEE_BigIntMod(d, a, b);
        break;
      case 5:
        TEE_BigIntInvMod(d, a, b);
        break;
      case 6:
        TEE_BigIntShiftRight(d, a, static_cast<size_t>(cap) * 7);
        break;
      case 7: {
        int32_t s32 = 0;
        (void)TEE_BigIntConvertToS32(&s32, a);
        (void)TEE_BigIntCmp(a, b);
        (void)TEE_BigIntGetBitCount(a);
        break;
      }
      case 8:
        TEE_BigIntComputeExtendedGcd(d, a, b, a, b);
        break;
      case 9:
        (void)TEE_BigIntSetBit(d, cap, true);
        break;
      case 10:
        TEE_BigIntSquareMod(d, a, b);
        break;
      default: {
        // The magnitude into a buffer of the size the TA says, with a
        // canary past it.
        std::unique_ptr<uint8_t[]> out(new uint8_t[cap + 1]);
        out[cap] = 0x5a;
        size_t len = cap;
        const TEE_Result res = TEE_BigIntConvertToOctetString(out.get(), &len, a);
        if ((res == TEE_SUCCESS && len > cap) || out[cap] != 0x5a) {
          fail();
        }
        break;
      }
    }
  });
}

// An SM2 decryption operation under GM/T 0003.5's key pair (the corpus's
// sm2_ciphertext is its example, which then decrypts), made once.
TEE_OperationHandle sm2_decryption() {
  static TEE_OperationHandle op = [] {
    static const uint8_t d[32] = {0x39, 0x45, 0x20, 0x8f, 0x7b, 0x21, 0x44, 0xb1, 0x3f, 0x36, 0xe3,
                                  0x8a, 0xc6, 0xd3, 0x9f, 0x95, 0x88, 0x93, 0x93, 0x69, 0x28, 0x60,
                                  0xb5, 0x1a, 0x42, 0xfb, 0x81, 0xef, 0x4d, 0xf7, 0xc5, 0xb8};
    static const uint8_t x[32] = {0x09, 0xf9, 0xdf, 0x31, 0x1e, 0x54, 0x21, 0xa1, 0x50, 0xdd, 0x7d,
                                  0x16, 0x1e, 0x4b, 0xc5, 0xc6, 0x72, 0x17, 0x9f, 0xad, 0x18, 0x33,
                                  0xfc, 0x07, 0x6b, 0xb0, 0x8f, 0xf3, 0x56, 0xf3, 0x50, 0x20};
    static const uint8_t y[32] = {0xcc, 0xea, 0x49, 0x0c, 0xe2, 0x67, 0x75, 0xa5, 0x2d, 0xc6, 0xea,
                                  0x71, 0x8c, 0xc1, 0xaa, 0x60, 0x0a, 0xed, 0x05, 0xfb, 0xf3, 0x5e,
                                  0x08, 0x4a, 0x66, 0x32, 0xf6, 0x07, 0x2d, 0xa9, 0xad, 0x13};
    TEE_Attribute attrs[4];
    TEE_InitValueAttribute(&attrs[0], TEE_ATTR_ECC_CURVE, TEE_ECC_CURVE_SM2, 0);
    TEE_InitRefAttribute(&attrs[1], TEE_ATTR_ECC_PUBLIC_VALUE_X, x, sizeof x);
    TEE_InitRefAttribute(&attrs[2], TEE_ATTR_ECC_PUBLIC_VALUE_Y, y, sizeof y);
    TEE_InitRefAttribute(&attrs[3], TEE_ATTR_ECC_PRIVATE_VALUE, d, sizeof d);
    TEE_ObjectHandle key = TEE_HANDLE_NULL;
    TEE_OperationHandle made = TEE_HANDLE_NULL;
    if (TEE_AllocateTransientObject(TEE_TYPE_SM2_PKE_KEYPAIR, 256, &key) != TEE_SUCCESS ||
        TEE_PopulateTransientObject(key, attrs, 4) != TEE_SUCCESS ||
        TEE_AllocateOperation(&made, TEE_ALG_SM2_PKE, TEE_MODE_DECRYPT, 256) != TEE_SUCCESS ||
        TEE_SetOperationKey(made, key) != TEE_SUCCESS) {
      fail();
    }
    TEE_FreeTransientObject(key);
    return made;
  }();
  return op;
}

void sm2_round(Reader &r) {
  const uint16_t want = r.u16();
  const size_t len = std::min<size_t>(want, r.n - r.at);
  // Exact-size blocks, so ASan sees any read or write past them; the output
  // has a canary past the size the TA gives.
  std::unique_ptr<uint8_t[]> ct(new uint8_t[len]);
  std::memcpy(ct.get(), r.d + r.at, len);
  r.at += len;
  const uint16_t cap = r.u16();
  std::unique_ptr<uint8_t[]> out(new uint8_t[cap + 1]);
  out[cap] = 0x5a;
  size_t out_len = cap;
  const TEE_Result res =
      TEE_AsymmetricDecrypt(sm2_decryption(), nullptr, 0, ct.get(), len, out.get(), &out_len);
  if (res == TEE_SUCCESS && (out_len > cap || len <= captee::gp_ta::kSm2Overhead ||
                             out_len != len - captee::gp_ta::kSm2Overhead)) {
    fail();
  }
  if (res != TEE_SUCCESS && res != TEE_ERROR_SHORT_BUFFER && res != TEE_ERROR_BAD_PARAMETERS &&
      res != TEE_ERROR_CIPHERTEXT_INVALID) {
    fail();
  }
  // The same bytes as OpenSSL's DER, into exactly `cap` bytes.
  (void)captee::gp_ta::sm2_ciphertext_from_der(ct.get(), len, out.get(), cap);
  if (out[cap] != 0x5a) {
    fail();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Reader r{data, size};
  const uint8_t flags = r.u8();
  attributes_round(r, (flags & 1) != 0);
  if ((flags & 2) != 0) {
    params_round(r);
  }
  if ((flags & 4) != 0) {
    bigint_round(r);
  }
  if ((flags & 8) != 0) {
    sm2_round(r);
  }
  return 0;
}
