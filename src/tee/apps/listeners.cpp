#include "captee/tee/apps/listeners.hpp"

#include <cstring>
#include <utility>

#include "IListenerCBO.hpp"
#include "IMemRegion.hpp"
#include "IOpener.hpp"
#include "IRegisterListenerCBO.hpp"
#include "captee/channel.hpp"
#include "captee/memory.hpp"
#include "captee/storage_listener_protocol.h"
#include "captee/supp_plugin_protocol.h"
#include "captee/ta_sdk.h"
#include "captee/tee/apps/supp_plugin_relay.hpp"

namespace captee::tee::apps {

namespace {

class MemRegion final : public iface::IMemRegionSkeleton {
 public:
  explicit MemRegion(Mapping m) : map_(std::move(m)) {}

  int32_t getData(uint64_t offset, std::span<std::byte> data, size_t &data_len) override {
    auto bytes = map_.bytes();
    if (offset > bytes.size()) {
      return Object_ERROR_INVALID;
    }
    size_t n = std::min<size_t>(data.size(), bytes.size() - offset);
    std::memcpy(data.data(), bytes.data() + offset, n);
    data_len = n;
    return Object_OK;
  }

  int32_t setData(uint64_t offset, std::span<const std::byte> data) override {
    auto bytes = map_.bytes();
    uint64_t end = 0;
    if (__builtin_add_overflow(offset, data.size(), &end) || end > bytes.size()) {
      return Object_ERROR_INVALID;
    }
    if (!map_.writable()) {
      return IMemRegion_ERROR_PERM;
    }
    std::memcpy(bytes.data() + offset, data.data(), data.size());
    return Object_OK;
  }

  int32_t createRestrictedRegion(uint32_t, Ref &) override { return Object_ERROR_INVALID; }

 private:
  Mapping map_;
};

class RegisterService final : public iface::IRegisterListenerCBOSkeleton {
 public:
  explicit RegisterService(std::shared_ptr<ListenerTable> t) : table_(std::move(t)) {}
  int32_t register_(uint32_t listenerId, Object cbo, Object memRegion) override {
    // capteed cuts a storage supplicant that stops answering off by closing
    // its connection (supplicant_files.hpp): that listener must be an
    // object of the registering process itself, never one of a third
    // process's that capteed handed it, whose connection is not its to end.
    if (listenerId == CAPTEE_STORAGE_LISTENER_ID && !is_callers_object(cbo)) {
      return Object_ERROR_INVALID;
    }
    return table_->add(listenerId, cbo, memRegion);
  }

 private:
  std::shared_ptr<ListenerTable> table_;
};

class HostEnv final : public iface::IOpenerSkeleton {
 public:
  HostEnv(std::shared_ptr<ListenerTable> t, Ref ta_service)
      : table_(std::move(t)),
        supp_plugins_(table_ ? make_supp_plugin_relay(table_) : Ref()),
        ta_service_(std::move(ta_service)) {}
  int32_t open(uint32_t id, Ref &obj) override {
    if (id == CAPTEE_TA_ENV_GP_APP_CLIENT) {
      // Listener id 0 is reserved (ListenerTable::add refuses it): this id
      // is the service capteed bound to this TA, never a listener.
      if (ta_service_.is_null()) {
        return IOpener_ERROR_NOT_FOUND;
      }
      obj = ta_service_;
      return Object_OK;
    }
    if (!table_) {
      return IOpener_ERROR_NOT_FOUND;
    }
    if (id == CAPTEE_TA_SUPP_PLUGINS) {
      obj = supp_plugins_;
      return Object_OK;
    }
    // The plugin listener's region holds other TAs' requests: only the
    // relay, which takes one request at a time, reaches it.
    if (CAPTEE_TA_LISTENER_CBO(id) == CAPTEE_SUPP_PLUGIN_LISTENER_ID) {
      return IOpener_ERROR_NOT_FOUND;
    }
    // The storage listener keeps capteed's store (every TA's objects,
    // sealed): capteed alone calls it (supplicant_storage.hpp).
    if (CAPTEE_TA_LISTENER_CBO(id) == CAPTEE_STORAGE_LISTENER_ID) {
      return IOpener_ERROR_NOT_FOUND;
    }
    auto e = table_->find(CAPTEE_TA_LISTENER_CBO(id));
    Ref &pick = (id & 0x80000000u) != 0 ? e.region : e.cbo;
    if (pick.is_null()) {
      return IOpener_ERROR_NOT_FOUND;
    }
    obj = std::move(pick);
    return Object_OK;
  }

