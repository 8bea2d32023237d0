// captee object demo: capabilities in one process.
//
// Alice runs a key-value "vault" service. She gives Bob a capability to it
// through a membrane that only allows reads, receives a callback object from
// Bob, and finally revokes Bob's access. Every step prints what happened and
// the live reference counts, so the ownership rules are visible.
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

#include "captee/membrane.hpp"
#include "captee/object.hpp"

namespace {

using captee::in;
using captee::out;
using captee::Ref;

enum VaultOp : uint32_t { kGet = 0, kPut = 1, kOpenChild = 2, kWatch = 3 };
enum WatcherOp : uint32_t { kNotify = 0 };

// A watcher hosted by Bob: the vault calls it back when a key changes.
class Watcher final : public captee::LocalObject {
 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    captee::Args args(a, k);
    if (method != kNotify || !args.expect(1, 0, 0, 0)) {
      return Object_ERROR_INVALID;
    }
    auto key = args.bi(0);
    std::printf("    bob's watcher: key '%.*s' changed\n", static_cast<int>(key.size()),
                reinterpret_cast<const char *>(key.data()));
    return Object_OK;
  }
};

// Alice's vault: get/put strings, open a child vault, register a watcher.
class Vault final : public captee::LocalObject {
 public:
  explicit Vault(std::string name) : name_(std::move(name)) {}

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    captee::Args args(a, k);
    std::lock_guard<std::mutex> lock(mu_);
    switch (method) {
      case kGet: {
        if (!args.expect(1, 1, 0, 0)) {
          return Object_ERROR_INVALID;
        }
        auto it = data_.find(as_string(args.bi(0)));
        if (it == data_.end()) {
          return Object_ERROR_USERBASE;  // not found
        }
        ObjectBuf &dst = args.bo(0);
        if (dst.size < it->second.size()) {
          return Object_ERROR_SIZE_OUT;
        }
        std::memcpy(dst.ptr, it->second.data(), it->second.size());
        dst.size = it->second.size();
        return Object_OK;
      }
      case kPut: {
        if (!args.expect(2, 0, 0, 0)) {
          return Object_ERROR_INVALID;
        }
        const std::string key = as_string(args.bi(0));
        data_[key] = as_string(args.bi(1));
        if (watcher_) {
          (void)watcher_.invoke(kNotify, in(key.data(), key.size()));
        }
        return Object_OK;
      }
      case kOpenChild:
        if (!args.expect(0, 0, 0, 1)) {
          return Object_ERROR_INVALID;
        }
        args.oo(0) = captee::make_object<Vault>(name_ + "/child").detach();
        return Object_OK;
      case kWatch:
        if (!args.expect(0, 0, 1, 0)) {
          return Object_ERROR_INVALID;
        }
        watcher_ = Ref::share(args.oi(0));  // keeping an input object means retaining it
        return Object_OK;
      default:
        return Object_ERROR_INVALID;
    }
  }

 private:
  static std::string as_string(std::span<const std::byte> b) {
    return {reinterpret_cast<const char *>(b.data()), b.size()};
  }
  std::mutex mu_;
  std::string name_;
  std::map<std::string, std::string> data_;
  Ref watcher_;
};

const char *describe(int32_t rv) {
  switch (rv) {
    case Object_OK:
      return "Object_OK";
    case Object_ERROR_INVALID:
      return "Object_ERROR_INVALID (denied by the membrane's policy)";
    case Object_ERROR_DEFUNCT:
      return "Object_ERROR_DEFUNCT (revoked)";
    case Object_ERROR_USERBASE:
      return "not found";
    default:
      return "error";
  }
}

int32_t put(const Ref &vault, const char *key, const char *value) {
  return vault.invoke(kPut, in(key, std::strlen(key)), in(value, std::strlen(value)));
}

int32_t get(const Ref &vault, const char *key, std::string *value) {
  char buf[64];
  size_t used = 0;
  int32_t rv = vault.invoke(kGet, in(key, std::strlen(key)), out(buf, sizeof buf, &used));
  if (rv == Object_OK) {
    value->assign(buf, used);
  }
  return rv;
}

}  // namespace

int main() {
  std::printf("captee object demo: capabilities, membranes and revocation in one process\n\n");

  Ref vault = captee::make_object<Vault>("alice");
  std::printf("1. alice creates her vault and stores a secret\n");
  std::printf("   put(door, 1234) -> %s\n", describe(put(vault, "door", "1234")));

  std::printf("2. alice gives bob a read-and-watch capability through a membrane\n");
  captee::Membrane m =
      captee::make_membrane(vault, captee::MembranePolicy::only_inward({kGet, kOpenChild, kWatch}));
  Ref bobs_vault = m.wrapped;
  std::string value;
  int32_t rv = get(bobs_vault, "door", &value);
  std::printf("   bob: get(door) -> %s, value '%s'\n", describe(rv), value.c_str());
  std::printf("   bob: put(door, 0000) -> %s\n", describe(put(bobs_vault, "door", "0000")));

  std::printf("3. bob opens a child vault; it comes back wrapped in the same membrane\n");
  Ref child;
  rv = bobs_vault.invoke(kOpenChild, out(child));
  std::printf("   bob: openChild -> %s, wrapped: %s\n", describe(rv),
              captee::is_membrane_wrapper(child.get()) ? "yes" : "no");

  std::printf("4. bob registers a watcher; alice's vault calls it back through the membrane\n");
  Ref watcher = captee::make_object<Watcher>();
  rv = bobs_vault.invoke(kWatch, in(watcher));
  std::printf("   bob: watch -> %s (watcher refs now %u: bob's + the wrapper alice holds)\n",
              describe(rv), captee::LocalObject::from(watcher.get())->ref_count());
  std::printf("   alice: put(window, open)\n");
  put(vault, "window", "open");

  std::printf("5. alice revokes the membrane\n");
  m.revoker.revoke();
  rv = get(bobs_vault, "door", &value);
  std::printf("   bob: get(door) -> %s\n", describe(rv));
  rv = child.invoke(kOpenChild, out(child));
  std::printf("   bob: child.openChild -> %s\n", describe(rv));
  std::printf("   watcher refs now %u: alice's vault lost bob's watcher as well\n",
              captee::LocalObject::from(watcher.get())->ref_count());
  std::printf("   alice: put(window, shut) reaches no watcher -> %s\n",
              describe(put(vault, "window", "shut")));
  std::printf("   vault refs now %u: only alice's own reference is left\n",
              captee::LocalObject::from(vault.get())->ref_count());
  return 0;
}
