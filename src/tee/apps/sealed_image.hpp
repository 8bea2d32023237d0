// A TA image's private, sealed copy (internal): what the loader checks is
// what the TA host maps, whatever the sender does to its buffer or region
// afterwards (docs/TA.md).
#pragma once

#include <cstddef>
#include <span>

namespace captee::tee::apps::detail {

// Copies `image` into a new memfd and seals it against writes, shrinking,
// growing and further seals. Returns the descriptor, which the caller owns
// and closes, or -errno (memfd_create's, write's or fcntl's). An empty image
// gives an empty sealed memfd.
//
// The write seal is F_SEAL_FUTURE_WRITE, not F_SEAL_WRITE. The kernel makes
// F_SEAL_WRITE wait for transient references to the pages and then fail
// with EBUSY, which refused a TA under CI load. Here the two are the same:
// the copy is filled by write(), never mapped writable, and nobody else
// holds it yet, so there is no writable mapping the future-write seal could
// leave behind; from now on every write, resize, hole punch and writable
// shared mapping is refused to everyone, through any descriptor.
int sealed_copy(std::span<const std::byte> image);

// The sealed copy mapped read-only and shared: the manifest and the hash are
// taken from these bytes, not from the sender's. Unmapped on destruction;
// the descriptor stays the caller's.
class SealedView {
 public:
  SealedView(int fd, size_t size);
  ~SealedView();
  SealedView(const SealedView &) = delete;
  SealedView &operator=(const SealedView &) = delete;

  // False if the mapping failed (bytes() is then empty).
  bool ok() const { return data_ != nullptr; }
  // Borrowed: valid while this view lives.
  std::span<const std::byte> bytes() const {
    return {static_cast<const std::byte *>(data_), data_ != nullptr ? size_ : 0};
  }

 private:
  void *data_ = nullptr;
  size_t size_;
};

}  // namespace captee::tee::apps::detail
