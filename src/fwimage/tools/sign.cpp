#include "captee/fwimage/tools/sign.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "captee/detail/hex.hpp"
#include "captee/detail/openssl_lifetime.hpp"
#include "byte_reader.hpp"
#include "captee/fwimage/elf32.hpp"
#include "captee/fwimage/signed_image.hpp"
#include "captee/fwimage/verify.hpp"
#include "python_int.hpp"

namespace captee::fwimage {
namespace {

using detail::store_le32;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

FwError bad_parameters(std::string message) {
  return FwError{TeeResult::kBadParameters, std::move(message)};
}

void append_le32(std::vector<uint8_t> &out, uint32_t v) {
  uint8_t b[4];
  store_le32(b, v);
  out.insert(out.end(), b, b + 4);
}

// One record, zero-padded to 8 bytes, as the script's TLV.add().
void append_tlv(std::vector<uint8_t> &out, uint32_t type, std::span<const uint8_t> value) {
  append_le32(out, type);
  append_le32(out, static_cast<uint32_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
  out.resize((out.size() + 7) & ~size_t{7}, 0);
}

// Unpadded ("0xa"), as these messages have always printed.
using captee::detail::hex32;

// Appends the 64-byte hash-table entries of one image.
Status append_hash_entries(std::vector<uint8_t> &table, const Elf32Image &elf, size_t index) {
  for (size_t i = 0; i < elf.phdrs.size(); ++i) {
    const Elf32Phdr &ph = elf.phdrs[i];
    if (!detail::in_bounds(ph.offset, ph.filesz, elf.bytes.size())) {
      return FwError{TeeResult::kBadFormat, "image " + std::to_string(index) + ": segment " +
                                                std::to_string(i) +
                                                ": file bytes lie outside the file"};
    }
    for (uint32_t field :
         {ph.type, ph.offset, ph.vaddr, ph.paddr, ph.filesz, ph.memsz, ph.flags, ph.align}) {
      append_le32(table, field);
    }
    const Sha256Digest digest = sha256(elf.bytes.subspan(ph.offset, ph.filesz));
    table.insert(table.end(), digest.begin(), digest.end());
  }
  return {};
}

Result<uint32_t> padded_size(size_t size, size_t index) {
  uint32_t padded = 0;
  if (size > 0xFFFFFFFFu || !round_up8(static_cast<uint32_t>(size), &padded)) {
    return bad_parameters("image " + std::to_string(index) + ": larger than 4 GiB");
  }
  return padded;
}

}  // namespace

Result<PlatformTlv> parse_platform_tlv(std::string_view id, std::string_view value) {
  const auto type = detail::parse_python_int(id, 0);
  if (!type) {
    return bad_parameters("platform TLV ID '" + std::string(id) + "' is not an integer");
  }
  if (*type < kPlatTlvMin || *type > kPlatTlvMax) {
    return bad_parameters("platform TLV ID " + hex32(static_cast<uint32_t>(*type), 1) +
                          " is not in the platform range 0x10000..0x1ffff");
  }
  PlatformTlv tlv;
  tlv.type = static_cast<uint32_t>(*type);
  if (value.starts_with("0x")) {
    const auto number = detail::parse_python_int(value.substr(2), 16);
    if (!number) {
      return bad_parameters("platform TLV value '" + std::string(value) +
                            "' is not a 32-bit hexadecimal integer");
    }
    tlv.value.resize(4);
    store_le32(tlv.value.data(), static_cast<uint32_t>(*number));
  } else {
    tlv.value.assign(value.begin(), value.end());
  }
  return tlv;
}

void add_platform_tlv(std::vector<PlatformTlv> &list, PlatformTlv tlv) {
  for (PlatformTlv &existing : list) {
    if (existing.type == tlv.type) {
      existing.value = std::move(tlv.value);
      return;
    }
  }
  list.push_back(std::move(tlv));
}

Result<std::vector<uint8_t>> build_tlv_area(const SignRequest &request) {
  if (request.images.empty()) {
    return bad_parameters("no input image was given");
  }
  if (request.images.size() > 255) {
    return bad_parameters("at most 255 images fit in one bundle");
  }
  if (!is_supported_sign_type(request.sign_type)) {
    return FwError{TeeResult::kNotSupported,
                   "sign type " + std::to_string(request.sign_type) + " is not supported"};
  }
  std::vector<uint8_t> types;
  std::vector<uint8_t> sizes;
  std::vector<uint8_t> hash_table;
  uint64_t img_len = 0;
  for (size_t k = 0; k < request.images.size(); ++k) {
    auto elf = parse_elf32(request.images[k]);
    if (!elf) {
      return FwError{elf.error().code, "image " + std::to_string(k) + ": " + elf.error().message};
    }
    if (Status arm = require_arm(elf.value()); !arm) {
      return FwError{arm.code(), "image " + std::to_string(k) + ": " + arm.error().message};
    }
    auto padded = padded_size(request.images[k].size(), k);
    if (!padded) {
      return padded.error();
    }
    img_len += padded.value();
    if (img_len > 0xFFFFFFFFu) {
      return bad_parameters("the images add up to more than 4 GiB");
    }
    types.push_back(kImgTypeElf);
    append_le32(sizes, padded.value());
    if (Status s = append_hash_entries(hash_table, elf.value(), k); !s) {
      return s.error();
    }
  }
  std::vector<uint8_t> tlv;
  const uint8_t sign_type = request.sign_type;
  const uint8_t num_img = static_cast<uint8_t>(request.images.size());
  const uint8_t hash_type = kHashTypeSha256;
  append_tlv(tlv, kTlvSignType, {&sign_type, 1});
  append_tlv(tlv, kTlvNumImg, {&num_img, 1});
  append_tlv(tlv, kTlvImgType, types);
  append_tlv(tlv, kTlvImgSize, sizes);
  append_tlv(tlv, kTlvHashType, {&hash_type, 1});
  append_tlv(tlv, kTlvHashTable, hash_table);
  const auto too_long = [](size_t size) { return size > 0xFFFFFFFFu - 4096; };
  if (request.key_info) {
    if (too_long(request.key_info->size())) {
      return bad_parameters("key info is larger than 4 GiB");
    }
    append_tlv(tlv, kTlvPkeyInfo, *request.key_info);
  }
  for (const PlatformTlv &p : request.platform_tlvs) {
    if (p.type < kPlatTlvMin || p.type > kPlatTlvMax) {
      return bad_parameters("platform TLV ID " + hex32(p.type, 1) +
                            " is not in the platform range 0x10000..0x1ffff");
    }
    if (too_long(p.value.size())) {
      return bad_parameters("platform TLV " + hex32(p.type, 1) + " is larger than 4 GiB");
    }
    append_tlv(tlv, p.type, p.value);
  }
  if (tlv.size() > 0xFFFFFFFFu - 4096) {
    return bad_parameters("the TLV area is larger than 4 GiB");
  }
  return tlv;
}

Result<std::vector<uint8_t>> sign_digest(std::span<const uint8_t> digest, const PrivateKey &key) {
  const bool rsa = key.algorithm() == KeyAlgorithm::kRsa;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.evp(), nullptr), &EVP_PKEY_CTX_free);
  size_t len = 0;
  bool ok = ctx && EVP_PKEY_sign_init(ctx.get()) == 1 &&
            (!rsa || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1) &&
            EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) == 1 &&
            EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) == 1;
  std::vector<uint8_t> sig(len);
  ok = ok && EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) == 1;
  ERR_clear_error();
  if (!ok) {
    return FwError{TeeResult::kGeneric, "signature: OpenSSL could not sign"};
  }
  sig.resize(len);
  if (rsa) {
    return sig;
  }
  // DER ECDSA-Sig-Value to the raw r||s the format stores.
  const unsigned char *p = sig.data();
  ECDSA_SIG *der = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  std::vector<uint8_t> raw(64);
  const bool converted = der != nullptr &&
                         BN_bn2binpad(ECDSA_SIG_get0_r(der), raw.data(), 32) == 32 &&
                         BN_bn2binpad(ECDSA_SIG_get0_s(der), raw.data() + 32, 32) == 32;
  ECDSA_SIG_free(der);
  ERR_clear_error();
  if (!converted) {
    return FwError{TeeResult::kGeneric, "signature: cannot convert the ECDSA signature to r||s"};
  }
  return raw;
}

