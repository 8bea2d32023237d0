// SecretBuffer (secret_buffer.hpp): anonymous private pages per buffer, so
// MADV_DONTDUMP covers exactly the key and nothing the heap shares with it.
#include "secret_buffer.hpp"

#include <openssl/crypto.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

namespace captee::gp_ta {

SecretBuffer::~SecretBuffer() {
  release();
}

void SecretBuffer::release() {
  if (data_ != nullptr) {
    OPENSSL_cleanse(data_, mapped_);
    ::munmap(data_, mapped_);
  }
  data_ = nullptr;
  size_ = 0;
  capacity_ = 0;
  mapped_ = 0;
}

bool SecretBuffer::reserve(size_t capacity) {
  release();
  if (capacity == 0) {
    return true;
  }
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  size_t mapped = 0;
  if (__builtin_add_overflow(capacity, page - 1, &mapped)) {
    return false;
  }
  mapped -= mapped % page;
  void *p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    return false;
  }
  // Best effort: a kernel without MADV_DONTDUMP still gets no core file
  // from a TA host (its RLIMIT_CORE is 0, sandbox.cpp).
  (void)::madvise(p, mapped, MADV_DONTDUMP);
  data_ = static_cast<uint8_t *>(p);
  capacity_ = capacity;
  mapped_ = mapped;
  return true;
}

bool SecretBuffer::assign(const void *data, size_t len) {
  if (len > capacity_) {
    return false;
  }
  clear();
  if (len > 0) {
    std::memcpy(data_, data, len);
  }
  size_ = len;
  return true;
}

bool SecretBuffer::resize(size_t len) {
  if (len > capacity_) {
    return false;
  }
  size_ = len;
  return true;
}

void SecretBuffer::clear() {
  if (data_ != nullptr) {
    OPENSSL_cleanse(data_, capacity_);
  }
  size_ = 0;
}

}  // namespace captee::gp_ta
