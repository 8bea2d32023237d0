// The GP runtime inside captee-tahost: the TA's app object is an
// IGPAppClient whose openSession calls TA_OpenSessionEntryPoint and returns
// an IGPSession whose invokeCommand calls TA_InvokeCommandEntryPoint. The
// session's last release calls TA_CloseSessionEntryPoint. Entry points run
// one at a time (a GP TA instance is single-threaded).
//
// Parameters (spec mink-interfaces §8.6): values arrive in iN (8 bytes) and
// leave in oN; a memref's bytes arrive in iN and are copied into a buffer the
// TA may write; for output memrefs the produced bytes go to oN and the size
// the TA set goes to memrefOutSzN (the required size with SHORT_BUFFER).
#include <dlfcn.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "IGPSessionTa.h"
#include "IWait.h"
#include "captee/gp_call_chain.hpp"
#include "captee/object.hpp"
#include "captee/gp_params.hpp"
#include "captee/gp_skeletons.hpp"
#include "call_state.hpp"
#include "captee/ta_sdk.h"
#include "current_client.hpp"
#include "memory_access.hpp"
#include "tee_internal_api.h"
#include "trace.h"

extern "C" const captee_ta_manifest captee_ta_manifest_data;

namespace {

std::mutex g_entry;       // serialises every entry point
unsigned g_sessions = 0;  // guarded by g_entry
bool g_created = false;   // guarded by g_entry

// The call in progress (entry points are serialised, so one at a time): the
// client's IWait and the operation's cancel code (spec §8.8).
struct CallState {
  Object wait = Object_NULL;  // borrowed from the session
  uint32_t cancel_code = 0;
  bool masked = true;  // GP: cancellation starts masked
  bool cancelled = false;
  const TEE_Identity *client = nullptr;        // the session's client
  const captee::gp::Params *params = nullptr;  // the call's parameters
  // The instances waiting on this entry point over direct hops, this one
  // last (decision 0028); this one alone when the call came through capteed
  // or from a client.
  captee::gp::CallChain chain;
};
CallState g_call;  // guarded by g_entry

// The thread inside an entry point (so it holds g_entry), if any: a TA that
// calls out (its client's IWait, another TA) lets its thread read what
// capteed sends meanwhile, and a session's last release may come with it.
// Not a thread_local: the runtime is linked into the TA, which the host
// dlopens, and GCC's ThreadSanitizer cannot start threads once a dlopened
// module has thread-local storage.
std::atomic<std::thread::id> g_entry_thread{};

bool inside_entry_point() {
  return g_entry_thread.load(std::memory_order_acquire) == std::this_thread::get_id();
}

// Sessions whose last release came on a thread inside an entry point: the
// TA's code does not nest, so their TA_CloseSessionEntryPoint runs once the
// entry point in progress returns (finish_deferred_closes). Guarded by g_entry.
struct DeferredClose {
  void *ctx;
  TEE_Identity identity;
};
std::vector<DeferredClose> g_deferred_closes;

// This instance's id in capteed's registry, from the host (host.hpp,
// found with dlsym so that a TA links nothing of the host); 0 outside
// captee-tahost or when capteed gave none.
uint64_t instance_id() {
  static const uint64_t id = [] {
    using Query = uint64_t (*)();
    auto q = reinterpret_cast<Query>(dlsym(RTLD_DEFAULT, "captee_tahost_instance_id"));
    return q != nullptr ? q() : 0;
  }();
  return id;
}

// Sets g_call for one entry-point call; restores it afterwards. `chain`:
// the chain the call came with, this instance already appended.
class CallScope {
 public:
  CallScope(Object wait, uint32_t cancel_code, const TEE_Identity *client,
            const captee::gp::Params *params,
            const captee::gp::CallChain &chain = captee::gp::CallChain::of(instance_id()))
      : saved_(g_call) {
    g_call = CallState{wait, cancel_code, true, false, client, params, chain};
    saved_thread_ = g_entry_thread.exchange(std::this_thread::get_id(), std::memory_order_acq_rel);
  }
  ~CallScope() {
    g_entry_thread.store(saved_thread_, std::memory_order_release);
    g_call = saved_;
  }
  CallScope(const CallScope &) = delete;
  CallScope &operator=(const CallScope &) = delete;