std::vector<std::string> loading_warnings(std::span<const uint8_t> signed_image) {
  auto parsed = parse_signed_image(signed_image);
  if (!parsed) {
    return {"captee's remoteproc TA will refuse to load this image: " + parsed.error().message};
  }
  if (parsed->resource_table && !parsed->resource_table->found_at_run_time()) {
    return {table_not_found_warning(*parsed->resource_table)};
  }
  return {};
}

Result<std::vector<uint8_t>> sign_images(const SignRequest &request, const PrivateKey &key,
                                         std::vector<std::string> *warnings) {
  const bool want_rsa = request.sign_type == kSignTypeRsaPkcs1Sha256;
  if (want_rsa != (key.algorithm() == KeyAlgorithm::kRsa)) {
    return bad_parameters(std::string("private key: key type ") + (want_rsa ? "RSA" : "ECC") +
                          " was asked for but the key is " +
                          (key.algorithm() == KeyAlgorithm::kRsa ? "RSA" : "EC P-256"));
  }
  auto tlv = build_tlv_area(request);
  if (!tlv) {
    return tlv.error();
  }
  uint64_t img_len = 0;
  for (const auto &image : request.images) {
    img_len += (image.size() + 7) & ~uint64_t{7};
  }
  const size_t sign_len = key.signature_size();
  uint8_t header[kHeaderSize];
  store_le32(header, kImageMagic);
  store_le32(header + 4, kImageVersion);
  store_le32(header + 8, static_cast<uint32_t>(tlv->size()));
  store_le32(header + 12, static_cast<uint32_t>(sign_len));
  store_le32(header + 16, static_cast<uint32_t>(img_len));

  std::vector<uint8_t> out;
  const uint64_t total = kHeaderSize + tlv->size() + ((sign_len + 7) & ~size_t{7}) + img_len;
  if (total > 0xFFFFFFFFu) {
    return bad_parameters("the signed image would be larger than 4 GiB");
  }
  out.reserve(total);
  out.insert(out.end(), header, header + kHeaderSize);
  out.insert(out.end(), tlv->begin(), tlv->end());
  const Sha256Digest digest = sha256(out);
  auto sig = sign_digest(digest, key);
  if (!sig) {
    return sig.error();
  }
  if (sig->size() != sign_len) {
    return FwError{TeeResult::kGeneric, "signature: length " + std::to_string(sig->size()) +
                                            " differs from the key's " + std::to_string(sign_len)};
  }
  // Each chunk is padded by its own length: chunks start at offsets = 4 mod 8.
  out.insert(out.end(), sig->begin(), sig->end());
  out.resize(out.size() + (8 - sig->size() % 8) % 8, 0);
  for (const auto &image : request.images) {
    out.insert(out.end(), image.begin(), image.end());
    out.resize(out.size() + (8 - image.size() % 8) % 8, 0);
  }
  // OP-TEE's script signs whatever ELF it is given; what a loader will make
  // of the image (a malformed resource table, a table the host will not find
  // where it looks) is said, not refused.
  if (warnings != nullptr) {
    *warnings = loading_warnings(out);
  }
  return out;
}

}  // namespace captee::fwimage
