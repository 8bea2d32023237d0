// captee_ta_init for every GP TA: keeps the host environment for the
// runtime's own use (host_environment.hpp).
#include "host_environment.hpp"

#include <mutex>

#include "IOpener.hpp"
#include "captee/ta_sdk.h"

namespace {

// Set once by captee_ta_init, before any entry point can run; the host calls
// it once, before it serves the TA's app object (under its root's lock).
captee::Ref g_host_env;

}  // namespace

namespace captee::gp_ta {

const Ref &host_environment() {
  return g_host_env;
}

const Ref &ta_environment() {
  static std::once_flag once;
  static Ref env;
  std::call_once(once, [] {
    Ref opened;
    if (!g_host_env.is_null() &&
        iface::IOpener(g_host_env).open(CAPTEE_TA_ENVIRONMENT, opened) == Object_OK) {
      env = std::move(opened);
    }
  });
  return env;
}

const Ref &trusted_storage() {
  static std::once_flag once;
  static Ref storage;
  std::call_once(once, [] {
    Ref opened;
    if (!g_host_env.is_null() &&
        iface::IOpener(g_host_env).open(CAPTEE_TA_STORAGE, opened) == Object_OK) {
      storage = std::move(opened);
    }
  });
  return storage;
}

}  // namespace captee::gp_ta

extern "C" CAPTEE_TA_EXPORT int32_t captee_ta_init(Object env) {
  // Borrowed for this call (ta_sdk.h): the runtime keeps its own reference.
  g_host_env = captee::Ref::share(env);
  return Object_OK;
}
