/* The GP test TA's UUID and commands (shared by the TA and the tests). */
#ifndef TEEC_TEST_TA_H
#define TEEC_TEST_TA_H

#define TEEC_TEST_TA_UUID                            \
  {                                                  \
    0x7e57c0de, 0x0001, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 \
    }                                                \
  }
#define TEEC_TEST_TA_FILE "7e57c0de-0001-4000-8000-000000000001"

/* params[0] value in {a, b}, params[1] value out {a + b, a * b},
 * params[2] value inout (a += 1, b -= 1). */
#define TEEC_TEST_CMD_VALUES 0
/* params[0] memref in, params[1] memref out: copies; SHORT_BUFFER (with the
 * required size) if the output is too small. */
#define TEEC_TEST_CMD_COPY 1
/* TEE_Panic(0xdead). */
#define TEEC_TEST_CMD_PANIC 2
/* params[0] memref inout: every byte x becomes x ^ 0xFF; params[1] value
 * out {a = sum of the input bytes, b = size}. */
#define TEEC_TEST_CMD_INVERT 3
/* Exercises the Internal API subset; params[0] value out {a = 1 if every
 * check passed, b = REE seconds}. */
#define TEEC_TEST_CMD_INTERNAL_API 4
/* params[0] value out {a = number of TA_OpenSessionEntryPoint calls so far
 * in this instance, b = number of TA_CreateEntryPoint calls}. */
#define TEEC_TEST_CMD_COUNTERS 5

/* Unmasks cancellation and TEE_Wait(params[0].value.a ms, 0 = infinite);
 * returns what TEE_Wait returned. */
#define TEEC_TEST_CMD_WAIT 6
/* Unmasks cancellation and polls TEE_GetCancellationFlag for up to 10 s:
 * TEE_ERROR_CANCEL once it is set, else TEE_SUCCESS. */
#define TEEC_TEST_CMD_POLL_CANCEL 7
/* params[0] value out {a = login}, params[1] memref out: the client UUID
 * (TEE_UUID, 16 bytes) from gpd.client.identity. */
#define TEEC_TEST_CMD_IDENTITY 8
/* params[0] memref inout: waits (up to 5 s) until the client writes 0x5A into
 * its first byte *during* the call, then writes 0xA5 into its second byte.
 * Only possible if the memref is shared memory (zero-copy). */
#define TEEC_TEST_CMD_SEE_LIVE_WRITE 9

/* TEE_CheckMemoryAccessRights from inside the TA. params[0] memref in,
 * params[1] memref inout, params[2] value out {a = bit n set if check n
 * failed, b = number of checks}, params[3] value in {a = 1 if params[0] is a
 * window of larger shared memory whose next 16 bytes are shared too}. */
#define TEEC_TEST_CMD_ACCESS_RIGHTS 10
#define TEEC_TEST_ACCESS_RIGHTS_CHECKS 23
/* params[0] memref in: the TA writes 0xEE over it (which must never reach
 * the client; a read-only mapping kills the TA). */
#define TEEC_TEST_CMD_WRITE_INPUT 11
/* params[0] memref of any direction, params[1] value out {a = sum of its
 * bytes (0 if output-only), b = its size}; an output or in/out memref is then
 * filled with 0x5A. */
#define TEEC_TEST_CMD_MEMREF_INFO 12
/* What a TA can reach around a memref (tests/teec/teec_hostile_memory_test.cpp).
 * params[0] memref of any direction, params[1] value in {a = magic, b = n},
 * params[2] value out {a = bit t set for every tag record t < 32 found, b =
 * number of readable pages scanned}, params[3] value out {a = the same for
 * the TA mapping every descriptor of its process itself, b = descriptors
 * mapped}. Scans every readable page from n pages before the first page of
 * params[0]'s window to n pages after its last for 16-byte tag records: the
 * words magic, t, ~magic, ~t (host order). */
#define TEEC_TEST_CMD_SCAN_AROUND 13

#endif /* TEEC_TEST_TA_H */
