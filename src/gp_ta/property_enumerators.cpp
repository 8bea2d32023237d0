// Property enumerators: TEE_AllocatePropertyEnumerator and the functions that
// move one (property_enumerators.hpp). An enumerator handle is the address
// of its state; the runtime keeps the set of live ones, so a handle that is
// not one (never allocated, already freed, a pseudo-handle) is recognised
// and panics the TA rather than being followed.
#include "property_enumerators.hpp"

#include <cstring>
#include <mutex>
#include <new>
#include <unordered_set>

#include "tee_internal_api.h"
#include "trace.h"

namespace captee::gp_ta {

namespace {

struct Enumerator {
  TEE_PropSetHandle set = TEE_HANDLE_NULL;  // a pseudo-handle once started
  size_t index = 0;
  bool started = false;
};

// The live enumerators. A TA may use its handles from threads of its own, so
// the set and the enumerators' state are guarded.
std::mutex g_mu;
std::unordered_set<Enumerator *> g_live;  // guarded by g_mu

// The live enumerator `h`, or a panic naming `function`. Call with g_mu held.
Enumerator &live(TEE_PropSetHandle h, const char *function) {
  auto *e = reinterpret_cast<Enumerator *>(h);
  if (g_live.count(e) == 0) {
    property_panic(function, "not a property enumerator handle");
  }
  return *e;
}

// Copies `name` and its terminating zero into [outstring] `buffer` of
// *len bytes; TEE_ERROR_SHORT_BUFFER with *len the size needed.
TEE_Result copy_name(const char *function, const char *name, void *buffer, size_t *len) {
  const size_t needed = std::strlen(name) + 1;
  if (*len < needed) {
    *len = needed;
    return TEE_ERROR_SHORT_BUFFER;
  }
  if (buffer == nullptr) {
    property_panic(function, "NULL name buffer");
  }
  std::memcpy(buffer, name, needed);
  *len = needed;
  return TEE_SUCCESS;
}

}  // namespace

void property_panic(const char *function, const char *why) {
  trace_printf(nullptr, 0, TRACE_ERROR, true, "%s: %s; panicking the TA", function, why);
  TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
}

std::optional<Property> enumerator_current(const char *function, TEE_PropSetHandle h) {
  TEE_PropSetHandle set = TEE_HANDLE_NULL;
  size_t index = 0;
  {
    std::lock_guard lock(g_mu);
    Enumerator &e = live(h, function);
    if (!e.started) {
      return std::nullopt;
    }
    set = e.set;
    index = e.index;
  }
  return property_at(set, index);
}

}  // namespace captee::gp_ta

using captee::gp_ta::Enumerator;
using captee::gp_ta::g_live;
using captee::gp_ta::g_mu;
using captee::gp_ta::live;
using captee::gp_ta::property_panic;

extern "C" {

TEE_Result TEE_AllocatePropertyEnumerator(TEE_PropSetHandle *enumerator) {
  if (enumerator == nullptr) {
    property_panic(__func__, "NULL enumerator pointer");
  }
  *enumerator = TEE_HANDLE_NULL;
  auto *e = new (std::nothrow) Enumerator;
  if (e == nullptr) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  try {
    std::lock_guard lock(g_mu);
    g_live.insert(e);
  } catch (const std::bad_alloc &) {
    delete e;
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  *enumerator = reinterpret_cast<TEE_PropSetHandle>(e);
  return TEE_SUCCESS;
}

void TEE_FreePropertyEnumerator(TEE_PropSetHandle enumerator) {
  if (enumerator == TEE_HANDLE_NULL) {
    return;  // GP: freeing nothing does nothing
  }
  Enumerator *e = nullptr;
  {
    std::lock_guard lock(g_mu);
    e = &live(enumerator, __func__);
    g_live.erase(e);
  }
  delete e;
}

void TEE_StartPropertyEnumerator(TEE_PropSetHandle enumerator, TEE_PropSetHandle propSet) {
  if (!captee::gp_ta::is_property_set(propSet)) {
    property_panic(__func__, "not a property set pseudo-handle");
  }
  std::lock_guard lock(g_mu);
  Enumerator &e = live(enumerator, __func__);
  e.set = propSet;
  e.index = 0;
  e.started = true;
}

void TEE_ResetPropertyEnumerator(TEE_PropSetHandle enumerator) {
  std::lock_guard lock(g_mu);
  Enumerator &e = live(enumerator, __func__);
  e.started = false;
  e.index = 0;
}

TEE_Result TEE_GetPropertyName(TEE_PropSetHandle enumerator, void *nameBuffer,
                               size_t *nameBufferLen) {
  if (nameBufferLen == nullptr) {
    property_panic(__func__, "NULL length pointer");
  }
  auto p = captee::gp_ta::enumerator_current(__func__, enumerator);
  if (!p) {
    return TEE_ERROR_ITEM_NOT_FOUND;
  }
  return captee::gp_ta::copy_name(__func__, p->name, nameBuffer, nameBufferLen);
}

TEE_Result TEE_GetNextProperty(TEE_PropSetHandle enumerator) {
  TEE_PropSetHandle set = TEE_HANDLE_NULL;
  size_t index = 0;
  {
    std::lock_guard lock(g_mu);
    Enumerator &e = live(enumerator, __func__);
    if (!e.started || !captee::gp_ta::property_at(e.set, e.index)) {
      return TEE_ERROR_ITEM_NOT_FOUND;  // not started, or already past the end
    }
    ++e.index;
    set = e.set;
    index = e.index;
  }
  // Moving past the last property is the end of the set, not a success.
  return captee::gp_ta::property_at(set, index) ? TEE_SUCCESS : TEE_ERROR_ITEM_NOT_FOUND;
}

}  // extern "C"
