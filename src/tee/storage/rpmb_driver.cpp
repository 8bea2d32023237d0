// The host side of RPMB: builds request frames, MACs them with the host's
// copy of the key, and checks every response's MAC, nonce and counter.
#include <algorithm>
#include <openssl/crypto.h>

#include "captee/tee/storage/rpmb.hpp"

namespace captee::tee::storage {
namespace {

bool response_ok(const std::vector<RpmbFrame> &r, uint16_t request) {
  return !r.empty() && r[0].type() == static_cast<uint16_t>(request << 8);
}

// A response is the device's only if its MAC verifies under our key.
bool mac_ok(const Key32 &key, std::vector<RpmbFrame> &frames) {
  std::array<uint8_t, 32> mac;
  return rpmb_frames_mac(key, frames, &mac) && equal_mac(mac, frames.back().mac());
}

}  // namespace

RpmbStatus RpmbDriver::program_key() {
  RpmbFrame f;
  f.set_type(kRpmbProgramKey);
  std::copy(key_.bytes.begin(), key_.bytes.end(), f.mac().begin());
  auto r = device_->transact(std::span(&f, 1));
  OPENSSL_cleanse(f.bytes.data(), f.bytes.size());
  if (!response_ok(r, kRpmbProgramKey))
    return RpmbStatus::kUnreachable;
  return r[0].result() == kRpmbOk ? RpmbStatus::kOk : RpmbStatus::kRefused;
}

RpmbStatus RpmbDriver::read_counter(uint32_t *counter) {
  RpmbFrame f;
  f.set_type(kRpmbReadCounter);
  if (!random_bytes(f.nonce()))
    return RpmbStatus::kUnreachable;
  auto r = device_->transact(std::span(&f, 1));
  if (!response_ok(r, kRpmbReadCounter) || r.size() != 1)
    return RpmbStatus::kUnreachable;
  if (r[0].result() == kRpmbKeyNotProgrammed)
    return RpmbStatus::kNotProgrammed;
  if (r[0].result() != kRpmbOk)
    return RpmbStatus::kRefused;
  // An answer to another request (a replay) carries another nonce.
  if (!mac_ok(key_, r) || !std::equal(f.nonce().begin(), f.nonce().end(), r[0].nonce().begin()))
    return RpmbStatus::kBadResponse;
  *counter = r[0].counter();
  return RpmbStatus::kOk;
}

RpmbStatus RpmbDriver::read(uint16_t address, uint16_t count, std::vector<uint8_t> *out) {
  if (count == 0)
    return RpmbStatus::kRefused;
  RpmbFrame f;
  f.set_type(kRpmbRead);
  f.set_address(address);
  f.set_count(count);
  if (!random_bytes(f.nonce()))
    return RpmbStatus::kUnreachable;
  auto r = device_->transact(std::span(&f, 1));
  if (!response_ok(r, kRpmbRead))
    return RpmbStatus::kUnreachable;
  if (r[0].result() == kRpmbKeyNotProgrammed)
    return RpmbStatus::kNotProgrammed;
  if (r[0].result() != kRpmbOk)
    return RpmbStatus::kRefused;
  if (r.size() != count || !mac_ok(key_, r))
    return RpmbStatus::kBadResponse;
  for (auto &frame : r) {
    if (frame.address() != address || frame.result() != kRpmbOk ||
        !std::equal(f.nonce().begin(), f.nonce().end(), frame.nonce().begin()))
      return RpmbStatus::kBadResponse;
  }
  out->clear();
  for (auto &frame : r)
    out->insert(out->end(), frame.data().begin(), frame.data().end());
  return RpmbStatus::kOk;
}

RpmbStatus RpmbDriver::write(uint16_t address, std::span<const uint8_t> data) {
  if (data.empty() || data.size() % kRpmbBlockSize != 0 ||
      data.size() / kRpmbBlockSize > UINT16_MAX)
    return RpmbStatus::kRefused;
  uint32_t counter = 0;
  if (RpmbStatus s = read_counter(&counter); s != RpmbStatus::kOk)
    return s;
  const size_t count = data.size() / kRpmbBlockSize;
  std::vector<RpmbFrame> frames(count);
  for (size_t i = 0; i < count; ++i) {
    frames[i].set_type(kRpmbWrite);
    frames[i].set_address(address);
    frames[i].set_count(static_cast<uint16_t>(count));
    frames[i].set_counter(counter);
    std::copy(data.begin() + static_cast<ptrdiff_t>(i * kRpmbBlockSize),
              data.begin() + static_cast<ptrdiff_t>((i + 1) * kRpmbBlockSize),
              frames[i].data().begin());
  }
  std::array<uint8_t, 32> mac;
  if (!rpmb_frames_mac(key_, frames, &mac))
    return RpmbStatus::kUnreachable;
  std::copy(mac.begin(), mac.end(), frames.back().mac().begin());
  auto r = device_->transact(frames);
  if (!response_ok(r, kRpmbWrite) || r.size() != 1)
    return RpmbStatus::kUnreachable;
  if (r[0].result() != kRpmbOk)
    return RpmbStatus::kRefused;
  // The device's result must be MACed and show the counter advanced by one.
  if (!mac_ok(key_, r) || r[0].counter() != counter + 1 || r[0].address() != address)
    return RpmbStatus::kBadResponse;
  return RpmbStatus::kOk;
}

}  // namespace captee::tee::storage
