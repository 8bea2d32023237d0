// The storage chaos runs' shared part (issue 16): the model of the storage
// test TA's objects, the random calls on them, the client that makes the
// calls and reads every object back, and the verdict after a crash. Used by
// the kill -9 run (storage_chaos_test.cpp) and the power-loss run
// (storage_power_loss_test.cpp), so that both hold the store to the same
// model.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gp_storage_ta.h"
#include "tee_client_api.h"

namespace captee::test::storage_chaos {

constexpr TEEC_UUID kTa = GP_STORAGE_TA_V131_UUID;
constexpr uint32_t kItemNotFound = 0xFFFF0008;    // TEE_ERROR_ITEM_NOT_FOUND
constexpr uint32_t kAccessConflict = 0xFFFF0003;  // TEE_ERROR_ACCESS_CONFLICT
inline const std::vector<std::string> kIds = {"alpha", "beta", "gamma", "delta"};
constexpr size_t kMaxSize = 16 * 1024;  // keeps every object readable in one GET

inline unsigned env_unsigned(const char *name, unsigned fallback) {
  const char *v = std::getenv(name);
  return v != nullptr && *v != '\0' ? unsigned(std::strtoul(v, nullptr, 10)) : fallback;
}

// Object id -> contents; an absent id is no object.
using State = std::map<std::string, std::string>;

struct Op {
  enum Kind { kPut, kWriteAt, kTruncate, kRename, kDelete } kind;
  std::string id, to, data;
  uint32_t offset = 0, size = 0;
};

inline std::string describe(const Op &op) {
  static const char *names[] = {"put", "write-at", "truncate", "rename", "delete"};
  return std::string(names[op.kind]) + " " + op.id +
         (op.kind == Op::kRename ? " -> " + op.to : "") +
         (op.kind == Op::kPut || op.kind == Op::kWriteAt
              ? " " + std::to_string(op.data.size()) + " bytes"
              : "") +
         (op.kind == Op::kWriteAt ? " at " + std::to_string(op.offset) : "") +
         (op.kind == Op::kTruncate ? " to " + std::to_string(op.size) : "");
}

// Each object's size and its runs of stamps (offset:stamp), which show a
// torn write.
inline std::string describe(const State &s) {
  std::string out;
  for (const auto &[id, data] : s) {
    out += id + "[" + std::to_string(data.size()) + ":";
    for (size_t i = 0; i < data.size(); ++i) {
      if (i == 0 || data[i] != data[i - 1]) {
        out += " " + std::to_string(i) + "=" + std::to_string(uint8_t(data[i]));
      }
    }
    out += "] ";
  }
  return out.empty() ? "(none)" : out;
}

inline Op random_op(std::mt19937 &rng, unsigned seq, const State &now) {
  // Never 0, which is what a zero-fill writes.
  const char stamp = char(1 + seq % 251);
  Op op;
  op.kind = Op::Kind(std::discrete_distribution<int>({3, 3, 2, 1, 1})(rng));
  op.id = kIds[rng() % kIds.size()];
  const auto it = now.find(op.id);
  const size_t size = it == now.end() ? 0 : it->second.size();
  switch (op.kind) {
    case Op::kPut:
      op.data.assign(rng() % 6000, stamp);
      break;
    case Op::kWriteAt: {
      // Sometimes past the end, which zero-fills the gap.
      op.offset = uint32_t(rng() % (size + 2000));
      size_t len = 1 + rng() % 4000;
      op.offset = uint32_t(std::min<size_t>(op.offset, kMaxSize - 1));
      len = std::min(len, kMaxSize - op.offset);
      op.data.assign(len, stamp);
      break;
    }
    case Op::kTruncate:
      op.size = uint32_t(rng() % 9000);
      break;
    case Op::kRename:
      do {
        op.to = kIds[rng() % kIds.size()];
      } while (op.to == op.id);
      break;
    case Op::kDelete:
      break;
  }
  return op;
}

// What `op` answers on `before` and what it leaves.
inline uint32_t apply(const State &before, const Op &op, State *after) {
  *after = before;
  const auto it = after->find(op.id);
  if (op.kind != Op::kPut && it == after->end()) {
    return kItemNotFound;
  }
  switch (op.kind) {
    case Op::kPut:
      (*after)[op.id] = op.data;
      break;
    case Op::kWriteAt: {
      std::string &d = it->second;
      const size_t end = size_t(op.offset) + op.data.size();
      if (d.size() < end) {
        d.resize(end, '\0');
      }
      d.replace(op.offset, op.data.size(), op.data);
      break;
    }
    case Op::kTruncate:
      it->second.resize(op.size, '\0');
      break;
    case Op::kRename:
      if (after->count(op.to) != 0) {
        return kAccessConflict;
      }
      (*after)[op.to] = it->second;
      after->erase(op.id);
      break;
    case Op::kDelete:
      after->erase(it);
      break;
  }
  return TEEC_SUCCESS;
}

// A client context on capteed's socket, remade after capteed restarts.
class StorageClient {
 public:
  ~StorageClient() { disconnect(); }
  bool connect(const std::string &socket) {
    disconnect();
    ::setenv("CAPTEE_SOCKET", socket.c_str(), 1);
    connected_ = TEEC_InitializeContext(nullptr, &ctx_) == TEEC_SUCCESS;
    return connected_;
  }
  void disconnect() {
    if (connected_) {
      TEEC_FinalizeContext(&ctx_);
      connected_ = false;
    }
  }

