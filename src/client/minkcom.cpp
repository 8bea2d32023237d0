// libcaptee: MinkCom over captee channels.
#include <cbor.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "CMemoryService.h"
#include "IClientEnv.h"
#include "IIO.hpp"
#include "IMemoryService.h"
#include "MinkCom.h"
#include "captee/channel.hpp"
#include "captee/memory.hpp"

namespace captee {
namespace {

// The CBOR credentials of spec §6, built once, served through IIO ops 0/1.
class CborCredentials final : public iface::IIOSkeleton {
 public:
  explicit CborCredentials(std::vector<std::byte> bytes) : bytes_(std::move(bytes)) {}
  int32_t getLength(uint64_t &len) override {
    len = bytes_.size();
    return Object_OK;
  }
  int32_t readAtOffset(uint64_t offset, std::span<std::byte> data, size_t &len) override {
    if (offset >= bytes_.size()) {
      return IIO_ERROR_OFFSET_OUT_OF_BOUNDS;
    }
    size_t n = std::min<size_t>(bytes_.size() - size_t(offset), data.size());
    std::memcpy(data.data(), bytes_.data() + offset, n);
    len = n;
    return Object_OK;
  }
  int32_t writeAtOffset(uint64_t, std::span<const std::byte>) override { return Object_ERROR; }

 private:
  std::vector<std::byte> bytes_;
};

// libcbor's encoding, as quic-teec's default build: uid as a 4-byte uint,
// time as an 8-byte uint.
std::vector<std::byte> encode_credentials() {
  timeval tv{};
  ::gettimeofday(&tv, nullptr);
  uint64_t ms = uint64_t(tv.tv_sec) * 1000 + uint64_t(tv.tv_usec) / 1000;
  cbor_item_t *map = cbor_new_definite_map(2);
  std::vector<std::byte> out;
  if (map == nullptr) {
    return out;
  }
  bool ok = cbor_map_add(
                map, {cbor_move(cbor_build_uint8(1)), cbor_move(cbor_build_uint32(::getuid()))}) &&
            cbor_map_add(map, {cbor_move(cbor_build_uint8(6)), cbor_move(cbor_build_uint64(ms))});
  unsigned char *buf = nullptr;
  size_t cap = 0;
  size_t n = ok ? cbor_serialize_alloc(map, &buf, &cap) : 0;
  if (n > 0) {
    auto *b = reinterpret_cast<const std::byte *>(buf);
    out.assign(b, b + n);
  }
  std::free(buf);
  cbor_decref(&map);
  return out;
}

// A shared-pool region mapped once: the address stays the same for the life
// of the object. Still an FdObject, so channels pass it as a descriptor.
class MappedMemory final : public FdObject {
 public:
  static Ref adopt_mapped(int fd, uint8_t rights, Mapping m) {
    auto *o = new MappedMemory(fd, rights, std::move(m));
    return Ref::adopt(o->as_object());
  }
  std::span<std::byte> bytes() const { return map_.bytes(); }

 private:
  MappedMemory(int fd, uint8_t rights, Mapping m) : FdObject(fd, rights), map_(std::move(m)) {}
  Mapping map_;
};

std::string socket_path() {
  const char *env = std::getenv("CAPTEE_SOCKET");
  return env != nullptr && *env != '\0' ? env : "/run/captee/captee.sock";
}

}  // namespace
}  // namespace captee

using namespace captee;

extern "C" int MinkCom_getRootEnvObject(Object *obj) {
  if (obj == nullptr) {
    return Object_ERROR;
  }
  ChannelOptions opts;
  opts.pool_threads = 1;  // serves the TEE's callbacks (credentials, listeners)
  opts.log = [](const std::string &) {};
  Ref root = connect(socket_path(), opts);
  if (root.is_null()) {
    return Object_ERROR;
  }
  *obj = root.detach();
  return Object_OK;
}

extern "C" int MinkCom_getClientEnvObjectWithCreds(Object root, Object creds, Object *obj) {
  if (obj == nullptr || Object_isNull(root)) {
    return Object_ERROR;
  }
  Object env = Object_NULL;
  int32_t rv = IClientEnv_registerAsClient(root, creds, &env);
  if (rv != Object_OK) {
    return rv;
  }
  *obj = env;
  return Object_OK;
}

extern "C" int MinkCom_getClientEnvObject(Object root, Object *obj) {
  auto bytes = encode_credentials();
  if (bytes.empty()) {
    return Object_ERROR;
  }
  Ref creds = make_object<CborCredentials>(std::move(bytes));
  return MinkCom_getClientEnvObjectWithCreds(root, creds.get(), obj);
}

extern "C" int MinkCom_getMemoryObject(Object root, size_t size, Object *memObj) {
  if (memObj == nullptr || size == 0) {
    return Object_ERROR;
  }
  Object env_raw = Object_NULL;
  if (MinkCom_getClientEnvObject(root, &env_raw) != Object_OK) {
    return Object_ERROR;
  }
  Ref env = Ref::adopt(env_raw);
  Object svc_raw = Object_NULL;
  if (IClientEnv_open(env.get(), CMemoryService_UID, &svc_raw) != Object_OK) {
    return Object_ERROR;
  }
  Ref svc = Ref::adopt(svc_raw);
  Object mem_raw = Object_NULL;
  if (IMemoryService_allocate(svc.get(), IMemoryService_POOL_SHARED, size,
                              IMemoryService_RIGHT_READ | IMemoryService_RIGHT_WRITE,
                              &mem_raw) != Object_OK) {
    return Object_ERROR;
  }
  Ref mem = Ref::adopt(mem_raw);
  auto *fo = LocalObject::from_as<FdObject>(mem.get());
  if (fo == nullptr) {
    return Object_ERROR;
  }
  int err = 0;
  auto m = Mapping::map(mem.get(), FdObject::kRead | FdObject::kWrite, &err);
  if (!m) {
    return Object_ERROR;
  }
  int fd = ::dup(fo->fd());
  if (fd < 0) {
    return Object_ERROR;
  }
  *memObj = MappedMemory::adopt_mapped(fd, fo->rights(), std::move(*m)).detach();
  return Object_OK;
}

extern "C" int MinkCom_getMemoryObjectInfo(Object memObj, void **address, size_t *size) {
  auto *mm = LocalObject::from_as<MappedMemory>(memObj);
  if (mm == nullptr || address == nullptr || size == nullptr || mm->bytes().empty()) {
    return Object_ERROR;
  }
  *address = mm->bytes().data();
  *size = mm->bytes().size();
  return Object_OK;
}
