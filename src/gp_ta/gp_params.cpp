#include "captee/gp_params.hpp"

#include <unistd.h>

#include <cstring>

#include "IGPAppClient.h"
#include "IGPSession.h"
#include "captee/gp_ta_protocol.h"
#include "tee_api_defines.h"

namespace captee::gp {

TEE_Result Params::build(uint32_t types, uint32_t ex_types, const ObjectArg *in,
                         const ObjectArg *out, const ObjectArg *mem) {
  types_ = types;
  std::memset(params_, 0, sizeof params_);
  for (unsigned n = 0; n < 4; ++n) {
    uint32_t t = TEE_PARAM_TYPE_GET(types, n);
    if (!Object_isNull(mem[n].o)) {
      if (TEE_Result r = map_memory_object(n, t, in[n], mem[n].o); r != TEE_SUCCESS) {
        return r;
      }
      continue;
    }
    switch (t) {
      case TEE_PARAM_TYPE_NONE:
        break;
      case TEE_PARAM_TYPE_VALUE_INPUT:
      case TEE_PARAM_TYPE_VALUE_INOUT:
        if (in[n].bi.size != 8) {
          return TEE_ERROR_BAD_PARAMETERS;
        }
        std::memcpy(&params_[n].value, in[n].bi.ptr, 8);
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
        size_t size = in[n].bi.size;
        if (t != TEE_PARAM_TYPE_MEMREF_INPUT && out[n].b.size != size) {
          return TEE_ERROR_BAD_PARAMETERS;
        }
        // size + 1: a zero-length memref still gets a valid pointer.
        bufs_[n].assign(size + 1, 0);
        if (size != 0) {
          std::memcpy(bufs_[n].data(), in[n].bi.ptr, size);
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

void Params::finish(ObjectArg *out, uint32_t out_sz[4]) {
  for (unsigned n = 0; n < 4; ++n) {
    uint32_t t = TEE_PARAM_TYPE_GET(types_, n);
    out_sz[n] = 0;
    if (maps_[n]) {
      // Written in place; only the size travels back (memrefOutSzN).
      out[n].b.size = 0;
      if (t != TEE_PARAM_TYPE_MEMREF_INPUT) {
        size_t produced = params_[n].memref.size;
        out_sz[n] = produced > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(produced);
      }
      continue;
    }
    if (t == TEE_PARAM_TYPE_VALUE_OUTPUT || t == TEE_PARAM_TYPE_VALUE_INOUT) {
      if (out[n].b.size >= 8) {
        std::memcpy(out[n].b.ptr, &params_[n].value, 8);
        out[n].b.size = 8;
      } else {
        out[n].b.size = 0;
      }
    } else if (t == TEE_PARAM_TYPE_MEMREF_OUTPUT || t == TEE_PARAM_TYPE_MEMREF_INOUT) {
      size_t produced = params_[n].memref.size;
      size_t cap = out[n].b.size;
      if (produced <= cap && produced <= bufs_[n].size()) {
        if (produced != 0) {
          std::memcpy(out[n].b.ptr, bufs_[n].data(), produced);
        }
        out[n].b.size = produced;
      } else {
        out[n].b.size = 0;
      }
      out_sz[n] = produced > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(produced);
    } else {
      out[n].b.size = 0;
    }
  }
}

TEE_Result Params::map_memory_object(unsigned n, uint32_t t, const ObjectArg &in, Object obj) {
  if (t != TEE_PARAM_TYPE_MEMREF_INPUT && t != TEE_PARAM_TYPE_MEMREF_OUTPUT &&
      t != TEE_PARAM_TYPE_MEMREF_INOUT) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  IGPSession_MemoryObjectParameters mp;
  if (in.bi.size != sizeof mp) {
    return TEE_ERROR_BAD_PARAMETERS;
  }
  std::memcpy(&mp, in.bi.ptr, sizeof mp);
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

bool decode_open_request(uint32_t method, const ObjectArg &bundle, OpenRequest *out) {
  const auto *raw = static_cast<const uint8_t *>(bundle.bi.ptr);
  uint32_t w[6] = {};
  *out = OpenRequest{};
  out->client.login = TEE_LOGIN_PUBLIC;
  switch (method) {
    case IGPAppClient_OP_openSession:
      if (bundle.bi.size != 20) {
        return false;
      }
      std::memcpy(w, raw, 20);
      out->cancel_code = w[0];
      out->connection_method = w[1];
      out->connection_data = w[2];
      out->param_types = w[3];
      out->ex_param_types = w[4];
      return true;
    case IGPAppClient_OP_openSessionV2:
    case CAPTEE_GP_OP_OPEN_SESSION_AS:
      if (bundle.bi.size !=
          (method == IGPAppClient_OP_openSessionV2 ? 24u : CAPTEE_GP_OPEN_AS_BUNDLE_SIZE)) {
        return false;
      }
      std::memcpy(w, raw, 24);
      out->cancel_code = w[0];
      out->cancel_timeout = w[1];
      out->connection_method = w[2];
      out->connection_data = w[3];
      out->param_types = w[4];
      out->ex_param_types = w[5];
      if (method == CAPTEE_GP_OP_OPEN_SESSION_AS) {
        const uint8_t *u = raw + 28;
        std::memcpy(&out->client.login, raw + 24, 4);
        out->client.uuid.timeLow =
            (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
        out->client.uuid.timeMid = static_cast<uint16_t>((u[4] << 8) | u[5]);
        out->client.uuid.timeHiAndVersion = static_cast<uint16_t>((u[6] << 8) | u[7]);
        std::memcpy(out->client.uuid.clockSeqAndNode, u + 8, 8);
      }
      return true;
    default:
      return false;
  }
}

bool decode_invoke_request(ObjectCounts k, const ObjectArg *a, InvokeRequest *out) {
  if (k != ObjectCounts_pack(5, 5, 4, 0) || a[0].bi.size != 20 || a[5].b.size != 24) {
    return false;
  }
  uint32_t w[5];
  std::memcpy(w, a[0].bi.ptr, sizeof w);
  // commandId, cancelCode, cancellationRequestTimeout, paramTypes, exParamTypes
  *out = {w[0], w[1], w[3], w[4]};
  return true;
}

void put_result(ObjectArg &bundle, const uint32_t out_sz[4], uint32_t value, uint32_t origin) {
  uint32_t w[6] = {out_sz[0], out_sz[1], out_sz[2], out_sz[3], value, origin};
  std::memcpy(bundle.b.ptr, w, sizeof w);
}

void clear_outputs(ObjectArg *out) {
  for (unsigned n = 0; n < 4; ++n) {
    out[n].b.size = 0;
  }
}

}  // namespace captee::gp
