// TA persistent time (GP TEE Internal Core API v1.3.1 §7.2.3-7.2.4):
// TEE_GetTAPersistentTime and TEE_SetTAPersistentTime. capteed keeps each
// TA's time in its state directory (ITaEnvironment, bound to this TA by
// capteed; docs/GP.md "TA persistent time"), in milliseconds, so the time
// runs on across TA restarts and capteed restarts.
#include <cstdint>

#include "ITaEnvironment.hpp"
#include "host_environment.hpp"
#include "tee_internal_api.h"
#include "trace.h"

namespace {

constexpr uint64_t kMillisPerSecond = 1000;

[[noreturn]] void time_panic(const char *function, const char *why, TEE_Result code) {
  trace_printf(nullptr, 0, TRACE_ERROR, true, "%s: %s; panicking the TA", function, why);
  TEE_Panic(code);
}

}  // namespace

extern "C" {

// GP: on TIME_NOT_SET and TIME_NEEDS_RESET the time reads as zero; on
// OVERFLOW (more seconds than 32 bits hold) the seconds are given modulo
// 2^32.
TEE_Result TEE_GetTAPersistentTime(TEE_Time *time) {
  if (time == nullptr) {
    time_panic(__func__, "NULL time pointer", TEE_ERROR_BAD_PARAMETERS);
  }
  *time = TEE_Time{0, 0};
  const captee::Ref &env = captee::gp_ta::ta_environment();
  if (env.is_null()) {
    // Outside capteed nothing keeps the time: it was never set.
    return TEE_ERROR_TIME_NOT_SET;
  }
  uint64_t millis = 0;
  switch (captee::iface::ITaEnvironment(env).getPersistentTime(millis)) {
    case Object_OK:
      break;
    case ITaEnvironment_ERROR_TIME_NOT_SET:
      return TEE_ERROR_TIME_NOT_SET;
    case ITaEnvironment_ERROR_TIME_NEEDS_RESET:
      return TEE_ERROR_TIME_NEEDS_RESET;
    default:
      // capteed unreachable: it is gone, and this TA's host goes with it.
      time_panic(__func__, "capteed did not answer", TEE_ERROR_COMMUNICATION);
  }
  const uint64_t seconds = millis / kMillisPerSecond;
  time->seconds = static_cast<uint32_t>(seconds);
  time->millis = static_cast<uint32_t>(millis % kMillisPerSecond);
  return seconds > UINT32_MAX ? TEE_ERROR_OVERFLOW : TEE_SUCCESS;
}

TEE_Result TEE_SetTAPersistentTime(const TEE_Time *time) {
  if (time == nullptr) {
    time_panic(__func__, "NULL time pointer", TEE_ERROR_BAD_PARAMETERS);
  }
  if (time->millis >= kMillisPerSecond) {
    time_panic(__func__, "millis is 1000 or more", TEE_ERROR_BAD_PARAMETERS);
  }
  const captee::Ref &env = captee::gp_ta::ta_environment();
  if (env.is_null()) {
    // Outside capteed there is nowhere to keep it.
    return TEE_ERROR_STORAGE_NO_SPACE;
  }
  const uint64_t millis = uint64_t(time->seconds) * kMillisPerSecond + time->millis;
  switch (captee::iface::ITaEnvironment(env).setPersistentTime(millis)) {
    case Object_OK:
      return TEE_SUCCESS;
    case ITaEnvironment_ERROR_STORAGE:
      return TEE_ERROR_STORAGE_NO_SPACE;
    default:
      time_panic(__func__, "capteed did not answer", TEE_ERROR_COMMUNICATION);
  }
}

}  // extern "C"
