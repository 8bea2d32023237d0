/* The trusted storage test TA: every persistent object, enumeration and
 * data stream function of the GP Internal Core API with its success and
 * error cases, stored keys used after reopening, the misuse the
 * specification makes a panic, and small commands the client tests combine
 * (isolation between TAs, sharing across instances, concurrency). Written
 * as an OP-TEE TA is; in the GP v1.1 mode its lengths are 32 bits
 * (ta_size_t). */
#include <tee_internal_api.h>
#include <tee_api_defines_extensions.h>
#include <tee_internal_api_extensions.h>
#include <string.h>

#include "gp_storage_ta.h"

#if __OPTEE_CORE_API_COMPAT_1_1
typedef uint32_t ta_size_t;
#else
typedef size_t ta_size_t;
#endif

#define CHECK(n, cond)            \
  do {                            \
    if (!(cond)) {                \
      return failed(params, (n)); \
    }                             \
  } while (0)

#define RW (TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE)
#define ALL_ACCESS (RW | TEE_DATA_FLAG_ACCESS_WRITE_META)
#define SHARE_ALL (TEE_DATA_FLAG_SHARE_READ | TEE_DATA_FLAG_SHARE_WRITE)

/* A handle an instance keeps open between commands (GP_STORAGE_CMD_HOLD). */
static TEE_ObjectHandle held = TEE_HANDLE_NULL;

static TEE_Result failed(TEE_Param params[4], uint32_t n) {
  EMSG("check %u failed", n);
  params[0].value.a = n;
  return TEE_ERROR_GENERIC;
}

static bool same(const void *a, const void *b, size_t n) {
  return TEE_MemCompare(a, b, n) == 0;
}

/* Deletes every object of this TA in `storage`. */
static void delete_all(uint32_t storage) {
  TEE_ObjectEnumHandle e = TEE_HANDLE_NULL;
  if (TEE_AllocatePersistentObjectEnumerator(&e) != TEE_SUCCESS) {
    return;
  }
  if (TEE_StartPersistentObjectEnumerator(e, storage) == TEE_SUCCESS) {
    uint8_t id[TEE_OBJECT_ID_MAX_LEN];
    ta_size_t len = sizeof id;
    TEE_ObjectInfo info;
    while (TEE_GetNextPersistentObject(e, &info, id, &len) == TEE_SUCCESS) {
      TEE_ObjectHandle o = TEE_HANDLE_NULL;
      if (TEE_OpenPersistentObject(storage, id, len, TEE_DATA_FLAG_ACCESS_WRITE_META, &o) ==
          TEE_SUCCESS) {
        TEE_CloseAndDeletePersistentObject1(o);
      }
      len = sizeof id;
    }
  }
  TEE_FreePersistentObjectEnumerator(e);
}

/* Counts this TA's objects in `storage` by enumeration; -1 on an error. */
static int count_objects(uint32_t storage) {
  TEE_ObjectEnumHandle e = TEE_HANDLE_NULL;
  if (TEE_AllocatePersistentObjectEnumerator(&e) != TEE_SUCCESS) {
    return -1;
  }
  int n = 0;
  TEE_Result r = TEE_StartPersistentObjectEnumerator(e, storage);
  if (r == TEE_SUCCESS) {
    uint8_t id[TEE_OBJECT_ID_MAX_LEN];
    ta_size_t len = sizeof id;
    while ((r = TEE_GetNextPersistentObject(e, NULL, id, &len)) == TEE_SUCCESS) {
      ++n;
      len = sizeof id;
    }
  }
  TEE_FreePersistentObjectEnumerator(e);
  return r == TEE_ERROR_ITEM_NOT_FOUND ? n : -1;
}

static TEE_Result open_obj(const char *id, uint32_t flags, TEE_ObjectHandle *o) {
  return TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, id, strlen(id), flags, o);
}

static TEE_Result create_obj(const char *id, uint32_t flags, const void *data, size_t len,
                             TEE_ObjectHandle *o) {
  return TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, id, strlen(id), flags, TEE_HANDLE_NULL,
                                    data, len, o);
}

/* Reads up to `cap` bytes at the handle's position; the count, or -1. */
static long read_some(TEE_ObjectHandle o, void *buf, size_t cap) {
  ta_size_t n = 0;
  if (TEE_ReadObjectData(o, buf, cap, &n) != TEE_SUCCESS) {
    return -1;
  }
  return (long)n;
}

