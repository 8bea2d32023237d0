// GP sessions on an IGPAppClient object itself, without libteec: a TA's app
// object from the app loader, or the GP service capteed binds to a TA (which
// a native test TA hands out). Values and inline memrefs only; the layout is
// spec mink-interfaces §8.6 (values: 8 bytes in iN and oN; a memref: its
// bytes in iN, the same capacity in oN unless input-only).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "IGPAppClient.h"
#include "IGPAppClientCaptee.h"
#include "IGPSession.h"
#include "captee/object.hpp"
#include "tee_client_api.h"

namespace captee::test {

struct RawParam {
  uint32_t a = 0, b = 0;          // a value
  std::vector<uint8_t> bytes;     // a memref's bytes (input) and capacity (output)
  uint32_t out_size = 0;          // memrefOutSzN
  std::array<uint8_t, 8> v_in{};  // wire copies
  std::array<uint8_t, 8> v_out{};
  size_t out_len = 0;
};

struct RawCall {
  uint32_t types = 0;  // TEEC_PARAM_TYPES
  std::array<RawParam, 4> p;
  uint32_t ret = 0;
  uint32_t origin = 0;

  static bool is_value(uint32_t t) { return t >= TEEC_VALUE_INPUT && t <= TEEC_VALUE_INOUT; }
  uint32_t type(unsigned n) const { return (types >> (4 * n)) & 0xF; }
  const void *in(unsigned n) {
    const uint32_t t = type(n);
    if (t == TEEC_VALUE_INPUT || t == TEEC_VALUE_INOUT) {
      std::memcpy(p[n].v_in.data(), &p[n].a, 4);
      std::memcpy(p[n].v_in.data() + 4, &p[n].b, 4);
      return p[n].v_in.data();
    }
    return t >= TEEC_MEMREF_TEMP_INPUT && t <= TEEC_MEMREF_TEMP_INOUT ? p[n].bytes.data() : nullptr;
  }
  size_t in_len(unsigned n) const {
    const uint32_t t = type(n);
    if (t == TEEC_VALUE_INPUT || t == TEEC_VALUE_INOUT) {
      return 8;
    }
    return t >= TEEC_MEMREF_TEMP_INPUT && t <= TEEC_MEMREF_TEMP_INOUT ? p[n].bytes.size() : 0;
  }
  void *out(unsigned n) {
    const uint32_t t = type(n);
    if (t == TEEC_VALUE_OUTPUT || t == TEEC_VALUE_INOUT) {
      return p[n].v_out.data();
    }
    return t == TEEC_MEMREF_TEMP_OUTPUT || t == TEEC_MEMREF_TEMP_INOUT ? p[n].bytes.data()
                                                                       : nullptr;
  }
  size_t out_cap(unsigned n) const {
    const uint32_t t = type(n);
    if (t == TEEC_VALUE_OUTPUT || t == TEEC_VALUE_INOUT) {
      return 8;
    }
    return t == TEEC_MEMREF_TEMP_OUTPUT || t == TEEC_MEMREF_TEMP_INOUT ? p[n].bytes.size() : 0;
  }
  // Values out of the wire copies after a call.
  void finish() {
    for (unsigned n = 0; n < 4; ++n) {
      if ((type(n) == TEEC_VALUE_OUTPUT || type(n) == TEEC_VALUE_INOUT) && p[n].out_len == 8) {
        std::memcpy(&p[n].a, p[n].v_out.data(), 4);
        std::memcpy(&p[n].b, p[n].v_out.data() + 4, 4);
      }
    }
  }
};

// openSessionV2 on `app` with `login`; Object_OK and c.ret / c.origin, the
// session in *session on TEEC_SUCCESS.
inline int32_t raw_open(Object app, const TEEC_UUID &uuid, uint32_t login, RawCall &c,
                        Ref *session) {
  Object s = Object_NULL;
  int32_t err = IGPAppClient_openSessionV2(
      app, &uuid, sizeof uuid, Object_NULL, 0, 0xFFFFFFFFu, login, 0, c.types, 0, c.in(0),
      c.in_len(0), c.in(1), c.in_len(1), c.in(2), c.in_len(2), c.in(3), c.in_len(3), c.out(0),
      c.out_cap(0), &c.p[0].out_len, c.out(1), c.out_cap(1), &c.p[1].out_len, c.out(2),
      c.out_cap(2), &c.p[2].out_len, c.out(3), c.out_cap(3), &c.p[3].out_len, Object_NULL,
      Object_NULL, Object_NULL, Object_NULL, &c.p[0].out_size, &c.p[1].out_size, &c.p[2].out_size,
      &c.p[3].out_size, &s, &c.ret, &c.origin);
  *session = Ref::adopt(s);
  c.finish();
  return err;
}

// openSessionAs (capteed's private op) on `app`, stating `login` and `who`.
inline int32_t raw_open_as(Object app, const TEEC_UUID &uuid, uint32_t login,
                           const uint8_t (&who)[16], RawCall &c, Ref *session) {
  IGPAppClientCaptee_Uuid claimed;
  std::memcpy(claimed.bytes, who, 16);
  Object s = Object_NULL;
  int32_t err = IGPAppClientCaptee_openSessionAs(
      app, &uuid, sizeof uuid, Object_NULL, 0, 0xFFFFFFFFu, login, 0, c.types, 0, login, &claimed,
      c.in(0), c.in_len(0), c.in(1), c.in_len(1), c.in(2), c.in_len(2), c.in(3), c.in_len(3),
      c.out(0), c.out_cap(0), &c.p[0].out_len, c.out(1), c.out_cap(1), &c.p[1].out_len, c.out(2),
      c.out_cap(2), &c.p[2].out_len, c.out(3), c.out_cap(3), &c.p[3].out_len, Object_NULL,
      Object_NULL, Object_NULL, Object_NULL, &c.p[0].out_size, &c.p[1].out_size, &c.p[2].out_size,
      &c.p[3].out_size, &s, &c.ret, &c.origin);
  *session = Ref::adopt(s);
  c.finish();
  return err;
}

inline int32_t raw_invoke(Object session, uint32_t cmd, RawCall &c) {
  int32_t err = IGPSession_invokeCommand(
      session, cmd, 0, 0xFFFFFFFFu, c.types, 0, c.in(0), c.in_len(0), c.in(1), c.in_len(1), c.in(2),
      c.in_len(2), c.in(3), c.in_len(3), c.out(0), c.out_cap(0), &c.p[0].out_len, c.out(1),
      c.out_cap(1), &c.p[1].out_len, c.out(2), c.out_cap(2), &c.p[2].out_len, c.out(3),
      c.out_cap(3), &c.p[3].out_len, Object_NULL, Object_NULL, Object_NULL, Object_NULL,
      &c.p[0].out_size, &c.p[1].out_size, &c.p[2].out_size, &c.p[3].out_size, &c.ret, &c.origin);
  c.finish();
  return err;
}

}  // namespace captee::test
