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

}  // namespace captee::fwimage::testing
