// Hands a TA image to the app loader the way a client would: up to 1 MiB as
// a call's buffer, larger as a memory object. A sanitizer build's GP TA is
// larger than a call's 4 MiB buffer limit, and the loader applies the same
// rules to both forms, so tests about what is loaded need not care.
#pragma once

#include <cstddef>
#include <cstring>
#include <span>

#include "IAppLoader.hpp"
#include "captee/memory.hpp"

namespace captee::test {

// `loader` is borrowed; `controller` receives the IAppLoader's answer.
inline int32_t load_image(const Ref &loader, std::span<const std::byte> image, Ref &controller) {
  if (image.size() <= (size_t(1) << 20)) {
    return iface::IAppLoader(loader).loadFromBuffer(image, controller);
  }
  Ref mem = MemoryObject::create(image.size());
  if (mem.is_null()) {
    return Object_ERROR_KMEM;
  }
  std::memcpy(LocalObject::from_as<MemoryObject>(mem.get())->bytes().data(), image.data(),
              image.size());
  return iface::IAppLoader(loader).loadFromRegion(mem, controller);
}

}  // namespace captee::test
