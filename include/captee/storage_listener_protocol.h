/* How capteed keeps its durable store's files in captee-supplicant (capteed
 * --storage-backend supplicant; docs/STORAGE.md, decision 0030): the facts
 * both sides share.
 *
 * captee-supplicant --storage-dir DIR registers an IListenerCBO and a shared
 * region under CAPTEE_STORAGE_LISTENER_ID with IRegisterListenerCBO. capteed
 * (never a TA: TAs' host environments hide this listener) runs the store's
 * SQLite file I/O through it, one operation at a time. Everything that
 * crosses is SQLite pages of records capteed sealed: the supplicant holds
 * opaque bytes. capteed names a file by a small number, never by a path, so
 * the supplicant opens only its few fixed names inside DIR.
 *
 * One operation, laid out in the region (little-endian), answered in place:
 *
 *   @0   u32 op      CAPTEE_STORAGE_OP_*                      (capteed)
 *   @4   u32 file    CAPTEE_STORAGE_FILE_*                    (capteed)
 *   @8   u64 offset  READ, WRITE: where in the file           (capteed)
 *   @16  u32 length  READ: bytes wanted; WRITE: bytes at @40   (capteed)
 *                    at most CAPTEE_STORAGE_MAX_DATA
 *   @20  u32 result  CAPTEE_STORAGE_RESULT_*                  (supplicant)
 *   @24  u64 value   TRUNCATE: the new size                   (capteed)
 *                    READ: bytes read (<= length; fewer: the file ends)
 *                    SIZE: the file's size; ACCESS: 1 if it exists, else 0
 *                                                             (supplicant)
 *   @32  u64 reserved 0
 *   @40  data: WRITE's bytes in; READ's bytes out
 *
 * capteed writes the header (and WRITE's data), invokes IListenerCBO.request
 * (op 0), then copies the header and at most `length` bytes back once and
 * checks every field the supplicant wrote before it uses any: a result it
 * does not know, a READ longer than asked, an ACCESS other than 0 or 1 or a
 * SIZE above CAPTEE_STORAGE_MAX_FILE_SIZE is an I/O error, never trusted.
 * The supplicant checks length against its region before it touches a byte.
 */
#ifndef CAPTEE_STORAGE_LISTENER_PROTOCOL_H
#define CAPTEE_STORAGE_LISTENER_PROTOCOL_H

/* OP-TEE's RPC command number for its REE file system (OPTEE_RPC_CMD_FS),
 * which tee-supplicant serves for the same job. */
#define CAPTEE_STORAGE_LISTENER_ID 2u

#define CAPTEE_STORAGE_OP_READ 1u
#define CAPTEE_STORAGE_OP_WRITE 2u
#define CAPTEE_STORAGE_OP_TRUNCATE 3u
#define CAPTEE_STORAGE_OP_SYNC 4u
#define CAPTEE_STORAGE_OP_SIZE 5u
#define CAPTEE_STORAGE_OP_DELETE 6u /* a missing file is not an error */
#define CAPTEE_STORAGE_OP_ACCESS 7u

/* The files of one store: SQLite's database, its write-ahead log and its
 * rollback journal (used only while WAL mode is being set up). */
#define CAPTEE_STORAGE_FILE_DB 0u
#define CAPTEE_STORAGE_FILE_WAL 1u
#define CAPTEE_STORAGE_FILE_JOURNAL 2u
#define CAPTEE_STORAGE_FILE_COUNT 3u

#define CAPTEE_STORAGE_RESULT_OK 0u
#define CAPTEE_STORAGE_RESULT_IO 1u      /* the file system failed */
#define CAPTEE_STORAGE_RESULT_NOSPACE 2u /* ENOSPC, EDQUOT, EFBIG */
#define CAPTEE_STORAGE_RESULT_BAD 3u     /* a request the supplicant refuses */

#define CAPTEE_STORAGE_OFF_OP 0u
#define CAPTEE_STORAGE_OFF_FILE 4u
#define CAPTEE_STORAGE_OFF_OFFSET 8u
#define CAPTEE_STORAGE_OFF_LENGTH 16u
#define CAPTEE_STORAGE_OFF_RESULT 20u
#define CAPTEE_STORAGE_OFF_VALUE 24u
#define CAPTEE_STORAGE_HEADER_SIZE 40u

/* The most data one operation carries; capteed splits larger reads and
 * writes. */
#define CAPTEE_STORAGE_MAX_DATA (64u * 1024u)

/* The largest file size capteed believes (1 TiB). */
#define CAPTEE_STORAGE_MAX_FILE_SIZE (1ull << 40)

/* The region captee-supplicant registers: a header and the largest data. */
#define CAPTEE_STORAGE_REGION_SIZE (CAPTEE_STORAGE_HEADER_SIZE + CAPTEE_STORAGE_MAX_DATA)

#endif /* CAPTEE_STORAGE_LISTENER_PROTOCOL_H */
