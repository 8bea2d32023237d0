// captee-rprocd's connection to capteed: the remoteproc TA through libteec,
// exactly as Linux's remoteproc_tee drives it through the kernel's TEE client
// API, and the SoC's non-secure face (IRemoteprocControl) over a channel of
// its own.
//
// Either side can find capteed gone: a TA call then fails with origin
// TEEC_ORIGIN_COMMS, and the control channel closes. TeeLink reports both as
// lost(); the owner drops the link and makes a new one when capteed is back.
#pragma once

#include <tee_client_api.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "captee/object.hpp"

namespace captee::rproc {

// The result of one TA command: a TEEC code and its origin.
struct TaResult {
  TEEC_Result code = TEEC_SUCCESS;
  uint32_t origin = TEEC_ORIGIN_TRUSTED_APP;
  bool ok() const { return code == TEEC_SUCCESS; }
  // capteed could not be reached (the call may or may not have happened).
  bool lost() const { return code != TEEC_SUCCESS && origin == TEEC_ORIGIN_COMMS; }
};

// "TEE_ERROR_SIGNATURE_INVALID (the image is not signed by a key capteed
// trusts)" and the like: the code's name and what it means for a boot.
std::string describe(const TaResult &r);

class TeeLink {
 public:
  // Connects to capteed at `socket`: a libteec context (libteec finds capteed
  // through $CAPTEE_SOCKET, which this sets), and a channel that opens the
  // remoteproc-control service. nullptr with one sentence in *why.
  // `on_lost` runs once, on some thread, when the control channel closes.
  // The libteec context is thread-safe; sessions are used one at a time.
  static std::unique_ptr<TeeLink> connect(const std::string &socket, std::function<void()> on_lost,
                                          std::string *why);
  ~TeeLink();
  TeeLink(const TeeLink &) = delete;
  TeeLink &operator=(const TeeLink &) = delete;

  // The IRemoteprocControl service (borrowed reference).
  const Ref &control() const { return control_; }
  bool lost() const { return state_->lost.load(); }
  // Marks the link lost (a TA call saw TEEC_ORIGIN_COMMS).
  void mark_lost() { state_->lost.store(true); }

  // One libteec session to the remoteproc TA for one processor, opened with
  // params[0].value.a = rproc_id as Linux opens it. Not thread-safe: one
  // user at a time (RemoteProc serialises its operations).
  class Session {
   public:
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    // LOAD_FW with `image` copied into allocated shared memory.
    TaResult load(const std::vector<uint8_t> &image);
    TaResult start();
    TaResult stop();
    TaResult release();
    // GET_RSC_TABLE: device address and size (0/0: no table).
    TaResult resource_table(uint64_t *da, uint64_t *size);
    // GET_COREDUMP into allocated shared memory, then copied out.
    TaResult coredump(std::vector<uint8_t> *core);

   private:
    friend class TeeLink;
    Session(TeeLink &link, uint32_t rproc_id) : link_(link), id_(rproc_id) {}
    TaResult command(uint32_t cmd, TEEC_Operation *op);
    TeeLink &link_;
    uint32_t id_;
    TEEC_Session s_{};
    bool open_ = false;
  };

  // Opens a session for `rproc_id`. nullptr (with the TA's answer in *r) if
  // the TA refused (e.g. BAD_PARAMETERS for an unknown processor).
  std::unique_ptr<Session> open_session(uint32_t rproc_id, TaResult *r);

 private:
  // Shared with the channel's close notifier, which may run after the link
  // is gone: then it is disarmed and does nothing.
  struct State {
    std::mutex mu;
    bool armed = true;  // guarded by mu
    std::function<void()> on_lost;
    std::atomic<bool> lost{false};
  };
  TeeLink() : state_(std::make_shared<State>()) {}
  std::shared_ptr<State> state_;
  TEEC_Context ctx_{};
  bool ctx_open_ = false;
  Ref control_;
};

}  // namespace captee::rproc
