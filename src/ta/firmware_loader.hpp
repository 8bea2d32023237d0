// LOAD_FW's work: authenticate a signed image and load it into a processor.
//
// The order is the one that keeps the normal world from changing anything
// after it was checked:
//   1. copy the header, then the rest of the signed head (TLVs, signature),
//      into private memory, reading each byte of the shared buffer once;
//   2. verify the signature over that copy with a trusted key of the
//      SIGNTYPE's algorithm (fwimage::verify_signed_head);
//   3. decode the signed TLVs and the ELF headers (bound to the signed hash
//      table by fwimage);
//   4. load every PT_LOAD segment through RemoteProcessor::load_segment, which
//      copies the bytes into the carveout and has fwimage::verify_segment
//      hash the destination copy before anything else can reach it;
//   5. decode the resource table from the loaded (protected) copy;
//   6. grant the host what it needs of that table (host_grant_builder.hpp).
// Any failure wipes every region of the processor.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "captee/fwimage/keys.hpp"
#include "captee/fwimage/signed_image.hpp"
#include "captee/platform/remote_processor.hpp"
#include "tee_api_types.h"

namespace captee::ta {

struct LoadedFirmware {
  uint32_t rsc_da = 0;    // device address of the resource table
  uint32_t rsc_size = 0;  // 0: no table
  uint32_t boot_da = 0;   // vector table (kTlvBootAddress or 0)
  size_t images = 0;
  size_t segments = 0;
  std::string signer;                    // fingerprint of the key that verified the image
  fwimage::Sha256Digest digest{};        // what the signature covers: identifies the image
  bool warm = false;                     // reloaded over the same image's memory
  std::vector<std::string> grant_notes;  // resources not shared, and why
};

struct LoadResult {
  TEE_Result code = 0;
  std::string message;  // what failed, when code != TEE_SUCCESS
  LoadedFirmware firmware;
};

// `image` is the (hostile, possibly concurrently modified) shared buffer.
// The processor must be offline. `previous` is the digest of the firmware
// still in memory (stopped, not released), or null if memory is wiped: an
// image with the same signed digest is reloaded warm (only its segments are
// rewritten; other memory keeps its contents, as a real SoC's SRAM does
// across a restart), any other image only after every region is wiped.
LoadResult load_firmware(platform::RemoteProcessor &proc, std::span<const uint8_t> image,
                         std::span<const fwimage::PublicKey> keys,
                         const fwimage::Sha256Digest *previous);

// GP code for a platform failure.
TEE_Result to_tee_result(platform::Error error);

}  // namespace captee::ta
