// Writing every byte of a buffer to a descriptor. write(2) may write less
// than asked (pipes, sockets, a signal, a full disk), so every caller would
// otherwise carry the same loop.
// Header-only with no dependencies beyond POSIX, so every layer may include it.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace captee::detail {

// Writes all `len` bytes at `data` to `fd` at its current offset, going on
// after EINTR and short writes. Returns 0, or the error of the write that
// failed (also left in errno; ENOSPC when a write wrote nothing). On failure
// part of the buffer may have been written.
inline int write_all(int fd, const void *data, size_t len) {
  const auto *p = static_cast<const uint8_t *>(data);
  while (len > 0) {
    const ssize_t n = ::write(fd, p, len);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      if (n == 0) {
        errno = ENOSPC;
      }
      return errno;
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace captee::detail
