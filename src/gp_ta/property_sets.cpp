// The three property sets (property_sets.hpp): the TEE's built here once,
// the TA's from its manifest and its ta_props table once, the client's from
// the session whose entry point runs.
#include "property_sets.hpp"

#include <sys/utsname.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "ITaEnvironment.hpp"
#include "bigint_limits.hpp"
#include "captee/ta_sdk.h"
#include "current_client.hpp"
#include "host_environment.hpp"
#include "tee_api_defines.h"
#include "user_ta_header.h"

extern "C" const captee_ta_manifest captee_ta_manifest_data;

namespace captee::gp_ta {

namespace {

// How much a TA can trust a clock (GP §7): 100 is a clock the REE controls.
// System time is Linux's monotonic clock, persistent time counts from
// Linux's wall clock (capteed's ta_time_store.hpp): both the REE's.
constexpr uint32_t kReeControlled = 100;
// Trusted storage (issue #16) is not there yet: no rollback protection.
constexpr uint32_t kNoRollbackProtection = 0;

PropertyValue boolean(bool b) {
  PropertyValue v;
  v.type = PropertyType::kBool;
  v.b = b;
  return v;
}

PropertyValue u32(uint32_t n) {
  PropertyValue v;
  v.type = PropertyType::kU32;
  v.u32 = n;
  return v;
}

PropertyValue text(PropertyType type, std::string_view s) {
  PropertyValue v;
  v.type = type;
  v.text = s;
  return v;
}

PropertyValue uuid(const TEE_UUID &u) {
  PropertyValue v;
  v.type = PropertyType::kUuid;
  v.uuid = u;
  return v;
}

TEE_UUID uuid_from_bytes(const uint8_t *b) {
  TEE_UUID u{};
  u.timeLow = uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
  u.timeMid = static_cast<uint16_t>(b[4] << 8 | b[5]);
  u.timeHiAndVersion = static_cast<uint16_t>(b[6] << 8 | b[7]);
  std::memcpy(u.clockSeqAndNode, b + 8, 8);
  return u;
}

// "a.b.c..." as the 4 bytes (a, b, c, 0): the binary form of a version.
std::string version_bytes_base64(const char *version) {
  unsigned parts[3] = {0, 0, 0};
  std::sscanf(version, "%u.%u.%u", &parts[0], &parts[1], &parts[2]);
  const uint8_t b[4] = {static_cast<uint8_t>(parts[0]), static_cast<uint8_t>(parts[1]),
                        static_cast<uint8_t>(parts[2]), 0};
  return base64_encode(b, sizeof b);
}

// A set that does not change while the TA runs, with an index by name (a
// lookup costs a hash, wherever the name is in the set).
struct FixedSet {
  std::vector<Property> properties;
  std::unordered_map<std::string_view, size_t> by_name;

  // Adds `p` unless the set already holds its name (the first one stays).
  void add(Property p) {
    if (by_name.emplace(p.name, properties.size()).second) {
      properties.push_back(p);
    }
  }
};

// The TEE implementation's properties. The texts they point at are kept
// here for the TA's life.
struct TeeSet {
  std::string description =
      "captee " CAPTEE_VERSION ", a capability-based TEE in user space on Linux";
  std::string os_binary_version = version_bytes_base64(CAPTEE_VERSION);
  std::string kernel_release;
  std::string kernel_binary_version;
  FixedSet set;

