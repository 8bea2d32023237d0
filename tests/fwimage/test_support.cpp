#include "test_support.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>

namespace captee::fwimage::testing {
namespace {

std::string bio_text(BIO *bio) {
  char *data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

EVP_PKEY *load_private(const std::string &pem) {
  BIO *bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) {
    throw std::runtime_error("test key does not load");
  }
  return key;
}

std::string private_to_pem(EVP_PKEY *key) {
  BIO *bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::string pem = bio_text(bio);
  BIO_free(bio);
  return pem;
}

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

std::vector<uint8_t> read_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path);
  }
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

void write_bytes(const std::string &path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::string rproc_data(const std::string &name) {
  return std::string(CAPTEE_TEST_DATA_DIR) + "/rproc/" + name;
}

std::span<const uint8_t> as_bytes(const std::string &s) {
  return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

const std::string &rsa_private_pem(int bits) {
  static std::map<int, std::string> cache;
  auto it = cache.find(bits);
  if (it == cache.end()) {
    EVP_PKEY *key = EVP_RSA_gen(static_cast<unsigned>(bits));
    it = cache.emplace(bits, private_to_pem(key)).first;
    EVP_PKEY_free(key);
  }
  return it->second;
}

const std::string &ec_private_pem() {
  static const std::string pem = [] {
    EVP_PKEY *key = EVP_EC_gen("P-256");
    std::string text = private_to_pem(key);
    EVP_PKEY_free(key);
    return text;
  }();
  return pem;
}

std::string public_pem_of(const std::string &private_pem) {
  EVP_PKEY *key = load_private(private_pem);
  BIO *bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  std::string pem = bio_text(bio);
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

std::string encrypted_pem(const std::string &private_pem, const std::string &passphrase,
                          bool pkcs8) {
  EVP_PKEY *key = load_private(private_pem);
  BIO *bio = BIO_new(BIO_s_mem());
  auto *pass = reinterpret_cast<unsigned char *>(const_cast<char *>(passphrase.data()));
  if (pkcs8) {
    PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(),
                                  const_cast<char *>(passphrase.data()),
                                  static_cast<int>(passphrase.size()), nullptr, nullptr);
  } else {
    PEM_write_bio_PrivateKey_traditional(bio, key, EVP_aes_256_cbc(), pass,
                                         static_cast<int>(passphrase.size()), nullptr, nullptr);
  }
  std::string pem = bio_text(bio);
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

PrivateKey private_key(const std::string &pem) {
  auto key = PrivateKey::from_pem(as_bytes(pem), {});
  if (!key) {
    throw std::runtime_error(key.error().message);
  }
  return std::move(key).value();
}

PublicKey public_key(const std::string &pem) {
  auto key = PublicKey::from_pem(as_bytes(pem));
  if (!key) {
    throw std::runtime_error(key.error().message);
  }
  return std::move(key).value();
}

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
    const uint32_t fields[] = {s.type, offsets[i], s.paddr, s.paddr, filesz, filesz + s.bss, 6, 4};
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

}  // namespace captee::fwimage::testing
