// The supplicant plugin relay: how a TA's tee_invoke_supp_plugin reaches
// the plugins captee-supplicant loaded.
//
// captee-supplicant registers a listener (listeners.hpp) under
// CAPTEE_SUPP_PLUGIN_LISTENER_ID with one shared region. A region that
// several TAs wrote to directly would mix their requests and show each TA
// the others' data, so TAs never get that listener: their host environment
// gives them this relay (ISuppPluginRelay), which copies one request into the
// region, invokes the listener, and copies the answer back, holding the
// listener's call lock throughout (captee/supp_plugin_protocol.h has the
// layout; docs/GP.md, "Supplicant plugins", the errors).
#pragma once

#include <memory>

#include "captee/object.hpp"
#include "captee/tee/apps/listeners.hpp"

namespace captee::tee::apps {

// An ISuppPluginRelay over `table` (not null). Whatever the TA or the
// supplicant sends, the answer holds at most the request's bytes, and every
// failure to reach the supplicant is a TEE_ERROR_COMMUNICATION result. A
// supplicant that never answers holds its listener's call lock: later
// requests wait behind it (each bounded only by its TA's deadline) until that
// supplicant's connection closes. Thread-safe.
Ref make_supp_plugin_relay(std::shared_ptr<ListenerTable> table);

}  // namespace captee::tee::apps
