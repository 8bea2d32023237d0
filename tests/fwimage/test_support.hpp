// Shared helpers for the fwimage tests: test data, generated keys and a
// builder for small synthetic ARM ELF files.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "captee/fwimage/keys.hpp"

namespace captee::fwimage::testing {

std::vector<uint8_t> read_bytes(const std::string &path);
void write_bytes(const std::string &path, std::span<const uint8_t> bytes);
std::string rproc_data(const std::string &name);  // CAPTEE_TEST_DATA_DIR/rproc/<name>
std::span<const uint8_t> as_bytes(const std::string &s);

// PEM text of generated keys, cached per process (RSA keygen is slow).
const std::string &rsa_private_pem(int bits);
const std::string &ec_private_pem();
std::string public_pem_of(const std::string &private_pem);
// `private_pem` re-encrypted with AES-256-CBC under `passphrase`; PKCS#8 or
// traditional ("Proc-Type: 4,ENCRYPTED") form.
std::string encrypted_pem(const std::string &private_pem, const std::string &passphrase,
                          bool pkcs8);

PrivateKey private_key(const std::string &pem);
PublicKey public_key(const std::string &pem);

struct FakeSegment {
  uint32_t type = 1;  // PT_LOAD
  uint32_t paddr = 0;
  std::vector<uint8_t> data;
  uint32_t bss = 0;  // memsz - filesz
};

struct FakeElf {
  uint16_t machine = 40;
  std::vector<FakeSegment> segments;
  // When set, the whole data of this segment is the `.resource_table` section.
  std::optional<size_t> resource_table_segment;
};

std::vector<uint8_t> build_elf(const FakeElf &spec);

// A valid resource table: one carveout, one trace, one vdev with 2 vrings.
std::vector<uint8_t> sample_resource_table();

// A two-segment ARM ELF (code at 0, resource table at 0x10000000).
std::vector<uint8_t> small_firmware(uint8_t fill = 0xA5);

}  // namespace captee::fwimage::testing
