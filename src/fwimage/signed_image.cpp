#include "captee/fwimage/signed_image.hpp"

#include <algorithm>
#include <string>

#include "captee/detail/hex.hpp"
#include "byte_reader.hpp"

namespace captee::fwimage {
namespace {

using detail::in_bounds;
using detail::le32;

FwError error(TeeResult code, std::string message) {
  return FwError{code, std::move(message)};
}

// Unpadded ("0xa"), as these messages have always printed.
using captee::detail::hex32;

std::string prefixed(uint32_t image, const FwError &e) {
  return "image " + std::to_string(image) + ": " + e.message;
}

// A TLV that must hold exactly one byte.
Result<uint8_t> one_byte_tlv(const SignedContainer &c, uint32_t type, const char *name,
                             TeeResult missing_code) {
  const Tlv *t = c.find(type);
  if (t == nullptr) {
    return error(missing_code, std::string(name) + " TLV is missing");
  }
  if (t->value.size() != 1) {
    return error(missing_code, std::string(name) + " TLV is " + std::to_string(t->value.size()) +
                                   " bytes, expected 1");
  }
  return t->value[0];
}

// Where a loader puts the resource-table section's bytes: the device address
// (p_paddr + offset) inside the first PT_LOAD segment whose file bytes hold the
// whole section, or nothing when no segment carries them.
std::optional<uint32_t> table_load_address(const Elf32Image &elf, const SectionLocation &sec) {
  for (const Elf32Phdr &ph : elf.phdrs) {
    if (ph.type != kPtLoad || sec.offset < ph.offset) {
      continue;
    }
    const uint64_t delta = uint64_t{sec.offset} - ph.offset;
    if (delta + sec.size <= ph.filesz) {
      return static_cast<uint32_t>(ph.paddr + delta);  // parse_elf32: paddr+memsz does not wrap
    }
  }
  return std::nullopt;
}

struct Layout {
  Header header;
  uint32_t tlv_padded = 0;
  uint32_t sign_padded = 0;
  uint32_t signature_offset = 0;
  uint32_t image_offset = 0;
};

Result<SignedContainer> parse_split(const Layout &l, std::span<const uint8_t> head,
                                    std::span<const uint8_t> images);

}  // namespace

bool round_up8(uint32_t x, uint32_t *out) {
  uint32_t sum = 0;
  if (__builtin_add_overflow(x, 7u, &sum)) {
    return false;
  }
  *out = sum & ~7u;
  return true;
}

const Tlv *SignedContainer::find(uint32_t type) const {
  for (const Tlv &t : tlvs) {
    if (t.type == type) {
      // OP-TEE returns the first record of a type; a zero-length one is absent.
      return t.value.empty() ? nullptr : &t;
    }
  }
  return nullptr;
}

namespace {

Result<Layout> parse_layout(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderSize) {
    return error(TeeResult::kBadParameters, "header: file is " + std::to_string(bytes.size()) +
                                                " bytes, shorter than the 20-byte header");
  }
  Layout l;
  Header &h = l.header;
  h = Header{le32(bytes, 0), le32(bytes, 4), le32(bytes, 8), le32(bytes, 12), le32(bytes, 16)};
  if (h.magic != kImageMagic) {
    return error(TeeResult::kBadParameters,
                 "header: bad magic " + hex32(h.magic, 1) + ", expected 0x3543a468");
  }
  if (h.version != kImageVersion) {
    return error(TeeResult::kBadParameters,
                 "header: version is " + std::to_string(h.version) + ", expected 1");
  }
  if (h.tlv_len == 0) {
    return error(TeeResult::kBadParameters, "header: tlv_len is 0");
  }
  if (h.sign_len == 0) {
    return error(TeeResult::kBadParameters, "header: sign_len is 0");
  }
  uint32_t total = 0;
  if (!round_up8(h.tlv_len, &l.tlv_padded) || !round_up8(h.sign_len, &l.sign_padded) ||
      __builtin_add_overflow(uint32_t{kHeaderSize}, l.tlv_padded, &l.signature_offset) ||
      __builtin_add_overflow(l.signature_offset, l.sign_padded, &l.image_offset) ||
      __builtin_add_overflow(l.image_offset, h.img_len, &total)) {
    return error(TeeResult::kBadParameters, "header: lengths overflow 32 bits");
  }
  return l;
}

}  // namespace

