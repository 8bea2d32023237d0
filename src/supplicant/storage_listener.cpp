#include "storage_listener.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "IListenerCBO.hpp"
#include "captee/detail/little_endian.hpp"
#include "captee/memory.hpp"
#include "captee/storage_listener_protocol.h"

namespace captee::supplicant {

namespace {

using detail::load_le32;
using detail::load_le64;
using detail::store_le32;
using detail::store_le64;

// The only names the supplicant ever opens: capteed names a file by its
// number, so no path of capteed's reaches the file system.
constexpr std::array<const char *, CAPTEE_STORAGE_FILE_COUNT> kFileNames = {
    "store.db", "store.db-wal", "store.db-journal"};

uint32_t result_of_errno(int e) {
  return e == ENOSPC || e == EDQUOT || e == EFBIG ? CAPTEE_STORAGE_RESULT_NOSPACE
                                                  : CAPTEE_STORAGE_RESULT_IO;
}

class StorageListener final : public iface::IListenerCBOSkeleton {
 public:
  StorageListener(std::shared_ptr<StorageDir> dir, Ref region, Log log,
                  std::function<void()> released)
      : dir_(std::move(dir)),
        region_ref_(std::move(region)),
        region_(LocalObject::from_as<MemoryObject>(region_ref_.get())->bytes()),
        log_(std::move(log)),
        released_(std::move(released)) {}

  ~StorageListener() override {
    for (int fd : fds_) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }

  int32_t request(std::span<uint32_t>, size_t &offset_count, uint32_t &is64, Ref &, Ref &, Ref &,
                  Ref &) override {
    std::lock_guard one_call(mu_);
    offset_count = 0;
    is64 = 0;
    if (region_.size() < CAPTEE_STORAGE_HEADER_SIZE) {
      return Object_ERROR_INVALID;
    }
    // One copy of the header capteed wrote: what is checked is what is used.
    uint8_t header[CAPTEE_STORAGE_HEADER_SIZE];
    std::memcpy(header, region_.data(), sizeof header);
    uint64_t value = 0;
    const uint32_t result = run(header, &value);
    auto *out = reinterpret_cast<uint8_t *>(region_.data());
    store_le32(out + CAPTEE_STORAGE_OFF_RESULT, result);
    store_le64(out + CAPTEE_STORAGE_OFF_VALUE, value);
    return Object_OK;
  }

  int32_t wait() override { return Object_OK; }

  void on_last_release() noexcept override {
    if (released_) {
      released_();
    }
  }

 private:
  uint32_t run(const uint8_t *header, uint64_t *value) {
    const uint32_t op = load_le32(header + CAPTEE_STORAGE_OFF_OP);
    const uint32_t file = load_le32(header + CAPTEE_STORAGE_OFF_FILE);
    const uint64_t offset = load_le64(header + CAPTEE_STORAGE_OFF_OFFSET);
    const uint32_t length = load_le32(header + CAPTEE_STORAGE_OFF_LENGTH);
    const uint64_t arg = load_le64(header + CAPTEE_STORAGE_OFF_VALUE);
    const size_t room = region_.size() - CAPTEE_STORAGE_HEADER_SIZE;
    uint64_t end = 0;
    if (file >= CAPTEE_STORAGE_FILE_COUNT || length > room || length > CAPTEE_STORAGE_MAX_DATA ||
        __builtin_add_overflow(offset, length, &end) || end > uint64_t(INT64_MAX)) {
      say("refused a request (op " + std::to_string(op) + ", file " + std::to_string(file) + ", " +
          std::to_string(length) + " bytes at " + std::to_string(offset) + ")");
      return CAPTEE_STORAGE_RESULT_BAD;
    }
    auto *data = reinterpret_cast<uint8_t *>(region_.data()) + CAPTEE_STORAGE_HEADER_SIZE;
    switch (op) {
      case CAPTEE_STORAGE_OP_READ:
        return read(file, offset, data, length, value);
      case CAPTEE_STORAGE_OP_WRITE:
        return write(file, offset, data, length);
      case CAPTEE_STORAGE_OP_TRUNCATE: {
        if (arg > uint64_t(INT64_MAX)) {
          return CAPTEE_STORAGE_RESULT_BAD;
        }
        const int fd = open_file(file, true);
        if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(arg)) != 0) {
          return result_of_errno(errno);
        }
        return CAPTEE_STORAGE_RESULT_OK;
      }
      case CAPTEE_STORAGE_OP_SYNC:
        return sync(file);
      case CAPTEE_STORAGE_OP_SIZE: {
        struct stat st {};
        const int fd = open_file(file, false);
        if (fd < 0) {
          return errno == ENOENT ? CAPTEE_STORAGE_RESULT_OK : CAPTEE_STORAGE_RESULT_IO;
        }
        if (::fstat(fd, &st) != 0) {
          return CAPTEE_STORAGE_RESULT_IO;
        }
        *value = static_cast<uint64_t>(st.st_size);
        return CAPTEE_STORAGE_RESULT_OK;
      }
      case CAPTEE_STORAGE_OP_DELETE:
        if (fds_[file] >= 0) {
          ::close(fds_[file]);
          fds_[file] = -1;
        }
        if (::unlinkat(dir_->fd(), kFileNames[file], 0) != 0 && errno != ENOENT) {
          return CAPTEE_STORAGE_RESULT_IO;
        }
        // The name's removal is durable before capteed goes on.
        return ::fsync(dir_->fd()) == 0 ? CAPTEE_STORAGE_RESULT_OK : CAPTEE_STORAGE_RESULT_IO;
      case CAPTEE_STORAGE_OP_ACCESS: {
        struct stat st {};
        if (::fstatat(dir_->fd(), kFileNames[file], &st, AT_SYMLINK_NOFOLLOW) == 0) {
          *value = S_ISREG(st.st_mode) ? 1 : 0;
          return CAPTEE_STORAGE_RESULT_OK;
        }
        return errno == ENOENT ? CAPTEE_STORAGE_RESULT_OK : CAPTEE_STORAGE_RESULT_IO;
      }
      default:
        say("refused an unknown operation " + std::to_string(op));
        return CAPTEE_STORAGE_RESULT_BAD;
    }
  }

