// OP-TEE's signed remote-processor firmware image.
//
// Layout (all little-endian, R8 = round up to 8):
//   header (20 bytes) | TLV area, R8(tlv_len) | signature, R8(sign_len) | images
// The signature covers SHA-256(header || TLV area). The images are not signed
// directly: the HASHTABLE TLV holds every program header of every image with
// the SHA-256 of its file bytes, and the loader checks each PT_LOAD segment
// against it. So the trust chain is key -> signature -> TLVs -> segment hashes.
//
// parse_container() reads only the header, the TLV records and the location
// of the signature: enough to check the signature before any signed field is
// interpreted. parse_contents() then decodes the signed TLVs and the ELF
// images and binds every program header to its hash-table entry.
// Nothing here does crypto; see verify.hpp. Every function is pure (no
// global state) and safe to call from several threads at once.
//
// Views: the spans in these structs point into the caller's buffer, which must
// outlive them. Decoded values (program headers, expected hashes) are copies,
// so a loader can copy segment bytes elsewhere and hash the copy.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <span>
#include <vector>

#include "captee/fwimage/elf32.hpp"
#include "captee/fwimage/resource_table.hpp"
#include "captee/fwimage/status.hpp"

namespace captee::fwimage {

inline constexpr uint32_t kImageMagic = 0x3543A468;
inline constexpr uint32_t kImageVersion = 1;
inline constexpr size_t kHeaderSize = 20;
inline constexpr size_t kHashTableEntrySize = 64;
inline constexpr size_t kSha256Size = 32;

// TLV types.
inline constexpr uint32_t kTlvSignType = 0x01;
inline constexpr uint32_t kTlvHashType = 0x02;
inline constexpr uint32_t kTlvNumImg = 0x03;
inline constexpr uint32_t kTlvImgType = 0x04;
inline constexpr uint32_t kTlvImgSize = 0x05;
inline constexpr uint32_t kTlvEncType = 0x06;  // ST downstream; not supported
inline constexpr uint32_t kTlvHashTable = 0x10;
inline constexpr uint32_t kTlvPkeyInfo = 0x11;
inline constexpr uint32_t kTlvEncTable = 0x12;  // ST downstream; not supported
inline constexpr uint32_t kPlatTlvMin = 0x10000;
inline constexpr uint32_t kPlatTlvMax = 0x1FFFF;

inline constexpr uint8_t kSignTypeRsaPkcs1Sha256 = 1;
inline constexpr uint8_t kSignTypeEcdsaP256Sha256 = 2;
inline constexpr uint8_t kHashTypeSha256 = 1;
inline constexpr uint8_t kImgTypeElf = 1;
inline constexpr uint8_t kImgTypeEncryptedElf = 2;

using Sha256Digest = std::array<uint8_t, kSha256Size>;

// x rounded up to a multiple of 8; false if that overflows 32 bits.
bool round_up8(uint32_t x, uint32_t *out);

struct Header {
  uint32_t magic = 0;
  uint32_t version = 0;
  uint32_t tlv_len = 0;
  uint32_t sign_len = 0;
  uint32_t img_len = 0;
};

struct Tlv {
  uint32_t type = 0;
  uint32_t offset = 0;  // offset of the record (its type word) in the file
  std::span<const uint8_t> value;
};

// Header, TLV records, signature and image area of a signed file.
struct SignedContainer {
  Header header;
  std::span<const uint8_t> signed_bytes;  // header || TLV area (R8(tlv_len))
  std::span<const uint8_t> tlv_area;      // R8(tlv_len) bytes
  std::span<const uint8_t> signature;     // sign_len bytes
  std::span<const uint8_t> image_area;    // img_len bytes
  uint32_t signature_offset = 0;
  uint32_t image_area_offset = 0;
  std::vector<Tlv> tlvs;  // every record, in file order

  // First record of `type` with a non-zero length, or nullptr (a zero-length
  // record counts as absent, as in OP-TEE).
  const Tlv *find(uint32_t type) const;
};

// One program header of one image, with the hash the signer recorded.
struct Segment {
  uint32_t index = 0;  // program header index inside its image
  Elf32Phdr phdr;
  Sha256Digest expected_sha256{};
  std::span<const uint8_t> file_bytes;  // p_filesz bytes at p_offset (PT_LOAD only)
  bool loadable() const { return phdr.type == kPtLoad; }
};

// The resource table of the bundle (at most one across all images).
struct ResourceTableRef {
  uint32_t image = 0;              // which image holds it
  uint32_t device_addr = 0;        // sh_addr: where the host looks for the table
  uint32_t size = 0;               // sh_size
  std::span<const uint8_t> bytes;  // the section's file bytes
  // Where a loader puts those bytes: p_paddr of the PT_LOAD segment whose file
  // bytes hold the section, plus the section's offset into it. Absent when no
  // segment carries them.
  std::optional<uint32_t> load_addr;
  ResourceTable table;

