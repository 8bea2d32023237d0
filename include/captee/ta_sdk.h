/* captee TA SDK: what a trusted app (TA) exports so captee-tahost can run it.
 *
 * A TA is an ELF shared object built with captee_add_ta() (CMake). It carries
 * exactly one manifest, declared with CAPTEE_TA_MANIFEST(), in the dedicated
 * ELF section ".captee_ta" (the app loader reads it from the image *before*
 * any TA code runs, and applies the limits to the process that will run it),
 * and exports with C linkage:
 *
 *   int32_t captee_ta_get_app_object(Object *out);   required
 *   int32_t captee_ta_init(Object env);               optional
 *
 * captee_ta_init() runs first, once, with the host environment object (an
 * IOpener, borrowed for the call: Object_retain it to keep it). Through it the
 * TA reaches normal-world listeners registered with IRegisterListenerCBO:
 *   open(CAPTEE_TA_LISTENER_CBO(id))    -> the listener's IListenerCBO
 *   open(CAPTEE_TA_LISTENER_REGION(id)) -> its IMemRegion (getData / setData
 *                                          on the shared region)
 * (IOpener_ERROR_NOT_FOUND when nothing is registered under `id`.)
 *   open(CAPTEE_TA_ENV_GP_APP_CLIENT)    -> capteed's IGPAppClient for this
 *                                          TA's own sessions to other TAs
 *                                          (GP TA-to-TA; the GP runtime's
 *                                          TEE_OpenTASession uses it)
 *   open(CAPTEE_TA_SUPP_PLUGINS)         -> capteed's ISuppPluginRelay, the one
 *                                          way to the supplicant's plugins
 *                                          (tee_invoke_supp_plugin; the
 *                                          supplicant's own listener id is
 *                                          not found)
 * When capteed started the TA, the environment also answers
 *   open(CAPTEE_TA_ENVIRONMENT)          -> an ITaEnvironment bound to this
 *                                          TA: the device ID and the TA's
 *                                          persistent time (the GP runtime's)
 *   open(CAPTEE_TA_STORAGE)              -> a new ITrustedStorage bound to
 *                                          this TA: its GP trusted storage
 *                                          (one per process; releasing it
 *                                          closes its handles)
 * These objects are bound by capteed to this TA: the TAs it opens sessions to
 * see the identity capteed computed for this TA (TEE_LOGIN_TRUSTED_APP and
 * this TA's UUID when a trusted authority vouches for its image; docs/GP.md),
 * whatever the caller states.
 *
 * captee_ta_get_app_object() then returns the TA's app object (ownership
 * moves to the caller; typically an IOpener). A non-zero return aborts the
 * load (the loader answers IAppLoader_ERROR_ELF_LOADING).
 *
 * The TA runs alone in its process, under no_new_privs, rlimits from the
 * manifest and a seccomp allow-list: after start-up it cannot open files,
 * create sockets, fork or exec (those calls fail with EPERM). See docs/TA.md.
 */
#ifndef CAPTEE_TA_SDK_H
#define CAPTEE_TA_SDK_H

#include <stdint.h>

#include "object.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CAPTEE_TA_MANIFEST_MAGIC 0x41544543u /* "CETA" little-endian */
#define CAPTEE_TA_MANIFEST_VERSION 1u
#define CAPTEE_TA_SECTION ".captee_ta"

/* Manifest flags. */
#define CAPTEE_TA_FLAG_SINGLE_INSTANCE 0x1u /* one process, shared by all loads */
#define CAPTEE_TA_FLAG_MULTI_SESSION 0x2u   /* sessions may run concurrently (GP) */
#define CAPTEE_TA_FLAG_KEEP_ALIVE 0x4u      /* stays loaded with no controller left */
#define CAPTEE_TA_FLAGS_KNOWN 0x7u

