#include "captee/ta/coredump.hpp"

#include <elf.h>

#include <csignal>
#include <cstring>

#include "captee/detail/little_endian.hpp"

namespace captee::ta {
namespace {

// ELF constants come from <elf.h>; these are its sizes as the u32/u16 the
// header fields hold.
constexpr uint32_t kEhdrSize = sizeof(Elf32_Ehdr);
constexpr uint32_t kPhdrSize = sizeof(Elf32_Phdr);
constexpr uint32_t kNoteHeaderSize = sizeof(Elf32_Nhdr);
constexpr char kCoreName[] = "CORE";      // with its NUL: namesz 5
constexpr char kCapteeName[] = "CAPTEE";  // namesz 7
constexpr uint32_t kShdrSize = sizeof(Elf32_Shdr);
// A section table with only the NULL section and .shstrtab: core files need
// no sections, but readelf's unwind pass (-a) fails on a file with none.
constexpr char kShstrtab[] = "\0.shstrtab";  // 11 bytes with the final NUL
constexpr uint32_t kShstrtabSize = 12;       // padded to 4
constexpr uint32_t kShnum = 2;

uint64_t align4(uint64_t v) {
  return (v + 3) & ~uint64_t{3};
}

uint64_t note_size(uint32_t namesz, uint64_t descsz) {
  return kNoteHeaderSize + align4(namesz) + align4(descsz);
}

uint64_t notes_size(const CoreDumpInput &in) {
  uint64_t n = note_size(sizeof kCoreName, kArmPrstatusSize);
  if (!in.crash_reason.empty()) {
    n += note_size(sizeof kCapteeName, in.crash_reason.size());
  }
  return n;
}

class Writer {
 public:
  explicit Writer(uint8_t *p) : p_(p) {}
  void u8(uint8_t v) { p_[pos_++] = v; }
  void u16(uint16_t v) {
    detail::store_le16(p_ + pos_, v);
    pos_ += 2;
  }
  void u32(uint32_t v) {
    detail::store_le32(p_ + pos_, v);
    pos_ += 4;
  }
  void bytes(const void *src, size_t n) {
    if (n > 0) {
      std::memcpy(p_ + pos_, src, n);
    }
    pos_ += n;
  }
  void pad_to(uint64_t target) {
    while (pos_ < target) {
      u8(0);
    }
  }
  uint64_t pos() const { return pos_; }

