// Calls on capteed's ITrustedStorage binding (trusted_storage.hpp) as a TA's
// runtime makes them through the generated proxy, shared by the binding's
// suites (tests/tee_storage): the owners and flags they use, creating and
// opening an object, and reading a whole data stream.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ITrustedStorage.hpp"
#include "captee/tee/storage/trusted_storage.hpp"
#include "tee_api_defines.h"

namespace captee::tee::storage::binding_calls {

using iface::ITrustedStorage;

inline constexpr uint32_t kPrivate = ITrustedStorage_NAMESPACE_PRIVATE;
inline constexpr uint32_t kRead = TEE_DATA_FLAG_ACCESS_READ;
inline constexpr uint32_t kWrite = TEE_DATA_FLAG_ACCESS_WRITE;
inline constexpr uint32_t kShare = TEE_DATA_FLAG_SHARE_READ | TEE_DATA_FLAG_SHARE_WRITE;

// Two TAs of the same authority.
inline const Owner kTa{apps::TaAuthority::ta_dir(), {7}};
inline const Owner kOtherTa{apps::TaAuthority::ta_dir(), {8}};

inline std::span<const std::byte> bytes_of(const std::string &s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

// A data object `id` holding `data`, opened with `flags` into *handle.
inline int32_t create(const ITrustedStorage &s, const std::string &id, uint32_t flags,
                      const std::string &data, uint32_t *handle) {
  ITrustedStorage_Head meta{};
  meta.objectType = TEE_TYPE_DATA;
  return s.create(kPrivate, bytes_of(id), flags, meta, {}, bytes_of(data), *handle);
}

inline int32_t open(const ITrustedStorage &s, const std::string &id, uint32_t flags,
                    uint32_t *handle) {
  ITrustedStorage_Head head{};
  std::vector<std::byte> attrs(ITrustedStorage_MAX_ATTRIBUTES);
  size_t len = 0;
  return s.open(kPrivate, bytes_of(id), flags, *handle, head, attrs, len);
}

// The whole stream through `handle`, one transfer at a time.
inline std::string read_all(const ITrustedStorage &s, uint32_t handle) {
  std::string out;
  std::vector<std::byte> buf(ITrustedStorage_MAX_TRANSFER);
  for (;;) {
    size_t len = 0;
    EXPECT_EQ(s.read(handle, out.size(), buf, len), Object_OK);
    out.append(reinterpret_cast<const char *>(buf.data()), len);
    if (len < buf.size()) {
      return out;
    }
  }
}

}  // namespace captee::tee::storage::binding_calls
