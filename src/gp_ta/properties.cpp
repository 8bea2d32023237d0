// The property getters (GP TEE Internal Core API v1.3.1 §4.4.1-4.4.7):
// TEE_GetPropertyAsString, AsBool, AsU32, AsU64, AsBinaryBlock, AsUUID and
// AsIdentity. Each takes a property set pseudo-handle and a name, or an
// enumerator (then the name is ignored and the enumerator's current property
// is read), and converts the property to its type (property_values.hpp).
//
// Answers, as GP gives them: TEE_ERROR_ITEM_NOT_FOUND for a name the set
// does not hold (a name that is not UTF-8 holds none) and for an enumerator
// not started or past its end; TEE_ERROR_BAD_FORMAT when the value does not
// convert; TEE_ERROR_SHORT_BUFFER with the size needed (a string's with its
// terminating zero) in *valueBufferLen. A handle that is neither a set nor a
// live enumerator, and a NULL pointer where GP needs one, panic the TA.
#include <cstring>
#include <string>

#include "property_enumerators.hpp"
#include "property_sets.hpp"
#include "tee_internal_api.h"

namespace captee::gp_ta {
namespace {

// The property `h` and `name` designate, or the result a getter answers.
struct Lookup {
  TEE_Result result = TEE_ERROR_ITEM_NOT_FOUND;
  Property property{};
};

Lookup look_up(const char *function, TEE_PropSetHandle h, const char *name) {
  std::optional<Property> p;
  if (is_property_set(h)) {
    if (name == nullptr) {
      property_panic(function, "NULL property name");
    }
    p = find_property(h, name);
  } else {
    p = enumerator_current(function, h);  // panics unless `h` is a live enumerator
  }
  if (!p) {
    return {};
  }
  return {TEE_SUCCESS, *p};
}

// Stores the converted value `v` in *out; BAD_FORMAT if there is none.
template <class T>
TEE_Result store(const std::optional<T> &v, T *out) {
  if (!v) {
    return TEE_ERROR_BAD_FORMAT;
  }
  *out = *v;
  return TEE_SUCCESS;
}

// A getter of one fixed-size value: `convert` reads the property's value as
// T (nullopt: BAD_FORMAT). `fn` names the GP function in a panic's message.
template <typename T, typename Convert>
TEE_Result get_value(const char *fn, TEE_PropSetHandle propsetOrEnumerator, const char *name,
                     T *value, Convert convert) {
  if (value == nullptr) {
    property_panic(fn, "NULL value pointer");
  }
  auto found = look_up(fn, propsetOrEnumerator, name);
  if (found.result != TEE_SUCCESS) {
    return found.result;
  }
  return store(convert(found.property.value), value);
}

// Copies `size` bytes to [outbuf] `buffer` of *len bytes: SHORT_BUFFER with
// the size needed when it does not fit (`buffer` may then be NULL).
TEE_Result copy_out(const char *function, const void *data, size_t size, void *buffer,
                    size_t *len) {
  if (*len < size) {
    *len = size;
    return TEE_ERROR_SHORT_BUFFER;
  }
  if (size > 0) {
    if (buffer == nullptr) {
      property_panic(function, "NULL value buffer");
    }
    std::memcpy(buffer, data, size);
  }
  *len = size;
  return TEE_SUCCESS;
}

}  // namespace
}  // namespace captee::gp_ta

using captee::gp_ta::copy_out;
using captee::gp_ta::get_value;
using captee::gp_ta::look_up;
using captee::gp_ta::property_panic;

extern "C" {

TEE_Result TEE_GetPropertyAsString(TEE_PropSetHandle propsetOrEnumerator, const char *name,
                                   char *valueBuffer, size_t *valueBufferLen) {
  if (valueBufferLen == nullptr) {
    property_panic(__func__, "NULL length pointer");
  }
  auto found = look_up(__func__, propsetOrEnumerator, name);
  if (found.result != TEE_SUCCESS) {
    return found.result;
  }
  const std::string s = captee::gp_ta::property_to_string(found.property.value);
  return copy_out(__func__, s.c_str(), s.size() + 1, valueBuffer, valueBufferLen);
}

TEE_Result TEE_GetPropertyAsBool(TEE_PropSetHandle propsetOrEnumerator, const char *name,
                                 bool *value) {
  return get_value(__func__, propsetOrEnumerator, name, value,
                   [](const auto &v) { return captee::gp_ta::property_as_bool(v); });
}

TEE_Result TEE_GetPropertyAsU32(TEE_PropSetHandle propsetOrEnumerator, const char *name,
                                uint32_t *value) {
  return get_value(__func__, propsetOrEnumerator, name, value,
                   [](const auto &v) { return captee::gp_ta::property_as_u32(v); });
}

TEE_Result TEE_GetPropertyAsU64(TEE_PropSetHandle propsetOrEnumerator, const char *name,
                                uint64_t *value) {
  return get_value(__func__, propsetOrEnumerator, name, value,
                   [](const auto &v) { return captee::gp_ta::property_as_u64(v); });
}

TEE_Result TEE_GetPropertyAsBinaryBlock(TEE_PropSetHandle propsetOrEnumerator, const char *name,
                                        void *valueBuffer, size_t *valueBufferLen) {
  if (valueBufferLen == nullptr) {
    property_panic(__func__, "NULL length pointer");
  }
  auto found = look_up(__func__, propsetOrEnumerator, name);
  if (found.result != TEE_SUCCESS) {
    return found.result;
  }
  auto bytes = captee::gp_ta::property_as_binary_block(found.property.value);
  if (!bytes) {
    return TEE_ERROR_BAD_FORMAT;
  }
  return copy_out(__func__, bytes->data(), bytes->size(), valueBuffer, valueBufferLen);
}

TEE_Result TEE_GetPropertyAsUUID(TEE_PropSetHandle propsetOrEnumerator, const char *name,
                                 TEE_UUID *value) {
  return get_value(__func__, propsetOrEnumerator, name, value,
                   [](const auto &v) { return captee::gp_ta::property_as_uuid(v); });
}

TEE_Result TEE_GetPropertyAsIdentity(TEE_PropSetHandle propsetOrEnumerator, const char *name,
                                     TEE_Identity *value) {
  return get_value(__func__, propsetOrEnumerator, name, value,
                   [](const auto &v) { return captee::gp_ta::property_as_identity(v); });
}

}  // extern "C"
