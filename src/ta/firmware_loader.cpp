#include "firmware_loader.hpp"

#include <cstdio>
#include <cstring>

#include "captee/detail/hex.hpp"
#include "captee/detail/little_endian.hpp"
#include "captee/fwimage/signed_image.hpp"
#include "captee/fwimage/verify.hpp"
#include "captee/ta/remoteproc_ta.hpp"
#include "host_grant_builder.hpp"
#include "tee_api_defines.h"

namespace captee::ta {
namespace {

using fwimage::FwError;

LoadResult fail(TEE_Result code, std::string message) {
  return {code, std::move(message), {}};
}

LoadResult fail(const FwError &e) {
  return fail(static_cast<TEE_Result>(e.code), e.message);
}

using captee::detail::hex32;

LoadResult load_verified(platform::RemoteProcessor &proc, std::span<const uint8_t> image,
                         std::span<const fwimage::PublicKey> keys,
                         const fwimage::Sha256Digest *previous) {
  // Step 1: the header, read once into private memory; then the rest of the
  // signed head after it. Nothing signed is read from `image` again.
  if (image.size() < fwimage::kHeaderSize) {
    return fail(TEE_ERROR_BAD_PARAMETERS,
                "the image is " + std::to_string(image.size()) + " bytes, shorter than a header");
  }
  std::vector<uint8_t> head(fwimage::kHeaderSize);
  std::memcpy(head.data(), image.data(), fwimage::kHeaderSize);
  auto head_len = fwimage::head_size(head);
  if (!head_len) {
    return fail(head_len.error());
  }
  const uint32_t img_len = detail::load_le32(head.data() + 16);
  uint64_t total = 0;
  if (__builtin_add_overflow(uint64_t{head_len.value()}, uint64_t{img_len}, &total) ||
      total != image.size()) {
    return fail(TEE_ERROR_BAD_PARAMETERS, "the buffer is " + std::to_string(image.size()) +
                                              " bytes but the header describes " +
                                              std::to_string(total));
  }
  head.resize(head_len.value());
  std::memcpy(head.data() + fwimage::kHeaderSize, image.data() + fwimage::kHeaderSize,
              head_len.value() - fwimage::kHeaderSize);
  auto container = fwimage::parse_container(head, image.subspan(head_len.value()));
  if (!container) {
    return fail(container.error());
  }

  // Step 2: a trusted key of the SIGNTYPE's algorithm must verify the head.
  LoadedFirmware fw;
  auto signer = fwimage::verify_signed_head(container.value(), keys);
  if (!signer) {
    return fail(signer.error());
  }
  fw.signer = keys[signer.value()].fingerprint();
  // The firmware still in memory goes, unless this is the same image.
  fw.digest = fwimage::signed_digest(container.value());
  if (previous != nullptr) {
    fw.warm = *previous == fw.digest;
    platform::Status s = fw.warm ? proc.forget_segments() : proc.release();
    if (!s.ok()) {
      return fail(to_tee_result(s.code), s.message);
    }
  }

  // Step 3: signed TLVs (HASHTYPE, images, hash table) and ELF headers.
  auto parsed = fwimage::parse_contents(container.value(), /*decode_table=*/false);
  if (!parsed) {
    return fail(parsed.error());
  }
  fwimage::ParsedImage &p = parsed.value();

  for (const fwimage::Tlv &t : p.platform_tlvs) {
    if (t.type != kTlvBootAddress) {
      continue;
    }
    if (t.value.size() != 4) {
      return fail(TEE_ERROR_BAD_FORMAT, "the boot-address TLV 0x10001 is " +
                                            std::to_string(t.value.size()) +
                                            " bytes long, expected 4");
    }
    fw.boot_da = detail::load_le32(t.value.data());
    if (proc.region_for(fw.boot_da, 8) == nullptr) {
      return fail(TEE_ERROR_BAD_FORMAT, "the boot address " + hex32(fw.boot_da) +
                                            " is not inside the processor's memory");
    }
    break;  // the first record counts, as for every TLV lookup
  }

  // Step 4: every PT_LOAD segment of every image, hashed on the destination
  // (fwimage's segment check, run by the platform right after the copy while
  // nothing else can reach those bytes; a mismatch wipes the segment).
  for (const fwimage::FirmwareImage &img : p.images) {
    for (const fwimage::Segment &seg : img.segments) {
      if (!seg.loadable()) {
        continue;
      }
      auto hash_matches = [&](std::span<const uint8_t> destination) {
        return fwimage::verify_segment(img, seg, destination).ok();
      };
      platform::Status s =
          proc.load_segment(seg.phdr.paddr, seg.file_bytes, seg.phdr.memsz, hash_matches);
      if (!s.ok()) {
        return fail(to_tee_result(s.code), "segment " + std::to_string(seg.index) + " of image " +
                                               std::to_string(img.index) + ": " + s.message);
      }
      fw.segments++;
    }
  }
  fw.images = p.images.size();

  // Step 5: the resource table. One the host will not find where it looks
  // (its section address is not where a segment loads its bytes: ST's
  // layouts that link it into .data) is checked as OP-TEE checks it, on the
  // section's bytes, and then the host gets no table: OP-TEE reports the
  // address and Linux reads what lies there before the firmware runs, which is
  // no table, so the boot is the same (no trace, no vdev) without showing the
  // host memory that no hashed segment put there.
  if (p.resource_table && !p.resource_table->found_at_run_time()) {
    if (fwimage::Status s = fwimage::decode_resource_table(p); !s) {
      return fail(s.error());
    }
    fw.grant_notes.push_back(fwimage::table_not_found_warning(*p.resource_table));
    p.resource_table.reset();
  }
  // Otherwise it is decoded from the protected copy, which the segment hash
  // covered.
  if (p.resource_table) {
    fwimage::ResourceTableRef &rt = *p.resource_table;
    std::span<uint8_t> loaded = proc.translate(rt.device_addr, rt.size);
    if (loaded.empty()) {
      return fail(TEE_ERROR_BAD_FORMAT, "the resource table at " + hex32(rt.device_addr) +
                                            " is not inside the processor's memory");
    }
    rt.bytes = loaded;
    if (fwimage::Status s = fwimage::decode_resource_table(p); !s) {
      return fail(s.error());
    }
    fw.rsc_da = rt.device_addr;
    fw.rsc_size = rt.size;
  }

  // Step 6.
  platform::HostGrant grant = build_host_grant(p, proc.description(), &fw.grant_notes);
  if (platform::Status s = proc.grant_host(std::move(grant), &fw.grant_notes); !s.ok()) {
    return fail(to_tee_result(s.code), "granting the host its resources: " + s.message);
  }
  return {TEE_SUCCESS, {}, std::move(fw)};
}

}  // namespace

TEE_Result to_tee_result(platform::Error error) {
  switch (error) {
    case platform::Error::kOk:
      return TEE_SUCCESS;
    case platform::Error::kBadParameters:
      return TEE_ERROR_BAD_PARAMETERS;
    case platform::Error::kBadFormat:
      return TEE_ERROR_BAD_FORMAT;
    case platform::Error::kAccessDenied:
      return TEE_ERROR_ACCESS_DENIED;
    case platform::Error::kBadState:
      return TEE_ERROR_BAD_STATE;
    case platform::Error::kSecurity:
      return TEE_ERROR_SECURITY;
    case platform::Error::kGeneric:
      break;
  }
  return TEE_ERROR_GENERIC;
}

LoadResult load_firmware(platform::RemoteProcessor &proc, std::span<const uint8_t> image,
                         std::span<const fwimage::PublicKey> keys,
                         const fwimage::Sha256Digest *previous) {
  LoadResult r = load_verified(proc, image, keys, previous);
  if (r.code != TEE_SUCCESS) {
    // Whatever reached the carveouts before the failure goes.
    (void)proc.release();
  }
  return r;
}

}  // namespace captee::ta
