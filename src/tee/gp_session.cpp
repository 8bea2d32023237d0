#include "gp_session.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "IGPSession.hpp"
#include "IGPSessionCapteeTa.hpp"
#include "captee/gp_call_chain.hpp"
#include "captee/tee/apps/app_loader.hpp"
#include "tee_api_defines.h"

namespace captee::tee {
namespace {

bool died(int32_t err) {
  return err == Object_ERROR_DEFUNCT || err == Object_ERROR_UNAVAIL;
}

// CAPTEE_TA2TA_DIRECT=0 in capteed's own environment keeps every TA-to-TA
// call on capteed's session (decision 0028; the .forwarded test runs). A
// TA host's environment is capteed's to set, so no TA can turn it on.
bool ta2ta_direct_enabled() {
  static const bool enabled = [] {
    const char *knob = std::getenv("CAPTEE_TA2TA_DIRECT");
    return knob == nullptr || std::strcmp(knob, "0") != 0;
  }();
  return enabled;
}

// Implemented on the generated skeleton itself, not gp::SessionSkeleton: it
// only passes the call on, so it takes the arguments as the skeleton gives
// them and hands them to the generated stub as they are (buffers and
// objects by pointer, uncopied).
class GpSession final : public iface::IGPSessionCapteeTaSkeleton {
 public:
  GpSession(Ref controller, Ref inner, GpCallSite site)
      : controller_(std::move(controller)), inner_(std::move(inner)), site_(std::move(site)) {}

  int32_t direct(Ref &session) override {
    // A TA's own session goes direct too (decision 0028): the callee's host
    // only tries its entry lock for a direct call, and a call that would
    // wait comes back here with its chain, for the wait-for graph.
    if ((site_.graph && !ta2ta_direct_enabled()) || dead_.load(std::memory_order_acquire) ||
        closed_.load(std::memory_order_acquire)) {
      return IGPSessionCaptee_ERROR_NO_DIRECT;
    }
    session = apps::direct_form(inner_.get());
    return session.is_null() ? IGPSessionCaptee_ERROR_NO_DIRECT : Object_OK;
  }

  int32_t close() override { return closeInChain({}); }

  int32_t closeInChain(std::span<const std::byte> wire) override {
    // Synchronous, so a single-session TA can be opened again as soon as
    // TEEC_CloseSession returns (releases travel in batches). libminkteec
    // never calls it; for it the last release closes the session.
    gp::CallChain chain;
    if (!wire.empty() && !gp::CallChain::parse(wire, chain)) {
      return Object_ERROR_INVALID;
    }
    std::optional<TaCallGraph::Edge> edge = enter(chain);
    if (!edge) {
      return Object_ERROR_BUSY;  // the callee waits for the caller: it cannot close now
    }
    close_inner();
    return Object_OK;
  }

  int32_t invokeCommand(uint32_t commandID, uint32_t cancelCode,
                        uint32_t cancellationRequestTimeout, uint32_t paramTypes,
                        uint32_t exParamTypes, std::span<const std::byte> i1,
                        std::span<const std::byte> i2, std::span<const std::byte> i3,
                        std::span<const std::byte> i4, std::span<std::byte> o1, size_t &o1_len,
                        std::span<std::byte> o2, size_t &o2_len, std::span<std::byte> o3,
                        size_t &o3_len, std::span<std::byte> o4, size_t &o4_len, Object imem1,
                        Object imem2, Object imem3, Object imem4, uint32_t &memrefOutSz1,
                        uint32_t &memrefOutSz2, uint32_t &memrefOutSz3, uint32_t &memrefOutSz4,
                        uint32_t &retValue, uint32_t &retOrigin) override {
    return invokeInChain({}, commandID, cancelCode, cancellationRequestTimeout, paramTypes,
                         exParamTypes, i1, i2, i3, i4, o1, o1_len, o2, o2_len, o3, o3_len, o4,
                         o4_len, imem1, imem2, imem3, imem4, memrefOutSz1, memrefOutSz2,
                         memrefOutSz3, memrefOutSz4, retValue, retOrigin);
  }

