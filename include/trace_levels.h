/* Trace levels of OP-TEE's TA dev kit, used by trace.h and by
 * CFG_TEE_TA_LOG_LEVEL: 0 prints nothing, 1 errors, 2 also information
 * (captee's default), 3 also debug, 4 also function flow. */
#ifndef TRACE_LEVELS_H
#define TRACE_LEVELS_H

#define TRACE_MIN 1
#define TRACE_ERROR TRACE_MIN
#define TRACE_INFO 2
#define TRACE_DEBUG 3
#define TRACE_FLOW 4
#define TRACE_MAX TRACE_FLOW

/* The level a plain printf-style message is logged at. */
#define TRACE_PRINTF_LEVEL TRACE_ERROR

#endif /* TRACE_LEVELS_H */
