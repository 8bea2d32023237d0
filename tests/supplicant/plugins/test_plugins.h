/* What the supplicant tests share: the test plugins' UUIDs and commands,
 * used by the plugins themselves (C, OP-TEE's plugin interface), the test TA
 * and the GoogleTest suites. */
#ifndef CAPTEE_TEST_PLUGINS_H
#define CAPTEE_TEST_PLUGINS_H

/* echo.plugin: a well-behaved plugin. */
#define TEST_ECHO_PLUGIN_UUID                        \
  {                                                  \
    0x7e57c0de, 0x5e00, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 \
    }                                                \
  }
#define TEST_ECHO_UPPER 0     /* upper-cases the buffer; out_len = in_len */
#define TEST_ECHO_COUNTS 1    /* 8 bytes: init calls, invoke calls (u32 each, host order) */
#define TEST_ECHO_SUB_CMD 2   /* 4 bytes: sub_cmd (host order) */
#define TEST_ECHO_FAIL 3      /* returns sub_cmd as its TEEC_Result, out_len 0 */
#define TEST_ECHO_SHORT 4     /* TEEC_ERROR_SHORT_BUFFER, out_len = sub_cmd */
#define TEST_ECHO_NO_OUTPUT 5 /* writes 'Z' over the buffer but says out_len 0 */
#define TEST_ECHO_PID 6       /* 4 bytes: the supplicant's pid */

/* hostile.plugin: a plugin that misbehaves on command. */
#define TEST_HOSTILE_PLUGIN_UUID                     \
  {                                                  \
    0x7e57c0de, 0x5e00, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02 \
    }                                                \
  }
#define TEST_HOSTILE_CLAIM_MORE 0 /* fills the buffer with 'H', out_len = in_len + sub_cmd */
#define TEST_HOSTILE_HANG 1       /* never returns */
#define TEST_HOSTILE_WRITE_PAST 2 /* writes one byte past in_len */
#define TEST_HOSTILE_CLAIM_HUGE 3 /* out_len = SIZE_MAX */

/* log.plugin: the same interface as OP-TEE's syslog plugin example (command
 * 0 logs the buffer at priority sub_cmd), writing to the file named by
 * $CAPTEE_TEST_LOG_PLUGIN_FILE ("<priority> <text>" lines) so a test can read
 * it, else to syslog. */
#define TEST_LOG_PLUGIN_UUID                         \
  {                                                  \
    0x7e57c0de, 0x5e00, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a \
    }                                                \
  }
#define TEST_LOG_TO_LOG 0

/* No plugin has this one. */
#define TEST_ABSENT_PLUGIN_UUID                      \
  {                                                  \
    0x7e57c0de, 0x5e00, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff \
    }                                                \
  }

/* Plugins that must not load (tests/supplicant/plugins/bad_*.c). */
#define TEST_INIT_FAILS_PLUGIN_UUID                  \
  {                                                  \
    0x7e57c0de, 0x5e00, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b \
    }                                                \
  }
#define TEST_INIT_FAILS_RESULT 0xFFFF0007u /* TEEC_ERROR_BAD_STATE */

#endif /* CAPTEE_TEST_PLUGINS_H */
