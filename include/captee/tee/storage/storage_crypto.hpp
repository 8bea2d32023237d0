// The durable store's cryptography (docs/STORAGE.md, decision 0023): keys
// derived from the device secret, keyed hashes, and AES-256-GCM sealing.
//
// Internal to captee_tee_storage; public only so tests and the fuzzer can
// reach it. Every key and plaintext buffer here wipes itself on destruction
// (OPENSSL_cleanse), so key material does not linger on the heap or stack.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

struct evp_cipher_ctx_st;  // OpenSSL's EVP_CIPHER_CTX

namespace captee::tee::storage {

// A buffer that OPENSSL_cleanse()s its bytes when destroyed or cleared.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : bytes_(n) {}
  SecretBytes(const SecretBytes &) = delete;
  SecretBytes &operator=(const SecretBytes &) = delete;
  SecretBytes(SecretBytes &&other) noexcept : bytes_(std::move(other.bytes_)) {}
  SecretBytes &operator=(SecretBytes &&other) noexcept;
  ~SecretBytes() { wipe(); }

  void wipe();
  void resize(size_t n);  // wipes first, then zero-filled
  uint8_t *data() { return bytes_.data(); }
  const uint8_t *data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  std::span<const uint8_t> view() const { return bytes_; }
  std::vector<uint8_t> &raw() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

inline constexpr size_t kKeySize = 32;
inline constexpr size_t kNonceSize = 12;
inline constexpr size_t kTagSize = 16;
inline constexpr size_t kSealOverhead = kNonceSize + kTagSize;

// A 32-byte key, wiped on destruction.
struct Key32 {
  std::array<uint8_t, kKeySize> bytes{};
  Key32() = default;
  Key32(const Key32 &other) = default;
  Key32 &operator=(const Key32 &other) = default;
  ~Key32();
};

// HKDF-SHA256(secret, salt "captee-storage-v1", info) into a 32-byte key.
// False if OpenSSL fails (the caller reports kIoError).
bool derive_key(std::span<const uint8_t> secret, std::string_view label,
                std::span<const uint8_t> context, Key32 *out);

// HMAC-SHA256(key, message).
bool hmac_sha256(const Key32 &key, std::span<const uint8_t> message, std::array<uint8_t, 32> *out);

// Constant-time equality for MACs.
bool equal_mac(std::span<const uint8_t> a, std::span<const uint8_t> b);

// AES-256-GCM with a fresh random 96-bit nonce: nonce || ciphertext || tag.
bool seal(const Key32 &key, std::span<const uint8_t> aad, std::span<const uint8_t> plaintext,
          std::vector<uint8_t> *sealed);

// seal() under one key, many times: the key's AES schedule is set up once
// rather than per record (a 1 MiB write seals 256 chunks, and the setup cost
// more than encrypting a chunk). Holds the expanded key until destroyed,
// which wipes it. Not thread-safe.
//
// Nonces: a random 96-bit start, drawn on first use, then counted up by one
// per record, and drawn afresh after kNoncesPerDraw records or in a forked
// child (which must never continue its parent's count). Drawing from the
// DRBG for each record cost as much as encrypting it. Within a draw the
// nonces are distinct by construction; two draws collide only if their
// ranges of 2^32 overlap, about 2^-63 per pair of draws (decision 0032).
class Sealer {
 public:
  static constexpr uint64_t kNoncesPerDraw = uint64_t{1} << 32;

  explicit Sealer(const Key32 &key);
  ~Sealer();
  Sealer(const Sealer &) = delete;
  Sealer &operator=(const Sealer &) = delete;
  // As seal(); false also when the key could not be set up.
  bool seal(std::span<const uint8_t> aad, std::span<const uint8_t> plaintext,
            std::vector<uint8_t> *sealed);

 private:
  // The next record's nonce into `out`; false if the DRBG fails.
  bool next_nonce(uint8_t *out);

  evp_cipher_ctx_st *ctx_;
  bool ready_ = false;
  std::array<uint8_t, kNonceSize> nonce_{};
  uint64_t nonces_left_ = 0;
  uint64_t forks_ = 0;  // forks_seen() at the last draw
};

// The reverse of seal(). False if `sealed` is shorter than the overhead or
// fails authentication (then `*plaintext` is empty).
bool open_sealed(const Key32 &key, std::span<const uint8_t> aad, std::span<const uint8_t> sealed,
                 SecretBytes *plaintext);

// Cryptographically random bytes.
bool random_bytes(std::span<uint8_t> out);

}  // namespace captee::tee::storage