/* Host environment ids (see above). */
#define CAPTEE_TA_LISTENER_CBO(id) ((uint32_t)(id)&0x7fffffffu)
#define CAPTEE_TA_LISTENER_REGION(id) (((uint32_t)(id)&0x7fffffffu) | 0x80000000u)
/* Ids from CAPTEE_TA_ENV_RESERVED on (either form) name what capteed itself
 * gives a TA, never a listener: IRegisterListenerCBO answers
 * ERROR_ID_RESERVED for them. */
#define CAPTEE_TA_ENV_RESERVED 0x7fffff00u
#define CAPTEE_TA_ENVIRONMENT 0x7fffff01u /* ITaEnvironment (idl/ITaEnvironment.idl) */
#define CAPTEE_TA_STORAGE 0x7fffff02u     /* ITrustedStorage (idl/ITrustedStorage.idl) */
/* Listener id 0 is never registered: its two ids are the TA's own GP service
 * and the supplicant plugin relay. */
#define CAPTEE_TA_ENV_GP_APP_CLIENT 0u
#define CAPTEE_TA_SUPP_PLUGINS 0x80000000u

/* The fixed on-disk layout (little-endian, 128 bytes). */
typedef struct {
  uint32_t magic;        /* CAPTEE_TA_MANIFEST_MAGIC */
  uint32_t version;      /* CAPTEE_TA_MANIFEST_VERSION */
  uint8_t uuid[16];      /* RFC 4122 byte order */
  char name[64];         /* NUL-terminated, [A-Za-z0-9._-], not empty */
  uint32_t flags;        /* CAPTEE_TA_FLAG_* */
  uint32_t deadline_ms;  /* per-call deadline; 0 = none */
  uint64_t memory_limit; /* bytes of heap/data; 0 = the loader's default */
  uint8_t reserved[24];  /* zero */
} captee_ta_manifest;

#ifdef __cplusplus
static_assert(sizeof(captee_ta_manifest) == 128, "manifest layout");
#else
_Static_assert(sizeof(captee_ta_manifest) == 128, "manifest layout");
#endif

#define CAPTEE_TA_UUID(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                                 \
  {                                                                                             \
    (uint8_t)((a) >> 24), (uint8_t)((a) >> 16), (uint8_t)((a) >> 8), (uint8_t)(a),              \
        (uint8_t)((b) >> 8), (uint8_t)(b), (uint8_t)((c) >> 8), (uint8_t)(c), (d0), (d1), (d2), \
        (d3), (d4), (d5), (d6), (d7)                                                            \
  }

/* Declares the TA's manifest. Use once, at file scope, in one source file:
 *   CAPTEE_TA_MANIFEST(CAPTEE_TA_UUID(0x8aaaf200, 0x2450, 0x11e4,
 * 0xab,0xe2,0,2,0xa5,0xd5,0xc5,0x1b), "counter", CAPTEE_TA_FLAG_MULTI_SESSION, 16u << 20, 2000);
 */
#ifdef __cplusplus
#define CAPTEE_TA_EXTERN_C extern "C"
#else
#define CAPTEE_TA_EXTERN_C
#endif
#define CAPTEE_TA_MANIFEST(uuid_, name_, flags_, memory_limit_, deadline_ms_)                 \
  CAPTEE_TA_EXTERN_C __attribute__((used, section(CAPTEE_TA_SECTION), visibility("default"))) \
  const captee_ta_manifest captee_ta_manifest_data = {CAPTEE_TA_MANIFEST_MAGIC,               \
                                                      CAPTEE_TA_MANIFEST_VERSION,             \
                                                      uuid_,                                  \
                                                      name_,                                  \
                                                      (flags_),                               \
                                                      (deadline_ms_),                         \
                                                      (memory_limit_),                        \
                                                      {0}}

#define CAPTEE_TA_EXPORT __attribute__((visibility("default")))

/* Entry points (implemented by the TA). */
CAPTEE_TA_EXPORT int32_t captee_ta_get_app_object(Object *out);
CAPTEE_TA_EXPORT int32_t captee_ta_init(Object env);

#ifdef __cplusplus
}
#endif

#endif /* CAPTEE_TA_SDK_H */
