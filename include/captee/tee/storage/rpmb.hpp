// An emulated replay-protected memory block (RPMB) device and the driver
// that speaks to it as a host speaks to an eMMC's RPMB partition (JEDEC
// JESD84-B51, 6.6.22; docs/STORAGE.md).
//
// The device keeps, in its own file (never inside the state directory: an
// RPMB restored together with the data it protects protects nothing), a
// 32-byte authentication key programmed once, a monotonic write counter and
// 256-byte half-sectors. Every authenticated write carries the current
// counter and an HMAC-SHA256 over its frames under the key; a wrong MAC or a
// stale counter is refused and nothing is written. Every authenticated read
// carries the host's nonce, and the device's answer is MACed over it, so the
// driver refuses a replayed answer.
//
// Internal to captee_tee_storage; public for tests. Thread-safety: none; the
// store serialises its calls.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "captee/tee/storage/storage_crypto.hpp"

namespace captee::tee::storage {

inline constexpr size_t kRpmbBlockSize = 256;

// One 512-byte data frame, JEDEC's layout (multi-byte fields big-endian).
struct RpmbFrame {
  std::array<uint8_t, 512> bytes{};

  static constexpr size_t kMacOffset = 196;
  static constexpr size_t kDataOffset = 228;
  static constexpr size_t kNonceOffset = 484;
  static constexpr size_t kCounterOffset = 500;
  static constexpr size_t kAddressOffset = 504;
  static constexpr size_t kCountOffset = 506;
  static constexpr size_t kResultOffset = 508;
  static constexpr size_t kTypeOffset = 510;

  std::span<uint8_t> mac() { return {bytes.data() + kMacOffset, 32}; }
  std::span<uint8_t> data() { return {bytes.data() + kDataOffset, kRpmbBlockSize}; }
  std::span<uint8_t> nonce() { return {bytes.data() + kNonceOffset, 16}; }
  uint32_t counter() const;
  void set_counter(uint32_t v);
  uint16_t address() const { return be16(kAddressOffset); }
  void set_address(uint16_t v) { set_be16(kAddressOffset, v); }
  uint16_t count() const { return be16(kCountOffset); }
  void set_count(uint16_t v) { set_be16(kCountOffset, v); }
  uint16_t result() const { return be16(kResultOffset); }
  void set_result(uint16_t v) { set_be16(kResultOffset, v); }
  uint16_t type() const { return be16(kTypeOffset); }
  void set_type(uint16_t v) { set_be16(kTypeOffset, v); }

 private:
  uint16_t be16(size_t at) const { return static_cast<uint16_t>(bytes[at] << 8 | bytes[at + 1]); }
  void set_be16(size_t at, uint16_t v) {
    bytes[at] = static_cast<uint8_t>(v >> 8);
    bytes[at + 1] = static_cast<uint8_t>(v);
  }
};

enum RpmbRequest : uint16_t {
  kRpmbProgramKey = 0x0001,
  kRpmbReadCounter = 0x0002,
  kRpmbWrite = 0x0003,
  kRpmbRead = 0x0004,
};
inline constexpr uint16_t kRpmbResponseBit = 0x0100;  // response type = request << 8

enum RpmbResult : uint16_t {
  kRpmbOk = 0,
  kRpmbGeneralFailure = 1,
  kRpmbAuthFailure = 2,
  kRpmbCounterFailure = 3,
  kRpmbAddressFailure = 4,
  kRpmbWriteFailure = 5,
  kRpmbReadFailure = 6,
  kRpmbKeyNotProgrammed = 7,
};

// The MAC JEDEC defines: HMAC-SHA256 over bytes 228..511 of every frame.
bool rpmb_frames_mac(const Key32 &key, std::span<const RpmbFrame> frames,
                     std::array<uint8_t, 32> *out);

// What the driver sends frames to: the emulated device, or in tests a
// hostile one.
class RpmbTransport {
 public:
  virtual ~RpmbTransport() = default;
  // One request (1..n frames) and its response frames; empty if the device
  // could not be reached.
  virtual std::vector<RpmbFrame> transact(std::span<const RpmbFrame> request) = 0;
};

// The device, kept in one file as two alternating copies (each with a
// sequence number and a SHA-256), so a crash mid-write leaves the previous
// copy: a write is atomic, as JEDEC's reliable write is.
class EmulatedRpmb final : public RpmbTransport {
 public:
  // Opens or creates the device file at `path` (mode 0600) with `blocks`
  // half-sectors (used only when creating it). Null with `*why` on failure.
  static std::unique_ptr<EmulatedRpmb> open(const std::string &path, uint16_t blocks,
                                            std::string *why);

  std::vector<RpmbFrame> transact(std::span<const RpmbFrame> request) override;
  uint16_t blocks() const { return static_cast<uint16_t>(data_.size() / kRpmbBlockSize); }
  uint32_t write_counter() const { return counter_; }

  ~EmulatedRpmb() override;

 private:
  EmulatedRpmb() = default;
  bool persist();
  RpmbFrame program_key(const RpmbFrame &request);
  RpmbFrame read_counter(const RpmbFrame &request);
  RpmbFrame write(std::span<const RpmbFrame> request);
  std::vector<RpmbFrame> read(const RpmbFrame &request);

  int fd_ = -1;
  uint64_t sequence_ = 0;
  bool programmed_ = false;
  Key32 key_;
  uint32_t counter_ = 0;
  std::vector<uint8_t> data_;
};

enum class RpmbStatus { kOk, kNotProgrammed, kRefused, kBadResponse, kUnreachable };

// Drives an RPMB device with the host's copy of the key.
class RpmbDriver {
 public:
  RpmbDriver(RpmbTransport *device, const Key32 &key) : device_(device), key_(key) {}

  // Programs the key into a fresh device (kRefused if it already has one).
  RpmbStatus program_key();
  // The device's write counter, authenticated with a fresh nonce.
  RpmbStatus read_counter(uint32_t *counter);
  // `count` blocks from `address`, authenticated with a fresh nonce.
  RpmbStatus read(uint16_t address, uint16_t count, std::vector<uint8_t> *out);
  // Writes whole blocks at `address` (data.size() a multiple of 256).
  RpmbStatus write(uint16_t address, std::span<const uint8_t> data);

 private:
  RpmbTransport *device_;
  Key32 key_;
};

}  // namespace captee::tee::storage