Result<uint32_t> head_size(std::span<const uint8_t> header) {
  auto l = parse_layout(header);
  if (!l) {
    return l.error();
  }
  return l->image_offset;
}

Result<SignedContainer> parse_container(std::span<const uint8_t> file) {
  auto l = parse_layout(file);
  if (!l) {
    return l.error();
  }
  const uint64_t total = uint64_t{l->image_offset} + l->header.img_len;
  if (total != file.size()) {
    return error(TeeResult::kBadParameters, "header: lengths add up to " + std::to_string(total) +
                                                " bytes but the file is " +
                                                std::to_string(file.size()) + " bytes");
  }
  return parse_split(l.value(), file.first(l->image_offset), file.subspan(l->image_offset));
}

Result<SignedContainer> parse_container(std::span<const uint8_t> head,
                                        std::span<const uint8_t> image_area) {
  auto l = parse_layout(head);
  if (!l) {
    return l.error();
  }
  if (head.size() != l->image_offset) {
    return error(TeeResult::kBadParameters, "header: the head is " + std::to_string(head.size()) +
                                                " bytes but its lengths say " +
                                                std::to_string(l->image_offset));
  }
  if (image_area.size() != l->header.img_len) {
    return error(TeeResult::kBadParameters,
                 "header: img_len is " + std::to_string(l->header.img_len) +
                     " but the image area is " + std::to_string(image_area.size()) + " bytes");
  }
  return parse_split(l.value(), head, image_area);
}

namespace {

Result<SignedContainer> parse_split(const Layout &l, std::span<const uint8_t> file,
                                    std::span<const uint8_t> images) {
  SignedContainer c;
  c.header = l.header;
  const Header &h = c.header;
  const uint32_t signature_offset = l.signature_offset;
  const uint32_t tlv_padded = l.tlv_padded;
  const uint32_t image_offset = l.image_offset;
  c.signed_bytes = file.subspan(0, signature_offset);
  c.tlv_area = file.subspan(kHeaderSize, tlv_padded);
  c.signature = file.subspan(signature_offset, h.sign_len);
  c.image_area = images;
  c.signature_offset = signature_offset;
  c.image_area_offset = image_offset;

  // Records tile [0, tlv_len); a record's padding may run into the R8 area.
  const uint64_t end = h.tlv_len;
  uint64_t pos = 0;
  while (pos < end) {
    if (end - pos < 8) {
      return error(TeeResult::kBadFormat,
                   "TLV area: " + std::to_string(end - pos) + " stray bytes after the last record");
    }
    const uint32_t type = le32(c.tlv_area, pos);
    const uint32_t length = le32(c.tlv_area, pos + 4);
    if (!in_bounds(pos + 8, length, end)) {
      return error(TeeResult::kBadFormat, "TLV " + hex32(type, 1) + " at offset " +
                                              std::to_string(kHeaderSize + pos) + ": length " +
                                              std::to_string(length) + " runs past the TLV area");
    }
    c.tlvs.push_back(
        Tlv{type, static_cast<uint32_t>(kHeaderSize + pos), c.tlv_area.subspan(pos + 8, length)});
    pos += 8 + ((uint64_t{length} + 7) & ~uint64_t{7});
  }
  return c;
}

}  // namespace

bool is_supported_sign_type(uint8_t type) {
  return type == kSignTypeRsaPkcs1Sha256 || type == kSignTypeEcdsaP256Sha256;
}

