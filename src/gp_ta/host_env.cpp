#include "host_env.hpp"

#include "captee/object.hpp"
#include "captee/ta_sdk.h"

namespace {

// Written by captee_ta_init, which the host calls once before it asks for the
// app object: no entry point runs before, so no lock is needed to read it.
captee::Ref g_env;

}  // namespace

namespace captee::gp_ta {

Object host_env() {
  return g_env.get();
}

}  // namespace captee::gp_ta

extern "C" CAPTEE_TA_EXPORT int32_t captee_ta_init(Object env) {
  g_env = captee::Ref::share(env);
  return Object_OK;
}