/* Persistent objects: create, open, info, access and sharing. */
static TEE_Result api_objects(TEE_Param params[4]) {
  TEE_ObjectHandle a = TEE_HANDLE_NULL, b = TEE_HANDLE_NULL, c = TEE_HANDLE_NULL;
  TEE_ObjectInfo info;
  uint8_t buf[64];

  a = (TEE_ObjectHandle)(uintptr_t)1;
  CHECK(1, open_obj("obj", TEE_DATA_FLAG_ACCESS_READ, &a) == TEE_ERROR_ITEM_NOT_FOUND);
  CHECK(2, a == TEE_HANDLE_NULL);
  CHECK(3, TEE_OpenPersistentObject(0x42, "obj", 3, TEE_DATA_FLAG_ACCESS_READ, &a) ==
               TEE_ERROR_ITEM_NOT_FOUND);
  CHECK(4, create_obj("obj", ALL_ACCESS, "hello", 5, &a) == TEE_SUCCESS);
  CHECK(5, TEE_GetObjectInfo1(a, &info) == TEE_SUCCESS);
  CHECK(6, info.objectType == TEE_TYPE_DATA && info.dataSize == 5 && info.dataPosition == 0);
  CHECK(7, (info.handleFlags & (TEE_HANDLE_FLAG_PERSISTENT | TEE_HANDLE_FLAG_INITIALIZED)) ==
               (TEE_HANDLE_FLAG_PERSISTENT | TEE_HANDLE_FLAG_INITIALIZED));
  CHECK(8, (info.handleFlags & ALL_ACCESS) == ALL_ACCESS);
  /* Exists: a create without OVERWRITE conflicts; with it, while open, too. */
  CHECK(9, create_obj("obj", ALL_ACCESS, NULL, 0, &b) == TEE_ERROR_ACCESS_CONFLICT);
  CHECK(10, b == TEE_HANDLE_NULL);
  CHECK(11, create_obj("obj", ALL_ACCESS | TEE_DATA_FLAG_OVERWRITE, NULL, 0, &b) ==
                TEE_ERROR_ACCESS_CONFLICT);
  /* WRITE_META wants the object alone. */
  CHECK(12,
        open_obj("obj", TEE_DATA_FLAG_ACCESS_READ | SHARE_ALL, &b) == TEE_ERROR_ACCESS_CONFLICT);
  TEE_CloseObject(a);
  /* Overwrite when closed replaces it. */
  CHECK(13, create_obj("obj", RW | TEE_DATA_FLAG_OVERWRITE, "bye", 3, &a) == TEE_SUCCESS);
  CHECK(14, TEE_GetObjectInfo1(a, &info) == TEE_SUCCESS && info.dataSize == 3);
  TEE_CloseObject(a);
  /* Readers sharing reading. */
  CHECK(15,
        open_obj("obj", TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_SHARE_READ, &a) == TEE_SUCCESS);
  CHECK(16,
        open_obj("obj", TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_SHARE_READ, &b) == TEE_SUCCESS);
  /* Positions are per handle. */
  CHECK(17, read_some(a, buf, 2) == 2 && same(buf, "by", 2));
  CHECK(18, read_some(b, buf, 3) == 3 && same(buf, "bye", 3));
  CHECK(19, read_some(a, buf, 10) == 1 && buf[0] == 'e');
  /* A writer needs everyone to share writing; a reader not sharing reading
   * conflicts; so does any WRITE_META. */
  CHECK(20,
        open_obj("obj", TEE_DATA_FLAG_ACCESS_WRITE | SHARE_ALL, &c) == TEE_ERROR_ACCESS_CONFLICT);
  CHECK(21, open_obj("obj", TEE_DATA_FLAG_ACCESS_READ, &c) == TEE_ERROR_ACCESS_CONFLICT);
  CHECK(22, open_obj("obj", TEE_DATA_FLAG_ACCESS_WRITE_META | SHARE_ALL, &c) ==
                TEE_ERROR_ACCESS_CONFLICT);
  CHECK(23, open_obj("obj", TEE_DATA_FLAG_SHARE_READ, &c) == TEE_SUCCESS);
  TEE_CloseObject(c);
  TEE_CloseObject(a);
  TEE_CloseObject(b);
  /* Two handles sharing reading and writing see each other's data. */
  CHECK(24, open_obj("obj", RW | SHARE_ALL, &a) == TEE_SUCCESS);
  CHECK(25, open_obj("obj", RW | SHARE_ALL, &b) == TEE_SUCCESS);
  CHECK(26, TEE_WriteObjectData(a, "ZZ", 2) == TEE_SUCCESS);
  CHECK(27, read_some(b, buf, 10) == 3 && same(buf, "ZZe", 3));
  CHECK(28, TEE_SeekObjectData(a, 0, TEE_DATA_SEEK_END) == TEE_SUCCESS);
  CHECK(29, TEE_WriteObjectData(a, "tail", 4) == TEE_SUCCESS);
  CHECK(30, TEE_GetObjectInfo1(b, &info) == TEE_SUCCESS && info.dataSize == 7 &&
                info.dataPosition == 3);
  TEE_CloseObject(a);
  TEE_CloseObject(b);
  /* Storage ids: PRIVATE_REE is PRIVATE's namespace, RPMB another. */
  CHECK(31, TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE_REE, "obj", 3, TEE_DATA_FLAG_ACCESS_READ,
                                     &a) == TEE_SUCCESS);
  CHECK(32, read_some(a, buf, 10) == 7 && same(buf, "ZZetail", 7));
  TEE_CloseObject(a);
  CHECK(33, TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE_RPMB, "obj", 3, TEE_DATA_FLAG_ACCESS_READ,
                                     &a) == TEE_ERROR_ITEM_NOT_FOUND);
  CHECK(34, TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE_RPMB, "obj", 3, ALL_ACCESS,
                                       TEE_HANDLE_NULL, "rpmb", 4, &a) == TEE_SUCCESS);
  CHECK(35, read_some(a, buf, 10) == 4 && same(buf, "rpmb", 4));
  CHECK(36, TEE_CloseAndDeletePersistentObject1(a) == TEE_SUCCESS);
  /* A NULL object pointer: created, then closed at once. */
  CHECK(37, create_obj("closed", ALL_ACCESS, "x", 1, NULL) == TEE_SUCCESS);
  CHECK(38, open_obj("closed", ALL_ACCESS, &a) == TEE_SUCCESS);
  /* The deprecated form deletes too. */
  TEE_CloseAndDeletePersistentObject(a);
  CHECK(39, open_obj("closed", TEE_DATA_FLAG_ACCESS_READ, &a) == TEE_ERROR_ITEM_NOT_FOUND);
  CHECK(40, TEE_CloseAndDeletePersistentObject1(TEE_HANDLE_NULL) == TEE_SUCCESS);
  TEE_CloseObject(TEE_HANDLE_NULL);
  /* The longest id works, in the object's namespace. */
  uint8_t long_id[TEE_OBJECT_ID_MAX_LEN];
  TEE_MemFill(long_id, 0xa5, sizeof long_id);
  CHECK(41, TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, long_id, sizeof long_id, RW,
                                       TEE_HANDLE_NULL, NULL, 0, &a) == TEE_SUCCESS);
  TEE_CloseObject(a);
  CHECK(42, TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, long_id, sizeof long_id,
                                     TEE_DATA_FLAG_ACCESS_WRITE_META, &a) == TEE_SUCCESS);
  CHECK(43, TEE_CloseAndDeletePersistentObject1(a) == TEE_SUCCESS);
  /* A handle kept in a 32-bit value still works. */
  CHECK(44, open_obj("obj", TEE_DATA_FLAG_ACCESS_READ, &a) == TEE_SUCCESS);
  uint32_t as_value = (uint32_t)(uintptr_t)a;
  CHECK(45, (uintptr_t)as_value == (uintptr_t)a);
  TEE_ObjectHandle back = (TEE_ObjectHandle)(uintptr_t)as_value;
  CHECK(46, read_some(back, buf, 2) == 2 && same(buf, "ZZ", 2));
  TEE_CloseObject(back);
  return TEE_SUCCESS;
}

/* Byte i of pattern `stamp`. */
static uint8_t pattern_byte(size_t i, uint8_t stamp) {
  return (uint8_t)(stamp + i % 251);
}

/* A create and a write larger than one ITrustedStorage transfer (1 MiB),
 * which the runtime stages in capteed and commits as one change: 3 MiB
 * created, then 5 MiB written over it from offset 1. */
static TEE_Result huge_streams(TEE_Param params[4]) {
  const size_t created = 3u << 20;
  const size_t written = 5u << 20;
  TEE_ObjectHandle h = TEE_HANDLE_NULL;
  TEE_ObjectInfo info;
  uint8_t *data = TEE_Malloc(written, TEE_MALLOC_FILL_ZERO);
  CHECK(136, data != NULL);
  for (size_t i = 0; i < created; ++i) {
    data[i] = pattern_byte(i, 3);
  }
  CHECK(137, create_obj("huge", ALL_ACCESS, data, created, &h) == TEE_SUCCESS);
  TEE_MemFill(data, 0, written);
  bool good = read_some(h, data, written) == (long)created;
  for (size_t i = 0; good && i < created; ++i) {
    good = data[i] == pattern_byte(i, 3);
  }
  CHECK(138, good);
  for (size_t i = 0; i < written; ++i) {
    data[i] = pattern_byte(i, 5);
  }
  CHECK(139, TEE_SeekObjectData(h, 1, TEE_DATA_SEEK_SET) == TEE_SUCCESS &&
                 TEE_WriteObjectData(h, data, written) == TEE_SUCCESS);
  CHECK(140, TEE_GetObjectInfo1(h, &info) == TEE_SUCCESS && info.dataSize == written + 1 &&
                 info.dataPosition == written + 1);
  uint8_t first = 0;
  CHECK(141, TEE_SeekObjectData(h, 0, TEE_DATA_SEEK_SET) == TEE_SUCCESS &&
                 read_some(h, &first, 1) == 1 && first == pattern_byte(0, 3));
  TEE_MemFill(data, 0, written);
  good = read_some(h, data, written) == (long)written;
  for (size_t i = 0; good && i < written; ++i) {
    good = data[i] == pattern_byte(i, 5);
  }
  TEE_Free(data);
  CHECK(142, good);
  CHECK(143, TEE_CloseAndDeletePersistentObject1(h) == TEE_SUCCESS);
  return TEE_SUCCESS;
}

