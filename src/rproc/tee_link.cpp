#include "captee/rproc/tee_link.hpp"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "CRemoteprocControl.h"
#include "IClientEnv.hpp"
#include "captee/channel.hpp"
#include "captee/fwimage/status.hpp"
#include "captee/remoteproc_ta_protocol.h"
#include "tee_api_defines.h"

namespace captee::rproc {

namespace {

const TEEC_UUID kRemoteprocTa = CAPTEE_REMOTEPROC_TA_UUID;

// setenv is not thread-safe against getenv; libteec reads $CAPTEE_SOCKET only
// in TEEC_InitializeContext, which runs under this lock.
std::mutex g_env_mu;

// A channel to capteed whose closing we hear about.
std::shared_ptr<Channel> dial(const std::string &path, std::string *why) {
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *why = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) {
    ::close(fd);
    *why = "the socket path is too long";
    return nullptr;
  }
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
    *why = std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  ChannelOptions opts;
  opts.pool_threads = 2;  // capteed's event calls
  opts.log = [](const std::string &) {};
  return start_channel(fd, Ref(), opts, why);
}

const char *meaning(TEEC_Result r) {
  switch (r) {
    case TEE_ERROR_SIGNATURE_INVALID:
      return "the image is not signed by a key capteed trusts";
    case TEE_ERROR_SECURITY:
      return "a segment does not match its signed hash";
    case TEE_ERROR_BAD_FORMAT:
      return "the image or its ELF is malformed, or segments overlap";
    case TEE_ERROR_ACCESS_DENIED:
      return "a segment lies outside the processor's memory, or access is not permitted";
    case TEE_ERROR_BAD_PARAMETERS:
      return "the image's header or sizes are wrong, or the processor is unknown";
    case TEE_ERROR_NOT_SUPPORTED:
      return "the image uses a signature or hash type the TA does not support";
    case TEE_ERROR_BAD_STATE:
      return "the TA's state does not allow it";
    case TEE_ERROR_OUT_OF_MEMORY:
      return "out of memory";
  }
  return nullptr;
}

}  // namespace

std::string describe(const TaResult &r) {
  if (r.lost()) {
    return "capteed cannot be reached";
  }
  std::string s = fwimage::tee_result_name(static_cast<fwimage::TeeResult>(r.code));
  if (s == "TEE_ERROR_UNKNOWN") {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08x", r.code);
    s = hex;
  }
  if (const char *m = meaning(r.code)) {
    s += std::string(" (") + m + ")";
  }
  return s;
}

std::unique_ptr<TeeLink> TeeLink::connect(const std::string &socket, std::function<void()> on_lost,
                                          std::string *why) {
  std::unique_ptr<TeeLink> link(new TeeLink());
  std::shared_ptr<Channel> ch = dial(socket, why);
  if (!ch) {
    *why = "cannot reach capteed at " + socket + " (" + *why + ")";
    return nullptr;
  }
  iface::IClientEnv root(ch->peer_primordial());
  Ref env, control;
  int32_t rv = root.registerAsClient(Ref(), env);
  if (rv == Object_OK) {
    rv = iface::IClientEnv(env).open(CRemoteprocControl_UID, control);
  }
  if (rv != Object_OK) {
    *why = "capteed at " + socket + " would not open the remoteproc-control service (" +
           (rv == 10   ? std::string("not available")
            : rv == 11 ? std::string("not permitted")
                       : "error " + std::to_string(rv)) +
           ")";
    return nullptr;
  }
  link->control_ = std::move(control);
  {
    std::lock_guard<std::mutex> lock(g_env_mu);
    ::setenv("CAPTEE_SOCKET", socket.c_str(), 1);
    TEEC_Result r = TEEC_InitializeContext(nullptr, &link->ctx_);
    if (r != TEEC_SUCCESS) {
      *why = "libteec cannot reach capteed at " + socket + " (" + describe({r, 0}) + ")";
      return nullptr;
    }
  }
  link->ctx_open_ = true;
  link->state_->on_lost = std::move(on_lost);
  ch->on_close([state = link->state_] {
    std::lock_guard<std::mutex> lock(state->mu);
    state->lost.store(true);
    if (state->armed && state->on_lost) {
      state->on_lost();
    }
  });
  return link;
}

