/* The tally TA's manifest: read by the TA runtime and captee_add_ta(). */
#ifndef USER_TA_HEADER_DEFINES_H
#define USER_TA_HEADER_DEFINES_H

#include <tally_ta.h>

#define TA_UUID TA_TALLY_UUID
/* Every client session gets an instance of its own: totals never mix. */
#define TA_FLAGS 0
#define TA_STACK_SIZE (4 * 1024)
#define TA_DATA_SIZE (64 * 1024)
#define TA_VERSION "1.0"
#define TA_DESCRIPTION "captee example: a running total per session, and two memref commands"

#endif /* USER_TA_HEADER_DEFINES_H */
