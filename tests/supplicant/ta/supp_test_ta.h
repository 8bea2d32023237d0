/* The supplicant tests' GP TA: its UUID and commands. */
#ifndef SUPP_TEST_TA_H
#define SUPP_TEST_TA_H

#define SUPP_TEST_TA_UUID                            \
  {                                                  \
    0x7e57c0de, 0x5e01, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 \
    }                                                \
  }

/* Which plugin a call names (params[0].value.a of SUPP_TA_CMD_CALL). */
#define SUPP_TA_PLUGIN_ECHO 0
#define SUPP_TA_PLUGIN_HOSTILE 1
#define SUPP_TA_PLUGIN_LOG 2
#define SUPP_TA_PLUGIN_ABSENT 3

/* [in] value a: plugin, b: cmd; [inout] value in a: sub_cmd, out a: outlen,
 * b: 1 if the bytes after the TA's buffer are untouched; [inout] memref (or
 * NONE: no buffer). Returns tee_invoke_supp_plugin's result. */
#define SUPP_TA_CMD_CALL 0
/* [out] value a: 0, or the number of the first argument check that failed. */
#define SUPP_TA_CMD_BAD_ARGS 1
/* Hands the plugin a length that runs past the end of a mapping: panics. */
#define SUPP_TA_CMD_PAST_MAPPING 2
/* Hands a read-only outlen pointer: panics. */
#define SUPP_TA_CMD_OUTLEN_READ_ONLY 3
/* [in] memref: hands the client's input memref itself as the plugin's
 * (writable) buffer: panics. */
#define SUPP_TA_CMD_INPUT_MEMREF 4
/* As OP-TEE's plugins example: logs "Hello, plugin! value = 0x<n>" through
 * the log plugin at priority 6 (LOG_INFO), n counting the calls. */
#define SUPP_TA_CMD_PING 5

#endif /* SUPP_TEST_TA_H */
