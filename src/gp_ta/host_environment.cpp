// captee_ta_init for every GP TA: keeps the host environment. The host calls
// it once, before captee_ta_get_app_object and so before any entry point.
#include "host_environment.hpp"

#include "captee/ta_sdk.h"

namespace {
// Written once by captee_ta_init, before the host hands out the TA's app
// object (under its root's lock), so before any entry point reads it.
Object g_environment = Object_NULL;
}  // namespace

namespace captee::gp_ta {

Object host_environment() {
  return g_environment;
}

}  // namespace captee::gp_ta

extern "C" CAPTEE_TA_EXPORT int32_t captee_ta_init(Object env) {
  // Borrowed for this call (ta_sdk.h): the runtime keeps its own reference.
  if (!Object_isNull(env)) {
    Object_retain(env);
  }
  g_environment = env;
  return Object_OK;
}
