#include "file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "captee/detail/whole_file.hpp"
#include "captee/detail/write_all.hpp"

namespace captee::sign_tool {

std::optional<std::vector<uint8_t>> read_file(const std::string &path, std::string &error) {
  std::vector<uint8_t> bytes;
  switch (detail::read_whole_file(path, bytes)) {
    case detail::FileRead::kOk:
      return bytes;
    case detail::FileRead::kNotRegular:
      error = "cannot read " + path + ": not a regular file";
      break;
    case detail::FileRead::kShrank:
      error = "cannot read " + path + ": file shrank";
      break;
    default:  // kCannotOpen, kReadFailed (no limit: never kTooLarge)
      error = "cannot read " + path + ": " + std::strerror(errno);
      break;
  }
  return std::nullopt;
}

bool write_file(const std::string &path, std::span<const uint8_t> bytes, std::string &error) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  if (const int e = detail::write_all(fd, bytes.data(), bytes.size()); e != 0) {
    error = "cannot write " + path + ": " + std::strerror(e);
    ::close(fd);
    ::unlink(tmp.c_str());
    return false;
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace captee::sign_tool
