// What capteed gives each TA it starts besides the listeners: an
// ITaEnvironment (idl/ITaEnvironment.idl) bound to that TA's (authority,
// UUID), which the GP runtime inside the TA uses for gpd.tee.deviceID and
// the TA persistent time. The TA reaches it through its host environment,
// open(CAPTEE_TA_ENVIRONMENT) (captee/ta_sdk.h); it never names itself, so
// it can read and set only its own time.
//
// The app loader (AppLoaderConfig::ta_environment) makes one host
// environment per TA with host_env_for(); without a TaEnvironment, TAs get
// the shared listener environment alone, and the GP runtime answers as
// docs/GP.md says for a TA outside capteed.
//
// Thread-safety: immutable after construction; the objects it makes are
// thread-safe.
#pragma once

#include <functional>
#include <memory>

#include "captee/object.hpp"
#include "captee/tee/apps/ta_authority.hpp"
#include "captee/tee/apps/ta_time_store.hpp"

namespace captee::tee::apps {

class TaEnvironment {
 public:
  // Makes a new ITrustedStorage (idl/ITrustedStorage.idl) bound to the TA
  // (authority, uuid): captee/tee/storage/trusted_storage.hpp's bind().
  using StorageBinder = std::function<Ref(const TaAuthority &, const TaUuid &)>;

  // `device_id`: the installation's (gpd.tee.deviceID, the same for every
  // TA); `times`: where TA persistent times are kept (not null); `storage`:
  // GP trusted storage (empty: CAPTEE_TA_STORAGE is not found, and the GP
  // runtime answers TEE_ERROR_STORAGE_NOT_AVAILABLE).
  TaEnvironment(TaUuid device_id, std::shared_ptr<TaTimeStore> times, StorageBinder storage = {});

  // The ITaEnvironment of the TA (authority, uuid).
  Ref for_ta(const TaAuthority &authority, const TaUuid &uuid) const;

  // The host environment (an IOpener) of that TA: CAPTEE_TA_ENVIRONMENT
  // answers for_ta(authority, uuid); CAPTEE_TA_STORAGE a new ITrustedStorage
  // of the TA at each open (each TA process opens its own); other ids from CAPTEE_TA_ENV_RESERVED
  // on (either form) answer IOpener_ERROR_NOT_FOUND; the rest go to `listeners`, the registry's
  // shared listener environment (null: NOT_FOUND).
  Ref host_env_for(Ref listeners, const TaAuthority &authority, const TaUuid &uuid) const;

 private:
  TaUuid device_id_;
  std::shared_ptr<TaTimeStore> times_;
  StorageBinder storage_;
};

}  // namespace captee::tee::apps
