/* OP-TEE-style TA logging: EMSG (error), IMSG (information), DMSG (debug),
 * FMSG (function flow), MSG (any level) and their _RAW forms without the
 * function and line, printf format, one line each on the TA host's stderr
 * (which capteed forwards to its log). tee_internal_api.h includes this
 * header, as OP-TEE's does, so a TA may log without including it.
 *
 * The level is chosen at compile time: TRACE_LEVEL if defined, else
 * CFG_TEE_TA_LOG_LEVEL (OP-TEE's make variable; captee's default is 2, errors
 * and information). A macro above the level compiles to nothing, so with
 * CFG_TEE_TA_LOG_LEVEL=0 no message is built at all, as in OP-TEE. */
#ifndef TRACE_H
#define TRACE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <compiler.h>
#include <trace_levels.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAX_PRINT_SIZE 256
#define MAX_FUNC_PRINT_SIZE 32

#ifndef CFG_TEE_TA_LOG_LEVEL
#define CFG_TEE_TA_LOG_LEVEL TRACE_INFO
#endif
#ifndef TRACE_LEVEL
#define TRACE_LEVEL CFG_TEE_TA_LOG_LEVEL
#endif

/* The level below which trace_printf() prints at run time (messages with
 * level_ok false print at any level); starts at TRACE_MAX, so the compile-time
 * level alone decides unless the TA lowers it. */
extern int trace_level;
/* Put in front of every line ("TA"). */
extern const char trace_ext_prefix[];
/* Writes one finished line (thread-safe). */
void trace_ext_puts(const char *str);
int trace_ext_get_thread_id(void);
void trace_set_level(int level);
int trace_get_level(void);

/* Formats and writes one line: "<L>/TA: <func>:<line> <message>" (func NULL:
 * "<L>/TA: <message>"), L one of E, I, D, F; a message is cut at 511
 * bytes. */
void trace_printf(const char *func, int line, int level, bool level_ok, const char *fmt, ...)
    __printf(5, 6);
void trace_vprintf(const char *func, int line, int level, bool level_ok, const char *fmt,
                   va_list ap) __printf(5, 0);
/* Logs len bytes at buf in hex, 16 to a line. */
void dhex_dump(const char *function, int line, int level, const void *buf, int len);

/* captee's earlier logging entry point, kept for TAs built against it. */
void captee_trace_printf(const char *func, int line, int level, const char *fmt, ...)
    __printf(4, 5);

#define trace_printf_helper(level, level_ok, ...) \
  trace_printf(__func__, __LINE__, (level), (level_ok), __VA_ARGS__)
#define trace_printf_helper_raw(level, level_ok, ...) \
  trace_printf(NULL, 0, (level), (level_ok), __VA_ARGS__)

#if (TRACE_LEVEL <= 0)
#define MSG(...) (void)0
#define MSG_RAW(...) (void)0
#define SMSG(...) (void)0
#else
#define MSG(...) trace_printf_helper(0, false, __VA_ARGS__)
#define MSG_RAW(...) trace_printf_helper_raw(0, false, __VA_ARGS__)
/* OP-TEE's "synchronised" message: in a TA it is an error-level line. */
#define SMSG(...) trace_printf(__func__, __LINE__, TRACE_ERROR, true, __VA_ARGS__)
#endif

#if (TRACE_LEVEL < TRACE_ERROR)
#define EMSG(...) (void)0
#define EMSG_RAW(...) (void)0
#else
#define EMSG(...) trace_printf_helper(TRACE_ERROR, true, __VA_ARGS__)
#define EMSG_RAW(...) trace_printf_helper_raw(TRACE_ERROR, true, __VA_ARGS__)
#endif

#if (TRACE_LEVEL < TRACE_INFO)
#define IMSG(...) (void)0
#define IMSG_RAW(...) (void)0
#else
#define IMSG(...) trace_printf_helper(TRACE_INFO, true, __VA_ARGS__)
#define IMSG_RAW(...) trace_printf_helper_raw(TRACE_INFO, true, __VA_ARGS__)
#endif

#if (TRACE_LEVEL < TRACE_DEBUG)
#define DMSG(...) (void)0
#define DMSG_RAW(...) (void)0
#define DHEXDUMP(buf, len) (void)0
#else
#define DMSG(...) trace_printf_helper(TRACE_DEBUG, true, __VA_ARGS__)
#define DMSG_RAW(...) trace_printf_helper_raw(TRACE_DEBUG, true, __VA_ARGS__)
#define DHEXDUMP(buf, len) dhex_dump(__func__, __LINE__, TRACE_DEBUG, (buf), (len))
#endif

#if (TRACE_LEVEL < TRACE_FLOW)
#define FMSG(...) (void)0
#define FMSG_RAW(...) (void)0
#else
#define FMSG(...) trace_printf_helper(TRACE_FLOW, true, __VA_ARGS__)
#define FMSG_RAW(...) trace_printf_helper_raw(TRACE_FLOW, true, __VA_ARGS__)
#endif

/* Function entry and exit at the flow level; OUTRMSG(r) also returns r. */
#define INMSG(...) FMSG("> " __VA_ARGS__)
#define OUTMSG(...) FMSG("< " __VA_ARGS__)
#define OUTRMSG(r)         \
  do {                     \
    OUTMSG("r=[%x]", (r)); \
    return (r);            \
  } while (0)

#ifdef __cplusplus
}
#endif

#endif /* TRACE_H */