 private:
  CallState saved_;
  std::thread::id saved_thread_;
};

// Asks the client's IWait whether this call was cancelled, waiting up to
// `msec` (IWait_WAIT_INFINITE: until it is).
bool wait_cancel(uint32_t msec) {
  if (g_call.cancelled) {
    return true;
  }
  if (Object_isNull(g_call.wait) || g_call.cancel_code == 0) {
    return false;
  }
  uint32_t result = 0;  // left unwritten on timeout (§8.8)
  if (IWait_wait(g_call.wait, msec, g_call.cancel_code, IWait_EVENT_CANCEL, &result) == Object_OK &&
      (result & IWait_EVENT_CANCEL) != 0) {
    g_call.cancelled = true;
  }
  return g_call.cancelled;
}

uint32_t ta_flags() {
  return captee_ta_manifest_data.flags;
}

// Runs one session's TA_CloseSessionEntryPoint, and the TA's destroy entry
// point after its last session. With g_entry held.
void close_session_locked(void *ctx, const TEE_Identity &identity) {
  {
    // The client is still the session's while it closes (its properties).
    CallScope call(Object_NULL, 0, &identity, nullptr);
    TA_CloseSessionEntryPoint(ctx);
  }
  if (--g_sessions == 0 && !(ta_flags() & CAPTEE_TA_FLAG_KEEP_ALIVE)) {
    TA_DestroyEntryPoint();
    g_created = false;
  }
}

// After each entry point, with g_entry held: the closes set aside while it
// ran (a close may set aside another).
void finish_deferred_closes_locked() {
  while (!g_deferred_closes.empty()) {
    DeferredClose c = g_deferred_closes.back();
    g_deferred_closes.pop_back();
    close_session_locked(c.ctx, c.identity);
  }
}

}  // namespace

namespace captee::gp_ta {

CurrentCancellation current_cancellation() {
  return {g_call.wait, g_call.cancel_code, !g_call.masked, g_call.cancelled};
}

void note_cancelled() {
  g_call.cancelled = true;
}

captee::gp::CallChain current_chain() {
  return g_call.chain.empty() ? captee::gp::CallChain::of(instance_id()) : g_call.chain;
}

}  // namespace captee::gp_ta

namespace {

using captee::gp::clear_outputs;
using captee::gp::InvokeRequest;
using captee::gp::OpenRequest;
using captee::gp::ParamArgs;
using captee::gp::Params;

class TaSession final : public captee::gp::TaSessionSkeleton {
 public:
  TaSession(void *ctx, captee::Ref wait, const TEE_Identity &identity)
      : ctx_(ctx), wait_(std::move(wait)), identity_(identity) {}

  int32_t close() override {
    close_once();
    return Object_OK;
  }

  // The direct session's holder (libteec) gives its own IWait, so that a
  // cancellation reaches this host without capteed (decision 0021). It only
  // serves this session's later calls, as the one given at open did: a
  // client can make nothing but its own calls' cancellation misbehave.
  int32_t useWait(Object wait) override {
    if (Object_isNull(wait)) {
      return Object_ERROR_INVALID;
    }
    captee::Ref next = captee::Ref::share(wait);
    std::lock_guard lock(wait_mu_);
    wait_.swap(next);  // the old one is released outside the lock
    return Object_OK;
  }