  // The file's descriptor, opened (and with `create`, created 0600) on first
  // use. Never follows a symbolic link. -1 with errno on failure.
  int open_file(uint32_t file, bool create) {
    if (fds_[file] >= 0) {
      return fds_[file];
    }
    const int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0);
    const int fd = ::openat(dir_->fd(), kFileNames[file], flags, 0600);
    if (fd < 0) {
      return -1;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      errno = EIO;
      return -1;
    }
    fds_[file] = fd;
    created_[file] = create;  // its name is synced with its first SYNC
    return fd;
  }

  uint32_t read(uint32_t file, uint64_t offset, uint8_t *data, uint32_t length, uint64_t *got) {
    const int fd = open_file(file, false);
    if (fd < 0) {
      return errno == ENOENT ? CAPTEE_STORAGE_RESULT_OK : CAPTEE_STORAGE_RESULT_IO;  // 0 bytes
    }
    size_t done = 0;
    while (done < length) {
      const ssize_t n = ::pread(fd, data + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        return CAPTEE_STORAGE_RESULT_IO;
      }
      if (n == 0) {
        break;  // the end of the file
      }
      done += static_cast<size_t>(n);
    }
    *got = done;
    return CAPTEE_STORAGE_RESULT_OK;
  }

  uint32_t write(uint32_t file, uint64_t offset, const uint8_t *data, uint32_t length) {
    const int fd = open_file(file, true);
    if (fd < 0) {
      return result_of_errno(errno);
    }
    size_t done = 0;
    while (done < length) {
      const ssize_t n = ::pwrite(fd, data + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return result_of_errno(n < 0 ? errno : EIO);
      }
      done += static_cast<size_t>(n);
    }
    return CAPTEE_STORAGE_RESULT_OK;
  }

  uint32_t sync(uint32_t file) {
    const int fd = open_file(file, true);
    if (fd < 0 || ::fsync(fd) != 0) {
      return CAPTEE_STORAGE_RESULT_IO;
    }
    // A file this supplicant may have created: its name must survive power
    // loss too.
    if (created_[file]) {
      if (::fsync(dir_->fd()) != 0) {
        return CAPTEE_STORAGE_RESULT_IO;
      }
      created_[file] = false;
    }
    return CAPTEE_STORAGE_RESULT_OK;
  }

  void say(const std::string &line) const {
    if (log_) {
      log_(line);
    }
  }

  std::shared_ptr<StorageDir> dir_;
  Ref region_ref_;
  std::span<std::byte> region_;  // the creator's mapping of region_ref_
  Log log_;
  std::function<void()> released_;
  std::mutex mu_;
  std::array<int, CAPTEE_STORAGE_FILE_COUNT> fds_{-1, -1, -1};  // guarded by mu_
  std::array<bool, CAPTEE_STORAGE_FILE_COUNT> created_{};       // guarded by mu_
};

}  // namespace

std::unique_ptr<StorageDir> StorageDir::open(const std::string &path, std::string *why) {
  if (path.empty()) {
    *why = "no storage directory given";
    return nullptr;
  }
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    *why = "cannot create the storage directory " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    *why = "cannot open the storage directory " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    *why = "the storage directory " + path + " is in use by another supplicant";
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<StorageDir>(new StorageDir(fd, path));
}

StorageDir::~StorageDir() {
  ::close(fd_);
}

Ref make_storage_listener(std::shared_ptr<StorageDir> dir, Ref region, Log log,
                          std::function<void()> released) {
  if (!dir || LocalObject::from_as<MemoryObject>(region.get()) == nullptr) {
    return Ref();
  }
  return make_object<StorageListener>(std::move(dir), std::move(region), std::move(log),
                                      std::move(released));
}

}  // namespace captee::supplicant
