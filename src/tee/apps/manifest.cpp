#include "captee/tee/apps/manifest.hpp"

#include <elf.h>

#include <cstring>

#include "captee/detail/uuid_text.hpp"
#include "captee/ta_sdk.h"

namespace captee::tee::apps {

namespace {

bool fail(std::string *why, const char *msg) {
  if (why != nullptr) {
    *why = msg;
  }
  return false;
}

// [off, off+len) lies inside a buffer of `size` bytes.
bool in_bounds(uint64_t off, uint64_t len, size_t size) {
  uint64_t end = 0;
  return !__builtin_add_overflow(off, len, &end) && end <= size;
}

bool name_ok(const char *name, size_t cap, std::string &out) {
  size_t n = strnlen(name, cap);
  if (n == 0 || n == cap) {
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  out.assign(name, n);
  return true;
}

}  // namespace

bool TaManifest::single_instance() const {
  return (flags & CAPTEE_TA_FLAG_SINGLE_INSTANCE) != 0;
}

bool TaManifest::keep_alive() const {
  return (flags & CAPTEE_TA_FLAG_KEEP_ALIVE) != 0;
}

std::string TaManifest::uuid_string() const {
  return captee::detail::uuid_text(uuid);
}

std::optional<TaManifest> read_manifest(std::span<const std::byte> elf, std::string *why) {
  const size_t size = elf.size();
  const auto *base = reinterpret_cast<const unsigned char *>(elf.data());
  Elf64_Ehdr eh;
  if (size < sizeof eh) {
    fail(why, "the image is too small to be an ELF file");
    return std::nullopt;
  }
  std::memcpy(&eh, base, sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_ident[EI_DATA] != ELFDATA2LSB) {
    fail(why, "the image is not a 64-bit little-endian ELF file");
    return std::nullopt;
  }
  if (eh.e_type != ET_DYN) {
    fail(why, "the image is not an ELF shared object");
    return std::nullopt;
  }
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 || eh.e_shstrndx >= eh.e_shnum ||
      !in_bounds(eh.e_shoff, uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr), size)) {
    fail(why, "the image has no valid section header table");
    return std::nullopt;
  }
  auto shdr = [&](size_t i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, base + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof sh);
    return sh;
  };
  Elf64_Shdr strtab = shdr(eh.e_shstrndx);
  if (strtab.sh_type != SHT_STRTAB || !in_bounds(strtab.sh_offset, strtab.sh_size, size)) {
    fail(why, "the image's section name table is invalid");
    return std::nullopt;
  }
  const char *names = reinterpret_cast<const char *>(base + strtab.sh_offset);
  const size_t want_len = sizeof(CAPTEE_TA_SECTION);  // with the NUL
  std::optional<Elf64_Shdr> found;
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh = shdr(i);
    uint64_t end = 0;
    if (__builtin_add_overflow(uint64_t{sh.sh_name}, want_len, &end) || end > strtab.sh_size) {
      continue;
    }
    if (std::memcmp(names + sh.sh_name, CAPTEE_TA_SECTION, want_len) != 0) {
      continue;
    }
    if (found) {
      fail(why, "the image has more than one .captee_ta section");
      return std::nullopt;
    }
    found = sh;
  }
  if (!found) {
    fail(why, "the image has no .captee_ta manifest section");
    return std::nullopt;
  }
  if (found->sh_type != SHT_PROGBITS || found->sh_size != sizeof(captee_ta_manifest) ||
      !in_bounds(found->sh_offset, found->sh_size, size)) {
    fail(why, "the .captee_ta section does not hold exactly one manifest");
    return std::nullopt;
  }
  captee_ta_manifest raw;
  std::memcpy(&raw, base + found->sh_offset, sizeof raw);
  if (raw.magic != CAPTEE_TA_MANIFEST_MAGIC || raw.version != CAPTEE_TA_MANIFEST_VERSION) {
    fail(why, "the manifest has a wrong magic number or version");
    return std::nullopt;
  }
  if ((raw.flags & ~CAPTEE_TA_FLAGS_KNOWN) != 0) {
    fail(why, "the manifest has unknown flags");
    return std::nullopt;
  }
  for (uint8_t b : raw.reserved) {
    if (b != 0) {
      fail(why, "the manifest's reserved bytes are not zero");
      return std::nullopt;
    }
  }
  TaManifest m;
  if (!name_ok(raw.name, sizeof raw.name, m.name)) {
    fail(why,
         "the manifest's name is empty, unterminated or has characters outside [A-Za-z0-9._-]");
    return std::nullopt;
  }
  std::memcpy(m.uuid.data(), raw.uuid, sizeof raw.uuid);
  m.flags = raw.flags;
  m.deadline_ms = raw.deadline_ms;
  m.memory_limit = raw.memory_limit;
  return m;
}

}  // namespace captee::tee::apps
