#include "captee/gp_params.hpp"

#include <unistd.h>

#include <cstring>

#include "IGPSession.h"
#include "tee_api_defines.h"

namespace captee::gp {

TEE_Result Params::build(uint32_t types, uint32_t ex_types, const ParamArgs &args) {
  const auto &in = args.in;
  types_ = types;
  std::memset(params_, 0, sizeof params_);
  for (unsigned n = 0; n < 4; ++n) {
    uint32_t t = TEE_PARAM_TYPE_GET(types, n);
    if (!Object_isNull(args.mem[n])) {
      if (TEE_Result r = map_memory_object(n, t, in[n], args.mem[n]); r != TEE_SUCCESS) {
        return r;
      }
      continue;
    }
    switch (t) {
      case TEE_PARAM_TYPE_NONE:
        break;
      case TEE_PARAM_TYPE_VALUE_INPUT:
      case TEE_PARAM_TYPE_VALUE_INOUT:
        if (in[n].size() != 8) {
          return TEE_ERROR_BAD_PARAMETERS;
        }
        std::memcpy(&params_[n].value, in[n].data(), 8);
        break;
      case TEE_PARAM_TYPE_VALUE_OUTPUT:
        break;
      case TEE_PARAM_TYPE_MEMREF_INPUT:
      case TEE_PARAM_TYPE_MEMREF_OUTPUT:
      case TEE_PARAM_TYPE_MEMREF_INOUT: {
        bool is_null = ((ex_types >> (4 * n)) & 0xF) == TEE_EX_PARAM_TYPE_MEMREF_NULL;
        if (is_null) {
          params_[n].memref.buffer = nullptr;
          params_[n].memref.size = 0;
          break;
        }
        size_t size = in[n].size();
        if (t != TEE_PARAM_TYPE_MEMREF_INPUT && args.out[n].size() != size) {
          return TEE_ERROR_BAD_PARAMETERS;
        }
        // size + 1: a zero-length memref still gets a valid pointer.
        bufs_[n].assign(size + 1, 0);
        if (size != 0) {
          std::memcpy(bufs_[n].data(), in[n].data(), size);
        }
        params_[n].memref.buffer = bufs_[n].data();
        params_[n].memref.size = size;
        break;
      }
      default:
        return TEE_ERROR_BAD_PARAMETERS;
    }
  }
  return TEE_SUCCESS;
}

void Params::finish(const ParamArgs &args) {
  for (unsigned n = 0; n < 4; ++n) {
    uint32_t t = TEE_PARAM_TYPE_GET(types_, n);
    const std::span<std::byte> out = args.out[n];
    size_t &out_len = *args.out_len[n];
    uint32_t &out_sz = *args.out_size[n];
    out_sz = 0;
    if (maps_[n]) {
      // Written in place; only the size travels back (memrefOutSzN).
      out_len = 0;
      if (t != TEE_PARAM_TYPE_MEMREF_INPUT) {
        size_t produced = params_[n].memref.size;
        out_sz = produced > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(produced);
      }
      continue;
    }
    if (t == TEE_PARAM_TYPE_VALUE_OUTPUT || t == TEE_PARAM_TYPE_VALUE_INOUT) {
      if (out.size() >= 8) {
        std::memcpy(out.data(), &params_[n].value, 8);
        out_len = 8;
      } else {
        out_len = 0;
      }
    } else if (t == TEE_PARAM_TYPE_MEMREF_OUTPUT || t == TEE_PARAM_TYPE_MEMREF_INOUT) {
      size_t produced = params_[n].memref.size;
      size_t cap = out.size();
      if (produced <= cap && produced <= bufs_[n].size()) {
        if (produced != 0) {
          std::memcpy(out.data(), bufs_[n].data(), produced);
        }
        out_len = produced;
      } else {
        out_len = 0;
      }
      out_sz = produced > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(produced);
    } else {
      out_len = 0;
    }
  }
}

TEE_Result Params::map_memory_object(unsigned n, uint32_t t, std::span<const std::byte> in,
                                     Object obj) {
  if (t != TEE_PARAM_TYPE_MEMREF_INPUT && t != TEE_PARAM_TYPE_MEMREF_OUTPUT &&
      t != TEE_PARAM_TYPE_MEMREF_INOUT) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  IGPSession_MemoryObjectParameters mp;
  if (in.size() != sizeof mp) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  std::memcpy(&mp, in.data(), sizeof mp);
  uint8_t rights = FdObject::kRead;
  if (t != TEE_PARAM_TYPE_MEMREF_INPUT) {
    rights |= FdObject::kWrite;
  }
  // Only the pages under the window: what a TA can reach of a client's memory
  // object ends at them, whatever else the object holds.
  std::optional<Mapping> m = Mapping::map_pages(obj, rights, mp.offset, mp.size);
  if (!m) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  if (m->bytes().empty()) {
    // A zero-length window: no page, but still a valid pointer.
    bufs_[n].assign(1, 0);
    params_[n].memref.buffer = bufs_[n].data();
  } else {
    const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    params_[n].memref.buffer = m->bytes().data() + mp.offset % page;
  }
  params_[n].memref.size = static_cast<size_t>(mp.size);
  maps_[n] = std::move(m);
  return TEE_SUCCESS;
}

std::span<const std::byte> Params::client_memory(unsigned n) const {
  if (n >= 4) {
    return {};
  }
  if (maps_[n]) {
    return maps_[n]->bytes();
  }
  return std::as_bytes(std::span(bufs_[n]));
}

bool Params::client_writable(unsigned n) const {
  uint32_t t = n < 4 ? TEE_PARAM_TYPE_GET(types_, n) : TEE_PARAM_TYPE_NONE;
  return t == TEE_PARAM_TYPE_MEMREF_OUTPUT || t == TEE_PARAM_TYPE_MEMREF_INOUT;
}

void clear_outputs(const ParamArgs &args) {
  for (unsigned n = 0; n < 4; ++n) {
    *args.out_len[n] = 0;
    *args.out_size[n] = 0;
  }
}

TEE_Identity client_identity(uint32_t login, std::span<const uint8_t, 16> u) {
  TEE_Identity id{};
  id.login = login;
  id.uuid.timeLow = (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
  id.uuid.timeMid = static_cast<uint16_t>((u[4] << 8) | u[5]);
  id.uuid.timeHiAndVersion = static_cast<uint16_t>((u[6] << 8) | u[7]);
  std::memcpy(id.uuid.clockSeqAndNode, u.data() + 8, 8);
  return id;
}

}  // namespace captee::gp
