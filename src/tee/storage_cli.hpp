// `captee storage usage` and `captee storage list` (docs/STORAGE.md,
// "Tools"), over capteed's IStorageAdmin object (`admin`, opened by the
// CLI). Each returns the exit status and writes one sentence to `err` on a
// failure.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "captee/object.hpp"

namespace captee::tee {

// Per owner: objects and bytes.
int storage_usage_command(const Ref &admin, bool json, std::ostream &out, std::ostream &err);

// With `ta` (a UUID as text): that TA's objects (ids, sizes, types) under
// every authority that stored some. Without: the owners with their object
// counts only, no ids.
int storage_list_command(const Ref &admin, const std::optional<std::string> &ta, bool json,
                         std::ostream &out, std::ostream &err);

}  // namespace captee::tee
