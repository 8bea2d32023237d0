// The emulated RPMB device: JEDEC's request handling over one file.
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "captee/detail/little_endian.hpp"
#include "captee/tee/storage/rpmb.hpp"

namespace captee::tee::storage {
namespace {

using captee::detail::load_le16;
using captee::detail::load_le32;
using captee::detail::load_le64;
using captee::detail::store_le16;
using captee::detail::store_le32;
using captee::detail::store_le64;

constexpr char kMagic[8] = {'C', 'P', 'T', 'R', 'P', 'M', 'B', '1'};
// magic, sequence, programmed, key, counter, blocks; then data; then SHA-256.
constexpr size_t kHeaderSize = 8 + 8 + 1 + 32 + 4 + 2;

size_t slot_size(size_t data_size) {
  return kHeaderSize + data_size + SHA256_DIGEST_LENGTH;
}

RpmbFrame response(uint16_t type, uint16_t result) {
  RpmbFrame f;
  f.set_type(static_cast<uint16_t>(type << 8));
  f.set_result(result);
  return f;
}

bool read_exact(int fd, uint8_t *p, size_t n, off_t at) {
  while (n > 0) {
    const ssize_t r = pread(fd, p, n, at);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    p += r;
    n -= static_cast<size_t>(r);
    at += r;
  }
  return true;
}

bool write_exact(int fd, const uint8_t *p, size_t n, off_t at) {
  while (n > 0) {
    const ssize_t r = pwrite(fd, p, n, at);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    p += r;
    n -= static_cast<size_t>(r);
    at += r;
  }
  return true;
}

}  // namespace

uint32_t RpmbFrame::counter() const {
  const uint8_t *p = bytes.data() + kCounterOffset;
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

void RpmbFrame::set_counter(uint32_t v) {
  uint8_t *p = bytes.data() + kCounterOffset;
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

bool rpmb_frames_mac(const Key32 &key, std::span<const RpmbFrame> frames,
                     std::array<uint8_t, 32> *out) {
  std::vector<uint8_t> message;
  message.reserve(frames.size() * (512 - RpmbFrame::kDataOffset));
  for (const auto &f : frames)
    message.insert(message.end(), f.bytes.begin() + RpmbFrame::kDataOffset, f.bytes.end());
  return hmac_sha256(key, message, out);
}

std::unique_ptr<EmulatedRpmb> EmulatedRpmb::open(const std::string &path, uint16_t blocks,
                                                 std::string *why) {
  std::unique_ptr<EmulatedRpmb> dev(new EmulatedRpmb());
  dev->fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (dev->fd_ < 0) {
    *why = "cannot open the RPMB device " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  struct stat st {};
  if (fstat(dev->fd_, &st) != 0) {
    *why = "cannot stat the RPMB device " + path;
    return nullptr;
  }
  if (st.st_size == 0) {
    // A fresh device: no key, counter 0, zeroed blocks.
    if (blocks == 0) {
      *why = "an RPMB device needs at least one block";
      return nullptr;
    }
    dev->data_.assign(size_t{blocks} * kRpmbBlockSize, 0);
    if (!dev->persist()) {
      *why = "cannot write the RPMB device " + path;
      return nullptr;
    }
    return dev;
  }
  // Two copies of equal size: the file's size says how many blocks (a
  // hostile header cannot make us read elsewhere).
  const size_t file_size = static_cast<size_t>(st.st_size);
  const size_t overhead = kHeaderSize + SHA256_DIGEST_LENGTH;
  if (file_size % 2 != 0 || file_size / 2 < overhead ||
      (file_size / 2 - overhead) % kRpmbBlockSize != 0 ||
      (file_size / 2 - overhead) / kRpmbBlockSize > UINT16_MAX) {
    *why = "the RPMB device " + path + " has an impossible size";
    return nullptr;
  }
  const size_t data_size = file_size / 2 - overhead;
  // Pick the valid copy with the higher sequence number.
  bool found = false;
  for (int slot = 0; slot < 2; ++slot) {
    const off_t at = static_cast<off_t>(slot * slot_size(data_size));
    std::vector<uint8_t> buf(slot_size(data_size));
    if (!read_exact(dev->fd_, buf.data(), buf.size(), at))
      continue;
    uint8_t digest[SHA256_DIGEST_LENGTH];
    SHA256(buf.data(), buf.size() - SHA256_DIGEST_LENGTH, digest);
    if (std::memcmp(buf.data(), kMagic, 8) != 0 ||
        std::memcmp(digest, buf.data() + buf.size() - SHA256_DIGEST_LENGTH, SHA256_DIGEST_LENGTH) !=
            0 ||
        load_le16(buf.data() + kHeaderSize - 2) * kRpmbBlockSize != data_size)
      continue;
    const uint64_t seq = load_le64(buf.data() + 8);
    if (found && seq <= dev->sequence_)
      continue;
    found = true;
    dev->sequence_ = seq;
    dev->programmed_ = buf[16] != 0;
    std::memcpy(dev->key_.bytes.data(), buf.data() + 17, 32);
    dev->counter_ = load_le32(buf.data() + 49);
    dev->data_.assign(buf.begin() + kHeaderSize, buf.end() - SHA256_DIGEST_LENGTH);
    OPENSSL_cleanse(buf.data(), buf.size());
  }
  if (!found) {
    *why = "the RPMB device " + path + " is damaged (no valid copy)";
    return nullptr;
  }
  return dev;
}

EmulatedRpmb::~EmulatedRpmb() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool EmulatedRpmb::persist() {
  const uint64_t next = sequence_ + 1;
  std::vector<uint8_t> buf(slot_size(data_.size()));
  std::memcpy(buf.data(), kMagic, 8);
  store_le64(buf.data() + 8, next);
  buf[16] = programmed_ ? 1 : 0;
  std::memcpy(buf.data() + 17, key_.bytes.data(), 32);
  store_le32(buf.data() + 49, counter_);
  store_le16(buf.data() + 53, static_cast<uint16_t>(data_.size() / kRpmbBlockSize));
  std::memcpy(buf.data() + kHeaderSize, data_.data(), data_.size());
  SHA256(buf.data(), buf.size() - SHA256_DIGEST_LENGTH,
         buf.data() + buf.size() - SHA256_DIGEST_LENGTH);
  // The copy not holding the current state takes the new one; the current
  // copy survives a crash mid-write.
  const off_t at = static_cast<off_t>((next % 2) * buf.size());
  const bool ok = write_exact(fd_, buf.data(), buf.size(), at) && fdatasync(fd_) == 0;
  OPENSSL_cleanse(buf.data(), buf.size());
  if (ok)
    sequence_ = next;
  return ok;
}

std::vector<RpmbFrame> EmulatedRpmb::transact(std::span<const RpmbFrame> request) {
  if (request.empty())
    return {};
  switch (request[0].type()) {
    case kRpmbProgramKey:
      if (request.size() != 1)
        return {response(kRpmbProgramKey, kRpmbGeneralFailure)};
      return {program_key(request[0])};
    case kRpmbReadCounter:
      if (request.size() != 1)
        return {response(kRpmbReadCounter, kRpmbGeneralFailure)};
      return {read_counter(request[0])};
    case kRpmbWrite:
      return {write(request)};
    case kRpmbRead:
      if (request.size() != 1)
        return {response(kRpmbRead, kRpmbGeneralFailure)};
      return read(request[0]);
    default:
      return {response(request[0].type() & 0xff, kRpmbGeneralFailure)};
  }
}

RpmbFrame EmulatedRpmb::program_key(const RpmbFrame &request) {
  // The key is programmed once for the device's life.
  if (programmed_)
    return response(kRpmbProgramKey, kRpmbWriteFailure);
  RpmbFrame copy = request;
  std::memcpy(key_.bytes.data(), copy.mac().data(), 32);
  programmed_ = true;
  if (!persist()) {
    programmed_ = false;
    return response(kRpmbProgramKey, kRpmbWriteFailure);
  }
  return response(kRpmbProgramKey, kRpmbOk);
}

RpmbFrame EmulatedRpmb::read_counter(const RpmbFrame &request) {
  RpmbFrame r = response(kRpmbReadCounter, programmed_ ? kRpmbOk : kRpmbKeyNotProgrammed);
  RpmbFrame req = request;
  std::copy(req.nonce().begin(), req.nonce().end(), r.nonce().begin());
  r.set_counter(counter_);
  if (programmed_) {
    std::array<uint8_t, 32> mac;
    if (!rpmb_frames_mac(key_, std::span(&r, 1), &mac))
      r.set_result(kRpmbGeneralFailure);
    std::copy(mac.begin(), mac.end(), r.mac().begin());
  }
  return r;
}

RpmbFrame EmulatedRpmb::write(std::span<const RpmbFrame> request) {
  RpmbFrame r = response(kRpmbWrite, kRpmbOk);
  r.set_counter(counter_);
  if (!programmed_) {
    r.set_result(kRpmbKeyNotProgrammed);
    return r;
  }
  const RpmbFrame &first = request[0];
  const size_t address = first.address();
  r.set_address(first.address());
  // Every frame must agree on the request, the address, the count and the
  // counter; the count must match the frames sent.
  for (const auto &f : request) {
    if (f.type() != kRpmbWrite || f.address() != first.address() || f.count() != request.size() ||
        f.counter() != first.counter()) {
      r.set_result(kRpmbGeneralFailure);
      return r;
    }
  }
  std::array<uint8_t, 32> mac;
  RpmbFrame last = request.back();
  if (!rpmb_frames_mac(key_, request, &mac) || !equal_mac(mac, last.mac())) {
    r.set_result(kRpmbAuthFailure);
    return r;
  }
  // A frame captured earlier carries an older counter: refused as replay.
  if (first.counter() != counter_) {
    r.set_result(kRpmbCounterFailure);
    return r;
  }
  if (address + request.size() > blocks()) {
    r.set_result(kRpmbAddressFailure);
    return r;
  }
  if (counter_ == UINT32_MAX) {
    // JEDEC: an expired counter makes the device read-only.
    r.set_result(kRpmbWriteFailure);
    return r;
  }
  std::vector<uint8_t> before = data_;
  for (size_t i = 0; i < request.size(); ++i) {
    RpmbFrame f = request[i];
    std::copy(f.data().begin(), f.data().end(),
              data_.begin() + static_cast<ptrdiff_t>((address + i) * kRpmbBlockSize));
  }
  ++counter_;
  if (!persist()) {
    data_ = std::move(before);
    --counter_;
    r.set_result(kRpmbWriteFailure);
  }
  r.set_counter(counter_);
  if (rpmb_frames_mac(key_, std::span(&r, 1), &mac))
    std::copy(mac.begin(), mac.end(), r.mac().begin());
  return r;
}

std::vector<RpmbFrame> EmulatedRpmb::read(const RpmbFrame &request) {
  RpmbFrame req = request;
  const size_t address = request.address();
  const size_t count = request.count() == 0 ? 1 : request.count();
  if (!programmed_)
    return {response(kRpmbRead, kRpmbKeyNotProgrammed)};
  if (address + count > blocks()) {
    RpmbFrame r = response(kRpmbRead, kRpmbAddressFailure);
    r.set_address(request.address());
    return {r};
  }
  std::vector<RpmbFrame> out(count);
  for (size_t i = 0; i < count; ++i) {
    RpmbFrame &f = out[i];
    f = response(kRpmbRead, kRpmbOk);
    f.set_address(request.address());
    f.set_count(static_cast<uint16_t>(count));
    std::copy(req.nonce().begin(), req.nonce().end(), f.nonce().begin());
    std::copy(data_.begin() + static_cast<ptrdiff_t>((address + i) * kRpmbBlockSize),
              data_.begin() + static_cast<ptrdiff_t>((address + i + 1) * kRpmbBlockSize),
              f.data().begin());
  }
  std::array<uint8_t, 32> mac;
  if (!rpmb_frames_mac(key_, out, &mac))
    return {response(kRpmbRead, kRpmbGeneralFailure)};
  std::copy(mac.begin(), mac.end(), out.back().mac().begin());
  return out;
}

}  // namespace captee::tee::storage
