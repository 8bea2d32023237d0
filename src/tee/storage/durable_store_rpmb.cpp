// The durable store's Namespace::kRpmb objects, in the RPMB area (durable_store.hpp).
#include <openssl/crypto.h>

#include "durable_store.hpp"

namespace captee::tee::storage::durable {

// ---- RPMB objects ----

StoreStatus DurableObjectStore::rpmb_load(const Context &ctx, const Hash32 &key, RpmbObject *out) {
  auto it = rpmb_area_.find(key);
  if (it == rpmb_area_.end() || it->second.owner_tag != ctx.owner_tag)
    return StoreStatus::kNotFound;
  SecretBytes plain;
  if (!open_sealed(ctx.keys->seal, rpmb_object_aad(ctx.owner_tag, key), it->second.sealed,
                   &plain) ||
      !decode_rpmb_object(plain.view(), out) || it->second.bytes != quota_bytes(*out)) {
    RpmbArea area = rpmb_area_;
    area.erase(key);
    const StoreStatus s = rpmb_store(std::move(area));
    return s == StoreStatus::kOk ? StoreStatus::kCorrupt : s;
  }
  return StoreStatus::kOk;
}

StoreStatus DurableObjectStore::rpmb_put(const Context &ctx, const Hash32 &key,
                                         const RpmbObject &object, RpmbArea *area) {
  SecretBytes plain;
  encode_rpmb_object(object, &plain);
  RpmbEntry e;
  e.owner_tag = ctx.owner_tag;
  e.bytes = quota_bytes(object);
  if (!seal(ctx.keys->seal, rpmb_object_aad(ctx.owner_tag, key), plain.view(), &e.sealed))
    return StoreStatus::kIoError;
  (*area)[key] = std::move(e);
  return StoreStatus::kOk;
}

StoreStatus DurableObjectStore::rpmb_store(RpmbArea area) {
  Bytes image = encode_rpmb_area(area);
  if (image.size() > rpmb_image_.size())
    return StoreStatus::kNoSpace;
  image.resize(rpmb_image_.size(), 0);
  // Only the blocks that changed, in one authenticated (atomic) write.
  size_t first = 0;
  while (first < image.size() && image[first] == rpmb_image_[first])
    ++first;
  if (first == image.size()) {
    rpmb_area_ = std::move(area);
    return StoreStatus::kOk;
  }
  size_t last = image.size();
  while (image[last - 1] == rpmb_image_[last - 1])
    --last;
  const size_t from = first / kRpmbBlockSize * kRpmbBlockSize;
  const size_t to = (last + kRpmbBlockSize - 1) / kRpmbBlockSize * kRpmbBlockSize;
  if (driver_->write(static_cast<uint16_t>(kAreaBlock + from / kRpmbBlockSize),
                     ByteView(image).subspan(from, to - from)) != RpmbStatus::kOk)
    return StoreStatus::kIoError;
  rpmb_image_ = std::move(image);
  rpmb_area_ = std::move(area);
  return StoreStatus::kOk;
}

}  // namespace captee::tee::storage::durable
