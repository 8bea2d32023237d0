// The durable store over captee-supplicant (supplicant_storage.hpp).
#include "supplicant_storage.hpp"

#include <mutex>
#include <system_error>
#include <utility>

#include "captee/storage_listener_protocol.h"
#include "captee/tee/storage/listener_vfs.hpp"
#include "supplicant_files.hpp"

namespace captee::tee {

namespace {

using storage::Bytes;
using storage::ByteView;
using storage::Namespace;
using storage::ObjectHead;
using storage::ObjectMeta;
using storage::ObjectStore;
using storage::Owner;
using storage::OwnerUsage;
using storage::StoreStatus;

// The store over one registration. The store closes before its VFS goes.
struct Backend {
  std::shared_ptr<SupplicantFiles> files;
  std::unique_ptr<storage::ListenerVfs> vfs;
  std::unique_ptr<ObjectStore> store;  // null: it could not be opened
  ~Backend() { store.reset(); }
};

class SupplicantObjectStore final : public ObjectStore {
 public:
  SupplicantObjectStore(std::shared_ptr<apps::ListenerTable> listeners,
                        storage::DurableStoreOptions options,
                        std::chrono::milliseconds request_limit,
                        std::function<void(const std::string &)> log)
      : listeners_(std::move(listeners)),
        options_(std::move(options)),
        request_limit_(request_limit),
        log_(std::move(log)) {}

  StoreStatus create(const Owner &owner, Namespace ns, ByteView id, const ObjectMeta &meta,
                     ByteView attributes, ByteView data, bool overwrite) override {
    return with_store(
        [&](ObjectStore &s) { return s.create(owner, ns, id, meta, attributes, data, overwrite); });
  }
  StoreStatus head(const Owner &owner, Namespace ns, ByteView id, ObjectHead *out) override {
    return with_store([&](ObjectStore &s) { return s.head(owner, ns, id, out); });
  }
  StoreStatus read(const Owner &owner, Namespace ns, ByteView id, uint64_t offset, size_t length,
                   Bytes *out) override {
    return with_store([&](ObjectStore &s) { return s.read(owner, ns, id, offset, length, out); });
  }
  StoreStatus write(const Owner &owner, Namespace ns, ByteView id, uint64_t offset,
                    ByteView data) override {
    return with_store([&](ObjectStore &s) { return s.write(owner, ns, id, offset, data); });
  }
  StoreStatus truncate(const Owner &owner, Namespace ns, ByteView id, uint64_t size) override {
    return with_store([&](ObjectStore &s) { return s.truncate(owner, ns, id, size); });
  }
  StoreStatus set_usage(const Owner &owner, Namespace ns, ByteView id, uint32_t usage) override {
    return with_store([&](ObjectStore &s) { return s.set_usage(owner, ns, id, usage); });
  }
  StoreStatus rename(const Owner &owner, Namespace ns, ByteView from, ByteView to) override {
    return with_store([&](ObjectStore &s) { return s.rename(owner, ns, from, to); });
  }
  StoreStatus remove(const Owner &owner, Namespace ns, ByteView id) override {
    return with_store([&](ObjectStore &s) { return s.remove(owner, ns, id); });
  }
  StoreStatus list(const Owner &owner, Namespace ns, std::vector<Bytes> *ids) override {
    return with_store([&](ObjectStore &s) { return s.list(owner, ns, ids); });
  }
  StoreStatus usage(std::vector<OwnerUsage> *out) override {
    return with_store([&](ObjectStore &s) { return s.usage(out); });
  }
  void settle() override {
    std::shared_ptr<Backend> b;
    {
      std::lock_guard lock(mu_);
      b = backend_;
    }
    if (b && b->store) {
      b->store->settle();
    }
  }

 private:
  template <class F>
  StoreStatus with_store(F &&f) {
    std::shared_ptr<Backend> b = current();
    if (!b || !b->store || b->files->revoked()) {
      // No supplicant, its store does not open, or it stopped answering.
      return StoreStatus::kIoError;
    }
    // Held while the call runs: a supplicant that re-registers meanwhile gets
    // a new store, and this one closes after its last call.
    return f(*b->store);
  }

  // The backend over the supplicant registered now; opened here when the
  // registration is new. A revoked registration stays current (and its calls
  // fail) until another takes its id.
  std::shared_ptr<Backend> current() {
    apps::ListenerTable::Entry entry = listeners_->find(CAPTEE_STORAGE_LISTENER_ID);
    if (entry.cbo.is_null() || entry.region.is_null()) {
      return nullptr;
    }
    std::lock_guard lock(mu_);
    if (backend_ && backend_->files->is(entry.cbo)) {
      return backend_;
    }
    if (backend_ && backend_->store) {
      // Confirm the old store's last change before the new registration's
      // files are opened: with the overlapped anchor (decision 0029) the
      // root may still hold an intent over the generation before it, which
      // a supplicant that re-registers with the files from just before that
      // change would otherwise get accepted. Its calls fail now (its
      // supplicant is gone), so nothing commits after this.
      backend_->store->settle();
    }
    auto b = std::make_shared<Backend>();
    std::string why;
    try {
      b->files = std::make_shared<SupplicantFiles>(entry, request_limit_, log_);
      b->vfs = storage::ListenerVfs::create(b->files);
    } catch (const std::system_error &) {
      why = "no thread for the supplicant's request deadline";
    }
    if (!b->files) {
      // Tried again on the next call: nothing was opened.
      say("error: trusted storage through captee-supplicant cannot be opened: " + why);
      return nullptr;
    }
    if (!b->vfs) {
      why = "cannot register the supplicant's SQLite VFS";
    } else {
      storage::DurableStoreOptions options = options_;
      options.sqlite_vfs = b->vfs->name();
      b->store = storage::open_durable_object_store(options, &why);
    }
    if (!b->store) {
      say("error: trusted storage through captee-supplicant cannot be opened: " + why +
          "; storage calls fail until a supplicant registers again");
    } else if (!why.empty()) {
      say("error: trusted storage through captee-supplicant cannot be trusted: " + why +
          "; every storage call fails until this is resolved (docs/STORAGE.md)");
    } else {
      say("trusted storage opened through captee-supplicant (listener " +
          std::to_string(CAPTEE_STORAGE_LISTENER_ID) + ")");
    }
    backend_ = b;  // the old one closes with its last call
    return b;
  }

  void say(const std::string &line) const {
    if (log_) {
      log_(line);
    }
  }

  const std::shared_ptr<apps::ListenerTable> listeners_;
  const storage::DurableStoreOptions options_;
  const std::chrono::milliseconds request_limit_;
  const std::function<void(const std::string &)> log_;
  std::mutex mu_;
  std::shared_ptr<Backend> backend_;  // guarded by mu_
};

}  // namespace

std::shared_ptr<storage::ObjectStore> make_supplicant_object_store(
    std::shared_ptr<apps::ListenerTable> listeners, storage::DurableStoreOptions options,
    std::chrono::milliseconds request_limit, std::function<void(const std::string &)> log) {
  return std::make_shared<SupplicantObjectStore>(std::move(listeners), std::move(options),
                                                 request_limit, std::move(log));
}

}  // namespace captee::tee