  TeeSet() {
    // The layer under captee is the Linux kernel: its release is the
    // "firmware" version.
    utsname u{};
    kernel_release = ::uname(&u) == 0 ? u.release : "unknown";
    kernel_binary_version = version_bytes_base64(kernel_release.c_str());

    auto add = [this](const char *name, PropertyValue v) { set.add({name, v}); };
    add("gpd.tee.apiversion", text(PropertyType::kString, "1.3.1"));
    add("gpd.tee.internalCore.version", u32(TEE_CORE_API_VERSION));
    add("gpd.tee.description", text(PropertyType::kString, description));
    // From capteed (its state directory): absent if the TA has no
    // environment, rather than a made-up value.
    const Ref &env = ta_environment();
    ITaEnvironment_Uuid id{};
    if (!env.is_null() && iface::ITaEnvironment(env).getDeviceId(id) == Object_OK) {
      add("gpd.tee.deviceID", uuid(uuid_from_bytes(id.bytes)));
    }
    add("gpd.tee.systemTime.protectionLevel", u32(kReeControlled));
    add("gpd.tee.TAPersistentTime.protectionLevel", u32(kReeControlled));
    add("gpd.tee.arith.maxBigIntSize", u32(kMaxBigIntBits));
    // The cryptography family (issue #15) sets these when it implements
    // the algorithms each names.
    add("gpd.tee.cryptography.ecc", boolean(false));
    add("gpd.tee.cryptography.nist", boolean(false));
    add("gpd.tee.cryptography.bsi-r", boolean(false));
    add("gpd.tee.cryptography.bsi-t", boolean(false));
    add("gpd.tee.cryptography.ietf", boolean(false));
    add("gpd.tee.cryptography.octa", boolean(false));
    add("gpd.tee.trustedStorage.antiRollback.protectionLevel", u32(kNoRollbackProtection));
    // GP v1.1's name for the same level, which v1.3.1 still lists.
    add("gpd.tee.trustedStorage.rollbackDetection.protectionLevel", u32(kNoRollbackProtection));
    add("gpd.tee.trustedos.implementation.version", text(PropertyType::kString, CAPTEE_VERSION));
    add("gpd.tee.trustedos.implementation.binaryversion",
        text(PropertyType::kBinaryBlock, os_binary_version));
    add("gpd.tee.trustedos.manufacturer", text(PropertyType::kString, "captee"));
    add("gpd.tee.firmware.implementation.version", text(PropertyType::kString, kernel_release));
    add("gpd.tee.firmware.implementation.binaryversion",
        text(PropertyType::kBinaryBlock, kernel_binary_version));
    add("gpd.tee.firmware.manufacturer", text(PropertyType::kString, "The Linux kernel"));
  }
};

const FixedSet &tee_set() {
  static const TeeSet tee;
  return tee.set;
}

// One entry of the TA's table as a value; nullopt if the runtime cannot
// read it.
std::optional<PropertyValue> ta_property_value(const user_ta_property &p) {
  if (p.name == nullptr || p.value == nullptr) {
    return std::nullopt;
  }
  PropertyValue v;
  switch (p.type) {
    case USER_TA_PROP_TYPE_BOOL:
      return boolean(*static_cast<const bool *>(p.value));
    case USER_TA_PROP_TYPE_U32:
      return u32(*static_cast<const uint32_t *>(p.value));
    case USER_TA_PROP_TYPE_U64:
      v.type = PropertyType::kU64;
      v.u64 = *static_cast<const uint64_t *>(p.value);
      return v;
    case USER_TA_PROP_TYPE_UUID:
      return uuid(*static_cast<const TEE_UUID *>(p.value));
    case USER_TA_PROP_TYPE_IDENTITY:
      v.type = PropertyType::kIdentity;
      v.identity = *static_cast<const TEE_Identity *>(p.value);
      return v;
    case USER_TA_PROP_TYPE_STRING:
      return text(PropertyType::kString, static_cast<const char *>(p.value));
    case USER_TA_PROP_TYPE_BINARY_BLOCK:
      // Base64 text, as OP-TEE's TAs write it.
      return text(PropertyType::kBinaryBlock, static_cast<const char *>(p.value));
    case USER_TA_PROP_TYPE_INVALID:
      break;
  }
  return std::nullopt;
}

const FixedSet &ta_set() {
  static const FixedSet set = [] {
    FixedSet ta;
    ta.add({"gpd.ta.appID", uuid(uuid_from_bytes(captee_ta_manifest_data.uuid))});
    for (size_t n = 0; n < ta_num_props; ++n) {
      if (auto v = ta_property_value(ta_props[n])) {
        ta.add({ta_props[n].name, *v});
      }
    }
    return ta;
  }();
  return set;
}

// GP's endianness value for little-endian, the only byte order captee runs
// on (its wire format and the TA's memory share it).
constexpr uint32_t kLittleEndian = 0;

std::optional<Property> client_property(size_t index) {
  const TEE_Identity *client = current_client();
  if (client == nullptr) {
    return std::nullopt;
  }
  if (index == 0) {
    PropertyValue v;
    v.type = PropertyType::kIdentity;
    v.identity = *client;
    return Property{"gpd.client.identity", v};
  }
  if (index == 1) {
    return Property{"gpd.client.endian", u32(kLittleEndian)};
  }
  return std::nullopt;
}

}  // namespace

bool is_property_set(TEE_PropSetHandle h) {
  return h == TEE_PROPSET_TEE_IMPLEMENTATION || h == TEE_PROPSET_CURRENT_CLIENT ||
         h == TEE_PROPSET_CURRENT_TA;
}

namespace {

// The fixed set `set` names; nullptr for the client's (and a non-set).
const FixedSet *fixed_set(TEE_PropSetHandle set) {
  if (set == TEE_PROPSET_TEE_IMPLEMENTATION) {
    return &tee_set();
  }
  if (set == TEE_PROPSET_CURRENT_TA) {
    return &ta_set();
  }
  return nullptr;
}

}  // namespace

std::optional<Property> property_at(TEE_PropSetHandle set, size_t index) {
  if (set == TEE_PROPSET_CURRENT_CLIENT) {
    return client_property(index);
  }
  const FixedSet *fixed = fixed_set(set);
  if (fixed == nullptr || index >= fixed->properties.size()) {
    return std::nullopt;
  }
  return fixed->properties[index];
}

std::optional<Property> find_property(TEE_PropSetHandle set, std::string_view name) {
  if (set == TEE_PROPSET_CURRENT_CLIENT) {
    for (size_t n = 0;; ++n) {
      auto p = client_property(n);
      if (!p || p->name == name) {
        return p;
      }
    }
  }
  const FixedSet *fixed = fixed_set(set);
  if (fixed == nullptr) {
    return std::nullopt;
  }
  auto it = fixed->by_name.find(name);
  if (it == fixed->by_name.end()) {
    return std::nullopt;
  }
  return fixed->properties[it->second];
}

}  // namespace captee::gp_ta