/* Data streams: read, write, seek, truncate, the largest position. */
static TEE_Result api_streams(TEE_Param params[4]) {
  TEE_ObjectHandle a = TEE_HANDLE_NULL;
  TEE_ObjectInfo info;
  uint8_t buf[64];
  const uint8_t zeros[8] = {0};

  CHECK(101, create_obj("stream", ALL_ACCESS, "hello", 5, &a) == TEE_SUCCESS);
  CHECK(102, read_some(a, buf, sizeof buf) == 5 && same(buf, "hello", 5));
  CHECK(103, read_some(a, buf, sizeof buf) == 0);
  /* Seeking past the end, then writing, fills the gap with zeros. */
  CHECK(104, TEE_SeekObjectData(a, 10, TEE_DATA_SEEK_SET) == TEE_SUCCESS);
  CHECK(105, TEE_WriteObjectData(a, "X", 1) == TEE_SUCCESS);
  CHECK(106, TEE_GetObjectInfo1(a, &info) == TEE_SUCCESS && info.dataSize == 11 &&
                 info.dataPosition == 11);
  CHECK(107, TEE_SeekObjectData(a, -100, TEE_DATA_SEEK_CUR) == TEE_SUCCESS);
  CHECK(108, TEE_GetObjectInfo1(a, &info) == TEE_SUCCESS && info.dataPosition == 0);
  CHECK(109, read_some(a, buf, sizeof buf) == 11 && same(buf, "hello", 5) &&
                 same(buf + 5, zeros, 5) && buf[10] == 'X');
  CHECK(110, TEE_SeekObjectData(a, -1, TEE_DATA_SEEK_END) == TEE_SUCCESS);
  CHECK(111, read_some(a, buf, sizeof buf) == 1 && buf[0] == 'X');
  /* Truncation: the position stays, past the new end too. */
  CHECK(112, TEE_TruncateObjectData(a, 3) == TEE_SUCCESS);
  CHECK(113, TEE_GetObjectInfo1(a, &info) == TEE_SUCCESS && info.dataSize == 3 &&
                 info.dataPosition == 11);
  CHECK(114, read_some(a, buf, sizeof buf) == 0);
  CHECK(115, TEE_TruncateObjectData(a, 6) == TEE_SUCCESS);
  CHECK(116, TEE_SeekObjectData(a, 0, TEE_DATA_SEEK_SET) == TEE_SUCCESS);
  CHECK(117, read_some(a, buf, sizeof buf) == 6 && same(buf, "hel", 3) && same(buf + 3, zeros, 3));
  /* TEE_DATA_MAX_POSITION: the furthest position; nothing is written past
   * it. */
  /* In steps a 32-bit offset (the v1.1 mode's) can take. */
  CHECK(118, TEE_SeekObjectData(a, 0x7fffffff, TEE_DATA_SEEK_SET) == TEE_SUCCESS &&
                 TEE_SeekObjectData(a, 0x7fffffff, TEE_DATA_SEEK_CUR) == TEE_SUCCESS &&
                 TEE_SeekObjectData(a, 1, TEE_DATA_SEEK_CUR) == TEE_SUCCESS);
  CHECK(119, TEE_WriteObjectData(a, "Y", 1) == TEE_ERROR_OVERFLOW);
  CHECK(120, TEE_SeekObjectData(a, 1, TEE_DATA_SEEK_CUR) == TEE_ERROR_OVERFLOW);
  CHECK(121, TEE_GetObjectInfo1(a, &info) == TEE_SUCCESS &&
                 info.dataPosition == TEE_DATA_MAX_POSITION && info.dataSize == 6);
  CHECK(122, read_some(a, buf, sizeof buf) == 0);
#if !__OPTEE_CORE_API_COMPAT_1_1
  CHECK(123, TEE_SeekObjectData(a, (intmax_t)TEE_DATA_MAX_POSITION + 1, TEE_DATA_SEEK_SET) ==
                 TEE_ERROR_OVERFLOW);
  CHECK(124,
        TEE_TruncateObjectData(a, (size_t)TEE_DATA_MAX_POSITION + 1) == TEE_ERROR_STORAGE_NO_SPACE);
#endif
  /* The quota (capteed's --storage-quota, 16 MiB by default): a write far
   * past it fails with nothing changed. */
  CHECK(125, TEE_SeekObjectData(a, 64 << 20, TEE_DATA_SEEK_SET) == TEE_SUCCESS);
  CHECK(126, TEE_WriteObjectData(a, "Z", 1) == TEE_ERROR_STORAGE_NO_SPACE);
  CHECK(127, TEE_GetObjectInfo1(a, &info) == TEE_SUCCESS && info.dataSize == 6);
  /* A transfer of more than one call's worth (1 MiB) goes through whole. */
  CHECK(128, TEE_SeekObjectData(a, 0, TEE_DATA_SEEK_SET) == TEE_SUCCESS);
  const size_t big = (3u << 20) / 2;
  uint8_t *data = TEE_Malloc(big, TEE_MALLOC_FILL_ZERO);
  CHECK(129, data != NULL);
  for (size_t i = 0; i < big; ++i) {
    data[i] = (uint8_t)(i * 7);
  }
  CHECK(130, TEE_WriteObjectData(a, data, big) == TEE_SUCCESS);
  CHECK(131, TEE_SeekObjectData(a, 0, TEE_DATA_SEEK_SET) == TEE_SUCCESS);
  TEE_MemFill(data, 0, big);
  CHECK(132, read_some(a, data, big) == (long)big);
  bool good = true;
  for (size_t i = 0; i < big; ++i) {
    good = good && data[i] == (uint8_t)(i * 7);
  }
  TEE_Free(data);
  CHECK(133, good);
  /* Writing nothing changes nothing. */
  CHECK(134, TEE_WriteObjectData(a, NULL, 0) == TEE_SUCCESS);
  CHECK(135, TEE_CloseAndDeletePersistentObject1(a) == TEE_SUCCESS);
  return huge_streams(params);
}

