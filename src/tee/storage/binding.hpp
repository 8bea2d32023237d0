// The ITrustedStorage one TA process gets (idl/ITrustedStorage.idl): what
// TrustedStorage::bind() makes (trusted_storage.hpp). Everything the TA
// sends is checked here; GP's rules between handles are open_objects.hpp's.
#pragma once

#include <memory>

#include "captee/object.hpp"
#include "captee/tee/storage/object_store.hpp"
#include "open_objects.hpp"

namespace captee::tee::storage {

// A new ITrustedStorage for a process of `owner`, over `store`, sharing
// `state` (the owner's open objects and lock) with the owner's other
// processes. Releasing it closes the handles it gave.
Ref make_binding(std::shared_ptr<ObjectStore> store, Owner owner,
                 std::shared_ptr<OwnerState> state);

}  // namespace captee::tee::storage
