// GP trusted storage as capteed serves it to TAs: the ITrustedStorage
// (idl/ITrustedStorage.idl) bound to one TA's owner, on top of an
// ObjectStore (object_store.hpp). Decision 0024 says why the binding, not the
// TA runtime or the store, applies GP's access and sharing rules.
//
// Every TA process gets an ITrustedStorage of its own (bind()), and all
// those of one owner share one table of open objects, so GP's rules hold
// across every handle of the TA in all its instances. Releasing an
// ITrustedStorage (its process ended) closes its handles.
//
// Everything a TA sends is checked: unknown namespaces and flags, ids longer
// than 64 bytes, sizes past TEE_DATA_MAX_POSITION or a single transfer's
// limit fail that call with Object_ERROR_INVALID; handles not given by this
// ITrustedStorage fail with ITrustedStorage_ERROR_BAD_HANDLE; at most
// ITrustedStorage_MAX_OPEN_HANDLES handles per owner. A write or create
// larger than one transfer is staged per process and committed as one store
// change; an owner holds at most ITrustedStorage_MAX_STAGED bytes staged
// (decision 0031).
//
// Thread-safety: thread-safe. Calls for one owner are serialised (one lock
// per owner, held across the store call, so an open and a create of the same
// id in two instances cannot both win); different owners run in parallel.
#pragma once

#include <memory>

#include "captee/object.hpp"
#include "captee/tee/storage/object_store.hpp"

namespace captee::tee::storage {

class TrustedStorage {
 public:
  // `store`: where the objects are (not null), shared with the caller.
  explicit TrustedStorage(std::shared_ptr<ObjectStore> store);
  ~TrustedStorage();
  TrustedStorage(const TrustedStorage &) = delete;
  TrustedStorage &operator=(const TrustedStorage &) = delete;

  // A new ITrustedStorage for one process of the TA `owner`: the owner is
  // what capteed knows of the loaded TA, never something the TA says.
  Ref bind(const Owner &owner) const;

  // How many handles `owner` has open now, in all its processes (tests).
  size_t open_handles(const Owner &owner) const;

  // How many bytes `owner`'s processes hold staged now (tests; at most
  // ITrustedStorage_MAX_STAGED).
  uint64_t staged_bytes(const Owner &owner) const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace captee::tee::storage
