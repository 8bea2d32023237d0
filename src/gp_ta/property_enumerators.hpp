// Property enumerators (GP TEE Internal Core API v1.3.1 §4.4.9-4.4.14):
// handles TEE_AllocatePropertyEnumerator gives out, which the getters also
// take in place of a property set (property_enumerators.cpp).
#pragma once

#include <optional>

#include "property_sets.hpp"
#include "tee_api_types.h"

namespace captee::gp_ta {

// The property enumerator `h` points at: nullopt if it was not started, or
// has gone past the end of its set. Panics the TA, naming `function`, if `h`
// is not an enumerator this TA allocated and has not freed (GP: not a valid
// handle).
std::optional<Property> enumerator_current(const char *function, TEE_PropSetHandle h);

// Logs why the TA is being panicked, then panics it with
// TEE_ERROR_BAD_PARAMETERS (a bad handle or pointer, for which GP's
// property functions panic).
[[noreturn]] void property_panic(const char *function, const char *why);

}  // namespace captee::gp_ta
