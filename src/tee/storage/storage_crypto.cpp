#include "captee/tee/storage/storage_crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <mutex>
#include <memory>

namespace captee::tee::storage {
namespace {

constexpr std::string_view kSalt = "captee-storage-v1";

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

bool fits_int(size_t n) {
  return n <= static_cast<size_t>(INT_MAX);
}

// Counts the forks this process came through, so that a Sealer in a child
// draws new nonces instead of continuing its parent's count (cheaper than a
// getpid() system call per record).
std::atomic<uint64_t> g_forks{0};

uint64_t forks_seen() {
  static std::once_flag registered;
  std::call_once(registered, [] {
    pthread_atfork(nullptr, nullptr, [] { g_forks.fetch_add(1, std::memory_order_relaxed); });
  });
  return g_forks.load(std::memory_order_relaxed);
}

}  // namespace

SecretBytes &SecretBytes::operator=(SecretBytes &&other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
  }
  return *this;
}

void SecretBytes::wipe() {
  if (!bytes_.empty())
    OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

void SecretBytes::resize(size_t n) {
  wipe();
  bytes_.assign(n, 0);
}

Key32::~Key32() {
  OPENSSL_cleanse(bytes.data(), bytes.size());
}

bool derive_key(std::span<const uint8_t> secret, std::string_view label,
                std::span<const uint8_t> context, Key32 *out) {
  // info = label || 0x00 || context: the separator keeps ("ab", "c") and
  // ("a", "bc") apart.
  SecretBytes info(label.size() + 1 + context.size());
  std::copy(label.begin(), label.end(), info.data());
  info.data()[label.size()] = 0;
  std::copy(context.begin(), context.end(), info.data() + label.size() + 1);

  EVP_KDF *kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr)
    return false;
  EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (ctx == nullptr)
    return false;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t *>(secret.data()),
                                        secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char *>(kSalt.data()),
                                        kSalt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
      OSSL_PARAM_construct_end()};
  const bool ok = EVP_KDF_derive(ctx, out->bytes.data(), out->bytes.size(), params) == 1;
  EVP_KDF_CTX_free(ctx);
  return ok;
}

bool hmac_sha256(const Key32 &key, std::span<const uint8_t> message, std::array<uint8_t, 32> *out) {
  unsigned int len = 0;
  return HMAC(EVP_sha256(), key.bytes.data(), static_cast<int>(key.bytes.size()), message.data(),
              message.size(), out->data(), &len) != nullptr &&
         len == out->size();
}

bool equal_mac(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool random_bytes(std::span<uint8_t> out) {
  return fits_int(out.size()) && RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
}

Sealer::Sealer(const Key32 &key) : ctx_(EVP_CIPHER_CTX_new()) {
  // The key only: each seal() then sets its own nonce.
  ready_ = ctx_ != nullptr &&
           EVP_EncryptInit_ex(ctx_, EVP_aes_256_gcm(), nullptr, key.bytes.data(), nullptr) == 1;
}

Sealer::~Sealer() {
  EVP_CIPHER_CTX_free(ctx_);  // cleanses the key schedule
}

bool Sealer::seal(std::span<const uint8_t> aad, std::span<const uint8_t> plaintext,
                  std::vector<uint8_t> *sealed) {
  if (!ready_ || !fits_int(plaintext.size()) || !fits_int(aad.size()))
    return false;
  sealed->assign(kSealOverhead + plaintext.size(), 0);
  uint8_t *nonce = sealed->data();
  uint8_t *body = nonce + kNonceSize;
  uint8_t *tag = body + plaintext.size();
  if (!next_nonce(nonce))
    return false;
  int len = 0;
  if (EVP_EncryptInit_ex(ctx_, nullptr, nullptr, nullptr, nonce) != 1 ||
      EVP_EncryptUpdate(ctx_, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx_, body, &len, plaintext.data(), static_cast<int>(plaintext.size())) !=
          1 ||
      EVP_EncryptFinal_ex(ctx_, body + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize), tag) != 1) {
    sealed->clear();
    return false;
  }
  return true;
}

bool Sealer::next_nonce(uint8_t *out) {
  const uint64_t forks = forks_seen();
  if (nonces_left_ == 0 || forks != forks_) {
    if (!random_bytes(nonce_))
      return false;
    nonces_left_ = kNoncesPerDraw;
    forks_ = forks;
  }
  std::copy(nonce_.begin(), nonce_.end(), out);
  --nonces_left_;
  // Count up the nonce as a big-endian 96-bit number.
  for (size_t i = nonce_.size(); i-- > 0;) {
    if (++nonce_[i] != 0)
      break;
  }
  return true;
}

bool seal(const Key32 &key, std::span<const uint8_t> aad, std::span<const uint8_t> plaintext,
          std::vector<uint8_t> *sealed) {
  Sealer sealer(key);
  return sealer.seal(aad, plaintext, sealed);
}

bool open_sealed(const Key32 &key, std::span<const uint8_t> aad, std::span<const uint8_t> sealed,
                 SecretBytes *plaintext) {
  plaintext->wipe();
  if (sealed.size() < kSealOverhead || !fits_int(sealed.size()) || !fits_int(aad.size()))
    return false;
  const size_t body_size = sealed.size() - kSealOverhead;
  const uint8_t *nonce = sealed.data();
  const uint8_t *body = nonce + kNonceSize;
  uint8_t tag[kTagSize];
  std::copy(body + body_size, body + body_size + kTagSize, tag);
  plaintext->resize(body_size);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  const bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.bytes.data(), nonce) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), plaintext->data(), &len, body, static_cast<int>(body_size)) ==
          1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), tag) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), plaintext->data() + len, &len) == 1;
  // Never hand out bytes that failed authentication.
  if (!ok)
    plaintext->wipe();
  return ok;
}

}  // namespace captee::tee::storage
