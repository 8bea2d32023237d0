// Fuzzes GP parameter unmarshalling (captee::gp::Params): the four iN
// buffers, oN capacities and memory objects a client sends with an
// IGPSession invoke, under fuzzed paramTypes and exParamTypes. Then plays a
// TA that writes every byte it was given and reports a fuzzed size, and
// checks what finish() sends back.
//
// Input: u32 types, u32 ex_types, then per parameter:
//   u8  memory: 0 none, 1 read-write memory object, 2 read-only view,
//       3 an object that is not memory
//   u16 memory object size (bytes; 0 means none)
//   u16 iN size, u16 oN capacity, u32 size the TA reports
//   then the iN bytes (clipped to what is left; a memory-object parameter's
//   iN is usually the 24-byte IGPSession_MemoryObjectParameters)
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "IGPSession.h"
#include "captee/gp_params.hpp"
#include "captee/memory.hpp"
#include "tee_api_defines.h"

using namespace captee;

namespace {

class NotMemory final : public LocalObject {
  int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *, ObjectCounts) override {
    return Object_ERROR_INVALID;
  }
};

struct Reader {
  const uint8_t *d;
  size_t n;
  size_t at = 0;
  uint8_t u8() { return at < n ? d[at++] : 0; }
  uint16_t u16() { return uint16_t(u8() | (u8() << 8)); }
  uint32_t u32() { return uint32_t(u16()) | (uint32_t(u16()) << 16); }
};

[[noreturn]] void fail() {
  __builtin_trap();
}

bool is_memref(uint32_t t) {
  return t == TEE_PARAM_TYPE_MEMREF_INPUT || t == TEE_PARAM_TYPE_MEMREF_OUTPUT ||
         t == TEE_PARAM_TYPE_MEMREF_INOUT;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Reader r{data, size};
  const uint32_t types = r.u32();
  const uint32_t ex_types = r.u32();
  struct Slot {
    uint8_t mem_kind;
    Ref mem;  // what the client sent
    Ref rw;   // the read-write object behind it (to check what the TA wrote)
    std::unique_ptr<uint8_t[]> in, out;
    size_t in_size, out_cap;
    uint32_t reported;
  } slot[4];
  size_t out_len[4];
  uint32_t out_sz[4];
  gp::ParamArgs args{};
  for (unsigned n = 0; n < 4; ++n) {
    Slot &s = slot[n];
    s.mem_kind = r.u8() & 3;
    const uint16_t mem_size = r.u16();
    s.in_size = r.u16();
    s.out_cap = r.u16();
    s.reported = r.u32();
    // Exact-size heap blocks, so ASan sees any access past them.
    s.in.reset(new uint8_t[s.in_size]);
    for (size_t i = 0; i < s.in_size; ++i) {
      s.in[i] = r.u8();
    }
    s.out.reset(new uint8_t[s.out_cap]);
    if (s.mem_kind == 3) {
      s.mem = make_object<NotMemory>();
    } else if (s.mem_kind != 0 && mem_size != 0) {
      s.rw = MemoryObject::create(mem_size);
      s.mem = s.mem_kind == 2 && s.rw ? MemoryObject::read_only_view(s.rw.get()) : s.rw;
    }
    args.in[n] = std::as_bytes(std::span(s.in.get(), s.in_size));
    args.out[n] = std::as_writable_bytes(std::span(s.out.get(), s.out_cap));
    args.out_len[n] = &out_len[n];
    out_len[n] = s.out_cap;  // as the skeleton starts it
    args.mem[n] = s.mem.get();
    args.out_size[n] = &out_sz[n];
  }

  gp::Params p;
  if (p.build(types, ex_types, args) != TEE_SUCCESS) {
    return 0;
  }
  // The TA: writes every byte of every memref it was given (a marker per
  // parameter), then reports a size of its choosing; writes values.
  TEE_Param *tp = p.get();
  for (unsigned n = 0; n < 4; ++n) {
    const uint32_t t = TEE_PARAM_TYPE_GET(types, n);
    if (is_memref(t)) {
      if (tp[n].memref.size != 0 && tp[n].memref.buffer == nullptr) {
        fail();
      }
      if (t != TEE_PARAM_TYPE_MEMREF_INPUT && tp[n].memref.size != 0) {
        std::memset(tp[n].memref.buffer, 0xA0 + int(n), tp[n].memref.size);
      } else if (tp[n].memref.size != 0) {
        volatile uint8_t sum = 0;
        for (size_t i = 0; i < tp[n].memref.size; ++i) {
          sum = uint8_t(sum + static_cast<const uint8_t *>(tp[n].memref.buffer)[i]);
        }
      }
      // A memory-object memref must be the requested window of that object.
      if (slot[n].rw && !Object_isNull(args.mem[n])) {
        IGPSession_MemoryObjectParameters mp;
        std::memcpy(&mp, slot[n].in.get(), sizeof mp);
        auto *mo = LocalObject::from_as<MemoryObject>(slot[n].rw.get());
        uint64_t end = 0;
        if (__builtin_add_overflow(mp.offset, mp.size, &end) || end > mo->size() ||
            tp[n].memref.size != mp.size) {
          fail();
        }
        // Only the pages under the window are the TA's to reach.
        const auto page = uint64_t(::sysconf(_SC_PAGESIZE));
        const uint64_t span =
            mp.size == 0 ? 0 : (end + page - 1) / page * page - mp.offset / page * page;
        if (p.client_memory(n).size() != span) {
          fail();
        }
        if (t != TEE_PARAM_TYPE_MEMREF_INPUT) {
          for (size_t i = 0; i < mp.size; ++i) {
            if (uint8_t(mo->bytes()[mp.offset + i]) != 0xA0 + n) {
              fail();
            }
          }
        }
      }
      tp[n].memref.size = slot[n].reported;
    } else if (t == TEE_PARAM_TYPE_VALUE_OUTPUT || t == TEE_PARAM_TYPE_VALUE_INOUT) {
      tp[n].value.a = slot[n].reported;
      tp[n].value.b = ~slot[n].reported;
    }
  }
  p.finish(args);
  for (unsigned n = 0; n < 4; ++n) {
    if (out_len[n] > slot[n].out_cap) {
      fail();  // an output may never grow past its capacity
    }
  }
  return 0;
}
