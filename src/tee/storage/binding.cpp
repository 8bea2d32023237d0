// The ITrustedStorage bound to one TA process (binding.hpp).
#include "binding.hpp"

#include <cstring>
#include <map>
#include <mutex>

#include "ITrustedStorage.hpp"
#include "staged_data.hpp"
#include "tee_api_defines.h"

namespace captee::tee::storage {

namespace {

constexpr uint32_t kAccessFlags =
    TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE | TEE_DATA_FLAG_ACCESS_WRITE_META;
constexpr uint32_t kOpenFlags = kAccessFlags | TEE_DATA_FLAG_SHARE_READ | TEE_DATA_FLAG_SHARE_WRITE;
constexpr uint32_t kCreateFlags = kOpenFlags | TEE_DATA_FLAG_OVERWRITE;

bool to_namespace(uint32_t ns, Namespace *out) {
  switch (ns) {
    case ITrustedStorage_NAMESPACE_PRIVATE:
      *out = Namespace::kRee;
      return true;
    case ITrustedStorage_NAMESPACE_RPMB:
      *out = Namespace::kRpmb;
      return true;
    default:
      return false;
  }
}

// The GP result each StoreStatus stands for (object_store.hpp), as this
// interface's errors.
int32_t to_error(StoreStatus s) {
  switch (s) {
    case StoreStatus::kOk:
      return Object_OK;
    case StoreStatus::kNotFound:
      return ITrustedStorage_ERROR_NOT_FOUND;
    case StoreStatus::kExists:
      return ITrustedStorage_ERROR_ACCESS_CONFLICT;
    case StoreStatus::kNoSpace:
      return ITrustedStorage_ERROR_NO_SPACE;
    case StoreStatus::kCorrupt:
    case StoreStatus::kRollback:
      return ITrustedStorage_ERROR_CORRUPT;
    case StoreStatus::kIoError:
      return ITrustedStorage_ERROR_NOT_AVAILABLE;
    case StoreStatus::kInvalid:
      return Object_ERROR_INVALID;
  }
  return ITrustedStorage_ERROR_NOT_AVAILABLE;
}

ByteView as_bytes(std::span<const std::byte> s) {
  return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

void to_head(const ObjectHead &h, ITrustedStorage_Head *out) {
  *out = ITrustedStorage_Head{};
  out->dataSize = h.data_size;
  out->objectType = h.meta.object_type;
  out->objectSize = h.meta.object_size;
  out->maxObjectSize = h.meta.max_object_size;
  out->objectUsage = h.meta.object_usage;
  out->dataFlags = h.meta.data_flags;
}

class Binding final : public iface::ITrustedStorageSkeleton {
 public:
  Binding(std::shared_ptr<ObjectStore> store, Owner owner, std::shared_ptr<OwnerState> state)
      : store_(std::move(store)), owner_(std::move(owner)), state_(std::move(state)) {}

  ~Binding() override {
    // The process holding this binding is gone: its handles close, and what
    // it staged is wiped.
    std::lock_guard lock(state_->mu);
    stage_.reset();
    for (auto &[number, h] : handles_) {
      state_->opens.remove(h.object, h.flags);
    }
  }

  int32_t open(uint32_t ns, std::span<const std::byte> id, uint32_t flags, uint32_t &handle,
               ITrustedStorage_Head &head, std::span<std::byte> attributes,
               size_t &attributes_len) override {
    Namespace space{};
    if (!to_namespace(ns, &space) || id.size() > kMaxObjectIdLength || (flags & ~kOpenFlags) != 0) {
      return Object_ERROR_INVALID;
    }
    std::lock_guard lock(state_->mu);
    if (state_->opens.handles() >= ITrustedStorage_MAX_OPEN_HANDLES) {
      return ITrustedStorage_ERROR_TOO_MANY_HANDLES;
    }
    ObjectHead h;
    const StoreStatus s = store_->head(owner_, space, as_bytes(id), &h);
    if (s != StoreStatus::kOk) {
      return to_error(s);
    }
    if (!state_->opens.may_open(space, as_bytes(id), flags)) {
      return ITrustedStorage_ERROR_ACCESS_CONFLICT;
    }
    if (h.attributes.size() > attributes.size()) {
      return Object_ERROR_SIZE_OUT;  // the runtime always offers MAX_ATTRIBUTES
    }
    const uint32_t number = add_handle(space, as_bytes(id), flags);
    if (number == 0) {
      return ITrustedStorage_ERROR_TOO_MANY_HANDLES;
    }
    if (!h.attributes.empty()) {  // an empty vector's data() may be null
      std::memcpy(attributes.data(), h.attributes.data(), h.attributes.size());
    }
    attributes_len = h.attributes.size();
    to_head(h, &head);
    handle = number;
    return Object_OK;
  }

  int32_t create(uint32_t ns, std::span<const std::byte> id, uint32_t flags,
                 const ITrustedStorage_Head &meta, std::span<const std::byte> attributes,
                 std::span<const std::byte> data, uint32_t &handle) override {
    if (data.size() > ITrustedStorage_MAX_TRANSFER) {
      return Object_ERROR_INVALID;
    }
    std::lock_guard lock(state_->mu);
    return create_locked(ns, id, flags, meta, attributes, as_bytes(data), handle);
  }

  int32_t createStaged(uint32_t ns, std::span<const std::byte> id, uint32_t flags,
                       const ITrustedStorage_Head &meta, std::span<const std::byte> attributes,
                       uint32_t &handle) override {
    std::lock_guard lock(state_->mu);
    // The stage goes whatever happens; it lives until the create is done.
    const std::unique_ptr<StagedData> stage = std::move(stage_);
    if (!stage || stage->handle() != ITrustedStorage_STAGE_CREATE || !stage->complete()) {
      return Object_ERROR_INVALID;
    }
    return create_locked(ns, id, flags, meta, attributes, stage->bytes(), handle);
  }

  int32_t stageBegin(uint32_t handle, uint64_t offset, uint64_t size) override {
    std::lock_guard lock(state_->mu);
    stage_.reset();  // a new stage replaces the old one
    if (size <= ITrustedStorage_MAX_TRANSFER || offset > kMaxDataPosition ||
        size > kMaxDataPosition - offset ||
        (handle == ITrustedStorage_STAGE_CREATE && offset != 0)) {
      return Object_ERROR_INVALID;
    }
    if (size > ITrustedStorage_MAX_STAGED) {
      return ITrustedStorage_ERROR_NO_SPACE;
    }
    if (handle != ITrustedStorage_STAGE_CREATE) {
      const Handle *h = find(handle);
      if (h == nullptr) {
        return ITrustedStorage_ERROR_BAD_HANDLE;
      }
      if ((h->flags & TEE_DATA_FLAG_ACCESS_WRITE) == 0) {
        return ITrustedStorage_ERROR_ACCESS_DENIED;
      }
    }
    stage_ =
        StagedData::begin(&state_->staged_bytes, state_->all_staged.get(), handle, offset, size);
    return stage_ ? Object_OK : ITrustedStorage_ERROR_NO_SPACE;
  }

  int32_t stagePiece(uint32_t handle, uint64_t offset, std::span<const std::byte> data) override {
    std::lock_guard lock(state_->mu);
    if (!stage_ || stage_->handle() != handle || data.size() > ITrustedStorage_MAX_TRANSFER ||
        !stage_->append(offset, as_bytes(data))) {
      stage_.reset();  // a refused piece ends the stage
      return Object_ERROR_INVALID;
    }
    return Object_OK;
  }

  int32_t stageCommit(uint32_t handle) override {
    std::lock_guard lock(state_->mu);
    // The stage goes whatever happens; it lives until the write is done.
    const std::unique_ptr<StagedData> stage = std::move(stage_);
    if (!stage || stage->handle() != handle || handle == ITrustedStorage_STAGE_CREATE ||
        !stage->complete()) {
      return Object_ERROR_INVALID;
    }
    return write_locked(handle, stage->offset(), stage->bytes());
  }

  int32_t close(uint32_t handle) override {
    std::lock_guard lock(state_->mu);
    auto it = handles_.find(handle);
    if (it == handles_.end()) {
      return ITrustedStorage_ERROR_BAD_HANDLE;
    }
    state_->opens.remove(it->second.object, it->second.flags);
    handles_.erase(it);
    return Object_OK;
  }

  int32_t closeAndDelete(uint32_t handle) override {
    std::lock_guard lock(state_->mu);
    auto it = handles_.find(handle);
    if (it == handles_.end()) {
      return ITrustedStorage_ERROR_BAD_HANDLE;
    }
    if ((it->second.flags & TEE_DATA_FLAG_ACCESS_WRITE_META) == 0) {
      return ITrustedStorage_ERROR_ACCESS_DENIED;
    }
    const OpenObject &o = *it->second.object;
    const StoreStatus s = store_->remove(owner_, o.ns, o.id);
    // Gone or not, the handle closes (GP: CloseAndDelete always closes).
    state_->opens.remove(it->second.object, it->second.flags);
    handles_.erase(it);
    return s == StoreStatus::kNotFound ? Object_OK : to_error(s);
  }

  int32_t rename(uint32_t handle, std::span<const std::byte> newId) override {
    if (newId.size() > kMaxObjectIdLength) {
      return Object_ERROR_INVALID;
    }
    std::lock_guard lock(state_->mu);
    Handle *h = find(handle);
    if (h == nullptr) {
      return ITrustedStorage_ERROR_BAD_HANDLE;
    }
    if ((h->flags & TEE_DATA_FLAG_ACCESS_WRITE_META) == 0) {
      return ITrustedStorage_ERROR_ACCESS_DENIED;
    }
    OpenObject &o = *h->object;
    const ByteView to = as_bytes(newId);
    if (o.id.size() == to.size() && std::equal(o.id.begin(), o.id.end(), to.begin())) {
      return ITrustedStorage_ERROR_ACCESS_CONFLICT;  // GP: the new id is taken, by itself
    }
    const StoreStatus s = store_->rename(owner_, o.ns, o.id, to);
    if (s != StoreStatus::kOk) {
      return to_error(s);
    }
    state_->opens.rename(h->object, to);
    return Object_OK;
  }

  int32_t getHead(uint32_t handle, ITrustedStorage_Head &head) override {
    std::lock_guard lock(state_->mu);
    Handle *h = find(handle);
    if (h == nullptr) {
      return ITrustedStorage_ERROR_BAD_HANDLE;
    }
    ObjectHead out;
    const StoreStatus s = store_->head(owner_, h->object->ns, h->object->id, &out);
    if (s != StoreStatus::kOk) {
      return to_error(s);
    }
    to_head(out, &head);
    return Object_OK;
  }

  int32_t read(uint32_t handle, uint64_t offset, std::span<std::byte> data,
               size_t &data_len) override {
    if (data.size() > ITrustedStorage_MAX_TRANSFER || offset > kMaxDataPosition) {
      return Object_ERROR_INVALID;
    }
    std::lock_guard lock(state_->mu);
    Handle *h = find(handle);
    if (h == nullptr) {
      return ITrustedStorage_ERROR_BAD_HANDLE;
    }
    if ((h->flags & TEE_DATA_FLAG_ACCESS_READ) == 0) {
      return ITrustedStorage_ERROR_ACCESS_DENIED;
    }
    Bytes out;
    const StoreStatus s =
        store_->read(owner_, h->object->ns, h->object->id, offset, data.size(), &out);
    if (s != StoreStatus::kOk) {
      return to_error(s);
    }
    if (out.size() > data.size()) {
      return ITrustedStorage_ERROR_NOT_AVAILABLE;  // a store returning more than asked
    }
    if (!out.empty()) {
      std::memcpy(data.data(), out.data(), out.size());
    }
    data_len = out.size();
    return Object_OK;
  }

  int32_t write(uint32_t handle, uint64_t offset, std::span<const std::byte> data) override {
    if (data.size() > ITrustedStorage_MAX_TRANSFER) {
      return Object_ERROR_INVALID;
    }
    std::lock_guard lock(state_->mu);
    return write_locked(handle, offset, as_bytes(data));
  }

  int32_t truncate(uint32_t handle, uint64_t size) override {
    if (size > kMaxDataPosition) {
      return Object_ERROR_INVALID;
    }
    return with_write_access(
        handle, [&](const OpenObject &o) { return store_->truncate(owner_, o.ns, o.id, size); });
  }

  int32_t restrictUsage(uint32_t handle, uint32_t usage) override {
    std::lock_guard lock(state_->mu);
    Handle *h = find(handle);
    if (h == nullptr) {
      return ITrustedStorage_ERROR_BAD_HANDLE;
    }
    ObjectHead now;
    StoreStatus s = store_->head(owner_, h->object->ns, h->object->id, &now);
    if (s == StoreStatus::kOk) {
      // Only ever narrower, whatever the TA sends.
      s = store_->set_usage(owner_, h->object->ns, h->object->id, now.meta.object_usage & usage);
    }
    return to_error(s);
  }

  int32_t list(uint32_t ns, uint32_t first, std::span<std::byte> ids, size_t &ids_len,
               uint32_t &total) override {
    Namespace space{};
    if (!to_namespace(ns, &space)) {
      return Object_ERROR_INVALID;
    }
    std::vector<Bytes> all;
    {
      std::lock_guard lock(state_->mu);
      const StoreStatus s = store_->list(owner_, space, &all);
      if (s != StoreStatus::kOk) {
        return to_error(s);
      }
    }
    size_t used = 0;
    for (size_t i = first; i < all.size(); ++i) {
      const Bytes &id = all[i];
      if (id.size() > kMaxObjectIdLength || 1 + id.size() > ids.size() - used) {
        break;
      }
      ids[used++] = static_cast<std::byte>(id.size());
      if (!id.empty()) {
        std::memcpy(ids.data() + used, id.data(), id.size());
      }
      used += id.size();
    }
    ids_len = used;
    total = all.size() > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(all.size());
    return Object_OK;
  }

  int32_t stat(uint32_t ns, std::span<const std::byte> id, ITrustedStorage_Head &head) override {
    Namespace space{};
    if (!to_namespace(ns, &space) || id.size() > kMaxObjectIdLength) {
      return Object_ERROR_INVALID;
    }
    std::lock_guard lock(state_->mu);
    ObjectHead out;
    const StoreStatus s = store_->head(owner_, space, as_bytes(id), &out);
    if (s != StoreStatus::kOk) {
      return to_error(s);
    }
    to_head(out, &head);
    return Object_OK;
  }

 private:
  // Any call but the next step of the stage in progress drops the stage:
  // it lives only while its pieces are this object's consecutive calls, so
  // nothing a TA staged survives a change it did not expect.
  int32_t on_invoke(uint32_t method, ObjectOp op, ObjectArg *args, ObjectCounts k) override {
    if (method != ITrustedStorage_OP_stagePiece && method != ITrustedStorage_OP_stageCommit &&
        method != ITrustedStorage_OP_createStaged) {
      std::lock_guard lock(state_->mu);
      stage_.reset();
    }
    return ITrustedStorageSkeleton::on_invoke(method, op, args, k);
  }

  // create's work once its data is known (a call's or a stage's), under the
  // owner's lock.
  int32_t create_locked(uint32_t ns, std::span<const std::byte> id, uint32_t flags,
                        const ITrustedStorage_Head &meta, std::span<const std::byte> attributes,
                        ByteView data, uint32_t &handle) {
    Namespace space{};
    if (!to_namespace(ns, &space) || id.size() > kMaxObjectIdLength ||
        (flags & ~kCreateFlags) != 0 || attributes.size() > ITrustedStorage_MAX_ATTRIBUTES) {
      return Object_ERROR_INVALID;
    }
    if (state_->opens.handles() >= ITrustedStorage_MAX_OPEN_HANDLES) {
      return ITrustedStorage_ERROR_TOO_MANY_HANDLES;
    }
    // GP: an object with handles on it cannot be replaced.
    if (state_->opens.is_open(space, as_bytes(id))) {
      return ITrustedStorage_ERROR_ACCESS_CONFLICT;
    }
    ObjectMeta m;
    m.object_type = meta.objectType;
    m.object_size = meta.objectSize;
    m.max_object_size = meta.maxObjectSize;
    m.object_usage = meta.objectUsage;
    m.data_flags = flags & kOpenFlags;
    const StoreStatus s = store_->create(owner_, space, as_bytes(id), m, as_bytes(attributes), data,
                                         (flags & TEE_DATA_FLAG_OVERWRITE) != 0);
    if (s != StoreStatus::kOk) {
      return to_error(s);
    }
    const uint32_t number = add_handle(space, as_bytes(id), flags & kOpenFlags);
    if (number == 0) {
      return ITrustedStorage_ERROR_TOO_MANY_HANDLES;
    }
    handle = number;
    return Object_OK;
  }

  struct Handle {
    std::shared_ptr<OpenObject> object;
    uint32_t flags = 0;
  };

  Handle *find(uint32_t number) {
    auto it = handles_.find(number);
    return it == handles_.end() ? nullptr : &it->second;
  }

  // A fresh handle number (never 0, never one in use) on (ns, id), recorded
  // with the owner's opens; 0 if none is free. Called under the owner's lock.
  uint32_t add_handle(Namespace ns, ByteView id, uint32_t flags) {
    for (uint32_t tries = 0; tries < ITrustedStorage_MAX_OPEN_HANDLES + 1; ++tries) {
      const uint32_t number = next_++;
      if (number != 0 && handles_.count(number) == 0) {
        handles_[number] = Handle{state_->opens.add(ns, id, flags), flags};
        return number;
      }
    }
    return 0;
  }

  // write's work once its data is known (a call's or a stage's), under the
  // owner's lock.
  int32_t write_locked(uint32_t handle, uint64_t offset, ByteView data) {
    if (offset > kMaxDataPosition || data.size() > kMaxDataPosition - offset) {
      return Object_ERROR_INVALID;
    }
    return with_write_access_locked(handle, [&](const OpenObject &o) {
      return store_->write(owner_, o.ns, o.id, offset, data);
    });
  }

  template <typename Call>
  int32_t with_write_access(uint32_t handle, Call call) {
    std::lock_guard lock(state_->mu);
    return with_write_access_locked(handle, call);
  }

  template <typename Call>
  int32_t with_write_access_locked(uint32_t handle, Call call) {
    Handle *h = find(handle);
    if (h == nullptr) {
      return ITrustedStorage_ERROR_BAD_HANDLE;
    }
    if ((h->flags & TEE_DATA_FLAG_ACCESS_WRITE) == 0) {
      return ITrustedStorage_ERROR_ACCESS_DENIED;
    }
    return to_error(call(*h->object));
  }

  const std::shared_ptr<ObjectStore> store_;
  const Owner owner_;
  const std::shared_ptr<OwnerState> state_;
  // This process's handles; guarded by state_->mu.
  std::map<uint32_t, Handle> handles_;
  uint32_t next_ = 1;
  // The stage in progress, if any (idl/ITrustedStorage.idl); guarded by
  // state_->mu.
  std::unique_ptr<StagedData> stage_;
};

}  // namespace

Ref make_binding(std::shared_ptr<ObjectStore> store, Owner owner,
                 std::shared_ptr<OwnerState> state) {
  return make_object<Binding>(std::move(store), std::move(owner), std::move(state));
}

}  // namespace captee::tee::storage
