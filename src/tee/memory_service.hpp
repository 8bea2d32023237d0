// The memory service (IMemoryService, CMemoryService_UID).
//
// Shared pool: a memfd-backed MemoryObject (captee/memory.hpp). It travels as a
// descriptor, so the holder maps it, and the kernel keeps the pages until the
// last descriptor and mapping anywhere are gone. Once handed out capteed holds
// no reference and cannot see when it dies: shared-pool accounting counts the
// objects capteed itself holds (e.g. while a client passes one in) and the
// total ever allocated, and each allocation is bounded by max_object_bytes.
//
// TEE-private pool: a PrivateMemory object that lives in capteed, backed by a
// secret memfd capteed alone maps. The holder gets a reference (an exported
// object, not a descriptor): it can pass it on or give it back to the TEE but
// never map it. Its lifetime and the pool's usage are exact: it dies when the
// last reference anywhere is released (or its holders' connections close).
#pragma once

#include "IMemoryService.hpp"
#include "captee/memory.hpp"
#include "daemon_state.hpp"

namespace captee::tee {

class PrivateMemory final : public LocalObject {
 public:
  PrivateMemory(std::shared_ptr<Daemon::State> state, Ref backing, uint64_t size, uint32_t rights);
  ~PrivateMemory() override;
  uint64_t size() const { return size_; }
  uint32_t rights() const { return rights_; }
  // The TEE's own mapping (for TEE services; never exported).
  std::span<std::byte> bytes() const;

 protected:
  // No methods: a reference is all a holder gets.
  int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *, ObjectCounts) override {
    return Object_ERROR_INVALID;
  }

 private:
  std::shared_ptr<Daemon::State> state_;
  Ref backing_;
  uint64_t size_;
  uint32_t rights_;
};

class MemoryService final : public iface::IMemoryServiceSkeleton {
 public:
  explicit MemoryService(std::shared_ptr<Daemon::State> state) : state_(std::move(state)) {}
  int32_t allocate(uint32_t pool, uint64_t size, uint32_t rights, Ref &memObj) override;
  int32_t queryObject(Object memObj, IMemoryService_ObjectInfo &info) override;
  int32_t queryPool(uint32_t pool, IMemoryService_PoolInfo &info) override;

 private:
  std::shared_ptr<Daemon::State> state_;
};

}  // namespace captee::tee
