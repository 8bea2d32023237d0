// The IListenerCBO captee-supplicant registers with capteed: each request()
// runs the one plugin call capteed's relay wrote into the shared region
// (captee/supp_plugin_protocol.h) and leaves the answer there.
#pragma once

#include <functional>
#include <memory>

#include "captee/object.hpp"
#include "captee/supplicant/plugin_set.hpp"

namespace captee::supplicant {

// `region` is the MemoryObject registered with the listener (null Ref if it
// is not a MemoryObject of this process). `released` runs once, when the last
// reference to the listener goes: after the supplicant dropped its own, that
// is when capteed let go of it (capteed stopped or the connection closed).
// A request whose header does not fit the region answers
// Object_ERROR_INVALID and calls no plugin. Requests run one at a time.
Ref make_plugin_listener(std::shared_ptr<const PluginSet> plugins, Ref region, Log log,
                         std::function<void()> released);

}  // namespace captee::supplicant