/* Rename and enumeration. */
static TEE_Result api_rename_enumerate(TEE_Param params[4]) {
  TEE_ObjectHandle a = TEE_HANDLE_NULL, b = TEE_HANDLE_NULL;
  TEE_ObjectEnumHandle e = TEE_HANDLE_NULL;
  TEE_ObjectInfo info;
  uint8_t buf[64];
  uint8_t id[TEE_OBJECT_ID_MAX_LEN];
  ta_size_t len = sizeof id;

  CHECK(201, create_obj("first", ALL_ACCESS, "1", 1, &a) == TEE_SUCCESS);
  CHECK(202, create_obj("second", ALL_ACCESS, "22", 2, &b) == TEE_SUCCESS);
  TEE_CloseObject(b);
  /* Onto a taken id, or its own, conflicts. */
  CHECK(203, TEE_RenamePersistentObject(a, "second", 6) == TEE_ERROR_ACCESS_CONFLICT);
  CHECK(204, TEE_RenamePersistentObject(a, "first", 5) == TEE_ERROR_ACCESS_CONFLICT);
  /* The handle follows the object. */
  CHECK(205, TEE_RenamePersistentObject(a, "renamed", 7) == TEE_SUCCESS);
  CHECK(206, read_some(a, buf, sizeof buf) == 1 && buf[0] == '1');
  CHECK(207, TEE_WriteObjectData(a, "+", 1) == TEE_SUCCESS);
  TEE_CloseObject(a);
  CHECK(208, open_obj("first", TEE_DATA_FLAG_ACCESS_READ, &a) == TEE_ERROR_ITEM_NOT_FOUND);
  CHECK(209, open_obj("renamed", TEE_DATA_FLAG_ACCESS_READ, &a) == TEE_SUCCESS);
  CHECK(210, read_some(a, buf, sizeof buf) == 2 && same(buf, "1+", 2));
  TEE_CloseObject(a);
  /* Enumeration. */
  CHECK(211, TEE_AllocatePersistentObjectEnumerator(&e) == TEE_SUCCESS);
  CHECK(212, TEE_GetNextPersistentObject(e, &info, id, &len) == TEE_ERROR_ITEM_NOT_FOUND);
  CHECK(213, TEE_StartPersistentObjectEnumerator(e, TEE_STORAGE_PRIVATE) == TEE_SUCCESS);
  int seen_renamed = 0, seen_second = 0, others = 0;
  for (;;) {
    len = sizeof id;
    TEE_Result r = TEE_GetNextPersistentObject(e, &info, id, &len);
    if (r == TEE_ERROR_ITEM_NOT_FOUND) {
      break;
    }
    CHECK(214, r == TEE_SUCCESS);
    CHECK(215,
          info.objectType == TEE_TYPE_DATA && (info.handleFlags & TEE_HANDLE_FLAG_PERSISTENT) != 0);
    if (len == 7 && same(id, "renamed", 7)) {
      CHECK(216, info.dataSize == 2);
      ++seen_renamed;
    } else if (len == 6 && same(id, "second", 6)) {
      CHECK(217, info.dataSize == 2);
      ++seen_second;
    } else {
      ++others; /* "obj" from api_objects */
    }
  }
  CHECK(218, seen_renamed == 1 && seen_second == 1 && others == 1);
  len = sizeof id;
  CHECK(219, TEE_GetNextPersistentObject(e, &info, id, &len) == TEE_ERROR_ITEM_NOT_FOUND);
  /* Reset: not started again until Start. */
  TEE_ResetPersistentObjectEnumerator(e);
  CHECK(220, TEE_GetNextPersistentObject(e, &info, id, &len) == TEE_ERROR_ITEM_NOT_FOUND);
  CHECK(221, TEE_StartPersistentObjectEnumerator(e, TEE_STORAGE_PRIVATE_REE) == TEE_SUCCESS);
  CHECK(222, TEE_GetNextPersistentObject(e, NULL, id, &len) == TEE_SUCCESS);
  /* No object in RPMB, and no storage 0x42. */
  CHECK(223, TEE_StartPersistentObjectEnumerator(e, TEE_STORAGE_PRIVATE_RPMB) ==
                 TEE_ERROR_ITEM_NOT_FOUND);
  CHECK(224, TEE_StartPersistentObjectEnumerator(e, 0x42) == TEE_ERROR_ITEM_NOT_FOUND);
  /* An object deleted after Start is skipped. */
  CHECK(225, TEE_StartPersistentObjectEnumerator(e, TEE_STORAGE_PRIVATE) == TEE_SUCCESS);
  CHECK(226, open_obj("second", TEE_DATA_FLAG_ACCESS_WRITE_META, &a) == TEE_SUCCESS);
  CHECK(227, TEE_CloseAndDeletePersistentObject1(a) == TEE_SUCCESS);
  int n = 0;
  len = sizeof id;
  while (TEE_GetNextPersistentObject(e, NULL, id, &len) == TEE_SUCCESS) {
    CHECK(228, !(len == 6 && same(id, "second", 6)));
    ++n;
    len = sizeof id;
  }
  CHECK(229, n == 2);
  /* An enumerator handle kept in a 32-bit value still works. */
  uint32_t as_value = (uint32_t)(uintptr_t)e;
  TEE_ObjectEnumHandle back = (TEE_ObjectEnumHandle)(uintptr_t)as_value;
  CHECK(230, TEE_StartPersistentObjectEnumerator(back, TEE_STORAGE_PRIVATE) == TEE_SUCCESS);
  TEE_FreePersistentObjectEnumerator(back);
  TEE_FreePersistentObjectEnumerator(TEE_HANDLE_NULL);
  CHECK(231, count_objects(TEE_STORAGE_PRIVATE) == 2);
  return TEE_SUCCESS;
}

/* Generic object functions on a persistent key: info, usage, attributes,
 * copy. */
