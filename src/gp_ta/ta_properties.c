/* Compiled into every GP TA (an INTERFACE source of captee::gp_ta, and the
 * dev kit's), with the TA's own include directories: the TA's property table
 * ta_props / ta_num_props (user_ta_header.h), which the GP runtime reads for
 * TEE_PROPSET_CURRENT_TA (src/gp_ta/property_sets.cpp).
 *
 * It is C, not C++ like ta_header.cpp beside it, because OP-TEE TAs write
 * their TA_CURRENT_TA_EXT_PROPERTIES with C compound literals, e.g.
 * &(const uint32_t){ 0x0010 }, which C++ cannot take the address of
 * (docs/decisions/0015-ta-properties-and-persistent-time.md).
 *
 * From user_ta_header_defines.h: TA_FLAGS, TA_STACK_SIZE and TA_DATA_SIZE
 * (required, as in OP-TEE), TA_VERSION and TA_DESCRIPTION (strings, with
 * OP-TEE's defaults when absent) and TA_CURRENT_TA_EXT_PROPERTIES (the TA's
 * own properties, none when absent). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What OP-TEE's user_ta_header.c sees too, so a TA's property values may
 * use any GP name (TEE_LOGIN_*, ...). */
#include "tee_internal_api.h"
#include "user_ta_header.h"
#include "user_ta_header_defines.h"

#ifndef TA_VERSION
#define TA_VERSION "Undefined version"
#endif
#ifndef TA_DESCRIPTION
#define TA_DESCRIPTION "Undefined description"
#endif

/* Each value lives in static storage the table points at. */
static const bool ta_single_instance = ((TA_FLAGS)&TA_FLAG_SINGLE_INSTANCE) != 0;
static const bool ta_multi_session = ((TA_FLAGS)&TA_FLAG_MULTI_SESSION) != 0;
static const bool ta_keep_alive = ((TA_FLAGS)&TA_FLAG_INSTANCE_KEEP_ALIVE) != 0;
static const bool ta_keeps_corrupt_handles =
    ((TA_FLAGS)&TA_FLAG_DONT_CLOSE_HANDLE_ON_CORRUPT_OBJECT) != 0;
static const uint32_t ta_data_size = (TA_DATA_SIZE);
static const uint32_t ta_stack_size = (TA_STACK_SIZE);
/* GP's value for little-endian, the only byte order captee runs on. */
static const uint32_t ta_endian = 0;

const struct user_ta_property ta_props[] = {
    {TA_PROP_STR_SINGLE_INSTANCE, USER_TA_PROP_TYPE_BOOL, &ta_single_instance},
    {TA_PROP_STR_MULTI_SESSION, USER_TA_PROP_TYPE_BOOL, &ta_multi_session},
    {TA_PROP_STR_KEEP_ALIVE, USER_TA_PROP_TYPE_BOOL, &ta_keep_alive},
    {TA_PROP_STR_DATA_SIZE, USER_TA_PROP_TYPE_U32, &ta_data_size},
    {TA_PROP_STR_STACK_SIZE, USER_TA_PROP_TYPE_U32, &ta_stack_size},
    {TA_PROP_STR_VERSION, USER_TA_PROP_TYPE_STRING, TA_VERSION},
    {TA_PROP_STR_DESCRIPTION, USER_TA_PROP_TYPE_STRING, TA_DESCRIPTION},
    {TA_PROP_STR_ENDIAN, USER_TA_PROP_TYPE_U32, &ta_endian},
    {TA_PROP_STR_DOES_NOT_CLOSE_HANDLE_ON_CORRUPT_OBJECT, USER_TA_PROP_TYPE_BOOL,
     &ta_keeps_corrupt_handles},
#ifdef TA_CURRENT_TA_EXT_PROPERTIES
    TA_CURRENT_TA_EXT_PROPERTIES
#endif
};

const size_t ta_num_props = sizeof(ta_props) / sizeof(ta_props[0]);
