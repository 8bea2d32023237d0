#include "captee/tee/storage/device_secret.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace captee::tee::storage {
namespace {

std::string parent_dir(const std::string &path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool read_secret(int fd, const std::string &path, SecretBytes *secret, std::string *why) {
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *why = "the device secret " + path + " is not a regular file";
    return false;
  }
  if ((st.st_mode & 077) != 0) {
    *why = "the device secret " + path + " is accessible by group or others (want mode 0600)";
    return false;
  }
  if (st.st_size != static_cast<off_t>(kDeviceSecretSize)) {
    *why = "the device secret " + path + " is not 32 bytes";
    return false;
  }
  secret->resize(kDeviceSecretSize);
  size_t got = 0;
  while (got < kDeviceSecretSize) {
    const ssize_t r =
        pread(fd, secret->data() + got, kDeviceSecretSize - got, static_cast<off_t>(got));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      secret->wipe();
      *why = "cannot read the device secret " + path;
      return false;
    }
    got += static_cast<size_t>(r);
  }
  return true;
}

bool create_secret(const std::string &path, std::string *why) {
  SecretBytes fresh(kDeviceSecretSize);
  if (!random_bytes({fresh.data(), fresh.size()})) {
    *why = "no randomness for the device secret";
    return false;
  }
  std::string tmp = path + ".new.XXXXXX";
  const int fd = mkstemp(tmp.data());  // mode 0600
  if (fd < 0) {
    *why = "cannot create " + tmp + ": " + std::strerror(errno);
    return false;
  }
  bool ok =
      write(fd, fresh.data(), fresh.size()) == static_cast<ssize_t>(fresh.size()) && fsync(fd) == 0;
  ::close(fd);
  // link() never replaces: if another start created the secret meanwhile,
  // we use theirs.
  if (ok && link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST)
    ok = false;
  unlink(tmp.c_str());
  if (ok) {
    const int dir = ::open(parent_dir(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ok = dir >= 0 && fsync(dir) == 0;
    if (dir >= 0)
      ::close(dir);
  }
  if (!ok)
    *why = "cannot create the device secret " + path + ": " + std::strerror(errno);
  return ok;
}

}  // namespace

bool load_or_create_device_secret(const std::string &path, bool create, SecretBytes *secret,
                                  std::string *why) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT && create) {
    if (!create_secret(path, why))
      return false;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  }
  if (fd < 0) {
    *why = "cannot open the device secret " + path + ": " + std::strerror(errno);
    return false;
  }
  const bool ok = read_secret(fd, path, secret, why);
  ::close(fd);
  return ok;
}

}  // namespace captee::tee::storage
