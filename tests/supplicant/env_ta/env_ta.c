/* A captee TA that hands its host environment out as its app object, so a
 * test can do with it exactly what a hostile TA could: open any id, call
 * the supplicant plugin relay with any arguments. */
#include "captee/ta_sdk.h"

CAPTEE_TA_MANIFEST(CAPTEE_TA_UUID(0x7e57c0de, 0x5e01, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 0x02),
                   "supp_env_ta", CAPTEE_TA_FLAG_MULTI_SESSION, 0, 0);

static Object g_env = {0};

int32_t captee_ta_init(Object env) {
  if (Object_isNull(env)) {
    return Object_ERROR;
  }
  Object_retain(env);
  g_env = env;
  return Object_OK;
}

int32_t captee_ta_get_app_object(Object *out) {
  Object_retain(g_env);
  *out = g_env;
  return Object_OK;
}
