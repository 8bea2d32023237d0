// Who a running TA is when it calls other TAs (GP TA-to-TA): what capteed
// knows of the TA process a request comes from, never what the TA says.
//
// The app loader makes one TaCaller per loaded TA, from the image it
// checked (the manifest's UUID, the authority the image came from, the
// kernel uid of the client whose load started it), and asks the registry's
// TaServiceFactory (AppLoaderConfig::ta_service) for the object that serves
// that TA's own calls. The object reaches the TA through its host
// environment (CAPTEE_TA_ENV_GP_APP_CLIENT, ta_sdk.h), over the TA's own
// channel: whoever invokes it is that TA, or someone the TA chose to give it
// to, as with any capability.
//
// Thread-safety: a value type.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>

#include "captee/object.hpp"
#include "captee/tee/apps/ta_authority.hpp"

namespace captee::tee::apps {

struct TaCaller {
  TaAuthority authority;           // who vouches for the image (ta_authority.hpp)
  std::array<uint8_t, 16> uuid{};  // the manifest's UUID, RFC 4122 byte order
  uid_t loaded_by = 0;             // kernel uid of the client whose load started the TA
  uint64_t app_id = 0;             // the registry's id of the TA (TaInfo::id), never reused
};

// Makes the object a TA reaches as CAPTEE_TA_ENV_GP_APP_CLIENT, bound to
// `caller`. Called once per loaded TA, before its first process starts; a
// null Ref leaves the id unanswered (IOpener_ERROR_NOT_FOUND).
using TaServiceFactory = std::function<Ref(const TaCaller &caller)>;

}  // namespace captee::tee::apps
