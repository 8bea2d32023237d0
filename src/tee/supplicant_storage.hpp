// capteed --storage-backend supplicant: the durable store (decision 0023)
// with its database and WAL kept by captee-supplicant through the storage
// listener (captee/storage_listener_protocol.h; docs/STORAGE.md, decision
// 0030). The device secret and the emulated RPMB stay with capteed.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "captee/tee/apps/listeners.hpp"
#include "captee/tee/storage/durable_object_store.hpp"

namespace captee::tee {

// An ObjectStore that opens the durable store over the supplicant registered
// under CAPTEE_STORAGE_LISTENER_ID in `listeners` when a call needs it.
// Until a supplicant registers, every member answers kIoError
// (TEE_ERROR_STORAGE_NOT_AVAILABLE) at once. A supplicant that dies or
// fails makes the calls on it kIoError; once another registration holds the
// id, the next call opens the store again over it (the rollback root's check
// runs again, so a supplicant that comes back with older files gives
// kRollback). A supplicant that leaves one file request unanswered for
// `request_limit` fails that call with kIoError and is revoked: its
// connection is closed, and the calls after it answer kIoError at once
// until another registration takes the id (supplicant_files.hpp).
// `options.sqlite_vfs` is set here. `log` (may be empty) gets one line each
// time the store is opened, when it cannot be trusted and when a supplicant
// is revoked.
std::shared_ptr<storage::ObjectStore> make_supplicant_object_store(
    std::shared_ptr<apps::ListenerTable> listeners, storage::DurableStoreOptions options,
    std::chrono::milliseconds request_limit, std::function<void(const std::string &)> log);

}  // namespace captee::tee
