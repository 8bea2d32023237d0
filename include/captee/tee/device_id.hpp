// The installation's device ID, GP's gpd.tee.deviceID: a random (version 4)
// UUID capteed makes once and keeps in its state directory, so every TA sees
// the same ID, across capteed restarts and reboots, for as long as the state
// directory lives.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace captee::tee {

// The ID kept in <state_dir>/device-id (its 8-4-4-4-12 lower-case text and a
// newline), made there when the file does not exist (written to a temporary
// file, fsync'd, then linked into place, so two starts never disagree). An
// empty `state_dir`: a fresh random ID, the same only for this process.
// nullopt with *why when the file exists but does not hold a UUID (capteed
// then refuses to start rather than hand TAs a different ID), or when it
// cannot be read or written.
std::optional<std::array<uint8_t, 16>> load_or_create_device_id(const std::string &state_dir,
                                                                std::string *why);

}  // namespace captee::tee
