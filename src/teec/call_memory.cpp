#include "call_memory.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "captee/memory.hpp"

namespace captee::teec {
namespace {

// Objects up to this size are recycled, in power-of-two size classes; at
// most kKeepCount of them and kKeepBytes in all stay idle per session.
constexpr size_t kMinClass = 8 * 1024;
constexpr size_t kKeepMax = 2u << 20;
constexpr size_t kKeepCount = 4;
constexpr size_t kKeepBytes = 4u << 20;

size_t class_size(size_t size) {
  return size > kKeepMax ? size : std::max(kMinClass, std::bit_ceil(size));
}

size_t object_size(Object obj) {
  auto *mo = LocalObject::from_as<MemoryObject>(obj);
  return mo == nullptr ? 0 : mo->size();
}

uint8_t *bytes_of(Object obj) {
  return reinterpret_cast<uint8_t *>(LocalObject::from_as<MemoryObject>(obj)->bytes().data());
}

}  // namespace

Ref CallMemory::create(size_t object_size, const void *fill, size_t fill_size, uint8_t **bytes) {
  Ref obj = MemoryObject::create(object_size, false, "captee-teec-call");
  if (obj) {
    *bytes = bytes_of(obj.get());
    if (fill != nullptr) {
      std::memcpy(*bytes, fill, fill_size);  // never more: the client named no other byte
    }
  }
  return obj;
}

Ref CallMemory::make(size_t size, const void *fill, uint8_t **bytes) {
  return create(size, fill, size, bytes);
}

Ref CallMemory::take(size_t size, const void *fill, uint8_t **bytes) {
  const size_t want = class_size(size);
  Idle found{};
  {
    std::lock_guard lock(mu_);
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      if (object_size(it->obj.get()) == want) {
        found = std::move(*it);
        idle_.erase(it);
        idle_bytes_ -= want;
        break;
      }
    }
  }
  if (!found.obj) {
    return create(want, fill, size, bytes);  // a new memfd is all zeros
  }
  *bytes = bytes_of(found.obj.get());
  // The window gets the new bytes (or zeros); what an earlier call's client
  // data left beyond it is zeroed.
  if (fill != nullptr) {
    std::memcpy(*bytes, fill, size);
  } else {
    std::memset(*bytes, 0, std::min(size, found.client_bytes));
  }
  if (found.client_bytes > size) {
    std::memset(*bytes + size, 0, found.client_bytes - size);
  }
  return std::move(found.obj);
}

void CallMemory::give(Ref obj, size_t client_bytes) {
  const size_t size = object_size(obj.get());
  if (size == 0 || size > kKeepMax) {
    return;
  }
  std::lock_guard lock(mu_);
  if (idle_.size() < kKeepCount && idle_bytes_ + size <= kKeepBytes) {
    idle_bytes_ += size;
    idle_.push_back({std::move(obj), std::min(client_bytes, size)});
  }
}

}  // namespace captee::teec
