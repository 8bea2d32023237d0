/* C entry to an in-process app loader, for C programs and tests that run
 * without capteed. The TAs still run in their own captee-tahost processes;
 * only the loader lives in the caller. With capteed, clients get the same
 * IAppLoader from IClientEnv_open(env, CAppLoader_UID, &loader). */
#ifndef CAPTEE_TEE_APPS_APP_LOADER_H
#define CAPTEE_TEE_APPS_APP_LOADER_H

#include <stdint.h>

#include "object.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Creates an IAppLoader. `tahost_path` and `ta_dir` may be NULL (defaults:
 * $CAPTEE_TAHOST or captee-tahost next to the executable; no TA directory).
 * On success *out owns a reference (Object_release it; the last release of
 * the loader and of every controller ends all its TAs). Returns Object_OK or
 * Object_ERROR_MEM. */
int32_t captee_app_loader_create(const char *tahost_path, const char *ta_dir, Object *out);

#ifdef __cplusplus
}
#endif

#endif /* CAPTEE_TEE_APPS_APP_LOADER_H */
