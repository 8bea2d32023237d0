// The three GP property sets a TA reads (GP TEE Internal Core API v1.3.1
// §4.4, §4.7), each in a fixed order, which is the order enumerators walk:
//   - TEE_PROPSET_TEE_IMPLEMENTATION: gpd.tee.* (property_sets.cpp lists
//     them; gpd.tee.deviceID comes from capteed, docs/GP.md);
//   - TEE_PROPSET_CURRENT_CLIENT: gpd.client.identity (as capteed stated
//     it) and gpd.client.endian, while a session's entry point runs; empty
//     otherwise;
//   - TEE_PROPSET_CURRENT_TA: gpd.ta.appID (the manifest's UUID), then the
//     TA's table ta_props (gpd.ta.* from its user_ta_header_defines.h and
//     its TA_CURRENT_TA_EXT_PROPERTIES, ta_properties.c). Entries the
//     runtime cannot read (no name, no value, an unknown type) and any that
//     repeat an earlier name are left out, so a lookup and an enumeration
//     see the same set.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "property_values.hpp"
#include "tee_api_types.h"

namespace captee::gp_ta {

struct Property {
  const char *name;  // lives as long as the TA
  PropertyValue value;
};

// Whether `h` is one of the three pseudo-handles.
bool is_property_set(TEE_PropSetHandle h);

// The property at `index` of pseudo-handle `set`; nullopt past the end.
std::optional<Property> property_at(TEE_PropSetHandle set, size_t index);

// The property `name` (compared exactly) of pseudo-handle `set`.
std::optional<Property> find_property(TEE_PropSetHandle set, std::string_view name);

}  // namespace captee::gp_ta
