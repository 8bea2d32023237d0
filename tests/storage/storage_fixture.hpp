// Shared by the storage tests: a scratch directory with a state directory
// and an RPMB device beside it, and owners.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "captee/tee/storage/durable_object_store.hpp"

namespace captee::tee::storage::testing {

inline Owner ta_owner(uint8_t n) {
  Owner o;
  o.authority = apps::TaAuthority::ta_dir();
  o.uuid.fill(n);
  return o;
}

inline Bytes bytes_of(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

inline Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i)
    b[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
  return b;
}

class ScratchDir {
 public:
  ScratchDir() {
    const char *base = getenv("TMPDIR");
    std::string tmpl = std::string(base ? base : "/var/tmp") + "/captee-store-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr)
      tmpl = "/tmp";
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string &path() const { return path_; }

 private:
  std::string path_;
};

inline DurableStoreOptions options_in(const std::string &dir) {
  DurableStoreOptions o;
  o.state_dir = dir + "/state";
  o.rpmb_path = dir + "/rpmb";
  return o;
}

inline std::unique_ptr<ObjectStore> open_store(const DurableStoreOptions &o) {
  std::string why;
  auto s = open_durable_object_store(o, &why);
  EXPECT_TRUE(s) << why;
  return s;
}

}  // namespace captee::tee::storage::testing
