// A test SQLite VFS that simulates power loss: a shim over the default VFS
// that remembers each file's contents as of its last xSync, can be told to
// "lose power" after N more writes or syncs (that call and every later
// write, sync, truncate and delete then fail and do nothing), and then puts
// every file back to its last synced contents, discarding what was written
// since - what a disk without a battery-backed cache keeps.
#pragma once

#include <cstdint>
#include <string>

namespace captee::tee::storage::testing {

// Registers the VFS under `kPowerCutVfs` (idempotent).
inline constexpr const char *kPowerCutVfs = "captee-power-cut";
void register_power_cut_vfs();

// Power fails at the `n`th write or sync from now (n >= 1); 0 disarms.
void arm_power_cut(int n);
bool power_is_cut();
// Writes and syncs that reached the VFS so far (a test sizes its cut
// points by what a call really makes).
uint64_t power_cut_vfs_ticks();
// After the store using the VFS is closed: every file it touched goes back
// to its last synced contents (a file never synced disappears), and power
// comes back.
void restore_after_power_cut();
// Forget all files (a new test).
void reset_power_cut_vfs();

}  // namespace captee::tee::storage::testing