 protected:
  int32_t invoke(const InvokeRequest &req, const ParamArgs &args, uint32_t &ret_value,
                 uint32_t &ret_origin) override {
    captee::gp::CallChain chain = captee::gp::CallChain::of(instance_id());
    if (req.in_chain) {
      // Another TA's direct call (decision 0028): it never waits here.
      switch (enter_chain(req.chain, chain)) {
        case ChainEntry::kRun:
          break;
        case ChainEntry::kBusy:
          clear_outputs(args);
          ret_value = TEE_ERROR_BUSY;  // the chain came back here: it would wait for itself
          ret_origin = TEE_ORIGIN_TEE;
          return Object_OK;
        case ChainEntry::kForward:
          clear_outputs(args);
          return IGPSessionTa_ERROR_FORWARD;
        case ChainEntry::kMalformed:
          clear_outputs(args);
          return Object_ERROR_INVALID;
      }
    }
    Params p;
    TEE_Result r = p.build(req.param_types, req.ex_param_types, args);
    if (r != TEE_SUCCESS) {
      clear_outputs(args);
      ret_value = r;
      ret_origin = TEE_ORIGIN_TEE;
      return Object_OK;
    }
    {
      std::unique_lock lock(g_entry, std::defer_lock);
      if (!req.in_chain) {
        lock.lock();
      } else if (!lock.try_lock()) {
        // Busy: the caller repeats the call on capteed's session, whose
        // wait-for graph decides whether it may wait. Nothing ran.
        clear_outputs(args);
        return IGPSessionTa_ERROR_FORWARD;
      }
      if (closed_) {
        r = TEE_ERROR_BAD_STATE;
      } else {
        {
          // A reference of the call's own: useWait may replace wait_ meanwhile.
          const captee::Ref wait = current_wait();
          CallScope call(wait.get(), req.cancel_code, &identity_, &p, chain);
          r = TA_InvokeCommandEntryPoint(ctx_, req.command, req.param_types, p.get());
        }
        finish_deferred_closes_locked();
      }
    }
    p.finish(args);
    ret_value = r;
    ret_origin = TEE_ORIGIN_TRUSTED_APP;
    return Object_OK;
  }

  void on_last_release() noexcept override { close_once(); }

 private:
  captee::Ref current_wait() {
    std::lock_guard lock(wait_mu_);
    return wait_;
  }

  enum class ChainEntry {
    kRun,       // the entry point may run with the chain, this instance appended
    kBusy,      // this instance is in the chain: the call would wait for itself
    kForward,   // this host has no id, or the chain is full: through capteed
    kMalformed  // not a chain (gp_call_chain.hpp): nothing runs
  };

  // Checks a direct call's chain (`wire`, from another process) and makes
  // `chain` the entry point's: it plus this instance.
  static ChainEntry enter_chain(std::span<const std::byte> wire, captee::gp::CallChain &chain) {
    const uint64_t self = instance_id();
    if (!captee::gp::CallChain::parse(wire, chain)) {
      return ChainEntry::kMalformed;
    }
    if (self == 0) {
      return ChainEntry::kForward;
    }
    if (chain.contains(self)) {
      return ChainEntry::kBusy;
    }
    return chain.append(self) ? ChainEntry::kRun : ChainEntry::kForward;
  }

  // Closes once: by the close op (capteed sends it before the TA may be
  // stopped) or by the last release.
  // The last release usually follows the close op, and may arrive on a thread
  // inside an entry point (holding g_entry): a closed session must then not
  // wait for g_entry, and an open one closes once that entry point returns.
  void close_once() noexcept {
    if (closed_.load(std::memory_order_acquire)) {
      return;
    }
    if (inside_entry_point()) {
      if (!closed_.exchange(true, std::memory_order_acq_rel)) {
        g_deferred_closes.push_back({ctx_, identity_});
      }
      return;
    }
    std::lock_guard lock(g_entry);
    if (closed_.exchange(true, std::memory_order_acq_rel)) {
      return;
    }
    close_session_locked(ctx_, identity_);
    finish_deferred_closes_locked();
  }

