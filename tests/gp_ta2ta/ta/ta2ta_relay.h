/* The relay TA of tests/gp_ta2ta (OP-TEE style, shared by the TA and the
 * tests): a GP TA that opens a session to another TA and passes its client's
 * calls on (GP TA-to-TA). Built four times: multi-instance, two
 * single-instance, multi-session variants, and multi-instance in the GP v1.1
 * compatibility mode. Each instance of the relay holds
 * at most one session to a target TA, shared by its sessions. */
#ifndef TA2TA_RELAY_H
#define TA2TA_RELAY_H

#define TA2TA_RELAY_UUID                             \
  {                                                  \
    0x7e57c0de, 0x0021, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21 \
    }                                                \
  }
#define TA2TA_RELAY_SINGLE_UUID                      \
  {                                                  \
    0x7e57c0de, 0x0022, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x22 \
    }                                                \
  }
#define TA2TA_RELAY_SINGLE2_UUID                     \
  {                                                  \
    0x7e57c0de, 0x0023, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x23 \
    }                                                \
  }
#define TA2TA_RELAY_GP11_UUID                        \
  {                                                  \
    0x7e57c0de, 0x0024, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x24 \
    }                                                \
  }

/* Opens the target (closing the one before): params[0] memref in
 * the target's TEE_UUID (16 bytes), params[1] value in {a =
 * cancellationRequestTimeout}, params[2] value out {a = result, b = origin},
 * params[3] passed to the target's open as its params[0] (any type). Unmasks
 * cancellation first. Answers TEE_SUCCESS (the open's result is in
 * params[2]). */
#define TA2TA_CMD_OPEN 0
/* params[0] value in {a = the target's command for RELAY, b = its
 * cancellationRequestTimeout}. */
#define TA2TA_CMD_TARGET 1
/* Unmasks cancellation, then invokes the target's command with this call's
 * four parameters as they are (the client's memrefs passed on); answers what
 * the target answered. */
#define TA2TA_CMD_RELAY 2
/* params[0] value out {a = the last RELAY's result, b = its origin}. */
#define TA2TA_CMD_LAST 3
/* TEE_CloseTASession of the target. */
#define TA2TA_CMD_CLOSE 4
/* With the target a tests/teec test TA: open/invoke with values and memrefs
 * from the relay's own memory (inline and above 4 KiB, SHORT_BUFFER, null
 * memrefs). params[0] value out {a = bit n set if check n failed, b = number
 * of checks}. */
#define TA2TA_CMD_OWN_BUFFERS 5
/* params[0] value out {a = the target's handle, low 32 bits, b = high}. */
#define TA2TA_CMD_HANDLE 6
/* params[0] value in {a, b}: TEE_CloseTASession((a | b << 32)), a handle of
 * the caller's choosing. */
#define TA2TA_CMD_CLOSE_HANDLE 7
/* params[0] value in {a, b}: TEE_InvokeTACommand on the handle (a | b << 32),
 * command TA2TA_CMD_LAST of a relay. */
#define TA2TA_CMD_INVOKE_HANDLE 8
/* params[0] value in {a = kind}: invokes the target's TEEC_TEST_CMD_COPY with
 * a memref the relay cannot pass: 1 an address nothing is mapped at, 2 the
 * relay's read-only data as the output, 3 a range running off the end of a
 * mapping, 4 params[1] (the client's memref input) as the output. */
#define TA2TA_CMD_BOGUS 9
/* As RELAY, with cancellation left masked. */
#define TA2TA_CMD_RELAY_MASKED 10
/* params[0] value out {a = login}, params[1] memref out: the client's UUID
 * (TEE_UUID, 16 bytes), from gpd.client.identity. */
#define TA2TA_CMD_IDENTITY 11
/* params[0] value in {a = milliseconds}: holds this instance's entry point
 * for that long (TEE_Wait, cancellation masked), then invokes the target's
 * command with params[0] a VALUE_OUTPUT of its own; LAST tells the result.
 * Lets a test cross two chains: each TA waiting for the other. */
#define TA2TA_CMD_WAIT_THEN_RELAY 12

#define TA2TA_BOGUS_UNMAPPED 1
#define TA2TA_BOGUS_READ_ONLY_OUTPUT 2
#define TA2TA_BOGUS_PAST_MAPPING 3
#define TA2TA_BOGUS_INPUT_AS_OUTPUT 4

#endif /* TA2TA_RELAY_H */
