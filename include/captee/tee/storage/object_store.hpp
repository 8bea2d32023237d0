// GP trusted storage inside capteed: the engine that keeps every TA's
// persistent objects (issue 16, docs/STORAGE.md).
//
// The layers, top to bottom:
//   - the TA's GP runtime (src/gp_ta/storage*.cpp) keeps handles, data
//     positions and enumerators, and calls
//   - the ITrustedStorage object capteed binds to one TA (its owner, never a
//     name the TA gives) in the TA's host environment, which applies GP's
//     access and sharing rules across all of that TA's open handles, and calls
//   - an ObjectStore: this interface. It knows owners, namespaces, object ids
//     and bytes; it does not know handles, positions or sharing.
//
// Implementations: MemoryObjectStore (capteed without --state-dir: nothing
// survives capteed; tests), and the durable store in the state directory
// (encrypted and authenticated per owner, atomic, rollback-protected).
//
// Every member is atomic: it happens entirely or not at all, and a member
// that returns kOk from a durable store has reached stable storage (a crash
// or power loss right after cannot undo it). Thread-safety: every member is
// thread-safe; concurrent calls on one object are serialised by the store.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "captee/tee/apps/ta_authority.hpp"
#include "captee/tee/apps/ta_time_store.hpp"  // TaUuid

namespace captee::tee::storage {

using ByteView = std::span<const uint8_t>;
using Bytes = std::vector<uint8_t>;

// Whose objects: a TA by (authority, UUID), as everything capteed keeps for a
// TA (ta_authority.hpp). Two owners never see each other's objects, even with
// equal ids.
struct Owner {
  apps::TaAuthority authority;
  apps::TaUuid uuid{};
};

// The namespaces a TA can address. GP's TEE_STORAGE_PRIVATE and OP-TEE's
// TEE_STORAGE_PRIVATE_REE are the same namespace (kRee), as in OP-TEE with
// its REE file system as the default; TEE_STORAGE_PRIVATE_RPMB is kRpmb.
enum class Namespace : uint8_t { kRee = 1, kRpmb = 2 };

// Longest object id (TEE_OBJECT_ID_MAX_LEN).
inline constexpr size_t kMaxObjectIdLength = 64;
// Largest data stream (TEE_DATA_MAX_POSITION).
inline constexpr uint64_t kMaxDataPosition = 0xffffffffull;

// What GP's TEE_ObjectInfo says of a persistent object besides its data
// stream, kept with it. `data_flags` holds the TEE_DATA_FLAG_* the object was
// created with; the store keeps it and does not interpret it.
struct ObjectMeta {
  uint32_t object_type = 0;      // TEE_TYPE_*, TEE_TYPE_DATA for pure data
  uint32_t object_size = 0;      // key size in bits; 0 for TEE_TYPE_DATA
  uint32_t max_object_size = 0;  // in bits
  uint32_t object_usage = 0;     // TEE_USAGE_*
  uint32_t data_flags = 0;       // TEE_DATA_FLAG_* at creation
};

// An object's head: its meta, its attributes as the TA runtime serialised
// them (opaque to the store), and the size of its data stream.
struct ObjectHead {
  ObjectMeta meta;
  Bytes attributes;
  uint64_t data_size = 0;
};

enum class StoreStatus {
  kOk,
  kNotFound,  // no such object (TEE_ERROR_ITEM_NOT_FOUND)
  kExists,    // create without overwrite, or rename onto a taken id
              // (TEE_ERROR_ACCESS_CONFLICT)
  kNoSpace,   // the owner's quota or the medium is full
              // (TEE_ERROR_STORAGE_NO_SPACE)
  kCorrupt,   // stored bytes failed authentication; the store has deleted
              // the object (TEE_ERROR_CORRUPT_OBJECT)
  kRollback,  // the whole store is older than its rollback root
              // (TEE_ERROR_CORRUPT_OBJECT; docs/STORAGE.md says what the
              // administrator does)
  kIoError,   // the medium failed (TEE_ERROR_STORAGE_NOT_AVAILABLE)
  kInvalid,   // an id longer than kMaxObjectIdLength, a size or position
              // past kMaxDataPosition (TEE_ERROR_BAD_PARAMETERS)
};

// Totals for `captee storage usage`.
struct OwnerUsage {
  Owner owner;
  uint64_t objects = 0;
  uint64_t bytes = 0;  // data, attributes and ids, as the quota counts them
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Creates object `id` with `head` (its data_size ignored) and `data` as its
  // data stream. If `id` exists: replaces it when `overwrite`, else kExists.
  virtual StoreStatus create(const Owner &owner, Namespace ns, ByteView id, const ObjectMeta &meta,
                             ByteView attributes, ByteView data, bool overwrite) = 0;

  // The object's head into `*out` (left unchanged on failure).
  virtual StoreStatus head(const Owner &owner, Namespace ns, ByteView id, ObjectHead *out) = 0;

  // Up to `length` bytes from `offset` into `*out` (replaced): fewer at the
  // end of the stream, none at or past it (kOk).
  virtual StoreStatus read(const Owner &owner, Namespace ns, ByteView id, uint64_t offset,
                           size_t length, Bytes *out) = 0;

  // Writes `data` at `offset`, extending the stream (a gap between the old
  // end and `offset` reads as zeros). kInvalid if offset + size would pass
  // kMaxDataPosition.
  virtual StoreStatus write(const Owner &owner, Namespace ns, ByteView id, uint64_t offset,
                            ByteView data) = 0;

  // Sets the stream's size: cut, or extended with zeros.
  virtual StoreStatus truncate(const Owner &owner, Namespace ns, ByteView id, uint64_t size) = 0;

  // Replaces the object's usage (TEE_RestrictObjectUsage1 has already
  // computed the new, never wider, value).
  virtual StoreStatus set_usage(const Owner &owner, Namespace ns, ByteView id, uint32_t usage) = 0;

  // Renames `from` to `to`; kExists if `to` is taken (even by `from`
  // itself: the caller treats an equal id before calling).
  virtual StoreStatus rename(const Owner &owner, Namespace ns, ByteView from, ByteView to) = 0;

  // Deletes the object.
  virtual StoreStatus remove(const Owner &owner, Namespace ns, ByteView id) = 0;

  // The ids of all the owner's objects in `ns`, in a stable order, into
  // `*ids` (replaced).
  virtual StoreStatus list(const Owner &owner, Namespace ns, std::vector<Bytes> *ids) = 0;

  // Every owner that has objects, with totals (administration).
  virtual StoreStatus usage(std::vector<OwnerUsage> *out) = 0;

  // A clean stop, after the last call: whatever the store leaves to idle
  // time is done now (the durable store confirms its rollback root, which
  // ends the overlapped anchor's window; decision 0029). Calls may still
  // follow. Does nothing by default.
  virtual void settle() {}
};

}  // namespace captee::tee::storage