 private:
  std::shared_ptr<ListenerTable> table_;
  Ref supp_plugins_;
  const Ref ta_service_;
};

bool defunct(const Ref &cbo) {
  // A liveness probe that costs the listener nothing: an unknown op on a live
  // object answers INVALID; a dead connection answers UNAVAIL/DEFUNCT.
  int32_t rv = cbo.invoke_raw(ObjectOp_METHOD_USERMAX, nullptr, 0);
  return rv == Object_ERROR_UNAVAIL || rv == Object_ERROR_DEFUNCT;
}

}  // namespace

int32_t ListenerTable::add(uint32_t id, Object cbo, Object region) {
  // CAPTEE_TA_ENV_RESERVED and up name what capteed gives each TA itself
  // (ta_environment.hpp): no listener may sit there.
  if (id == 0 || id >= CAPTEE_TA_ENV_RESERVED) {
    return IRegisterListenerCBO_ERROR_ID_RESERVED;
  }
  if (Object_isNull(cbo)) {
    return Object_ERROR_INVALID;
  }
  Entry e{Ref::share(cbo), Ref(), std::make_shared<std::mutex>()};
  if (!Object_isNull(region)) {
    if (LocalObject::from_as<FdObject>(region) != nullptr) {
      e.region = make_mem_region(region);
      if (e.region.is_null()) {
        return Object_ERROR_INVALID;
      }
    } else {
      e.region = Ref::share(region);  // already an IMemRegion elsewhere
    }
  }
  Ref holder;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end()) {
      if (entries_.size() >= kMaxListeners) {
        return IRegisterListenerCBO_ERROR_MAX_REGISTERED;
      }
      entries_.emplace(id, std::move(e));
      return Object_OK;
    }
    holder = it->second.cbo;
  }
  // The probe is a call into the holder's process, which may never answer:
  // it runs outside the lock, so such a holder stalls this registration
  // only, not every TA's lookup of a listener.
  if (!defunct(holder)) {
    return IRegisterListenerCBO_ERROR_ID_IN_USE;
  }
  Entry stale;  // released after the lock
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);  // entries are replaced, never erased
  const Object now = it->second.cbo.get();
  if (now.invoke != holder.get().invoke || now.context != holder.get().context) {
    return IRegisterListenerCBO_ERROR_ID_IN_USE;  // another registration took it meanwhile
  }
  stale = std::move(it->second);
  it->second = std::move(e);
  return Object_OK;
}

ListenerTable::Entry ListenerTable::find(uint32_t id) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  return it == entries_.end() ? Entry{} : it->second;
}

size_t ListenerTable::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

Ref make_listener_registry(std::shared_ptr<ListenerTable> table) {
  return make_object<RegisterService>(std::move(table));
}

Ref make_mem_region(Object mem) {
  auto m = Mapping::map(mem, FdObject::kRead | FdObject::kWrite);
  if (!m) {
    m = Mapping::map(mem, FdObject::kRead);
  }
  if (!m) {
    return Ref();
  }
  return make_object<MemRegion>(std::move(*m));
}

Ref make_host_env(std::shared_ptr<ListenerTable> table, Ref ta_service) {
  return make_object<HostEnv>(std::move(table), std::move(ta_service));
}

}  // namespace captee::tee::apps