Result<uint8_t> read_sign_type(const SignedContainer &c) {
  auto type = one_byte_tlv(c, kTlvSignType, "SIGNTYPE", TeeResult::kBadParameters);
  if (!type) {
    return type.error();
  }
  if (!is_supported_sign_type(type.value())) {
    return error(TeeResult::kNotSupported,
                 "SIGNTYPE " + std::to_string(type.value()) + " is not supported");
  }
  return type.value();
}

Result<ParsedImage> parse_contents(const SignedContainer &c, bool decode_table) {
  ParsedImage p;
  p.container = c;

  auto sign_type = read_sign_type(c);
  if (!sign_type) {
    return sign_type.error();
  }
  p.sign_type = sign_type.value();
  auto hash_type = one_byte_tlv(c, kTlvHashType, "HASHTYPE", TeeResult::kBadFormat);
  if (!hash_type) {
    return hash_type.error();
  }
  p.hash_type = hash_type.value();
  if (p.hash_type != kHashTypeSha256) {
    return error(TeeResult::kNotSupported,
                 "HASHTYPE " + std::to_string(p.hash_type) + " is not supported");
  }
  auto num_img = one_byte_tlv(c, kTlvNumImg, "NUM_IMG", TeeResult::kBadFormat);
  if (!num_img) {
    return num_img.error();
  }
  const uint32_t n = num_img.value();
  if (n == 0) {
    return error(TeeResult::kBadFormat, "NUM_IMG is 0");
  }
  const Tlv *img_type = c.find(kTlvImgType);
  if (img_type == nullptr || img_type->value.size() != n) {
    return error(TeeResult::kBadFormat, "IMGTYPE TLV is missing or not NUM_IMG bytes long");
  }
  const Tlv *img_size = c.find(kTlvImgSize);
  if (img_size == nullptr || img_size->value.size() != size_t{n} * 4) {
    return error(TeeResult::kBadFormat, "IMGSIZE TLV is missing or not 4*NUM_IMG bytes long");
  }
  const Tlv *hash_table = c.find(kTlvHashTable);
  if (hash_table == nullptr) {
    return error(TeeResult::kBadFormat, "HASHTABLE TLV is missing");
  }
  if (hash_table->value.size() % kHashTableEntrySize != 0) {
    return error(TeeResult::kBadFormat, "HASHTABLE length " +
                                            std::to_string(hash_table->value.size()) +
                                            " is not a multiple of 64");
  }
  if (const Tlv *info = c.find(kTlvPkeyInfo)) {
    p.key_info = info->value;
  }
  for (const Tlv &t : c.tlvs) {
    if (t.type >= kPlatTlvMin && t.type <= kPlatTlvMax) {
      p.platform_tlvs.push_back(t);
    }
  }

  uint64_t sizes_total = 0;
  for (uint32_t k = 0; k < n; ++k) {
    const uint32_t size = le32(img_size->value, size_t{k} * 4);
    if (size == 0 || size % 8 != 0) {
      return error(TeeResult::kBadFormat, "image " + std::to_string(k) + ": size " +
                                              std::to_string(size) +
                                              " is not a non-zero multiple of 8");
    }
    sizes_total += size;
  }
  if (sizes_total != c.image_area.size()) {
    return error(TeeResult::kBadFormat, "IMGSIZE adds up to " + std::to_string(sizes_total) +
                                            " bytes but img_len is " +
                                            std::to_string(c.image_area.size()));
  }

  const size_t entries = hash_table->value.size() / kHashTableEntrySize;
  size_t next_entry = 0;
  uint64_t offset = 0;
  for (uint32_t k = 0; k < n; ++k) {
    FirmwareImage img;
    img.index = k;
    img.type = img_type->value[k];
    img.size = le32(img_size->value, size_t{k} * 4);
    const std::string name = "image " + std::to_string(k) + ": ";
    if (img.type == kImgTypeEncryptedElf) {
      return error(TeeResult::kNotSupported,
                   name + "encrypted images (IMGTYPE 2) are not supported");
    }
    if (img.type != kImgTypeElf) {
      return error(TeeResult::kNotSupported,
                   name + "image type " + std::to_string(img.type) + " is not supported");
    }
    img.offset = static_cast<uint32_t>(c.image_area_offset + offset);
    auto elf = parse_elf32(c.image_area.subspan(offset, img.size));
    if (!elf) {
      return error(elf.error().code, prefixed(k, elf.error()));
    }
    if (Status arm = require_arm(elf.value()); !arm) {
      return error(arm.code(), prefixed(k, arm.error()));
    }
    img.elf = std::move(elf).value();
    offset += img.size;

    const size_t phnum = img.elf.phdrs.size();
    if (entries - next_entry < phnum) {
      return error(TeeResult::kBadFormat,
                   name + "HASHTABLE has fewer entries than program headers");
    }
    for (size_t i = 0; i < phnum; ++i) {
      const auto entry =
          hash_table->value.subspan((next_entry + i) * kHashTableEntrySize, kHashTableEntrySize);
      Segment seg;
      seg.index = static_cast<uint32_t>(i);
      seg.phdr = img.elf.phdrs[i];
      // Upstream matches on p_paddr only; captee requires the whole signed
      // program header to equal the ELF's, in order, per image.
      if (decode_phdr(entry) != seg.phdr) {
        return error(TeeResult::kSecurity, "segment " + std::to_string(i) + " of image " +
                                               std::to_string(k) +
                                               ": program header differs from its signed entry");
      }
      std::copy_n(entry.begin() + kElf32PhdrSize, kSha256Size, seg.expected_sha256.begin());
      if (seg.loadable()) {
        seg.file_bytes = img.elf.segment_bytes(i);
      }
      img.segments.push_back(seg);
    }
    next_entry += phnum;

    if (img.elf.resource_table) {
      const SectionLocation &sec = *img.elf.resource_table;
      if (p.resource_table) {
        return error(TeeResult::kBadFormat,
                     "resource table: found in image " + std::to_string(p.resource_table->image) +
                         " and image " + std::to_string(k) + ", at most one is allowed");
      }
      ResourceTableRef ref;
      ref.load_addr = table_load_address(img.elf, sec);
      ref.image = k;
      ref.device_addr = sec.addr;
      ref.size = sec.size;
      ref.bytes = img.elf.bytes.subspan(sec.offset, sec.size);
      p.resource_table = std::move(ref);
    }
    p.images.push_back(std::move(img));
  }
  if (next_entry != entries) {
    return error(TeeResult::kBadFormat, "HASHTABLE has " + std::to_string(entries) +
                                            " entries but the images have " +
                                            std::to_string(next_entry) + " program headers");
  }
  if (decode_table) {
    if (Status s = decode_resource_table(p); !s) {
      return s.error();
    }
  }
  return p;
}

std::string table_not_found_warning(const ResourceTableRef &t) {
  if (t.found_at_run_time()) {
    return {};
  }
  const std::string where = hex32(t.device_addr);
  const std::string loaded = t.load_addr ? "its bytes are loaded at " + hex32(*t.load_addr)
                                         : "no loadable segment carries its bytes";
  return "image " + std::to_string(t.image) + ": the resource table's section address is " + where +
         " but " + loaded + ", so the host finds no table at " + where +
         " before the firmware runs: no trace buffer or virtio device is set up (as with OP-TEE "
         "and Linux); link .resource_table where it is loaded to use them";
}

Status decode_resource_table(ParsedImage &p) {
  if (!p.resource_table) {
    return {};
  }
  auto table = parse_resource_table(p.resource_table->bytes);
  if (!table) {
    return error(table.error().code, prefixed(p.resource_table->image, table.error()));
  }
  p.resource_table->table = std::move(table).value();
  return {};
}

Result<ParsedImage> parse_signed_image(std::span<const uint8_t> file) {
  auto c = parse_container(file);
  if (!c) {
    return c.error();
  }
  return parse_contents(c.value());
}

}  // namespace captee::fwimage
