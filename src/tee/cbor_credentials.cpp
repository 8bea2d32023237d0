// Client-presented credentials: the CBOR map of spec §6 (via IIO) and
// ICredentials properties. Parsed with Debian's libcbor; bounded everywhere.
#include <cbor.h>

#include <cstring>
#include <memory>
#include <vector>

#include "ICredentials.h"
#include "IIO.h"
#include "captee/tee/credentials.hpp"

namespace captee::tee {

namespace {
struct ItemDeleter {
  void operator()(cbor_item_t *i) const { cbor_decref(&i); }
};
using Item = std::unique_ptr<cbor_item_t, ItemDeleter>;

// libcbor's cbor_load allocates a definite array or map for its *declared*
// size before reading a single element, so a 10-byte input can ask for
// exabytes. A first pass with the streaming decoder (which allocates nothing)
// rejects any declared size that the input cannot possibly hold (every element
// takes at least one byte) and any truncated item.
struct Prescan {
  size_t limit;
  bool ok = true;
};

void check_collection(void *ctx, size_t n, size_t bytes_per_element) {
  auto *p = static_cast<Prescan *>(ctx);
  size_t need = 0;
  if (__builtin_mul_overflow(n, bytes_per_element, &need) || need > p->limit) {
    p->ok = false;
  }
}

bool sizes_plausible(const unsigned char *data, size_t size) {
  Prescan scan{size};
  cbor_callbacks cb = cbor_empty_callbacks;
  cb.array_start = [](void *ctx, size_t n) { check_collection(ctx, n, 1); };
  cb.map_start = [](void *ctx, size_t n) { check_collection(ctx, n, 2); };
  size_t off = 0;
  while (off < size && scan.ok) {
    cbor_decoder_result r = cbor_stream_decode(data + off, size - off, &cb, &scan);
    if (r.status != CBOR_DECODER_FINISHED || r.read == 0) {
      return false;
    }
    off += r.read;
  }
  return scan.ok;
}
}  // namespace

std::optional<ClientClaims> parse_cbor_credentials(std::span<const std::byte> bytes) {
  if (bytes.empty() || bytes.size() > kMaxCredentialsBytes) {
    return std::nullopt;
  }
  if (!sizes_plausible(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size())) {
    return std::nullopt;
  }
  cbor_load_result res{};
  Item root(cbor_load(reinterpret_cast<cbor_data>(bytes.data()), bytes.size(), &res));
  if (!root || res.error.code != CBOR_ERR_NONE || res.read != bytes.size() ||
      !cbor_isa_map(root.get())) {
    return std::nullopt;
  }
  ClientClaims c;
  c.encoded_size = bytes.size();
  size_t n = cbor_map_size(root.get());
  cbor_pair *pairs = cbor_map_handle(root.get());
  for (size_t i = 0; i < n; ++i) {
    cbor_item_t *k = pairs[i].key;
    cbor_item_t *v = pairs[i].value;
    if (k == nullptr || v == nullptr || !cbor_isa_uint(k)) {
      return std::nullopt;
    }
    uint64_t key = cbor_get_int(k);
    if (key == 1 || key == 6) {
      if (!cbor_isa_uint(v)) {
        return std::nullopt;
      }
      (key == 1 ? c.uid : c.system_time_ms) = cbor_get_int(v);
    }
  }
  return c;
}

int32_t read_cbor_credentials(Object iio, ClientClaims *claims) {
  uint64_t len = 0;
  int32_t rv = IIO_getLength(iio, &len);
  if (rv != Object_OK) {
    return rv;
  }
  if (len == 0 || len > kMaxCredentialsBytes) {
    return Object_ERROR_SIZE_IN;
  }
  std::vector<std::byte> buf(len);
  size_t got = 0;
  while (got < len) {
    size_t n = 0;
    rv = IIO_readAtOffset(iio, got, buf.data() + got, len - got, &n);
    if (rv != Object_OK) {
      return rv;
    }
    if (n == 0 || n > len - got) {
      return Object_ERROR_INVALID;  // no progress or more than asked for
    }
    got += n;
  }
  auto parsed = parse_cbor_credentials(buf);
  if (!parsed) {
    return Object_ERROR_INVALID;
  }
  *claims = std::move(*parsed);
  return Object_OK;
}

int32_t read_property_credentials(Object creds, ClientClaims *claims) {
  constexpr size_t kMaxProperties = 32;
  constexpr size_t kMaxField = 256;
  ClientClaims c;
  for (uint32_t i = 0; i < kMaxProperties; ++i) {
    char name[kMaxField];
    char value[kMaxField];
    size_t nlen = 0;
    size_t vlen = 0;
    int32_t rv = ICredentials_getPropertyByIndex(creds, i, name, sizeof name, &nlen, value,
                                                 sizeof value, &vlen);
    if (rv == ICredentials_ERROR_NOT_FOUND) {
      break;
    }
    if (rv != Object_OK) {
      return rv;
    }
    if (nlen > sizeof name || vlen > sizeof value) {
      return Object_ERROR_INVALID;
    }
    // Both carry a terminating NUL (spec §5.4); tolerate its absence.
    auto text = [](const char *p, size_t n) {
      std::string s(p, n);
      if (auto z = s.find('\0'); z != std::string::npos) {
        s.resize(z);
      }
      return s;
    };
    c.properties[text(name, nlen)] = text(value, vlen);
  }
  *claims = std::move(c);
  return Object_OK;
}

}  // namespace captee::tee