static TEE_Result api_generic(TEE_Param params[4]) {
  static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  TEE_ObjectHandle t = TEE_HANDLE_NULL, p = TEE_HANDLE_NULL, copy = TEE_HANDLE_NULL;
  TEE_ObjectInfo info;
  TEE_Attribute attr;
  uint8_t buf[32];
  ta_size_t len = sizeof buf;

  CHECK(301, TEE_AllocateTransientObject(TEE_TYPE_AES, 256, &t) == TEE_SUCCESS);
  TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, key, sizeof key);
  CHECK(302, TEE_PopulateTransientObject(t, &attr, 1) == TEE_SUCCESS);
  CHECK(303, TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, "aes", 3, ALL_ACCESS, t, "d", 1, &p) ==
                 TEE_SUCCESS);
  CHECK(304, TEE_GetObjectInfo1(p, &info) == TEE_SUCCESS);
  CHECK(305, info.objectType == TEE_TYPE_AES && info.objectSize == 128 &&
                 info.maxObjectSize == 128 && info.objectUsage == 0xFFFFFFFF && info.dataSize == 1);
  CHECK(306, TEE_GetObjectBufferAttribute(p, TEE_ATTR_SECRET_VALUE, buf, &len) == TEE_SUCCESS &&
                 len == sizeof key && same(buf, key, sizeof key));
  CHECK(307,
        TEE_GetObjectValueAttribute(p, TEE_ATTR_ECC_CURVE, NULL, NULL) == TEE_ERROR_ITEM_NOT_FOUND);
  /* Copied out of the persistent object into a transient one. */
  CHECK(308, TEE_AllocateTransientObject(TEE_TYPE_AES, 128, &copy) == TEE_SUCCESS);
  CHECK(309, TEE_CopyObjectAttributes1(copy, p) == TEE_SUCCESS);
  len = sizeof buf;
  CHECK(310, TEE_GetObjectBufferAttribute(copy, TEE_ATTR_SECRET_VALUE, buf, &len) == TEE_SUCCESS &&
                 same(buf, key, sizeof key));
  /* The narrower usage is stored: it holds after reopening. */
  CHECK(311, TEE_RestrictObjectUsage1(p, TEE_USAGE_ENCRYPT | TEE_USAGE_DECRYPT) == TEE_SUCCESS);
  CHECK(312, TEE_GetObjectInfo1(p, &info) == TEE_SUCCESS &&
                 info.objectUsage == (TEE_USAGE_ENCRYPT | TEE_USAGE_DECRYPT));
  TEE_CloseObject(p);
  CHECK(313, open_obj("aes", TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE_META, &p) ==
                 TEE_SUCCESS);
  CHECK(314, TEE_GetObjectInfo1(p, &info) == TEE_SUCCESS &&
                 info.objectUsage == (TEE_USAGE_ENCRYPT | TEE_USAGE_DECRYPT) &&
                 info.objectType == TEE_TYPE_AES && info.objectSize == 128);
  /* The key is no longer extractable: reading it now panics (the misuse
   * command's business); a public attribute it does not have is not
   * found. */
  CHECK(315, TEE_RestrictObjectUsage1(p, TEE_USAGE_ENCRYPT) == TEE_SUCCESS);
  /* A persistent object gives its attributes to a new one. */
  TEE_ObjectHandle p2 = TEE_HANDLE_NULL;
  CHECK(316, TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, "aes2", 4, ALL_ACCESS, p, NULL, 0,
                                        &p2) == TEE_SUCCESS);
  CHECK(317, TEE_GetObjectInfo1(p2, &info) == TEE_SUCCESS && info.objectType == TEE_TYPE_AES &&
                 info.objectUsage == TEE_USAGE_ENCRYPT && info.dataSize == 0);
  CHECK(318, TEE_CloseAndDeletePersistentObject1(p2) == TEE_SUCCESS);
  CHECK(319, TEE_CloseAndDeletePersistentObject1(p) == TEE_SUCCESS);
  TEE_FreeTransientObject(copy);
  TEE_FreeTransientObject(t);
  return TEE_SUCCESS;
}

static TEE_Result api(TEE_Param params[4]) {
  delete_all(TEE_STORAGE_PRIVATE);
  delete_all(TEE_STORAGE_PRIVATE_RPMB);
  TEE_Result r = api_objects(params);
  if (r == TEE_SUCCESS) {
    r = api_streams(params);
  }
  if (r == TEE_SUCCESS) {
    r = api_rename_enumerate(params);
  }
  if (r == TEE_SUCCESS) {
    r = api_generic(params);
  }
  delete_all(TEE_STORAGE_PRIVATE);
  delete_all(TEE_STORAGE_PRIVATE_RPMB);
  if (r == TEE_SUCCESS) {
    params[0].value.a = 0;
  }
  return r;
}

/* Stores `t` as `id`, closes everything, reopens it: the reopened handle. */
static TEE_ObjectHandle store_and_reopen(const char *id, TEE_ObjectHandle t) {
  TEE_ObjectHandle p = TEE_HANDLE_NULL;
  if (TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, id, strlen(id),
                                 ALL_ACCESS | TEE_DATA_FLAG_OVERWRITE, t, NULL, 0,
                                 &p) != TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  TEE_CloseObject(p);
  p = TEE_HANDLE_NULL;
  if (open_obj(id, TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE_META, &p) !=
      TEE_SUCCESS) {
    return TEE_HANDLE_NULL;
  }
  return p;
}

/* One-shot ECB encryption of a block with `key`; false on an error. */
static bool aes_block(TEE_ObjectHandle key, const uint8_t in[16], uint8_t out[16]) {
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  if (TEE_AllocateOperation(&op, TEE_ALG_AES_ECB_NOPAD, TEE_MODE_ENCRYPT, 256) != TEE_SUCCESS) {
    return false;
  }
  ta_size_t len = 16;
  bool ok = TEE_SetOperationKey(op, key) == TEE_SUCCESS;
  if (ok) {
    TEE_CipherInit(op, NULL, 0);
    ok = TEE_CipherDoFinal(op, in, 16, out, &len) == TEE_SUCCESS && len == 16;
  }
  TEE_FreeOperation(op);
  return ok;
}

static bool hmac(TEE_ObjectHandle key, const char *msg, uint8_t out[32]) {
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  if (TEE_AllocateOperation(&op, TEE_ALG_HMAC_SHA256, TEE_MODE_MAC, 512) != TEE_SUCCESS) {
    return false;
  }
  ta_size_t len = 32;
  bool ok = TEE_SetOperationKey(op, key) == TEE_SUCCESS;
  if (ok) {
    TEE_MACInit(op, NULL, 0);
    ok = TEE_MACComputeFinal(op, msg, strlen(msg), out, &len) == TEE_SUCCESS && len == 32;
  }
  TEE_FreeOperation(op);
  return ok;
}

static bool sign(TEE_ObjectHandle key, uint32_t alg, uint32_t bits, const uint8_t digest[32],
                 uint8_t *sig, ta_size_t *sig_len) {
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  if (TEE_AllocateOperation(&op, alg, TEE_MODE_SIGN, bits) != TEE_SUCCESS) {
    return false;
  }
  bool ok = TEE_SetOperationKey(op, key) == TEE_SUCCESS &&
            TEE_AsymmetricSignDigest(op, NULL, 0, digest, 32, sig, sig_len) == TEE_SUCCESS;
  TEE_FreeOperation(op);
  return ok;
}

static bool verify(TEE_ObjectHandle key, uint32_t alg, uint32_t bits, const uint8_t digest[32],
                   const uint8_t *sig, ta_size_t sig_len) {
  TEE_OperationHandle op = TEE_HANDLE_NULL;
  if (TEE_AllocateOperation(&op, alg, TEE_MODE_VERIFY, bits) != TEE_SUCCESS) {
    return false;
  }
  bool ok = TEE_SetOperationKey(op, key) == TEE_SUCCESS &&
            TEE_AsymmetricVerifyDigest(op, NULL, 0, digest, 32, sig, sig_len) == TEE_SUCCESS;
  TEE_FreeOperation(op);
  return ok;
}

/* Stored keys work after reopening: each gives what the transient original
 * gives. */
