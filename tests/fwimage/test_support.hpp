// Shared helpers for the fwimage tests: test data and key handling, plus the
// synthetic ELF builder and generated keys of tests/support.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "captee/fwimage/keys.hpp"
#include "captee/testing/synthetic_elf.hpp"
#include "captee/testing/test_keys.hpp"

namespace captee::fwimage::testing {

std::vector<uint8_t> read_bytes(const std::string &path);
void write_bytes(const std::string &path, std::span<const uint8_t> bytes);
std::string rproc_data(const std::string &name);  // CAPTEE_TEST_DATA_DIR/rproc/<name>
std::span<const uint8_t> as_bytes(const std::string &s);

// Generated keys and synthetic ELF files come from tests/support.
using captee::testing::build_elf;
using captee::testing::ec_private_pem;
using captee::testing::FakeElf;
using captee::testing::FakeSegment;
using captee::testing::public_pem_of;
using captee::testing::rsa_private_pem;
using captee::testing::sample_resource_table;
using captee::testing::small_firmware;
// `private_pem` re-encrypted with AES-256-CBC under `passphrase`; PKCS#8 or
// traditional ("Proc-Type: 4,ENCRYPTED") form.
std::string encrypted_pem(const std::string &private_pem, const std::string &passphrase,
                          bool pkcs8);

PrivateKey private_key(const std::string &pem);
PublicKey public_key(const std::string &pem);

}  // namespace captee::fwimage::testing
