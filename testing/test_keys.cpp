#include "captee/testing/test_keys.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <map>
#include <mutex>
#include <stdexcept>

namespace captee::testing {
namespace {

std::string bio_text(BIO *bio) {
  char *data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string private_to_pem(EVP_PKEY *key) {
  BIO *bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::string pem = bio_text(bio);
  BIO_free(bio);
  return pem;
}

}  // namespace

const std::string &rsa_private_pem(int bits) {
  static std::mutex mu;
  static std::map<int, std::string> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(bits);
  if (it == cache.end()) {
    EVP_PKEY *key = EVP_RSA_gen(static_cast<unsigned>(bits));
    if (key == nullptr) {
      throw std::runtime_error("RSA key generation failed");
    }
    it = cache.emplace(bits, private_to_pem(key)).first;
    EVP_PKEY_free(key);
  }
  return it->second;
}

const std::string &ec_private_pem() {
  static const std::string pem = [] {
    EVP_PKEY *key = EVP_EC_gen("P-256");
    if (key == nullptr) {
      throw std::runtime_error("EC key generation failed");
    }
    std::string text = private_to_pem(key);
    EVP_PKEY_free(key);
    return text;
  }();
  return pem;
}

std::string public_pem_of(const std::string &private_pem) {
  BIO *in = BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY *key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  if (key == nullptr) {
    throw std::runtime_error("test key does not load");
  }
  BIO *bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  std::string pem = bio_text(bio);
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

}  // namespace captee::testing
