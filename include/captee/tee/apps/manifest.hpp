// The TA manifest, read from an ELF image before any of its code runs.
//
// A TA carries one captee_ta_manifest (include/captee/ta_sdk.h) in the ELF
// section ".captee_ta". The app loader reads it from the image bytes with the
// section headers only (no loading, no relocation), so the limits it holds are
// known and applied to the host process before the TA is mapped.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace captee::tee::apps {

struct TaManifest {
  std::array<uint8_t, 16> uuid{};
  std::string name;
  uint32_t flags = 0;         // CAPTEE_TA_FLAG_*
  uint32_t deadline_ms = 0;   // 0: no per-call deadline
  uint64_t memory_limit = 0;  // 0: the loader's default

  bool single_instance() const;
  bool keep_alive() const;
  std::string uuid_string() const;  // 8-4-4-4-12 lowercase hex
};

// Parses the manifest out of `elf` (a 64-bit little-endian ELF shared object).
// Every offset and size is checked; hostile input yields nullopt and a
// one-sentence reason in *why (never a crash). Rejects: not ELF64 LE ET_DYN,
// no or several ".captee_ta" sections, a section that is not exactly one
// manifest, bad magic/version, unknown flags, a name that is empty,
// unterminated or outside [A-Za-z0-9._-], non-zero reserved bytes.
// Thread-safety: pure function.
std::optional<TaManifest> read_manifest(std::span<const std::byte> elf, std::string *why = nullptr);

}  // namespace captee::tee::apps
