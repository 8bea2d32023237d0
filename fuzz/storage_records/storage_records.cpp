// Feeds hostile stored records to the durable store's decoders and its
// authenticator, as someone who edits the state directory or the RPMB file
// would. The first byte picks the record kind; the rest is the record. Kind
// 6 and up first pass the bytes through AES-GCM under a fixed key (so the
// decoder sees what the store would see after authentication), and also
// open the raw bytes as a sealed record under that key (which must fail).
#include <cstdint>
#include <cstdlib>

#include "captee/tee/storage/store_records.hpp"

using namespace captee::tee::storage;

namespace {

void decode_as(uint8_t kind, ByteView in) {
  switch (kind % 6) {
    case 0: {
      HeadRecord h;
      if (decode_head(in, &h)) {
        // A head that decodes is canonical: it encodes back to itself, and
        // its chunk list matches its size.
        SecretBytes again;
        encode_head(h, &again);
        if (again.size() != in.size() || !std::equal(in.begin(), in.end(), again.data()))
          std::abort();
        if (h.chunk_versions.size() != chunk_count_for(h.data_size) ||
            h.id.size() > kMaxObjectIdLength)
          std::abort();
      }
      break;
    }
    case 1: {
      StateRecord s;
      if (decode_state(in, &s) && encode_state(s) != Bytes(in.begin(), in.end()))
        std::abort();
      break;
    }
    case 2: {
      Bucket b;
      if (decode_bucket(in, &b))
        (void)encode_bucket(b);
      break;
    }
    case 3: {
      RpmbArea a;
      if (decode_rpmb_area(in, &a)) {
        for (const auto &[key, e] : a)
          if (e.sealed.size() < kSealOverhead)
            std::abort();
      }
      break;
    }
    case 4: {
      RpmbObject o;
      if (decode_rpmb_object(in, &o) && o.id.size() > kMaxObjectIdLength)
        std::abort();
      break;
    }
    case 5: {
      Owner o;
      if (decode_owner(in, &o) && encode_owner(o) != Bytes(in.begin(), in.end()))
        std::abort();
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  const uint8_t kind = data[0];
  const ByteView record(data + 1, size - 1);
  if (kind < 6) {
    decode_as(kind, record);
    return 0;
  }
  static const Key32 key = [] {
    Key32 k;
    k.bytes.fill(0x5a);
    return k;
  }();
  const Bytes aad = head_aad({}, {}, kind);
  // Bytes nobody sealed never authenticate.
  SecretBytes plain;
  if (open_sealed(key, aad, record, &plain))
    std::abort();
  if (plain.size() != 0)
    std::abort();
  // What the store's own sealing gives back is what went in, and then the
  // decoders face it.
  Bytes sealed;
  if (!seal(key, aad, record, &sealed) || !open_sealed(key, aad, sealed, &plain))
    std::abort();
  if (plain.size() != record.size() || !std::equal(record.begin(), record.end(), plain.data()))
    std::abort();
  // A sealed record opens only with its own additional data.
  if (open_sealed(key, head_aad({}, {}, kind + 1u), sealed, &plain))
    std::abort();
  decode_as(kind, record);
  return 0;
}
