#include "captee/testing/synthetic_elf.hpp"

#include <cstring>
#include <string>

namespace captee::testing {
namespace {

void put32(std::vector<uint8_t> &b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

void put16(std::vector<uint8_t> &b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v);
  b[at + 1] = static_cast<uint8_t>(v >> 8);
}

void append32(std::vector<uint8_t> &b, uint32_t v) {
  b.resize(b.size() + 4);
  put32(b, b.size() - 4, v);
}

}  // namespace

std::vector<uint8_t> build_elf(const FakeElf &spec) {
  const size_t n = spec.segments.size();
  std::vector<uint8_t> b(52 + 32 * n, 0);
  const uint8_t ident[] = {0x7F, 'E', 'L', 'F', 1, 1, 1};
  std::memcpy(b.data(), ident, sizeof ident);
  put16(b, 16, 2);  // ET_EXEC
  put16(b, 18, spec.machine);
  put32(b, 20, 1);
  put32(b, 24, spec.segments.empty() ? 0 : spec.segments[0].paddr);
  put32(b, 28, 52);
  put16(b, 40, 52);
  put16(b, 42, 32);
  put16(b, 44, static_cast<uint16_t>(n));
  put16(b, 46, 40);
  if (spec.first_data_offset > b.size()) {
    b.resize(spec.first_data_offset, 0);
  }
  std::vector<uint32_t> offsets;
  for (size_t i = 0; i < n; ++i) {
    b.resize((b.size() + 3) & ~size_t{3}, 0);
    offsets.push_back(static_cast<uint32_t>(b.size()));
    b.insert(b.end(), spec.segments[i].data.begin(), spec.segments[i].data.end());
  }
  for (size_t i = 0; i < n; ++i) {
    const FakeSegment &s = spec.segments[i];
    const size_t at = 52 + 32 * i;
    const uint32_t filesz = static_cast<uint32_t>(s.data.size());
    const uint32_t fields[] = {s.type, offsets[i],     s.paddr, s.paddr,
                               filesz, filesz + s.bss, s.flags, 4};
    for (int f = 0; f < 8; ++f) {
      put32(b, at + 4 * f, fields[f]);
    }
  }
  // Section-name table, then section headers: null, [.resource_table], .shstrtab.
  const std::string names = std::string("\0.resource_table\0.shstrtab\0", 27);
  const uint32_t names_off = static_cast<uint32_t>(b.size());
  b.insert(b.end(), names.begin(), names.end());
  b.resize((b.size() + 3) & ~size_t{3}, 0);
  const uint32_t shoff = static_cast<uint32_t>(b.size());
  std::vector<std::vector<uint32_t>> sections = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}};
  if (spec.resource_table_segment) {
    const size_t i = *spec.resource_table_segment;
    sections.push_back({1, 1, 2, spec.segments[i].paddr, offsets[i],
                        static_cast<uint32_t>(spec.segments[i].data.size()), 0, 0, 4, 0});
  }
  sections.push_back({17, 3, 0, 0, names_off, static_cast<uint32_t>(names.size()), 0, 0, 1, 0});
  for (const auto &sec : sections) {
    for (uint32_t v : sec) {
      append32(b, v);
    }
  }
  put32(b, 32, shoff);
  put16(b, 48, static_cast<uint16_t>(sections.size()));
  put16(b, 50, static_cast<uint16_t>(sections.size() - 1));
  return b;
}

std::vector<uint8_t> sample_resource_table() {
  std::vector<uint8_t> t;
  auto name = [&](const char *text) {
    const size_t at = t.size();
    t.resize(at + 32, 0);
    std::memcpy(t.data() + at, text, std::strlen(text));
  };
  for (uint32_t v : {1u, 3u, 0u, 0u, 28u, 84u, 132u}) {
    append32(t, v);
  }
  for (uint32_t v : {0u, 0x10040000u, 0x10040000u, 0x4000u, 0u, 0u}) {  // carveout
    append32(t, v);
  }
  name("vdev0buffer");
  for (uint32_t v : {2u, 0x10000400u, 1024u, 0u}) {  // trace
    append32(t, v);
  }
  name("trace0");
  for (uint32_t v : {3u, 7u, 0u, 1u, 0u, 0u}) {  // vdev
    append32(t, v);
  }
  append32(t, 0x00000200u);  // status 0, 2 vrings, reserved 0
  for (uint32_t v : {0x10050000u, 16u, 8u, 0u, 0u, 0x10051000u, 16u, 8u, 1u, 0u}) {
    append32(t, v);
  }
  return t;
}

std::vector<uint8_t> small_firmware(uint8_t fill) {
  FakeElf spec;
  spec.segments.push_back({1, 0x0, std::vector<uint8_t>(61, fill), 0});
  spec.segments.push_back({1, 0x10000000, sample_resource_table(), 1024});
  spec.resource_table_segment = 1;
  return build_elf(spec);
}

std::vector<uint8_t> patterned_bytes(size_t n) {
  std::vector<uint8_t> b(n);
  for (size_t i = 0; i < n; ++i) {
    b[i] = static_cast<uint8_t>((i * 2654435761u) >> 24);
  }
  return b;
}

}  // namespace captee::testing
