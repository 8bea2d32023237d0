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
  kNotRegular,  // fstat(2) failed, a directory, or (kRegularOnly) not a regular file
  kTooLarge,    // larger than the caller's limit; nothing was read
  kReadFailed,  // read(2) failed; errno says why
  kShrank,      // the file ended before the size fstat(2) reported
};

// Which files a caller accepts. Binary inputs (images, TAs, keys for
// captee-sign) want regular files; text configuration may also come from a
// pipe such as the shell's <(...), /dev/stdin or a /proc file.
enum class FileKind {
  kRegularOnly,
  kAlsoStreams,  // also pipes, sockets, character devices: read to end of file
};

namespace whole_file_internal {

// Closes `fd`; on failure empties `out` and keeps errno.
template <class Bytes>
FileRead finish(int fd, Bytes &out, FileRead result) {
  const int saved = errno;
  ::close(fd);
  if (result != FileRead::kOk) {
    out.clear();
  }
  errno = saved;
  return result;
}

// Reads `fd` until end of file, refusing more than `max_size` bytes.
template <class Bytes>
FileRead read_stream(int fd, Bytes &out, uint64_t max_size) {
  constexpr size_t kChunk = 4096;
  size_t done = 0;
  for (;;) {
    out.resize(done + kChunk);
    const ssize_t n = ::read(fd, out.data() + done, kChunk);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return finish(fd, out, FileRead::kReadFailed);
    }
    if (n == 0) {
      out.resize(done);
      return finish(fd, out, FileRead::kOk);
    }
    done += static_cast<size_t>(n);
    if (done > max_size) {
      return finish(fd, out, FileRead::kTooLarge);
    }
  }
}

}  // namespace whole_file_internal

// Reads all of the file at `path` into `out` (std::string,
// std::vector<uint8_t> or std::vector<std::byte>), replacing its contents.
// A regular file is read to the size fstat(2) reports, and refused before
// anything is allocated if that is larger than `max_size` bytes. Other files
// are kNotRegular unless `kind` is kAlsoStreams, when they are read to end of
// file up to `max_size` bytes (directories are always kNotRegular).
// On any result but kOk `out` is left empty; on kCannotOpen and kReadFailed
// errno is the reason. Blocks as open(2) and read(2) do (a FIFO with no
// writer blocks).
template <class Bytes>
FileRead read_whole_file(const std::string &path, Bytes &out,
                         uint64_t max_size = std::numeric_limits<uint64_t>::max(),
                         FileKind kind = FileKind::kRegularOnly) {
  static_assert(sizeof(typename Bytes::value_type) == 1, "a container of bytes");
  using whole_file_internal::finish;
  out.clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return FileRead::kCannotOpen;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    return finish(fd, out, FileRead::kNotRegular);
  }
  if (!S_ISREG(st.st_mode)) {
    if (kind != FileKind::kAlsoStreams) {
      return finish(fd, out, FileRead::kNotRegular);
    }
    return whole_file_internal::read_stream(fd, out, max_size);
  }
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    return finish(fd, out, FileRead::kTooLarge);
  }
  out.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return finish(fd, out, n < 0 ? FileRead::kReadFailed : FileRead::kShrank);
    }
    done += static_cast<size_t>(n);
  }
  return finish(fd, out, FileRead::kOk);
}

}  // namespace captee::detail