  // The bytes land where the host looks, so the host finds the table after
  // loading (and the segment hash covers what it reads). When false (ST's
  // layouts that link the table into `.data`, whose run-time address is not
  // where it is loaded), OP-TEE reports the address anyway and Linux reads
  // whatever lies there before the firmware runs.
  bool found_at_run_time() const { return load_addr && *load_addr == device_addr; }
};

// The warning for a table the host will not find (found_at_run_time() false),
// naming both addresses; empty when the table is found.
std::string table_not_found_warning(const ResourceTableRef &table);

struct FirmwareImage {
  uint32_t index = 0;
  uint8_t type = 0;               // IMGTYPE entry
  uint32_t offset = 0;            // offset of the image in the signed file
  uint32_t size = 0;              // IMGSIZE entry (8-aligned)
  Elf32Image elf;                 // views the image's bytes
  std::vector<Segment> segments;  // every program header, in order
};

struct ParsedImage {
  SignedContainer container;
  uint8_t sign_type = 0;
  uint8_t hash_type = 0;
  std::span<const uint8_t> key_info;  // PKEYINFO value, empty if absent
  std::vector<Tlv> platform_tlvs;     // types 0x10000..0x1FFFF, file order
  std::vector<FirmwareImage> images;
  std::optional<ResourceTableRef> resource_table;
};

// Checks magic, version, non-zero tlv_len and sign_len, img_len 8-aligned,
// exact total size 20 + R8(tlv_len) + R8(sign_len) + img_len (overflow
// checked), and that TLV records tile the TLV area (each value inside it).
// Errors: BAD_PARAMETERS for header/size problems (as OP-TEE), BAD_FORMAT for
// malformed TLV records.
Result<SignedContainer> parse_container(std::span<const uint8_t> file);

// For loaders that must not read shared memory twice (OP-TEE's TA copies the
// header, TLVs and signature into private memory first): how many leading
// bytes that "head" is, from the first 20 bytes. Errors as parse_container's
// header checks (BAD_PARAMETERS).
Result<uint32_t> head_size(std::span<const uint8_t> header);

// parse_container over a head copied by the caller (exactly head_size bytes)
// and the image area left where it is (exactly img_len bytes). The signed
// fields are then read only from `head`.
// Errors: as parse_container; BAD_PARAMETERS when either size is wrong.
Result<SignedContainer> parse_container(std::span<const uint8_t> head,
                                        std::span<const uint8_t> image_area);

// True for the sign types captee verifies and signs: RSA PKCS#1 v1.5 and
// ECDSA P-256, both over SHA-256.
bool is_supported_sign_type(uint8_t type);

// The container's SIGNTYPE, checked: the one place a SIGNTYPE TLV is judged.
// It picks the algorithm before the signature is checked (verify.hpp) and is
// read again, by the same function, when the signed TLVs are decoded.
// Errors: BAD_PARAMETERS "SIGNTYPE TLV is missing" or "SIGNTYPE TLV is 2 bytes,
// expected 1" (as OP-TEE), NOT_SUPPORTED "SIGNTYPE 3 is not supported".
Result<uint8_t> read_sign_type(const SignedContainer &container);

// Decodes the signed TLVs and the images of a container: SIGNTYPE, HASHTYPE
// (1 byte each; unknown values NOT_SUPPORTED), NUM_IMG, IMGTYPE (ELF only;
// encrypted images NOT_SUPPORTED), IMGSIZE summing to img_len, HASHTABLE with
// one 64-byte entry per program header of every image and each entry equal to
// its program header, platform TLV types, each ELF (parse_elf32 + ARM), and
// the resource table (at most one; ResourceTableRef::load_addr says whether a
// PT_LOAD segment puts its bytes where the host looks, which is not an error:
// the loader decides, see found_at_run_time()).
// With `decode_table` false the table is only located (bytes, address), and
// ResourceTableRef::table stays empty until decode_resource_table(): a
// verifier checks the segment hashes first, so a tampered table is reported
// as a hash mismatch rather than as a malformed table.
// Errors: BAD_FORMAT, NOT_SUPPORTED, SECURITY (program header differs from the
// signed hash-table entry).
Result<ParsedImage> parse_contents(const SignedContainer &container, bool decode_table = true);

// Parses and validates the located resource table (see resource_table.hpp)
// into image.resource_table->table. No-op without a table.
// Errors: BAD_FORMAT "image 0: resource table: ...".
Status decode_resource_table(ParsedImage &image);

// parse_container + parse_contents. No signature or hash check.
Result<ParsedImage> parse_signed_image(std::span<const uint8_t> file);

}  // namespace captee::fwimage
