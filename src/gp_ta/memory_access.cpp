#include "memory_access.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

namespace captee::gp_ta {
namespace {

// Opened while the TA image is mapped: under the sandbox captee-tahost's
// open trap answers this one path with the process's own map (sandbox.hpp).
// Kept for the life of the process.
const int g_maps_fd = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

struct MapEntry {
  uintptr_t start = 0;
  uintptr_t end = 0;
  bool readable = false;
  bool writable = false;
};

// "start-end perms offset dev inode path": only the first two fields matter.
bool parse_head(const char *p, size_t n, MapEntry &out) {
  const char *e = p + n;
  auto a = std::from_chars(p, e, out.start, 16);
  if (a.ec != std::errc() || a.ptr == e || *a.ptr != '-') {
    return false;
  }
  auto b = std::from_chars(a.ptr + 1, e, out.end, 16);
  if (b.ec != std::errc() || e - b.ptr < 3 || *b.ptr != ' ') {
    return false;
  }
  out.readable = b.ptr[1] == 'r';
  out.writable = b.ptr[2] == 'w';
  return out.start < out.end;
}

// Walks the (address-ordered) mappings from `begin`: every byte up to `end`
// must be covered, without a hole, by mappings with the rights asked for.
bool covered_by_maps(uintptr_t begin, uintptr_t end, bool read, bool write) {
  uintptr_t cursor = begin;
  char buf[4096];
  char head[96];  // enough for two 64-bit addresses and the permissions
  size_t head_len = 0;
  off_t off = 0;
  for (;;) {
    ssize_t n = ::pread(g_maps_fd, buf, sizeof buf, off);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;  // the end of the list (or an error) before `end`
    }
    off += n;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] != '\n') {
        if (head_len < sizeof head) {
          head[head_len++] = buf[i];
        }
        continue;
      }
      MapEntry m;
      bool ok = parse_head(head, head_len, m);
      head_len = 0;
      if (!ok || m.end <= cursor) {
        continue;
      }
      if (m.start > cursor || (read && !m.readable) || (write && !m.writable)) {
        return false;
      }
      cursor = m.end;
      if (cursor >= end) {
        return true;
      }
    }
  }
}

// Without /proc: mincore fails with ENOMEM on any unmapped page.
bool mapped_by_mincore(uintptr_t begin, uintptr_t end) {
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  uintptr_t at = begin & ~(page - 1);
  unsigned char vec[256];
  while (at < end) {
    uintptr_t pages = std::min<uintptr_t>((end - at - 1) / page + 1, sizeof vec);
    if (::mincore(reinterpret_cast<void *>(at), pages * page, vec) != 0) {
      return false;
    }
    at += pages * page;
  }
  return true;
}

}  // namespace

bool range_mapped(uintptr_t begin, size_t size, bool read, bool write) {
  uintptr_t end = 0;
  if (size == 0) {
    return true;
  }
  if (__builtin_add_overflow(begin, size, &end)) {
    return false;
  }
  if (g_maps_fd >= 0) {
    return covered_by_maps(begin, end, read, write);
  }
  return mapped_by_mincore(begin, end);
}

}  // namespace captee::gp_ta
