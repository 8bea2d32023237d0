// The ITaEnvironment capteed binds to each TA and the per-TA host
// environment that offers it (ta_environment.hpp).
#include "captee/tee/apps/ta_environment.hpp"

#include <cstring>
#include <utility>

#include "IOpener.hpp"
#include "ITaEnvironment.hpp"
#include "captee/ta_sdk.h"

namespace captee::tee::apps {

namespace {

class BoundEnvironment final : public iface::ITaEnvironmentSkeleton {
 public:
  BoundEnvironment(TaUuid device_id, std::shared_ptr<TaTimeStore> times, TaAuthority authority,
                   TaUuid uuid)
      : device_id_(device_id),
        times_(std::move(times)),
        authority_(std::move(authority)),
        uuid_(uuid) {}

  int32_t getDeviceId(ITaEnvironment_Uuid &id) override {
    std::memcpy(id.bytes, device_id_.data(), device_id_.size());
    return Object_OK;
  }

  int32_t getPersistentTime(uint64_t &millis) override {
    TaTimeStore::Reading r = times_->get(authority_, uuid_);
    switch (r.status) {
      case TaTimeStore::Status::kOk:
        millis = r.millis;
        return Object_OK;
      case TaTimeStore::Status::kNotSet:
        return ITaEnvironment_ERROR_TIME_NOT_SET;
      default:
        return ITaEnvironment_ERROR_TIME_NEEDS_RESET;
    }
  }

  int32_t setPersistentTime(uint64_t millis) override {
    switch (times_->set(authority_, uuid_, millis)) {
      case TaTimeStore::Status::kOk:
        return Object_OK;
      case TaTimeStore::Status::kInvalid:
        return Object_ERROR_INVALID;  // not a GP time: the runtime never sends one
      default:
        return ITaEnvironment_ERROR_STORAGE;
    }
  }

 private:
  const TaUuid device_id_;
  const std::shared_ptr<TaTimeStore> times_;
  const TaAuthority authority_;
  const TaUuid uuid_;
};

class TaHostEnv final : public iface::IOpenerSkeleton {
 public:
  TaHostEnv(Ref listeners, Ref environment, TaEnvironment::StorageBinder storage,
            TaAuthority authority, TaUuid uuid)
      : listeners_(std::move(listeners)),
        environment_(std::move(environment)),
        storage_(std::move(storage)),
        authority_(std::move(authority)),
        uuid_(uuid) {}

  int32_t open(uint32_t id, Ref &obj) override {
    if (id == CAPTEE_TA_ENVIRONMENT) {
      obj = environment_;
      return Object_OK;
    }
    if (id == CAPTEE_TA_STORAGE) {
      // A binding of its own for each opener: all instances of a
      // multi-instance TA share this environment, and each process's handles
      // must close when that process's binding is released.
      if (!storage_) {
        return IOpener_ERROR_NOT_FOUND;
      }
      obj = storage_(authority_, uuid_);
      return obj.is_null() ? Object_ERROR_MEM : Object_OK;
    }
    if ((id & 0x7fffffffu) >= CAPTEE_TA_ENV_RESERVED || listeners_.is_null()) {
      return IOpener_ERROR_NOT_FOUND;
    }
    return iface::IOpener(listeners_).open(id, obj);
  }

 private:
  const Ref listeners_;
  const Ref environment_;
  const TaEnvironment::StorageBinder storage_;
  const TaAuthority authority_;
  const TaUuid uuid_;
};

}  // namespace

TaEnvironment::TaEnvironment(TaUuid device_id, std::shared_ptr<TaTimeStore> times,
                             StorageBinder storage)
    : device_id_(device_id), times_(std::move(times)), storage_(std::move(storage)) {}

Ref TaEnvironment::for_ta(const TaAuthority &authority, const TaUuid &uuid) const {
  return make_object<BoundEnvironment>(device_id_, times_, authority, uuid);
}

Ref TaEnvironment::host_env_for(Ref listeners, const TaAuthority &authority,
                                const TaUuid &uuid) const {
  return make_object<TaHostEnv>(std::move(listeners), for_ta(authority, uuid), storage_, authority,
                                uuid);
}

}  // namespace captee::tee::apps
