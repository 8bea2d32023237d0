// OP-TEE's TA logging functions (trace.h): each message becomes one line on
// the TA host's stderr, which capteed forwards to its log.
#include "trace.h"

#include <unistd.h>

#include <cstdarg>
#include <cstdio>

extern "C" {

int trace_level = TRACE_MAX;
const char trace_ext_prefix[] = "TA";

void trace_ext_puts(const char *str) {
  // One stdio call per line: stdio locks the stream for it, so lines from
  // several threads do not interleave.
  std::fputs(str, stderr);
}

int trace_ext_get_thread_id(void) {
  return static_cast<int>(::gettid());
}

void trace_set_level(int level) {
  trace_level = level;
}

int trace_get_level(void) {
  return trace_level;
}

void trace_vprintf(const char *func, int line, int level, bool level_ok, const char *fmt,
                   va_list ap) {
  if (level_ok && level > trace_level) {
    return;
  }
  static const char *const kLevel[] = {"", "E", "I", "D", "F"};
  const char *tag = kLevel[level >= TRACE_MIN && level <= TRACE_MAX ? level : 0];
  char msg[512];
  std::vsnprintf(msg, sizeof msg, fmt, ap);
  char out[700];
  if (func != nullptr) {
    std::snprintf(out, sizeof out, "%s/%s: %s:%d %s\n", tag, trace_ext_prefix, func, line, msg);
  } else {
    std::snprintf(out, sizeof out, "%s/%s: %s\n", tag, trace_ext_prefix, msg);
  }
  trace_ext_puts(out);
}

void trace_printf(const char *func, int line, int level, bool level_ok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  trace_vprintf(func, line, level, level_ok, fmt, ap);
  va_end(ap);
}

void dhex_dump(const char *function, int line, int level, const void *buf, int len) {
  const auto *bytes = static_cast<const unsigned char *>(buf);
  for (int off = 0; bytes != nullptr && off < len; off += 16) {
    char hex[16 * 3 + 1] = {};
    int pos = 0;
    for (int i = off; i < len && i < off + 16; ++i) {
      pos += std::snprintf(hex + pos, sizeof hex - static_cast<size_t>(pos), " %02x", bytes[i]);
    }
    trace_printf(function, line, level, true, "%04x:%s", static_cast<unsigned>(off), hex);
  }
}

}  // extern "C"
