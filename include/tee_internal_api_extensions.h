/* OP-TEE's extensions to the Internal Core API (its libutee
 * tee_internal_api_extensions.h), with the same names and signatures so OP-TEE
 * TA sources that use them build unchanged. What each does in captee is in
 * docs/GP.md ("OP-TEE extensions"). */
#ifndef TEE_INTERNAL_API_EXTENSIONS_H
#define TEE_INTERNAL_API_EXTENSIONS_H

#include <stdio.h>
#include <trace.h>
#include <tee_api_defines_extensions.h>
#include <tee_api_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Heap accounting of OP-TEE's debug allocator: a TA host has the C library's
 * allocator, so marking does nothing and the check reports 0 bytes. */
void tee_user_mem_mark_heap(void);
size_t tee_user_mem_check_heap(void);
/* A TEE_Malloc hint of OP-TEE's: do not zero the allocation. */
#define TEE_USER_MEM_HINT_NO_FILL_ZERO 0x80000000

/* Data-cache maintenance over [buf, buf+len): clean writes dirty lines back,
 * flush cleans and invalidates, invalidate drops lines. A TA host is an
 * ordinary process whose memory the kernel keeps coherent, so each succeeds
 * without work. */
TEE_Result TEE_CacheClean(char *buf, size_t len);
TEE_Result TEE_CacheFlush(char *buf, size_t len);
TEE_Result TEE_CacheInvalidate(char *buf, size_t len);

/* Maps len bytes of zeroed memory (flags 0, or TEE_MEMORY_ACCESS_ANY_OWNER);
 * NULL on failure. Unmap with tee_unmap and the same len. */
void *tee_map_zi(size_t len, uint32_t flags);
/* buf and len must be exactly what tee_map_zi returned and was given;
 * TEE_ERROR_BAD_PARAMETERS otherwise. */
TEE_Result tee_unmap(void *buf, size_t len);

/* Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex digits of either case)
 * into *uuid; TEE_ERROR_BAD_FORMAT for anything else (*uuid untouched). */
TEE_Result tee_uuid_from_str(TEE_UUID *uuid, const char *s);

/* Calls a normal-world supplicant plugin (OP-TEE's tee-supplicant plugins):
 * cmd and sub_cmd for the plugin with UUID uuid, buf (len bytes) in and out,
 * the bytes it returned in *outlen. Not available yet in captee (issue 14's
 * supplicant-plugin item): TEE_ERROR_NOT_IMPLEMENTED. */
TEE_Result tee_invoke_supp_plugin(const TEE_UUID *uuid, uint32_t cmd, uint32_t sub_cmd, void *buf,
                                  size_t len, size_t *outlen);

#ifdef __cplusplus
}
#endif

#endif /* TEE_INTERNAL_API_EXTENSIONS_H */
