#include "captee/fwimage/elf32.hpp"

#include <cstring>
#include <string>
#include <string_view>

#include "byte_reader.hpp"

namespace captee::fwimage {
namespace {

using detail::in_bounds;
using detail::le16;
using detail::le32;

constexpr std::string_view kResourceTableName = ".resource_table";

FwError elf_error(std::string message) {
  return FwError{TeeResult::kBadFormat, "ELF: " + std::move(message)};
}

std::string field_mismatch(const char *field, uint64_t got, uint64_t want) {
  return std::string(field) + " is " + std::to_string(got) + ", expected " + std::to_string(want);
}

struct Shdr {
  uint32_t name, type, flags, addr, offset, size;
};

Shdr read_shdr(std::span<const uint8_t> b, size_t at) {
  return Shdr{le32(b, at),      le32(b, at + 4),  le32(b, at + 8),
              le32(b, at + 12), le32(b, at + 16), le32(b, at + 20)};
}

// Finds `.resource_table` by name through the section-name table.
Status find_resource_table(Elf32Image &elf) {
  if (elf.shnum == 0) {
    return {};
  }
  const auto b = elf.bytes;
  if (elf.shstrndx >= elf.shnum) {
    return elf_error(field_mismatch("e_shstrndx", elf.shstrndx, elf.shnum - 1u) + " at most");
  }
  const Shdr strtab = read_shdr(b, elf.shoff + size_t{elf.shstrndx} * kElf32ShdrSize);
  if (strtab.type == kShtNobits || !in_bounds(strtab.offset, strtab.size, b.size())) {
    return elf_error("section-name table lies outside the file");
  }
  for (uint32_t i = 0; i < elf.shnum; ++i) {
    const Shdr sh = read_shdr(b, elf.shoff + size_t{i} * kElf32ShdrSize);
    if (sh.name >= strtab.size) {
      return elf_error("section " + std::to_string(i) + ": name offset outside the name table");
    }
    const size_t avail = strtab.size - sh.name;
    if (avail < kResourceTableName.size() + 1) {
      continue;
    }
    const uint8_t *name = b.data() + strtab.offset + sh.name;
    if (std::memcmp(name, kResourceTableName.data(), kResourceTableName.size()) != 0 ||
        name[kResourceTableName.size()] != 0) {
      continue;
    }
    if (sh.size == 0) {
      return {};  // an empty section means "no table", as OP-TEE's TA reads it
    }
    if (sh.type == kShtNobits) {
      return elf_error("section .resource_table has no file bytes (NOBITS)");
    }
    if (!in_bounds(sh.offset, sh.size, b.size())) {
      return elf_error("section .resource_table lies outside the file");
    }
    elf.resource_table = SectionLocation{i, sh.type, sh.addr, sh.offset, sh.size};
    return {};
  }
  return {};
}

}  // namespace

Elf32Phdr decode_phdr(std::span<const uint8_t> b) {
  if (b.size() < kElf32PhdrSize) {
    return {};
  }
  return Elf32Phdr{le32(b, 0),  le32(b, 4),  le32(b, 8),  le32(b, 12),
                   le32(b, 16), le32(b, 20), le32(b, 24), le32(b, 28)};
}

std::span<const uint8_t> Elf32Image::segment_bytes(size_t i) const {
  if (i >= phdrs.size() || !in_bounds(phdrs[i].offset, phdrs[i].filesz, bytes.size())) {
    return {};
  }
  return bytes.subspan(phdrs[i].offset, phdrs[i].filesz);
}

Result<Elf32Image> parse_elf32(std::span<const uint8_t> b) {
  if (b.size() < kElf32EhdrSize) {
    return elf_error("file is " + std::to_string(b.size()) +
                     " bytes, shorter than an ELF32 header");
  }
  if (b[0] != 0x7F || b[1] != 'E' || b[2] != 'L' || b[3] != 'F') {
    return elf_error("bad magic, not an ELF file");
  }
  if (b[4] != 1) {
    return elf_error("not ELFCLASS32 (EI_CLASS is " + std::to_string(b[4]) + ")");
  }
  if (b[5] != 1) {
    return elf_error("not little-endian (EI_DATA is " + std::to_string(b[5]) + ")");
  }
  if (b[6] != 1) {
    return elf_error(field_mismatch("EI_VERSION", b[6], 1) + " (EV_CURRENT)");
  }
  Elf32Image elf;
  elf.bytes = b;
  elf.type = le16(b, 16);
  elf.machine = le16(b, 18);
  const uint32_t version = le32(b, 20);
  elf.entry = le32(b, 24);
  elf.phoff = le32(b, 28);
  elf.shoff = le32(b, 32);
  elf.flags = le32(b, 36);
  const uint16_t ehsize = le16(b, 40);
  const uint16_t phentsize = le16(b, 42);
  const uint16_t phnum = le16(b, 44);
  const uint16_t shentsize = le16(b, 46);
  elf.shnum = le16(b, 48);
  elf.shstrndx = le16(b, 50);

  if (version != 1) {
    return elf_error(field_mismatch("e_version", version, 1) + " (EV_CURRENT)");
  }
  if (ehsize != kElf32EhdrSize) {
    return elf_error(field_mismatch("e_ehsize", ehsize, kElf32EhdrSize));
  }
  if (phentsize != kElf32PhdrSize) {
    return elf_error(field_mismatch("e_phentsize", phentsize, kElf32PhdrSize));
  }
  if (shentsize != kElf32ShdrSize) {
    return elf_error(field_mismatch("e_shentsize", shentsize, kElf32ShdrSize));
  }
  if (phnum == 0) {
    return elf_error("e_phnum is 0, the file has no program headers");
  }
  if (!in_bounds(elf.phoff, uint64_t{phnum} * kElf32PhdrSize, b.size())) {
    return elf_error("program header table lies outside the file");
  }
  if (!in_bounds(elf.shoff, uint64_t{elf.shnum} * kElf32ShdrSize, b.size())) {
    return elf_error("section header table lies outside the file");
  }
  elf.phdrs.reserve(phnum);
  for (uint32_t i = 0; i < phnum; ++i) {
    const Elf32Phdr ph = decode_phdr(b.subspan(elf.phoff + size_t{i} * kElf32PhdrSize));
    if (ph.type == kPtLoad) {
      const std::string seg = "segment " + std::to_string(i) + ": ";
      if (!in_bounds(ph.offset, ph.filesz, b.size())) {
        return elf_error(seg + "file bytes lie outside the file");
      }
      if (ph.filesz > ph.memsz) {
        return elf_error(seg + "p_filesz is larger than p_memsz");
      }
      if (uint64_t{ph.paddr} + ph.memsz > 0x100000000ull) {
        return elf_error(seg + "p_paddr + p_memsz wraps the 32-bit address space");
      }
    }
    elf.phdrs.push_back(ph);
  }
  if (Status s = find_resource_table(elf); !s) {
    return s.error();
  }
  return elf;
}

Status require_arm(const Elf32Image &elf) {
  if (elf.machine != kEmArm) {
    return elf_error(field_mismatch("e_machine", elf.machine, kEmArm) + " (ARM)");
  }
  return {};
}

}  // namespace captee::fwimage
