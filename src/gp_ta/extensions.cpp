// OP-TEE's TA API extensions (tee_internal_api_extensions.h), as far as they
// mean something in a TA host process; tee_invoke_supp_plugin is in
// supp_plugin.cpp.
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <mutex>

#include "tee_internal_api.h"
#include "tee_internal_api_extensions.h"

namespace {

// The mappings tee_map_zi handed out, so tee_unmap unmaps only exactly one of
// them (never another part of the TA's address space).
struct ZiMapping {
  void *addr = nullptr;
  size_t len = 0;
};
constexpr size_t kMaxZiMappings = 64;
std::mutex g_zi_mutex;
ZiMapping g_zi[kMaxZiMappings];  // guarded by g_zi_mutex

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Reads `digits` hex digits at s into *out; false if one is not a digit.
bool parse_hex(const char *s, int digits, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < digits; ++i) {
    int d = hex_value(s[i]);
    if (d < 0) {
      return false;
    }
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  *out = v;
  return true;
}

}  // namespace

extern "C" {

// The TA host uses the C library's allocator, which keeps no marks.
void tee_user_mem_mark_heap(void) {}

size_t tee_user_mem_check_heap(void) {
  return 0;
}

// The kernel keeps an ordinary process's memory coherent: nothing to do.
TEE_Result TEE_CacheClean(char *, size_t) {
  return TEE_SUCCESS;
}

TEE_Result TEE_CacheFlush(char *, size_t) {
  return TEE_SUCCESS;
}

TEE_Result TEE_CacheInvalidate(char *, size_t) {
  return TEE_SUCCESS;
}

void *tee_map_zi(size_t len, uint32_t flags) {
  if (len == 0 || (flags & ~static_cast<uint32_t>(TEE_MEMORY_ACCESS_ANY_OWNER)) != 0) {
    return nullptr;
  }
  std::lock_guard lock(g_zi_mutex);
  for (ZiMapping &m : g_zi) {
    if (m.addr != nullptr) {
      continue;
    }
    // Anonymous memory is zero-filled by the kernel.
    void *p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      return nullptr;
    }
    m = ZiMapping{p, len};
    return p;
  }
  return nullptr;  // table full
}

TEE_Result tee_unmap(void *buf, size_t len) {
  std::lock_guard lock(g_zi_mutex);
  for (ZiMapping &m : g_zi) {
    if (m.addr != nullptr && m.addr == buf && m.len == len) {
      if (::munmap(buf, len) != 0) {
        return TEE_ERROR_GENERIC;
      }
      m = ZiMapping{};
      return TEE_SUCCESS;
    }
  }
  return TEE_ERROR_BAD_PARAMETERS;
}

TEE_Result tee_uuid_from_str(TEE_UUID *uuid, const char *s) {
  // 8-4-4-4-12 hex digits: 36 characters, dashes at 8, 13, 18 and 23.
  if (uuid == nullptr || s == nullptr || ::strnlen(s, 37) != 36 || s[8] != '-' || s[13] != '-' ||
      s[18] != '-' || s[23] != '-') {
    return TEE_ERROR_BAD_FORMAT;
  }
  TEE_UUID u{};
  uint32_t v = 0;
  if (!parse_hex(s, 8, &u.timeLow)) {
    return TEE_ERROR_BAD_FORMAT;
  }
  if (!parse_hex(s + 9, 4, &v)) {
    return TEE_ERROR_BAD_FORMAT;
  }
  u.timeMid = static_cast<uint16_t>(v);
  if (!parse_hex(s + 14, 4, &v)) {
    return TEE_ERROR_BAD_FORMAT;
  }
  u.timeHiAndVersion = static_cast<uint16_t>(v);
  // clockSeqAndNode: two bytes before the last dash, six after it.
  static constexpr int kByteAt[8] = {19, 21, 24, 26, 28, 30, 32, 34};
  for (int i = 0; i < 8; ++i) {
    if (!parse_hex(s + kByteAt[i], 2, &v)) {
      return TEE_ERROR_BAD_FORMAT;
    }
    u.clockSeqAndNode[i] = static_cast<uint8_t>(v);
  }
  *uuid = u;
  return TEE_SUCCESS;
}

// Declared by OP-TEE's tee_internal_api.h beside the GP function it
// duplicates (and not in the specification).
void TEE_BigIntFMMConvertToBigInt(TEE_BigInt *dest, const TEE_BigIntFMM *src, const TEE_BigInt *n,
                                  const TEE_BigIntFMMContext *context) {
  TEE_BigIntConvertFromFMM(dest, src, n, context);
}

}  // extern "C"
