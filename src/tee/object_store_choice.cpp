// capteed's choice of object store (object_store_choice.hpp).
#include "captee/tee/object_store_choice.hpp"

#include "captee/tee/storage/memory_object_store.hpp"

namespace captee::tee {

std::shared_ptr<storage::ObjectStore> choose_object_store(const std::string & /*state_dir*/,
                                                          uint64_t quota_bytes,
                                                          std::string * /*why*/) {
  return std::make_shared<storage::MemoryObjectStore>(quota_bytes);
}

}  // namespace captee::tee
