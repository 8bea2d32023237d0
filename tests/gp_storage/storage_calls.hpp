// The storage test TA's PUT and GET (ta/gp_storage_ta.h), each in a session
// of its own on `ctx`, as the client-side storage suites drive it.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "gp_storage_ta.h"
#include "tee_client_api.h"

namespace captee::test::storage_calls {

// `cmd` with `op` in a new session to `uuid` (each one a new instance of a
// multi-instance TA); the open's result if it fails. `invoke_ms`, if given,
// gets how long the command took (the session's open and close not
// counted; 0 if it did not run).
inline TEEC_Result run(TEEC_Context *ctx, const TEEC_UUID &uuid, uint32_t cmd, TEEC_Operation *op,
                       int *invoke_ms = nullptr) {
  TEEC_Session s{};
  TEEC_Result r = TEEC_OpenSession(ctx, &s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, nullptr);
  if (invoke_ms != nullptr) {
    *invoke_ms = 0;
  }
  if (r == TEEC_SUCCESS) {
    const auto start = std::chrono::steady_clock::now();
    r = TEEC_InvokeCommand(&s, cmd, op, nullptr);
    if (invoke_ms != nullptr) {
      *invoke_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - start)
                                        .count());
    }
    TEEC_CloseSession(&s);
  }
  return r;
}

// Creates (or overwrites) object `id` holding `data`; `invoke_ms` as run's.
inline TEEC_Result put(TEEC_Context *ctx, const TEEC_UUID &uuid, const std::string &id,
                       const std::string &data, int *invoke_ms = nullptr) {
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_INPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].tmpref = {const_cast<char *>(id.data()), id.size()};
  op.params[1].tmpref = {const_cast<char *>(data.data()), data.size()};
  return run(ctx, uuid, GP_STORAGE_CMD_PUT, &op, invoke_ms);
}

// Object `id`'s data (up to 4 KiB), or "error <hex>".
inline std::string get(TEEC_Context *ctx, const TEEC_UUID &uuid, const std::string &id) {
  std::vector<char> buf(4096);
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].tmpref = {const_cast<char *>(id.data()), id.size()};
  op.params[1].tmpref = {buf.data(), buf.size()};
  const TEEC_Result r = run(ctx, uuid, GP_STORAGE_CMD_GET, &op);
  if (r != TEEC_SUCCESS) {
    char hex[24];
    std::snprintf(hex, sizeof hex, "error %08x", r);
    return hex;
  }
  return std::string(buf.data(), op.params[1].tmpref.size);
}

}  // namespace captee::test::storage_calls
