// GP trusted storage's administration (storage_admin.hpp).
#include "storage_admin.hpp"

#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "captee/detail/uuid_text.hpp"

namespace captee::tee {

namespace {

int32_t copy_out(const std::string &text, std::span<std::byte> buf, size_t &len) {
  if (text.size() + 1 > buf.size()) {
    return Object_ERROR_SIZE_OUT;
  }
  std::memcpy(buf.data(), text.c_str(), text.size() + 1);
  len = text.size() + 1;
  return Object_OK;
}

std::string hex(const storage::Bytes &b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (uint8_t c : b) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 0xF]);
  }
  return s;
}

}  // namespace

bool may_administer_storage(uid_t caller) {
  return caller == 0 || caller == ::geteuid();
}

int32_t StorageAdmin::usageJson(std::span<std::byte> json, size_t &json_len) {
  if (!may_administer_storage(caller_)) {
    return IStorageAdmin_ERROR_DENIED;
  }
  std::vector<storage::OwnerUsage> owners;
  if (store_->usage(&owners) != storage::StoreStatus::kOk) {
    return IStorageAdmin_ERROR_STORE;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const storage::OwnerUsage &u : owners) {
    // Authority strings hold a key fingerprint at most: dump() escapes them.
    out.push_back({{"authority", u.owner.authority.to_string()},
                   {"uuid", detail::uuid_text(u.owner.uuid)},
                   {"objects", u.objects},
                   {"bytes", u.bytes}});
  }
  return copy_out(out.dump(), json, json_len);
}

int32_t StorageAdmin::listJson(std::span<const std::byte> uuid, std::span<std::byte> json,
                               size_t &json_len) {
  if (!may_administer_storage(caller_)) {
    return IStorageAdmin_ERROR_DENIED;
  }
  apps::TaUuid wanted{};
  if (uuid.size() != wanted.size()) {
    return Object_ERROR_INVALID;
  }
  std::memcpy(wanted.data(), uuid.data(), wanted.size());
  // The owners come from usage(): the UUID names a TA, its authorities are
  // whoever has stored something for it.
  std::vector<storage::OwnerUsage> owners;
  if (store_->usage(&owners) != storage::StoreStatus::kOk) {
    return IStorageAdmin_ERROR_STORE;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const storage::OwnerUsage &u : owners) {
    if (u.owner.uuid != wanted) {
      continue;
    }
    for (storage::Namespace ns : {storage::Namespace::kRee, storage::Namespace::kRpmb}) {
      std::vector<storage::Bytes> ids;
      if (store_->list(u.owner, ns, &ids) != storage::StoreStatus::kOk) {
        return IStorageAdmin_ERROR_STORE;
      }
      for (const storage::Bytes &id : ids) {
        storage::ObjectHead head;
        // An object removed (or found corrupt and deleted) since the list
        // is simply not shown.
        if (store_->head(u.owner, ns, id, &head) != storage::StoreStatus::kOk) {
          continue;
        }
        out.push_back({{"authority", u.owner.authority.to_string()},
                       {"uuid", detail::uuid_text(u.owner.uuid)},
                       {"storage", ns == storage::Namespace::kRee ? "private" : "rpmb"},
                       {"id_hex", hex(id)},
                       {"size", head.data_size},
                       {"type", head.meta.object_type}});
      }
    }
  }
  return copy_out(out.dump(), json, json_len);
}

}  // namespace captee::tee
