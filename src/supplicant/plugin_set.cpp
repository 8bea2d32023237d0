#include "captee/supplicant/plugin_set.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

#include "captee/detail/hex.hpp"
#include "captee/detail/printable.hpp"
#include "captee/detail/uuid_text.hpp"

namespace captee::supplicant {

namespace {

bool ends_with(const std::string &s, std::string_view tail) {
  return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The names of the directory's entries, sorted, so that which of two plugins
// of one UUID wins does not depend on the filesystem's order.
std::optional<std::vector<std::string>> entry_names(int dir_fd) {
  int fd = ::dup(dir_fd);
  if (fd < 0) {
    return std::nullopt;
  }
  DIR *d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return std::nullopt;
  }
  std::vector<std::string> names;
  while (const dirent *e = ::readdir(d)) {
    names.emplace_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// Opens `name` in `dir_fd` if it may be loaded; otherwise returns -1 and
// says why.
int open_checked(int dir_fd, const std::string &name, std::string &why) {
  if (name.empty() || name[0] == '.') {
    why.clear();  // ".", ".." and hidden files: not worth a line
    return -1;
  }
  if (!ends_with(name, ".plugin") && !ends_with(name, ".so")) {
    why = "not a .plugin or .so file";
    return -1;
  }
  // O_NONBLOCK: a FIFO planted there must not hold the open.
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    why = errno == ELOOP ? "a symbolic link (not followed)"
                         : std::string("cannot be opened: ") + std::strerror(errno);
    return -1;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    why = "not a regular file";
  } else if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    why = "owned by uid " + std::to_string(st.st_uid) + ", neither root nor this user";
  } else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    why = "writable by group or others";
  } else {
    return fd;
  }
  ::close(fd);
  return -1;
}

}  // namespace

bool same_uuid(const TEEC_UUID &a, const TEEC_UUID &b) {
  return a.timeLow == b.timeLow && a.timeMid == b.timeMid &&
         a.timeHiAndVersion == b.timeHiAndVersion &&
         std::memcmp(a.clockSeqAndNode, b.clockSeqAndNode, sizeof a.clockSeqAndNode) == 0;
}

std::string uuid_text(const TEEC_UUID &u) {
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 4; ++i) {
    b[i] = static_cast<uint8_t>(u.timeLow >> (24 - 8 * i));
  }
  b[4] = static_cast<uint8_t>(u.timeMid >> 8);
  b[5] = static_cast<uint8_t>(u.timeMid);
  b[6] = static_cast<uint8_t>(u.timeHiAndVersion >> 8);
  b[7] = static_cast<uint8_t>(u.timeHiAndVersion);
  std::memcpy(b.data() + 8, u.clockSeqAndNode, sizeof u.clockSeqAndNode);
  return detail::uuid_text(b);
}

PluginSet::PluginSet(PluginSet &&other) noexcept : plugins_(std::move(other.plugins_)) {
  other.plugins_.clear();
}

PluginSet &PluginSet::operator=(PluginSet &&other) noexcept {
  if (this != &other) {
    unload();
    plugins_ = std::move(other.plugins_);
    other.plugins_.clear();
  }
  return *this;
}

PluginSet::~PluginSet() {
  unload();
}

void PluginSet::unload() noexcept {
  for (Plugin &p : plugins_) {
    ::dlclose(p.handle);
    ::close(p.fd);
  }
  plugins_.clear();
}

PluginSet PluginSet::load(const std::string &dir, const Log &log) {
  auto say = [&log](const std::string &line) {
    if (log) {
      log(line);
    }
  };
  PluginSet set;
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    say("no plugins: cannot open the plugin directory " + printable(dir) + ": " +
        std::strerror(errno));
    return set;
  }
  auto names = entry_names(dir_fd);
  if (!names) {
    say("no plugins: cannot list the plugin directory " + printable(dir));
    ::close(dir_fd);
    return set;
  }
  for (const std::string &name : *names) {
    const std::string shown = printable(name);
    std::string why;
    int fd = open_checked(dir_fd, name, why);
    if (fd < 0) {
      if (!why.empty()) {
        say("skipped " + shown + ": " + why);
      }
      continue;
    }
    // Loaded through the descriptor that was checked. It stays open while
    // the plugin is loaded: the loader knows objects by the name they were
    // opened under, and another plugin opened as the same /proc/self/fd/N
    // would be taken for this one.
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char *err = ::dlerror();
      say("skipped " + shown + ": cannot load it: " + printable(err != nullptr ? err : "?"));
      ::close(fd);
      continue;
    }
    const auto *m = static_cast<const plugin_method *>(::dlsym(handle, "plugin_method"));
    std::string problem;
    if (m == nullptr) {
      problem = "it has no plugin_method";
    } else if (m->name == nullptr || m->invoke == nullptr) {
      problem = "its plugin_method has no name or no invoke function";
    } else {
      for (const Plugin &p : set.plugins_) {
        if (same_uuid(p.method->uuid, m->uuid)) {
          problem = "UUID " + uuid_text(m->uuid) + " is already served by " + printable(p.file);
          break;
        }
      }
    }
    if (problem.empty() && m->init != nullptr) {
      const TEEC_Result r = m->init();
      if (r != TEEC_SUCCESS) {
        problem = "its init failed with " + detail::hex32(r);
      }
    }
    if (!problem.empty()) {
      say("skipped " + shown + ": " + problem);
      ::dlclose(handle);
      ::close(fd);
      continue;
    }
    set.plugins_.push_back(Plugin{name, handle, fd, m});
    say("loaded " + printable(m->name) + " (" + uuid_text(m->uuid) + ") from " + shown);
  }
  ::close(dir_fd);
  return set;
}

TEEC_Result PluginSet::invoke(const TEEC_UUID &uuid, unsigned int cmd, unsigned int sub_cmd,
                              void *data, size_t in_len, size_t *out_len) const {
  for (const Plugin &p : plugins_) {
    if (same_uuid(p.method->uuid, uuid)) {
      return p.method->invoke(cmd, sub_cmd, data, in_len, out_len);
    }
  }
  return TEEC_ERROR_ITEM_NOT_FOUND;
}

std::vector<PluginSet::Loaded> PluginSet::loaded() const {
  std::vector<Loaded> out;
  for (const Plugin &p : plugins_) {
    out.push_back(Loaded{p.file, printable(p.method->name), p.method->uuid});
  }
  return out;
}

}  // namespace captee::supplicant