  uint32_t run(const Op &op) {
    TEEC_Operation o{};
    o.params[0].tmpref = {const_cast<char *>(op.id.data()), op.id.size()};
    switch (op.kind) {
      case Op::kPut:
        o.paramTypes =
            TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_INPUT, TEEC_NONE, TEEC_NONE);
        o.params[1].tmpref = {const_cast<char *>(op.data.data()), op.data.size()};
        return invoke(GP_STORAGE_CMD_PUT, &o);
      case Op::kWriteAt:
        o.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_INPUT,
                                        TEEC_VALUE_INPUT, TEEC_NONE);
        o.params[1].tmpref = {const_cast<char *>(op.data.data()), op.data.size()};
        o.params[2].value.a = op.offset;
        return invoke(GP_STORAGE_CMD_WRITE_AT, &o);
      case Op::kTruncate:
        o.paramTypes =
            TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE);
        o.params[1].value.a = op.size;
        return invoke(GP_STORAGE_CMD_TRUNCATE, &o);
      case Op::kRename:
        o.paramTypes =
            TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_INPUT, TEEC_NONE, TEEC_NONE);
        o.params[1].tmpref = {const_cast<char *>(op.to.data()), op.to.size()};
        return invoke(GP_STORAGE_CMD_RENAME, &o);
      case Op::kDelete:
        o.paramTypes = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
        return invoke(GP_STORAGE_CMD_DELETE, &o);
    }
    return TEEC_ERROR_GENERIC;
  }

  // Every object of the id set as stored, and no other object (by
  // enumeration); nothing if a call failed. `largest`: the longest object
  // there may be.
  std::optional<State> read_all(size_t largest = kMaxSize) {
    State s;
    std::vector<char> buf(2 * largest);
    for (const std::string &id : kIds) {
      TEEC_Operation o{};
      o.paramTypes =
          TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
      o.params[0].tmpref = {const_cast<char *>(id.data()), id.size()};
      o.params[1].tmpref = {buf.data(), buf.size()};
      const uint32_t r = invoke(GP_STORAGE_CMD_GET, &o);
      if (r == TEEC_SUCCESS) {
        s[id].assign(buf.data(), o.params[1].tmpref.size);
      } else if (r != kItemNotFound) {
        return std::nullopt;
      }
    }
    TEEC_Operation o{};
    o.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    if (invoke(GP_STORAGE_CMD_COUNT, &o) != TEEC_SUCCESS) {
      return std::nullopt;
    }
    if (o.params[0].value.a != s.size()) {
      s["(objects found by enumeration: " + std::to_string(o.params[0].value.a) + ")"] = "";
    }
    return s;
  }

 private:
  uint32_t invoke(uint32_t cmd, TEEC_Operation *op) {
    if (!connected_) {
      return TEEC_ERROR_COMMUNICATION;
    }
    TEEC_Session s{};
    TEEC_Result r = TEEC_OpenSession(&ctx_, &s, &kTa, TEEC_LOGIN_PUBLIC, nullptr, nullptr, nullptr);
    if (r == TEEC_SUCCESS) {
      r = TEEC_InvokeCommand(&s, cmd, op, nullptr);
      TEEC_CloseSession(&s);
    }
    return r;
  }

  TEEC_Context ctx_{};
  bool connected_ = false;
};

// What a read-back after a call shows. The call was `op` on `before`,
// answered `result`; `after` is what the model says it leaves, and
// `crashed` tells whether a crash (kill or power cut) hit it. Only a call
// that was hit and not acknowledged may have left the old state.
enum class Outcome { kOld, kNew, kWrong };
inline Outcome judge(const State &before, const State &after, uint32_t result, bool crashed,
                     const State &seen) {
  if (crashed && result != TEEC_SUCCESS && seen == before && before != after) {
    return Outcome::kOld;
  }
  return seen == after ? Outcome::kNew : Outcome::kWrong;
}

// The failure message for a wrong read-back.
inline std::string wrong_state(unsigned seq, const Op &op, uint32_t result,
                               const std::string &crash, const State &seen, const State &before,
                               const State &after) {
  char code[16];
  std::snprintf(code, sizeof code, "%x", result);
  return "call " + std::to_string(seq) + " (" + describe(op) + ", answered 0x" + code +
         (crash.empty() ? "" : ", " + crash) + "): stored " + describe(seen) + "; before it " +
         describe(before) + "; after it " + describe(after);
}

}  // namespace captee::test::storage_chaos