static TEE_Result keys(TEE_Param params[4]) {
  static const uint8_t block[16] = "sixteen bytes!!";
  uint8_t a[64], b[64];
  TEE_ObjectHandle t = TEE_HANDLE_NULL, p = TEE_HANDLE_NULL;
  uint8_t digest[32];
  TEE_MemFill(digest, 0x5c, sizeof digest);

  /* AES-256, generated. */
  CHECK(1, TEE_AllocateTransientObject(TEE_TYPE_AES, 256, &t) == TEE_SUCCESS);
  CHECK(2, TEE_GenerateKey(t, 256, NULL, 0) == TEE_SUCCESS);
  CHECK(3, (p = store_and_reopen("key-aes", t)) != TEE_HANDLE_NULL);
  CHECK(4, aes_block(t, block, a) && aes_block(p, block, b) && same(a, b, 16));
  TEE_FreeTransientObject(t);
  TEE_CloseAndDeletePersistentObject1(p);
  /* HMAC-SHA256, 200 bits. */
  CHECK(5, TEE_AllocateTransientObject(TEE_TYPE_HMAC_SHA256, 512, &t) == TEE_SUCCESS);
  CHECK(6, TEE_GenerateKey(t, 200, NULL, 0) == TEE_SUCCESS);
  CHECK(7, (p = store_and_reopen("key-hmac", t)) != TEE_HANDLE_NULL);
  CHECK(8, hmac(t, "message", a) && hmac(p, "message", b) && same(a, b, 32));
  TEE_FreeTransientObject(t);
  TEE_CloseAndDeletePersistentObject1(p);
  /* RSA-1024 key pair: PKCS#1 v1.5 signatures are deterministic. */
  CHECK(9, TEE_AllocateTransientObject(TEE_TYPE_RSA_KEYPAIR, 1024, &t) == TEE_SUCCESS);
  CHECK(10, TEE_GenerateKey(t, 1024, NULL, 0) == TEE_SUCCESS);
  CHECK(11, (p = store_and_reopen("key-rsa", t)) != TEE_HANDLE_NULL);
  {
    uint8_t s1[128], s2[128];
    ta_size_t l1 = sizeof s1, l2 = sizeof s2;
    CHECK(12, sign(t, TEE_ALG_RSASSA_PKCS1_V1_5_SHA256, 1024, digest, s1, &l1));
    CHECK(13, sign(p, TEE_ALG_RSASSA_PKCS1_V1_5_SHA256, 1024, digest, s2, &l2));
    CHECK(14, l1 == l2 && same(s1, s2, l1));
    CHECK(15, verify(p, TEE_ALG_RSASSA_PKCS1_V1_5_SHA256, 1024, digest, s1, l1));
  }
  TEE_FreeTransientObject(t);
  TEE_CloseAndDeletePersistentObject1(p);
  /* ECDSA P-256: the stored key signs, the original verifies. */
  CHECK(16, TEE_AllocateTransientObject(TEE_TYPE_ECDSA_KEYPAIR, 256, &t) == TEE_SUCCESS);
  TEE_Attribute curve;
  TEE_InitValueAttribute(&curve, TEE_ATTR_ECC_CURVE, TEE_ECC_CURVE_NIST_P256, 0);
  CHECK(17, TEE_GenerateKey(t, 256, &curve, 1) == TEE_SUCCESS);
  CHECK(18, (p = store_and_reopen("key-ecc", t)) != TEE_HANDLE_NULL);
  {
    uint8_t s[64];
    ta_size_t l = sizeof s;
    CHECK(19, sign(p, TEE_ALG_ECDSA_SHA256, 256, digest, s, &l));
    CHECK(20, verify(t, TEE_ALG_ECDSA_SHA256, 256, digest, s, l));
    uint32_t c = 0;
    CHECK(21, TEE_GetObjectValueAttribute(p, TEE_ATTR_ECC_CURVE, &c, NULL) == TEE_SUCCESS &&
                  c == TEE_ECC_CURVE_NIST_P256);
  }
  TEE_FreeTransientObject(t);
  TEE_CloseAndDeletePersistentObject1(p);
  params[0].value.a = 0;
  return TEE_SUCCESS;
}