 private:
  uint8_t *p_;
  uint64_t pos_ = 0;
};

void write_note(Writer &w, const char *name, uint32_t namesz, uint32_t type, const void *desc,
                uint32_t descsz) {
  w.u32(namesz);
  w.u32(descsz);
  w.u32(type);
  const uint64_t name_start = w.pos();
  w.bytes(name, namesz);
  w.pad_to(name_start + align4(namesz));
  const uint64_t desc_start = w.pos();
  w.bytes(desc, descsz);
  w.pad_to(desc_start + align4(descsz));
}

// Linux's 32-bit Arm struct elf_prstatus: siginfo (12), pr_cursig (2 + 2
// padding), sigpend, sighold, pid, ppid, pgrp, sid (4 each), four timevals
// (8 each), pr_reg[18] at offset 72, pr_fpvalid.
void write_prstatus(uint8_t out[kArmPrstatusSize], const CoreDumpInput &in) {
  std::memset(out, 0, kArmPrstatusSize);
  Writer w(out);
  w.u32(static_cast<uint32_t>(in.signal));  // si_signo
  w.u32(0);                                 // si_code
  w.u32(0);                                 // si_errno
  w.u16(static_cast<uint16_t>(in.signal));  // pr_cursig
  w.u16(0);
  w.u32(0);  // pr_sigpend
  w.u32(0);  // pr_sighold
  w.u32(in.pid);
  w.pad_to(kArmPrstatusRegOffset);
  const platform::CoreRegisters &r = in.registers;
  for (uint32_t v : r.r) {
    w.u32(v);
  }
  w.u32(r.sp);
  w.u32(r.lr);
  w.u32(r.pc);
  w.u32(r.xpsr);  // cpsr: the M-profile xPSR
  w.u32(r.r[0]);  // orig_r0
  w.u32(0);       // pr_fpvalid
}

uint32_t flags_of(uint8_t access) {
  return ((access & platform::kRead) ? PF_R : 0) | ((access & platform::kWrite) ? PF_W : 0) |
         ((access & platform::kExecute) ? PF_X : 0);
}

}  // namespace

int crash_signal(const std::string &reason) {
  if (reason.find("undefined instruction") != std::string::npos) {
    return SIGILL;
  }
  if (reason.find("BKPT") != std::string::npos) {
    return SIGTRAP;
  }
  return SIGSEGV;
}

uint64_t coredump_size(const CoreDumpInput &in) {
  uint64_t size = kEhdrSize + kPhdrSize * (1 + uint64_t{in.regions.size()}) + notes_size(in) +
                  kShstrtabSize + kShdrSize * kShnum;
  for (const CoreDumpRegion &r : in.regions) {
    size = align4(size) + r.bytes.size();
  }
  return size;
}

size_t write_coredump(const CoreDumpInput &in, std::span<uint8_t> out) {
  const uint64_t total = coredump_size(in);
  if (out.size() < total || total > UINT32_MAX) {
    return 0;
  }
  const uint32_t phnum = static_cast<uint32_t>(1 + in.regions.size());
  const uint64_t note_offset = kEhdrSize + uint64_t{kPhdrSize} * phnum;
  const uint64_t nsize = notes_size(in);
  const uint64_t shstrtab_offset = note_offset + nsize;
  const uint64_t shoff = shstrtab_offset + kShstrtabSize;
  Writer w(out.data());
  // ELF header.
  const uint8_t ident[EI_NIDENT] = {ELFMAG0,    ELFMAG1,     ELFMAG2,   ELFMAG3,
                                    ELFCLASS32, ELFDATA2LSB, EV_CURRENT};
  w.bytes(ident, sizeof ident);
  w.u16(ET_CORE);
  w.u16(EM_ARM);
  w.u32(EV_CURRENT);  // e_version
  w.u32(0);           // e_entry
  w.u32(kEhdrSize);   // e_phoff
  w.u32(static_cast<uint32_t>(shoff));
  w.u32(0x05000000);  // e_flags: EABI version 5
  w.u16(kEhdrSize);
  w.u16(kPhdrSize);
  w.u16(static_cast<uint16_t>(phnum));
  w.u16(kShdrSize);
  w.u16(kShnum);
  w.u16(1);  // e_shstrndx

  // Program headers: the note, then one PT_LOAD per region.
  w.u32(PT_NOTE);
  w.u32(static_cast<uint32_t>(note_offset));
  w.u32(0);
  w.u32(0);
  w.u32(static_cast<uint32_t>(nsize));
  w.u32(0);
  w.u32(0);
  w.u32(4);
  uint64_t offset = shoff + kShdrSize * kShnum;
  for (const CoreDumpRegion &r : in.regions) {
    offset = align4(offset);
    w.u32(PT_LOAD);
    w.u32(static_cast<uint32_t>(offset));
    w.u32(r.da);
    w.u32(r.da);
    w.u32(static_cast<uint32_t>(r.bytes.size()));
    w.u32(static_cast<uint32_t>(r.bytes.size()));
    w.u32(flags_of(r.access));
    w.u32(4);
    offset += r.bytes.size();
  }

  uint8_t prstatus[kArmPrstatusSize];
  write_prstatus(prstatus, in);
  write_note(w, kCoreName, sizeof kCoreName, kNtPrstatus, prstatus, kArmPrstatusSize);
  if (!in.crash_reason.empty()) {
    write_note(w, kCapteeName, sizeof kCapteeName, kNtCapteeCrashReason, in.crash_reason.data(),
               static_cast<uint32_t>(in.crash_reason.size()));
  }
  w.bytes(kShstrtab, sizeof kShstrtab);
  w.pad_to(shoff);
  w.pad_to(shoff + kShdrSize);  // section 0: SHT_NULL, all zero
  w.u32(1);                     // sh_name ".shstrtab"
  w.u32(SHT_STRTAB);
  w.u32(0);  // sh_flags
  w.u32(0);  // sh_addr
  w.u32(static_cast<uint32_t>(shstrtab_offset));
  w.u32(sizeof kShstrtab);
  w.u32(0);  // sh_link
  w.u32(0);  // sh_info
  w.u32(1);  // sh_addralign
  w.u32(0);  // sh_entsize
  for (const CoreDumpRegion &r : in.regions) {
    w.pad_to(align4(w.pos()));
    w.bytes(r.bytes.data(), r.bytes.size());
  }
  return static_cast<size_t>(w.pos());
}

}  // namespace captee::ta
