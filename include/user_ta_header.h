/* The TA header definitions of OP-TEE's TA dev kit (its libutee
 * user_ta_header.h): the TA_FLAG_* values a TA's user_ta_header_defines.h
 * puts in TA_FLAGS, the gpd.ta.* property names, and the property table
 * entry a TA uses in TA_CURRENT_TA_EXT_PROPERTIES to add its own properties:
 *
 *   #define TA_CURRENT_TA_EXT_PROPERTIES \
 *     { "gp.ta.description", USER_TA_PROP_TYPE_STRING, "Example" }, \
 *     { "gp.ta.version", USER_TA_PROP_TYPE_U32, &(const uint32_t){ 0x0010 } }
 *
 * captee maps SINGLE_INSTANCE, MULTI_SESSION and INSTANCE_KEEP_ALIVE onto its
 * manifest (src/gp_ta/ta_header.cpp); the other flags are accepted and
 * ignored (they describe OP-TEE's memory placement and pseudo-TAs). */
#ifndef USER_TA_HEADER_H
#define USER_TA_HEADER_H

#include <tee_api_types.h>
#include <util.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TA_FLAG_USER_MODE 0 /* no longer used (was bit 0) */
#define TA_FLAG_EXEC_DDR 0  /* no longer used (was bit 1) */
/* One instance shared by every session (else one per session). */
#define TA_FLAG_SINGLE_INSTANCE BIT32(2)
/* A single instance takes more than one session at a time. */
#define TA_FLAG_MULTI_SESSION BIT32(3)
/* A single instance outlives its last session. */
#define TA_FLAG_INSTANCE_KEEP_ALIVE BIT32(4)
#define TA_FLAG_SECURE_DATA_PATH BIT32(5)
#define TA_FLAG_REMAP_SUPPORT 0 /* no longer used (was bit 6) */
#define TA_FLAG_CACHE_MAINTENANCE BIT32(7)
/* Sessions of one instance run concurrently (OP-TEE pseudo-TAs only). */
#define TA_FLAG_CONCURRENT BIT32(8)
/* Report the TA to the normal world's device enumeration, before or after
 * the supplicant started. */
#define TA_FLAG_DEVICE_ENUM BIT32(9)
#define TA_FLAG_DEVICE_ENUM_SUPP BIT32(10)
/* The gpd.ta.doesNotCloseHandleOnCorruptObject property. */
#define TA_FLAG_DONT_CLOSE_HANDLE_ON_CORRUPT_OBJECT BIT32(11)

#define TA_FLAGS_MASK GENMASK_32(10, 0)

/* OP-TEE's in-image TA header; captee's image carries a captee manifest
 * instead (include/captee/ta_sdk.h), but OP-TEE TA sources may name it. */
struct ta_head {
  TEE_UUID uuid;
  uint32_t stack_size;
  uint32_t flags;
  uint64_t depr_entry;
};

#define TA_PROP_STR_SINGLE_INSTANCE "gpd.ta.singleInstance"
#define TA_PROP_STR_MULTI_SESSION "gpd.ta.multiSession"
#define TA_PROP_STR_KEEP_ALIVE "gpd.ta.instanceKeepAlive"
#define TA_PROP_STR_DATA_SIZE "gpd.ta.dataSize"
#define TA_PROP_STR_STACK_SIZE "gpd.ta.stackSize"
#define TA_PROP_STR_VERSION "gpd.ta.version"
#define TA_PROP_STR_DESCRIPTION "gpd.ta.description"
#define TA_PROP_STR_ENDIAN "gpd.ta.endian"
#define TA_PROP_STR_DOES_NOT_CLOSE_HANDLE_ON_CORRUPT_OBJECT \
  "gpd.ta.doesNotCloseHandleOnCorruptObject"

/* What a property's value points at. */
enum user_ta_prop_type {
  USER_TA_PROP_TYPE_BOOL,         /* bool */
  USER_TA_PROP_TYPE_U32,          /* uint32_t */
  USER_TA_PROP_TYPE_UUID,         /* TEE_UUID */
  USER_TA_PROP_TYPE_IDENTITY,     /* TEE_Identity */
  USER_TA_PROP_TYPE_STRING,       /* NUL-terminated string */
  USER_TA_PROP_TYPE_BINARY_BLOCK, /* NUL-terminated base64 text */
  USER_TA_PROP_TYPE_U64,          /* uint64_t */
  USER_TA_PROP_TYPE_INVALID,
};

/* One TA property: its name, type and a pointer to its value. */
struct user_ta_property {
  const char *name;
  enum user_ta_prop_type type;
  const void *value;
};

/* The TA's property table (the gpd.ta.* properties, then the entries of
 * TA_CURRENT_TA_EXT_PROPERTIES) and its length, as OP-TEE names them. */
extern const struct user_ta_property ta_props[];
extern const size_t ta_num_props;

#ifdef __cplusplus
}
#endif

#endif /* USER_TA_HEADER_H */
