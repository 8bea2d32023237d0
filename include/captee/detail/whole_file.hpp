// The one whole-file read: a file's bytes into a std::string or a vector of
// bytes, with each way it can fail told apart so every caller keeps its own
// error messages and codes.
// Header-only with no dependencies beyond POSIX, so every layer may include it.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <limits>
#include <string>

namespace captee::detail {

enum class FileRead {
  kOk,
  kCannotOpen,  // open(2) failed; errno says why
  kNotRegular,  // fstat(2) failed or the path is not a regular file
  kTooLarge,    // larger than the caller's limit; nothing was read
  kReadFailed,  // read(2) failed; errno says why
  kShrank,      // the file ended before the size fstat(2) reported
};

// Reads all of the regular file at `path` into `out` (std::string,
// std::vector<uint8_t> or std::vector<std::byte>), replacing its contents.
// It reads the size fstat(2) reports, so it is not for /proc files.
// Files larger than `max_size` bytes are refused before anything is
// allocated. On any result but kOk `out` is left empty; on kCannotOpen and
// kReadFailed errno is the reason.
template <class Bytes>
FileRead read_whole_file(const std::string &path, Bytes &out,
                         uint64_t max_size = std::numeric_limits<uint64_t>::max()) {
  static_assert(sizeof(typename Bytes::value_type) == 1, "a container of bytes");
  out.clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return FileRead::kCannotOpen;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return FileRead::kNotRegular;
  }
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    ::close(fd);
    return FileRead::kTooLarge;
  }
  out.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      const int saved = errno;
      ::close(fd);
      out.clear();
      errno = saved;
      return n < 0 ? FileRead::kReadFailed : FileRead::kShrank;
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return FileRead::kOk;
}

}  // namespace captee::detail