TeeLink::~TeeLink() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->armed = false;
  }
  control_.reset();
  if (ctx_open_) {
    TEEC_FinalizeContext(&ctx_);
  }
}

std::unique_ptr<TeeLink::Session> TeeLink::open_session(uint32_t rproc_id, TaResult *r) {
  std::unique_ptr<Session> s(new Session(*this, rproc_id));
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = rproc_id;
  TEEC_UUID uuid = kRemoteprocTa;
  r->code = TEEC_OpenSession(&ctx_, &s->s_, &uuid, TEEC_LOGIN_PUBLIC, nullptr, &op, &r->origin);
  if (r->lost()) {
    mark_lost();
  }
  if (!r->ok()) {
    return nullptr;
  }
  s->open_ = true;
  return s;
}

TeeLink::Session::~Session() {
  if (open_) {
    TEEC_CloseSession(&s_);
  }
}

TaResult TeeLink::Session::command(uint32_t cmd, TEEC_Operation *op) {
  TaResult r;
  op->params[0].value.a = id_;
  r.code = TEEC_InvokeCommand(&s_, cmd, op, &r.origin);
  if (r.lost()) {
    link_.mark_lost();
  }
  return r;
}

TaResult TeeLink::Session::load(const std::vector<uint8_t> &image) {
  TEEC_SharedMemory shm{};
  shm.size = image.size();
  shm.flags = TEEC_MEM_INPUT;
  if (TEEC_Result c = TEEC_AllocateSharedMemory(&link_.ctx_, &shm); c != TEEC_SUCCESS) {
    return {c, TEEC_ORIGIN_API};
  }
  std::memcpy(shm.buffer, image.data(), image.size());
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_MEMREF_WHOLE, TEEC_NONE, TEEC_NONE);
  op.params[1].memref.parent = &shm;
  TaResult r = command(CAPTEE_RPROC_CMD_LOAD_FW, &op);
  TEEC_ReleaseSharedMemory(&shm);
  return r;
}

TaResult TeeLink::Session::start() {
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  return command(CAPTEE_RPROC_CMD_START_FW, &op);
}

TaResult TeeLink::Session::stop() {
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  return command(CAPTEE_RPROC_CMD_STOP_FW, &op);
}

TaResult TeeLink::Session::release() {
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  return command(CAPTEE_RPROC_CMD_RELEASE_FW, &op);
}

TaResult TeeLink::Session::resource_table(uint64_t *da, uint64_t *size) {
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_VALUE_OUTPUT, TEEC_NONE);
  TaResult r = command(CAPTEE_RPROC_CMD_GET_RSC_TABLE, &op);
  *da = op.params[1].value.a | uint64_t{op.params[1].value.b} << 32;
  *size = op.params[2].value.a | uint64_t{op.params[2].value.b} << 32;
  return r;
}

TaResult TeeLink::Session::coredump(std::vector<uint8_t> *core) {
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  TaResult r = command(CAPTEE_RPROC_CMD_GET_COREDUMP, &op);
  if (r.code != TEEC_ERROR_SHORT_BUFFER) {
    return r.ok() ? TaResult{TEEC_ERROR_GENERIC, TEEC_ORIGIN_TRUSTED_APP} : r;
  }
  // The size needed, into shared memory: zero-copy from the TA's side.
  TEEC_SharedMemory shm{};
  shm.size = op.params[1].tmpref.size;
  shm.flags = TEEC_MEM_OUTPUT;
  if (TEEC_Result c = TEEC_AllocateSharedMemory(&link_.ctx_, &shm); c != TEEC_SUCCESS) {
    return {c, TEEC_ORIGIN_API};
  }
  TEEC_Operation op2{};
  op2.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_MEMREF_WHOLE, TEEC_NONE, TEEC_NONE);
  op2.params[1].memref.parent = &shm;
  r = command(CAPTEE_RPROC_CMD_GET_COREDUMP, &op2);
  if (r.ok()) {
    const size_t n = std::min(op2.params[1].memref.size, shm.size);
    const auto *p = static_cast<const uint8_t *>(shm.buffer);
    core->assign(p, p + n);
  }
  TEEC_ReleaseSharedMemory(&shm);
  return r;
}

}  // namespace captee::rproc
