// SM2 ciphertexts between GP's C1 || C3 || C2 and OpenSSL's DER (sm2.hpp).
// Only definite lengths in the fewest bytes are written; the reader takes
// what OpenSSL writes and refuses anything that does not add up exactly.
#include <cstring>
#include <new>

#include "sm2.hpp"

namespace captee::gp_ta {

namespace {

constexpr uint8_t kTagInteger = 0x02;
constexpr uint8_t kTagOctetString = 0x04;
constexpr uint8_t kTagSequence = 0x30;
constexpr uint8_t kUncompressed = 0x04;

// The bytes a DER length of `n` takes.
size_t length_size(size_t n) {
  size_t size = 1;
  if (n >= 0x80) {
    for (size_t rest = n; rest != 0; rest >>= 8) {
      ++size;
    }
  }
  return size;
}

void put_length(std::vector<uint8_t> *der, size_t n) {
  if (n < 0x80) {
    der->push_back(static_cast<uint8_t>(n));
    return;
  }
  const size_t bytes = length_size(n) - 1;
  der->push_back(static_cast<uint8_t>(0x80 | bytes));
  for (size_t i = bytes; i > 0; --i) {
    der->push_back(static_cast<uint8_t>(n >> (8 * (i - 1))));
  }
}

// A coordinate (big-endian, kSm2CoordinateBytes) as a DER INTEGER's content:
// no leading zeros, one zero if the top bit is set (it is not negative), a
// single zero for zero. Returns its first byte's offset in `v` and sets
// `*pad` if a zero goes before it.
size_t integer_start(const uint8_t *v, bool *pad) {
  size_t start = 0;
  while (start + 1 < kSm2CoordinateBytes && v[start] == 0) {
    ++start;
  }
  *pad = (v[start] & 0x80) != 0;
  return start;
}

void put_integer(std::vector<uint8_t> *der, const uint8_t *v) {
  bool pad = false;
  const size_t start = integer_start(v, &pad);
  der->push_back(kTagInteger);
  put_length(der, kSm2CoordinateBytes - start + (pad ? 1 : 0));
  if (pad) {
    der->push_back(0);
  }
  der->insert(der->end(), v + start, v + kSm2CoordinateBytes);
}

size_t integer_size(const uint8_t *v) {
  bool pad = false;
  const size_t start = integer_start(v, &pad);  // sets pad: read it after
  const size_t content = kSm2CoordinateBytes - start + (pad ? 1 : 0);
  return 1 + length_size(content) + content;
}

// Reads DER from a buffer of known length; every read checks what is left.
class Reader {
 public:
  Reader(const uint8_t *p, size_t len) : p_(p), left_(len) {}

  // The content of the element with `tag` next: its start and length. False
  // if the tag differs, the length is not definite, not in the fewest bytes,
  // or runs past the end.
  bool element(uint8_t tag, const uint8_t **content, size_t *len) {
    if (left_ < 2 || p_[0] != tag) {
      return false;
    }
    size_t n = p_[1];
    size_t header = 2;
    if (n >= 0x80) {
      const size_t bytes = n & 0x7f;
      if (bytes == 0 || bytes > sizeof(size_t) || bytes > left_ - 2) {
        return false;
      }
      n = 0;
      for (size_t i = 0; i < bytes; ++i) {
        n = (n << 8) | p_[2 + i];
      }
      header += bytes;
      if (n < 0x80 || length_size(n) != 1 + bytes) {
        return false;  // not the shortest form
      }
    }
    if (n > left_ - header) {
      return false;
    }
    *content = p_ + header;
    *len = n;
    p_ += header + n;
    left_ -= header + n;
    return true;
  }

  bool at_end() const { return left_ == 0; }

 private:
  const uint8_t *p_;
  size_t left_;
};

// A non-negative INTEGER of at most kSm2CoordinateBytes, right-aligned into
// `out`.
bool read_coordinate(Reader *r, uint8_t *out) {
  const uint8_t *v = nullptr;
  size_t len = 0;
  if (!r->element(kTagInteger, &v, &len) || len == 0 || (v[0] & 0x80) != 0) {
    return false;
  }
  while (len > 1 && v[0] == 0) {
    ++v;
    --len;
  }
  if (len > kSm2CoordinateBytes) {
    return false;
  }
  std::memset(out, 0, kSm2CoordinateBytes - len);
  std::memcpy(out + (kSm2CoordinateBytes - len), v, len);
  return true;
}

}  // namespace

bool sm2_ciphertext_to_der(const uint8_t *in, size_t len, std::vector<uint8_t> *der) {
  if (len < kSm2Overhead || len - kSm2Overhead > kSm2MaxMessage || in[0] != kUncompressed) {
    return false;
  }
  const uint8_t *x = in + 1;
  const uint8_t *y = x + kSm2CoordinateBytes;
  const uint8_t *c3 = in + kSm2PointBytes;
  const uint8_t *c2 = c3 + kSm2HashBytes;
  const size_t c2_len = len - kSm2Overhead;
  // Each part is bounded (C2 by kSm2MaxMessage), so these sums cannot wrap.
  const size_t body = integer_size(x) + integer_size(y) + 1 + length_size(kSm2HashBytes) +
                      kSm2HashBytes + 1 + length_size(c2_len) + c2_len;
  try {
    der->clear();
    der->reserve(1 + length_size(body) + body);
    der->push_back(kTagSequence);
    put_length(der, body);
    put_integer(der, x);
    put_integer(der, y);
    der->push_back(kTagOctetString);
    put_length(der, kSm2HashBytes);
    der->insert(der->end(), c3, c3 + kSm2HashBytes);
    der->push_back(kTagOctetString);
    put_length(der, c2_len);
    der->insert(der->end(), c2, c2 + c2_len);
  } catch (const std::bad_alloc &) {
    der->clear();
    return false;
  }
  return true;
}

bool sm2_ciphertext_from_der(const uint8_t *der, size_t der_len, uint8_t *out, size_t out_len) {
  if (out_len < kSm2Overhead) {
    return false;
  }
  Reader outer(der, der_len);
  const uint8_t *body = nullptr;
  size_t body_len = 0;
  if (!outer.element(kTagSequence, &body, &body_len) || !outer.at_end()) {
    return false;
  }
  Reader r(body, body_len);
  out[0] = kUncompressed;
  const uint8_t *c3 = nullptr;
  size_t c3_len = 0;
  const uint8_t *c2 = nullptr;
  size_t c2_len = 0;
  if (!read_coordinate(&r, out + 1) || !read_coordinate(&r, out + 1 + kSm2CoordinateBytes) ||
      !r.element(kTagOctetString, &c3, &c3_len) || c3_len != kSm2HashBytes ||
      !r.element(kTagOctetString, &c2, &c2_len) || !r.at_end() ||
      c2_len != out_len - kSm2Overhead) {
    return false;
  }
  std::memcpy(out + kSm2PointBytes, c3, kSm2HashBytes);
  if (c2_len != 0) {
    std::memcpy(out + kSm2Overhead, c2, c2_len);
  }
  return true;
}

}  // namespace captee::gp_ta
