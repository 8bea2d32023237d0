// Listener registration: the supplicant pattern.
//
// A normal-world process (a "listener", e.g. a storage supplicant) registers
// an IListenerCBO callback object and a memory region under a listener id
// with IRegisterListenerCBO.register (CRegisterListenerCBO_UID 87). TAs reach
// it through the host environment their captee_ta_init() receives:
// open(CAPTEE_TA_LISTENER_CBO(id)) gives the callback object and
// open(CAPTEE_TA_LISTENER_REGION(id)) an IMemRegion over the shared region
// (getData/setData). A TA writes its request into the region, invokes
// request(), and reads the answer back from the region. Listener id 0 is
// never registered: CAPTEE_TA_ENV_GP_APP_CLIENT (0) is the TA's own GP
// service (ta_caller.hpp), and its region id CAPTEE_TA_SUPP_PLUGINS the
// supplicant plugin relay.
//
// One listener is kept from TAs: the supplicant's plugin listener
// (CAPTEE_SUPP_PLUGIN_LISTENER_ID, captee/supp_plugin_protocol.h). Its
// region carries one TA's request at a time, so TAs reach it only through
// capteed's relay (supp_plugin_relay.hpp), host environment id
// CAPTEE_TA_SUPP_PLUGINS. Nor does a TA reach the storage listener
// (CAPTEE_STORAGE_LISTENER_ID, captee/storage_listener_protocol.h): only
// capteed's supplicant storage backend calls it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "captee/object.hpp"

namespace captee::tee::apps {

// The registered listeners, shared by the registration service and every TA
// host environment. Thread-safe.
class ListenerTable {
 public:
  static constexpr size_t kMaxListeners = 64;

  struct Entry {
    Ref cbo;     // the listener's IListenerCBO
    Ref region;  // an IMemRegion over its region (null if none was given)
    // Held by whoever uses the region for one request and its answer (the
    // supplicant plugin relay). One per registration: a listener that
    // replaces a dead one does not wait for calls stuck in the dead one.
    std::shared_ptr<std::mutex> calls;
  };

  // IRegisterListenerCBO semantics: 0 on success, else
  // IRegisterListenerCBO_ERROR_ID_RESERVED (id 0 or >= CAPTEE_TA_ENV_RESERVED),
  // _ERROR_ID_IN_USE (a live listener holds it; a listener whose callback
  // answers DEFUNCT/UNAVAIL is replaced), _ERROR_MAX_REGISTERED, or
  // Object_ERROR_INVALID (null cbo; a region that is neither fd-backed nor
  // mappable read-write). `cbo` and `region` are borrowed (retained inside).
  int32_t add(uint32_t id, Object cbo, Object region);

  // A new reference to what is registered under `id`; nullopt-like empty
  // Entry (null cbo) if none.
  Entry find(uint32_t id) const;

  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<uint32_t, Entry> entries_;
};

// The IRegisterListenerCBO service object (register op 0) over `table`. The
// lead registers it under CRegisterListenerCBO_UID. Besides
// ListenerTable::add's errors, it answers Object_ERROR_INVALID to a storage
// listener (CAPTEE_STORAGE_LISTENER_ID) that is not an object of the
// registering process itself (is_callers_object): capteed closes that
// process's connection when it stops answering (supplicant_files.hpp).
Ref make_listener_registry(std::shared_ptr<ListenerTable> table);

// An IMemRegion over the fd-backed object `mem` (mapped read-write). Null Ref
// if it cannot be mapped.
Ref make_mem_region(Object mem);

// The host environment a TA's captee_ta_init receives (an IOpener, see
// ta_sdk.h): the listeners of `table` (not the supplicant plugin
// listener's), the supplicant plugin relay (CAPTEE_TA_SUPP_PLUGINS), and
// `ta_service` (the object bound to this TA, ta_caller.hpp) as
// CAPTEE_TA_ENV_GP_APP_CLIENT. Null table or service: their ids answer
// IOpener_ERROR_NOT_FOUND.
Ref make_host_env(std::shared_ptr<ListenerTable> table, Ref ta_service = Ref());

}  // namespace captee::tee::apps