  void *ctx_;
  std::mutex wait_mu_;  // guards wait_
  captee::Ref wait_;
  TEE_Identity identity_;
  std::atomic<bool> closed_{false};  // set once, under g_entry
};

// Asked of the host once (host.hpp): a TA outside captee-tahost, or in a
// host that does not allow it, never accepts a stated identity.
bool claimed_identities_allowed() {
  static const bool allowed = [] {
    using Query = int (*)();
    auto q =
        reinterpret_cast<Query>(dlsym(RTLD_DEFAULT, "captee_tahost_claimed_identities_allowed"));
    return q != nullptr && q() == 1;
  }();
  return allowed;
}

class TaAppClient final : public captee::gp::TaAppSkeleton {
 protected:
  int32_t open(const OpenRequest &req, const ParamArgs &args, captee::Ref &session,
               uint32_t &ret_value, uint32_t &ret_origin) override {
    if (req.identity_stated && !claimed_identities_allowed()) {
      // Only capteed's GP service may state who the client is; anyone else
      // opens as TEE_LOGIN_PUBLIC (ops 0 and 1).
      clear_outputs(args);
      ret_value = TEE_ERROR_ACCESS_DENIED;
      ret_origin = TEE_ORIGIN_TEE;
      return Object_OK;
    }
    const uint32_t param_types = req.param_types;
    const TEE_Identity identity = req.client;
    Params p;
    TEE_Result r = p.build(param_types, req.ex_param_types, args);
    if (r != TEE_SUCCESS) {
      clear_outputs(args);
      ret_value = r;
      ret_origin = TEE_ORIGIN_TEE;
      return Object_OK;
    }
    void *ctx = nullptr;
    uint32_t origin = TEE_ORIGIN_TRUSTED_APP;
    {
      std::lock_guard lock(g_entry);
      if (g_sessions > 0 && !(ta_flags() & CAPTEE_TA_FLAG_MULTI_SESSION)) {
        r = TEE_ERROR_BUSY;
        origin = TEE_ORIGIN_TEE;
      } else {
        if (!g_created) {
          r = TA_CreateEntryPoint();
          g_created = r == TEE_SUCCESS;
        }
        if (g_created) {
          {
            CallScope call(req.wait, req.cancel_code, &identity, &p);
            r = TA_OpenSessionEntryPoint(param_types, p.get(), &ctx);
          }
          finish_deferred_closes_locked();
          if (r == TEE_SUCCESS) {
            ++g_sessions;
          } else if (g_sessions == 0 && !(ta_flags() & CAPTEE_TA_FLAG_KEEP_ALIVE)) {
            TA_DestroyEntryPoint();
            g_created = false;
          }
        }
      }
    }
    if (r == TEE_ERROR_BUSY && origin == TEE_ORIGIN_TEE) {
      clear_outputs(args);
    } else {
      p.finish(args);
    }
    ret_value = r;
    ret_origin = origin;
    if (r == TEE_SUCCESS) {
      session = captee::make_object<TaSession>(ctx, captee::Ref::share(req.wait), identity);
    }
    return Object_OK;
  }
};

}  // namespace

namespace captee::gp_ta {

const TEE_Identity *current_client() {
  return g_call.client;
}

}  // namespace captee::gp_ta