static TEE_Result misuse(uint32_t which) {
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  uint8_t buf[80];
  ta_size_t n = 0;
  if (which == GP_STORAGE_MISUSE_JUST_PANIC) {
    TEE_Panic(TEE_ERROR_GENERIC);
  }
  TEE_MemFill(buf, 'i', sizeof buf);
  delete_all(TEE_STORAGE_PRIVATE);
  /* Every case but the first two needs an object to work on. */
  if (create_obj("victim", 0, "data", 4, NULL) != TEE_SUCCESS) {
    return TEE_ERROR_ITEM_NOT_FOUND;
  }
  switch (which) {
    case GP_STORAGE_MISUSE_ID_TOO_LONG:
      TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, buf, TEE_OBJECT_ID_MAX_LEN + 1,
                               TEE_DATA_FLAG_ACCESS_READ, &o);
      break;
    case GP_STORAGE_MISUSE_READ_WITHOUT_ACCESS:
      if (open_obj("victim", TEE_DATA_FLAG_ACCESS_WRITE, &o) != TEE_SUCCESS) {
        return TEE_ERROR_ITEM_NOT_FOUND;
      }
      TEE_ReadObjectData(o, buf, 4, &n);
      break;
    case GP_STORAGE_MISUSE_WRITE_WITHOUT_ACCESS:
      if (open_obj("victim", TEE_DATA_FLAG_ACCESS_READ, &o) != TEE_SUCCESS) {
        return TEE_ERROR_ITEM_NOT_FOUND;
      }
      TEE_WriteObjectData(o, buf, 4);
      break;
    case GP_STORAGE_MISUSE_RENAME_WITHOUT_META:
      if (open_obj("victim", RW, &o) != TEE_SUCCESS) {
        return TEE_ERROR_ITEM_NOT_FOUND;
      }
      TEE_RenamePersistentObject(o, "new", 3);
      break;
    case GP_STORAGE_MISUSE_DELETE_WITHOUT_META:
      if (open_obj("victim", RW, &o) != TEE_SUCCESS) {
        return TEE_ERROR_ITEM_NOT_FOUND;
      }
      TEE_CloseAndDeletePersistentObject1(o);
      break;
    case GP_STORAGE_MISUSE_BAD_WHENCE:
      if (open_obj("victim", RW, &o) != TEE_SUCCESS) {
        return TEE_ERROR_ITEM_NOT_FOUND;
      }
      TEE_SeekObjectData(o, 0, (TEE_Whence)7);
      break;
    case GP_STORAGE_MISUSE_TRANSIENT_TO_READ:
      if (TEE_AllocateTransientObject(TEE_TYPE_AES, 128, &o) != TEE_SUCCESS) {
        return TEE_ERROR_ITEM_NOT_FOUND;
      }
      TEE_ReadObjectData(o, buf, 4, &n);
      break;
    case GP_STORAGE_MISUSE_BOGUS_HANDLE:
      TEE_ReadObjectData((TEE_ObjectHandle)(uintptr_t)0x7fff1234, buf, 4, &n);
      break;
    case GP_STORAGE_MISUSE_BOGUS_ENUMERATOR:
      TEE_GetNextPersistentObject((TEE_ObjectEnumHandle)(uintptr_t)0x7fff1234, NULL, buf, &n);
      break;
    case GP_STORAGE_MISUSE_CLOSED_HANDLE:
      if (open_obj("victim", RW, &o) != TEE_SUCCESS) {
        return TEE_ERROR_ITEM_NOT_FOUND;
      }
      TEE_CloseObject(o);
      TEE_ReadObjectData(o, buf, 4, &n);
      break;
    case GP_STORAGE_MISUSE_FREE_PERSISTENT:
      if (open_obj("victim", RW, &o) != TEE_SUCCESS) {
        return TEE_ERROR_ITEM_NOT_FOUND;
      }
      TEE_FreeTransientObject(o);
      break;
    case GP_STORAGE_MISUSE_UNKNOWN_FLAG:
      open_obj("victim", TEE_DATA_FLAG_ACCESS_READ | 0x100, &o);
      break;
    case GP_STORAGE_MISUSE_UNINITIALIZED_ATTRS: {
      TEE_ObjectHandle t = TEE_HANDLE_NULL;
      if (TEE_AllocateTransientObject(TEE_TYPE_AES, 128, &t) != TEE_SUCCESS) {
        return TEE_ERROR_ITEM_NOT_FOUND;
      }
      TEE_CreatePersistentObject(TEE_STORAGE_PRIVATE, "k", 1, RW, t, NULL, 0, &o);
      break;
    }
    case GP_STORAGE_MISUSE_POPULATE_PERSISTENT: {
      static const uint8_t key[16] = {0};
      TEE_Attribute attr;
      if (open_obj("victim", RW, &o) != TEE_SUCCESS) {
        return TEE_ERROR_ITEM_NOT_FOUND;
      }
      TEE_InitRefAttribute(&attr, TEE_ATTR_SECRET_VALUE, key, sizeof key);
      TEE_PopulateTransientObject(o, &attr, 1);
      break;
    }
    case GP_STORAGE_MISUSE_NEXT_WITHOUT_ID: {
      TEE_ObjectEnumHandle e = TEE_HANDLE_NULL;
      if (TEE_AllocatePersistentObjectEnumerator(&e) != TEE_SUCCESS ||
          TEE_StartPersistentObjectEnumerator(e, TEE_STORAGE_PRIVATE) != TEE_SUCCESS) {
        return TEE_ERROR_ITEM_NOT_FOUND;
      }
      TEE_GetNextPersistentObject(e, NULL, NULL, &n);
      break;
    }
    case GP_STORAGE_MISUSE_RENAME_ID_TOO_LONG:
      if (open_obj("victim", ALL_ACCESS, &o) != TEE_SUCCESS) {
        return TEE_ERROR_ITEM_NOT_FOUND;
      }
      TEE_RenamePersistentObject(o, buf, TEE_OBJECT_ID_MAX_LEN + 1);
      break;
    default:
      return TEE_ERROR_ITEM_NOT_FOUND;
  }
  return TEE_SUCCESS; /* not reached: each case panics */
}

/* The id in params[0] (the client's memory: the runtime copies it). */
static TEE_Result id_param(TEE_Param params[4], const void **id, size_t *len) {
  *id = params[0].memref.buffer;
  *len = params[0].memref.size;
  return *len <= TEE_OBJECT_ID_MAX_LEN ? TEE_SUCCESS : TEE_ERROR_BAD_PARAMETERS;
}

static TEE_Result put(TEE_Param params[4]) {
  const void *id = NULL;
  size_t len = 0;
  TEE_Result r = id_param(params, &id, &len);
  if (r != TEE_SUCCESS) {
    return r;
  }
  return TEE_CreatePersistentObject(
      TEE_STORAGE_PRIVATE, id, len, TEE_DATA_FLAG_ACCESS_WRITE | TEE_DATA_FLAG_OVERWRITE,
      TEE_HANDLE_NULL, params[1].memref.buffer, params[1].memref.size, NULL);
}

static TEE_Result get(TEE_Param params[4]) {
  const void *id = NULL;
  size_t len = 0;
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  TEE_Result r = id_param(params, &id, &len);
  if (r == TEE_SUCCESS) {
    r = TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, id, len,
                                 TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_SHARE_READ, &o);
  }
  if (r != TEE_SUCCESS) {
    return r;
  }
  ta_size_t n = 0;
  r = TEE_ReadObjectData(o, params[1].memref.buffer, params[1].memref.size, &n);
  params[1].memref.size = n;
  TEE_CloseObject(o);
  return r;
}

static TEE_Result delete_one(TEE_Param params[4]) {
  const void *id = NULL;
  size_t len = 0;
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  TEE_Result r = id_param(params, &id, &len);
  if (r == TEE_SUCCESS) {
    r = TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, id, len, TEE_DATA_FLAG_ACCESS_WRITE_META, &o);
  }
  return r == TEE_SUCCESS ? TEE_CloseAndDeletePersistentObject1(o) : r;
}

static TEE_Result rename_one(TEE_Param params[4]) {
  const void *id = NULL;
  size_t len = 0;
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  TEE_Result r = id_param(params, &id, &len);
  if (r == TEE_SUCCESS) {
    r = TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, id, len, TEE_DATA_FLAG_ACCESS_WRITE_META, &o);
  }
  if (r != TEE_SUCCESS) {
    return r;
  }
  if (params[1].memref.size > TEE_OBJECT_ID_MAX_LEN) {
    TEE_CloseObject(o);
    return TEE_ERROR_BAD_PARAMETERS;
  }
  r = TEE_RenamePersistentObject(o, params[1].memref.buffer, params[1].memref.size);
  TEE_CloseObject(o);
  return r;
}

static TEE_Result open_with(TEE_Param params[4], TEE_ObjectHandle *o) {
  const void *id = NULL;
  size_t len = 0;
  TEE_Result r = id_param(params, &id, &len);
  if (r != TEE_SUCCESS) {
    return r;
  }
  return TEE_OpenPersistentObject(TEE_STORAGE_PRIVATE, id, len, params[1].value.a, o);
}

static TEE_Result write_at(TEE_Param params[4]) {
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  TEE_Param open_params[4] = {params[0]};
  open_params[1].value.a = TEE_DATA_FLAG_ACCESS_WRITE;
  TEE_Result r = open_with(open_params, &o);
  if (r != TEE_SUCCESS) {
    return r;
  }
  r = TEE_SeekObjectData(o, (int32_t)params[2].value.a, TEE_DATA_SEEK_SET);
  if (r == TEE_SUCCESS) {
    r = TEE_WriteObjectData(o, params[1].memref.buffer, params[1].memref.size);
  }
  TEE_CloseObject(o);
  return r;
}

static TEE_Result truncate_one(TEE_Param params[4]) {
  TEE_ObjectHandle o = TEE_HANDLE_NULL;
  TEE_Param open_params[4] = {params[0]};
  open_params[1].value.a = TEE_DATA_FLAG_ACCESS_WRITE;
  TEE_Result r = open_with(open_params, &o);
  if (r == TEE_SUCCESS) {
    r = TEE_TruncateObjectData(o, params[1].value.a);
    TEE_CloseObject(o);
  }
  return r;
}

