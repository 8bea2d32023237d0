/* The remoteproc TA's interface as a normal-world client sees it: OP-TEE's
 * ta/remoteproc UUID and command ids (shared/specs/remoteproc.md), which captee
 * keeps so Linux's remoteproc_tee driver works unchanged.
 *
 * Shared by the TA (captee/ta/remoteproc_ta.hpp) and its clients
 * (src/rproc/tee_link.cpp), so the two cannot drift apart. Plain C so a C
 * client can include it next to tee_client_api.h.
 *
 * Every command takes params[0] VALUE_INPUT with value.a = rproc_id; the other
 * parameters are listed with each command.
 */
#ifndef CAPTEE_REMOTEPROC_TA_PROTOCOL_H
#define CAPTEE_REMOTEPROC_TA_PROTOCOL_H

/* 80a4c275-0a47-4905-8285-1486a9771a08 (OP-TEE's TA_REMOTEPROC_UUID), as an
 * initializer for a TEE_UUID or a TEEC_UUID (the two share one layout). */
#define CAPTEE_REMOTEPROC_TA_UUID                    \
  {                                                  \
    0x80a4c275, 0x0a47, 0x4905, {                    \
      0x82, 0x85, 0x14, 0x86, 0xa9, 0x77, 0x1a, 0x08 \
    }                                                \
  }

/* [1] MEMREF_INPUT: the whole signed image. */
#define CAPTEE_RPROC_CMD_LOAD_FW 1u
#define CAPTEE_RPROC_CMD_START_FW 2u
#define CAPTEE_RPROC_CMD_STOP_FW 3u
/* [1] VALUE_OUTPUT address lo/hi, [2] VALUE_OUTPUT size lo/hi (0/0: no table). */
#define CAPTEE_RPROC_CMD_GET_RSC_TABLE 4u
/* [1] MEMREF_OUTPUT: an ELF32 core file (upstream: NOT_IMPLEMENTED). */
#define CAPTEE_RPROC_CMD_GET_COREDUMP 5u
#define CAPTEE_RPROC_CMD_RELEASE_FW 6u

#endif /* CAPTEE_REMOTEPROC_TA_PROTOCOL_H */
