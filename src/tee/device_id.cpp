// gpd.tee.deviceID, kept in capteed's state directory (device_id.hpp).
#include "captee/tee/device_id.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "captee/detail/whole_file.hpp"

namespace captee::tee {

namespace {

using DeviceId = std::array<uint8_t, 16>;

constexpr size_t kTextSize = 36;  // 8-4-4-4-12

std::string to_text(const DeviceId &id) {
  char s[kTextSize + 1];
  std::snprintf(s, sizeof s, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9], id[10],
                id[11], id[12], id[13], id[14], id[15]);
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

// The file's text back: exactly what to_text wrote and a newline.
std::optional<DeviceId> from_text(const std::string &s) {
  if (s.size() != kTextSize + 1 || s.back() != '\n') {
    return std::nullopt;
  }
  DeviceId id{};
  size_t n = 0;
  for (size_t i = 0; i < kTextSize;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') {
        return std::nullopt;
      }
      ++i;
      continue;
    }
    const int hi = hex_digit(s[i]);
    const int lo = hex_digit(s[i + 1]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    id[n++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return id;
}

std::optional<DeviceId> random_id(std::string *why) {
  DeviceId id{};
  size_t got = 0;
  while (got < id.size()) {
    ssize_t n = ::getrandom(id.data() + got, id.size() - got, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      *why = std::string("getrandom: ") + std::strerror(errno);
      return std::nullopt;
    }
    got += static_cast<size_t>(n);
  }
  id[6] = static_cast<uint8_t>((id[6] & 0x0F) | 0x40);  // version 4: random
  id[8] = static_cast<uint8_t>((id[8] & 0x3F) | 0x80);  // the RFC 4122 variant
  return id;
}

}  // namespace

std::optional<DeviceId> load_or_create_device_id(const std::string &state_dir, std::string *why) {
  if (state_dir.empty()) {
    return random_id(why);
  }
  const std::string path = state_dir + "/device-id";
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string text;
    switch (detail::read_whole_file(path, text, 64)) {
      case detail::FileRead::kOk: {
        auto id = from_text(text);
        if (!id) {
          *why = path +
                 " does not hold a device ID (remove it to make a new one: TAs will "
                 "then see a different gpd.tee.deviceID)";
        }
        return id;
      }
      case detail::FileRead::kCannotOpen:
        if (errno == ENOENT) {
          break;  // made below
        }
        [[fallthrough]];
      default:
        *why = "cannot read " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    auto id = random_id(why);
    if (!id) {
      return std::nullopt;
    }
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    const std::string line = to_text(*id) + "\n";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    bool ok = fd >= 0 && ::write(fd, line.data(), line.size()) == ssize_t(line.size()) &&
              ::fsync(fd) == 0;
    if (fd >= 0) {
      ok = ::close(fd) == 0 && ok;
    }
    // link() fails if another start made the file meanwhile: then read theirs.
    const bool linked = ok && ::link(tmp.c_str(), path.c_str()) == 0;
    const int link_errno = errno;
    ::unlink(tmp.c_str());
    if (linked) {
      int dfd = ::open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
      }
      return id;
    }
    if (!ok || link_errno != EEXIST) {
      *why = "cannot write " + path + ": " + std::strerror(ok ? link_errno : errno);
      return std::nullopt;
    }
  }
  *why = "cannot make " + path;
  return std::nullopt;
}

}  // namespace captee::tee
