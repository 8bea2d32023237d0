// Key material of GP objects and operations, kept apart from the heap: each
// buffer has pages of its own, left out of core files (MADV_DONTDUMP) and
// wiped (OPENSSL_cleanse) before they are reused or unmapped, so a key never
// outlives the object or operation that held it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace captee::gp_ta {

class SecretBuffer {
 public:
  SecretBuffer() = default;
  ~SecretBuffer();
  SecretBuffer(const SecretBuffer &) = delete;
  SecretBuffer &operator=(const SecretBuffer &) = delete;

  // Makes room for `capacity` bytes (the old content is wiped first). False
  // if the pages cannot be mapped; the buffer is then empty.
  bool reserve(size_t capacity);
  // Copies `len` bytes in; false (nothing changed) if they do not fit.
  bool assign(const void *data, size_t len);
  // Wipes the content; the capacity stays.
  void clear();
  // Sets the size to `len` bytes of whatever the buffer holds (the caller
  // then fills them); false if `len` exceeds the capacity.
  bool resize(size_t len);

  const uint8_t *data() const { return data_; }
  uint8_t *data() { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

 private:
  void release();

  uint8_t *data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  size_t mapped_ = 0;
};

}  // namespace captee::gp_ta