extern "C" {

CAPTEE_TA_EXPORT int32_t captee_ta_get_app_object(Object *out) {
  *out = captee::make_object<TaAppClient>().detach();
  return Object_OK;
}

void *TEE_Malloc(size_t size, uint32_t hint) {
  void *p = std::malloc(size == 0 ? 1 : size);
  if (p != nullptr && !(hint & TEE_MALLOC_NO_FILL)) {
    std::memset(p, 0, size == 0 ? 1 : size);
  }
  return p;
}

void *TEE_Realloc(void *buffer, size_t newSize) {
  return std::realloc(buffer, newSize == 0 ? 1 : newSize);
}

void TEE_Free(void *buffer) {
  std::free(buffer);
}

void *TEE_MemMove(void *dest, const void *src, size_t size) {
  if (size != 0) {
    std::memmove(dest, src, size);
  }
  return dest;
}

int32_t TEE_MemCompare(const void *buffer1, const void *buffer2, size_t size) {
  if (size == 0) {
    return 0;
  }
  int c = std::memcmp(buffer1, buffer2, size);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

void TEE_MemFill(void *buff, uint32_t x, size_t size) {
  if (size != 0) {
    std::memset(buff, static_cast<int>(x & 0xFF), size);
  }
}

// As OP-TEE's libutee: the range must be mapped with the rights asked for,
// and memory the client shares for the current call (its memref parameters)
// passes only with TEE_MEMORY_ACCESS_ANY_OWNER and, for writes, only if the
// parameter is an output. Other flag bits are ignored, as in OP-TEE.
TEE_Result TEE_CheckMemoryAccessRights(uint32_t accessFlags, void *buffer, size_t size) {
  if (size == 0) {
    return TEE_SUCCESS;
  }
  const auto begin = reinterpret_cast<uintptr_t>(buffer);
  uintptr_t end = 0;
  if (__builtin_add_overflow(begin, size, &end)) {
    return TEE_ERROR_ACCESS_DENIED;
  }
  const uint32_t asked = accessFlags;
  for (unsigned n = 0; g_call.params != nullptr && n < 4; ++n) {
    std::span<const std::byte> shared = g_call.params->client_memory(n);
    const auto lo = reinterpret_cast<uintptr_t>(shared.data());
    if (shared.empty() || end <= lo || begin >= lo + shared.size()) {
      continue;
    }
    // Not the TA's own memory (OP-TEE's kernel refuses it unless ANY_OWNER),
    // and an input memref is never writable (OP-TEE's libutee check).
    if (!(asked & TEE_MEMORY_ACCESS_ANY_OWNER) ||
        ((asked & TEE_MEMORY_ACCESS_WRITE) && !g_call.params->client_writable(n))) {
      return TEE_ERROR_ACCESS_DENIED;
    }
  }
  if (!captee::gp_ta::range_mapped(begin, size, (asked & TEE_MEMORY_ACCESS_READ) != 0,
                                   (asked & TEE_MEMORY_ACCESS_WRITE) != 0)) {
    return TEE_ERROR_ACCESS_DENIED;
  }
  return TEE_SUCCESS;
}

static void get_time(clockid_t clock, TEE_Time *time) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  time->seconds = static_cast<uint32_t>(ts.tv_sec);
  time->millis = static_cast<uint32_t>(ts.tv_nsec / 1000000);
}

void TEE_GetSystemTime(TEE_Time *time) {
  get_time(CLOCK_MONOTONIC, time);
}

void TEE_GetREETime(TEE_Time *time) {
  get_time(CLOCK_REALTIME, time);
}

bool TEE_GetCancellationFlag(void) {
  if (g_call.masked) {
    return false;
  }
  return wait_cancel(1);
}

bool TEE_UnmaskCancellation(void) {
  bool was = g_call.masked;
  g_call.masked = false;
  return was;
}

bool TEE_MaskCancellation(void) {
  bool was = g_call.masked;
  g_call.masked = true;
  return was;
}

TEE_Result TEE_Wait(uint32_t timeout) {
  if (!g_call.masked && !Object_isNull(g_call.wait) && g_call.cancel_code != 0) {
    return wait_cancel(timeout) ? TEE_ERROR_CANCEL : TEE_SUCCESS;
  }
  // Not cancellable: just sleep.
  if (timeout == TEE_TIMEOUT_INFINITE) {
    for (;;) {
      ::pause();
    }
  }
  timespec ts{static_cast<time_t>(timeout / 1000), static_cast<long>(timeout % 1000) * 1000000};
  while (::nanosleep(&ts, &ts) != 0) {
  }
  return TEE_SUCCESS;
}

void TEE_Panic(TEE_Result panicCode) {
  std::fprintf(stderr, "TA panic 0x%08x\n", panicCode);
  std::abort();
}

void captee_trace_printf(const char *func, int line, int level, const char *fmt, ...) {
  static std::mutex mu;
  static const char *const kLevel[] = {"", "E", "I", "D"};
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  std::lock_guard lock(mu);
  std::fprintf(stderr, "%s/TA: %s:%d %s\n", kLevel[level >= 1 && level <= 3 ? level : 0], func,
               line, msg);
}

}  // extern "C"