  int32_t invokeInChain(std::span<const std::byte> wire, uint32_t commandID, uint32_t cancelCode,
                        uint32_t cancellationRequestTimeout, uint32_t paramTypes,
                        uint32_t exParamTypes, std::span<const std::byte> i1,
                        std::span<const std::byte> i2, std::span<const std::byte> i3,
                        std::span<const std::byte> i4, std::span<std::byte> o1, size_t &o1_len,
                        std::span<std::byte> o2, size_t &o2_len, std::span<std::byte> o3,
                        size_t &o3_len, std::span<std::byte> o4, size_t &o4_len, Object imem1,
                        Object imem2, Object imem3, Object imem4, uint32_t &memrefOutSz1,
                        uint32_t &memrefOutSz2, uint32_t &memrefOutSz3, uint32_t &memrefOutSz4,
                        uint32_t &retValue, uint32_t &retOrigin) override {
    // capteed's own answer (origin TEE), nothing produced.
    auto answer = [&](uint32_t value) {
      o1_len = o2_len = o3_len = o4_len = 0;
      memrefOutSz1 = memrefOutSz2 = memrefOutSz3 = memrefOutSz4 = 0;
      retValue = value;
      retOrigin = TEE_ORIGIN_TEE;
      return Object_OK;
    };
    // The caller's chain (decision 0028): none from a client, which waits
    // for nobody. Malformed: the call is refused and nothing runs.
    gp::CallChain chain;
    if (!wire.empty() && !gp::CallChain::parse(wire, chain)) {
      o1_len = o2_len = o3_len = o4_len = 0;
      return Object_ERROR_INVALID;
    }
    if (dead_.load(std::memory_order_acquire)) {
      return answer(TEE_ERROR_TARGET_DEAD);
    }
    std::optional<TaCallGraph::Edge> edge = enter(chain);
    if (!edge) {
      return answer(TEE_ERROR_BUSY);
    }
    int32_t err = IGPSession_invokeCommand(
        inner_.get(), commandID, cancelCode, cancellationRequestTimeout, paramTypes, exParamTypes,
        i1.data(), i1.size(), i2.data(), i2.size(), i3.data(), i3.size(), i4.data(), i4.size(),
        o1.data(), o1.size(), &o1_len, o2.data(), o2.size(), &o2_len, o3.data(), o3.size(), &o3_len,
        o4.data(), o4.size(), &o4_len, imem1, imem2, imem3, imem4, &memrefOutSz1, &memrefOutSz2,
        &memrefOutSz3, &memrefOutSz4, &retValue, &retOrigin);
    if (died(err)) {
      dead_.store(true, std::memory_order_release);
      return answer(TEE_ERROR_TARGET_DEAD);
    }
    return err;
  }

 private:
  // Closes the TA's session synchronously (TA_CloseSessionEntryPoint runs)
  // before the controller goes, which may stop the TA process.
  void on_last_release() noexcept override {
    close_inner();
    inner_.reset();
  }

  void close_inner() noexcept {
    if (!closed_.exchange(true) && !dead_.load(std::memory_order_acquire)) {
      (void)IGPSession_close(inner_.get());
    }
  }

  // The call's edges in the wait-for graph (none for a client's session);
  // nullopt if the call would wait for itself.
  std::optional<TaCallGraph::Edge> enter(const gp::CallChain &chain) {
    if (!site_.graph) {
      return TaCallGraph::Edge::none();
    }
    return site_.graph->enter(site_.caller, site_.callee, chain.ids());
  }

  Ref controller_;
  Ref inner_;
  const GpCallSite site_;
  std::atomic<bool> dead_{false};
  std::atomic<bool> closed_{false};
};

}  // namespace

Ref make_gp_session(Ref controller, Ref inner, GpCallSite site) {
  return make_object<GpSession>(std::move(controller), std::move(inner), std::move(site));
}

}  // namespace captee::tee