/* Each instance's rounds on its own object and its slot of the shared one. */
static TEE_Result stress(TEE_Param params[4]) {
  const uint32_t slot = params[0].value.a;
  const uint32_t rounds = params[0].value.b;
  char own[16] = "own-";
  TEE_ObjectHandle mine = TEE_HANDLE_NULL, shared = TEE_HANDLE_NULL;
  uint8_t data[512], back[512];
  if (slot >= 64) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  own[4] = (char)('A' + slot / 26);
  own[5] = (char)('a' + slot % 26);
#define FAIL_IF(n, cond)          \
  do {                            \
    if (cond) {                   \
      params[1].value.a = (n);    \
      EMSG("stress check %d", n); \
      goto out;                   \
    }                             \
  } while (0)
  TEE_Result r = TEE_ERROR_GENERIC;
  FAIL_IF(1, create_obj(own, RW | TEE_DATA_FLAG_ACCESS_WRITE_META | TEE_DATA_FLAG_OVERWRITE, NULL,
                        0, &mine) != TEE_SUCCESS);
  FAIL_IF(2, open_obj("shared", RW | SHARE_ALL, &shared) != TEE_SUCCESS);
  for (uint32_t round = 0; round < rounds; ++round) {
    for (size_t i = 0; i < sizeof data; ++i) {
      data[i] = (uint8_t)(slot * 31 + round * 7 + i);
    }
    FAIL_IF(3, TEE_SeekObjectData(mine, 0, TEE_DATA_SEEK_SET) != TEE_SUCCESS);
    FAIL_IF(4, TEE_WriteObjectData(mine, data, sizeof data) != TEE_SUCCESS);
    FAIL_IF(5, TEE_SeekObjectData(mine, 0, TEE_DATA_SEEK_SET) != TEE_SUCCESS);
    FAIL_IF(6, read_some(mine, back, sizeof back) != (long)sizeof back);
    FAIL_IF(7, !same(data, back, sizeof data));
    uint32_t word = slot << 24 | round;
    FAIL_IF(8, TEE_SeekObjectData(shared, slot * 4, TEE_DATA_SEEK_SET) != TEE_SUCCESS);
    FAIL_IF(9, TEE_WriteObjectData(shared, &word, 4) != TEE_SUCCESS);
    FAIL_IF(10, TEE_SeekObjectData(shared, slot * 4, TEE_DATA_SEEK_SET) != TEE_SUCCESS);
    uint32_t seen = 0;
    FAIL_IF(11, read_some(shared, &seen, 4) != 4 || seen != word);
  }
  r = TEE_SUCCESS;
out:
#undef FAIL_IF
  TEE_CloseObject(shared);
  TEE_CloseAndDeletePersistentObject1(mine);
  return r;
}

TEE_Result TA_CreateEntryPoint(void) {
  return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void) {}

TEE_Result TA_OpenSessionEntryPoint(uint32_t __unused param_types, TEE_Param __unused params[4],
                                    void __unused **sess_ctx) {
  return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void __unused *sess_ctx) {
  TEE_CloseObject(held);
  held = TEE_HANDLE_NULL;
}

#define PT(a, b) TEE_PARAM_TYPES((a), (b), TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE)

TEE_Result TA_InvokeCommandEntryPoint(void __unused *sess_ctx, uint32_t cmd_id,
                                      uint32_t param_types, TEE_Param params[4]) {
  const uint32_t id_in = TEE_PARAM_TYPE_MEMREF_INPUT;
  switch (cmd_id) {
    case GP_STORAGE_CMD_API:
    case GP_STORAGE_CMD_KEYS:
      if (param_types != PT(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE)) {
        return TEE_ERROR_BAD_PARAMETERS;
      }
      return cmd_id == GP_STORAGE_CMD_API ? api(params) : keys(params);
    case GP_STORAGE_CMD_PUT:
      return param_types == PT(id_in, TEE_PARAM_TYPE_MEMREF_INPUT) ? put(params)
                                                                   : TEE_ERROR_BAD_PARAMETERS;
    case GP_STORAGE_CMD_GET:
      return param_types == PT(id_in, TEE_PARAM_TYPE_MEMREF_OUTPUT) ? get(params)
                                                                    : TEE_ERROR_BAD_PARAMETERS;
    case GP_STORAGE_CMD_DELETE:
      return param_types == PT(id_in, TEE_PARAM_TYPE_NONE) ? delete_one(params)
                                                           : TEE_ERROR_BAD_PARAMETERS;
    case GP_STORAGE_CMD_COUNT:
      if (param_types != PT(TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_PARAM_TYPE_NONE)) {
        return TEE_ERROR_BAD_PARAMETERS;
      }
      params[0].value.a = (uint32_t)count_objects(TEE_STORAGE_PRIVATE);
      return TEE_SUCCESS;
    case GP_STORAGE_CMD_RENAME:
      return param_types == PT(id_in, TEE_PARAM_TYPE_MEMREF_INPUT) ? rename_one(params)
                                                                   : TEE_ERROR_BAD_PARAMETERS;
    case GP_STORAGE_CMD_MISUSE:
      if (param_types != PT(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE)) {
        return TEE_ERROR_BAD_PARAMETERS;
      }
      return misuse(params[0].value.a);
    case GP_STORAGE_CMD_HOLD:
      if (param_types != PT(id_in, TEE_PARAM_TYPE_VALUE_INPUT) || held != TEE_HANDLE_NULL) {
        return TEE_ERROR_BAD_PARAMETERS;
      }
      return open_with(params, &held);
    case GP_STORAGE_CMD_TRY_OPEN: {
      if (param_types != PT(id_in, TEE_PARAM_TYPE_VALUE_INPUT)) {
        return TEE_ERROR_BAD_PARAMETERS;
      }
      TEE_ObjectHandle o = TEE_HANDLE_NULL;
      TEE_Result r = open_with(params, &o);
      TEE_CloseObject(o);
      return r;
    }
    case GP_STORAGE_CMD_STRESS:
      if (param_types != PT(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT)) {
        return TEE_ERROR_BAD_PARAMETERS;
      }
      return stress(params);
    case GP_STORAGE_CMD_WRITE_AT:
      if (param_types != TEE_PARAM_TYPES(id_in, TEE_PARAM_TYPE_MEMREF_INPUT,
                                         TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE) ||
          params[2].value.a > INT32_MAX) {
        return TEE_ERROR_BAD_PARAMETERS;
      }
      return write_at(params);
    case GP_STORAGE_CMD_TRUNCATE:
      return param_types == PT(id_in, TEE_PARAM_TYPE_VALUE_INPUT) ? truncate_one(params)
                                                                  : TEE_ERROR_BAD_PARAMETERS;
    default:
      return TEE_ERROR_NOT_SUPPORTED;
  }
}
