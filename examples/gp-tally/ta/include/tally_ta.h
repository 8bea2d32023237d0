/* What the tally TA and its clients agree on: its UUID and command ids. */
#ifndef TALLY_TA_H
#define TALLY_TA_H

#define TA_TALLY_UUID                                \
  {                                                  \
    0xfdc0b01c, 0x40f7, 0x46e5, {                    \
      0xae, 0xcb, 0x89, 0xd2, 0x65, 0x76, 0x12, 0x53 \
    }                                                \
  }

/* VALUE_INOUT: a is added to the session's running total; on return a holds
 * the new total and b how many additions the session has made. A total that
 * would pass 2^32-1 is refused with TEE_ERROR_OVERFLOW and left unchanged. */
#define TA_TALLY_CMD_ADD 0
/* MEMREF_INPUT, MEMREF_OUTPUT: the input's bytes in reverse order. An output
 * smaller than the input gives TEE_ERROR_SHORT_BUFFER with its size set to
 * the size needed. */
#define TA_TALLY_CMD_REVERSE 1
/* MEMREF_INOUT: ASCII letters upper-cased in place. */
#define TA_TALLY_CMD_SHOUT 2

#endif /* TALLY_TA_H */
