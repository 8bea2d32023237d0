/* OP-TEE-style TA logging: IMSG (info), DMSG (debug), EMSG (error), printf
 * format, one line each on the TA host's stderr (which capteed forwards to its
 * log). DMSG prints only when CFG_TEE_TA_LOG_LEVEL >= 3 at compile time. */
#ifndef CAPTEE_TRACE_H
#define CAPTEE_TRACE_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef CFG_TEE_TA_LOG_LEVEL
#define CFG_TEE_TA_LOG_LEVEL 2
#endif

#define TRACE_ERROR 1
#define TRACE_INFO 2
#define TRACE_DEBUG 3

/* Writes one log line (thread-safe). */
void captee_trace_printf(const char *func, int line, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define EMSG(...) captee_trace_printf(__func__, __LINE__, TRACE_ERROR, __VA_ARGS__)
#define IMSG(...)                                                       \
  do {                                                                  \
    if (CFG_TEE_TA_LOG_LEVEL >= TRACE_INFO)                             \
      captee_trace_printf(__func__, __LINE__, TRACE_INFO, __VA_ARGS__); \
  } while (0)
#define DMSG(...)                                                        \
  do {                                                                   \
    if (CFG_TEE_TA_LOG_LEVEL >= TRACE_DEBUG)                             \
      captee_trace_printf(__func__, __LINE__, TRACE_DEBUG, __VA_ARGS__); \
  } while (0)

#ifdef __cplusplus
}
#endif

#endif /* CAPTEE_TRACE_H */
