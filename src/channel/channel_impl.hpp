// The channel engine's one class, shared by the files that implement it:
//  - channel.cpp: invoke, serve, the outstanding questions, the serving
//    pool, reading and routing frames, close;
//  - handshake.cpp: the hello exchange and start_channel();
//  - references.cpp: objects into wire references and back (exports, fd
//    objects, materializing received references);
//  - proxy.cpp: proxies, their invoke and their release (batched);
//  - direct.cpp: CHANNEL references (three-party hand-off);
//  - stall_watch.cpp: the process-wide StallWatch that wakes the pool.
// The tables are handle_table.hpp, frames frame.hpp, the socket
// socket_io.hpp and the read watch read_watch.hpp.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "captee/channel.hpp"
#include "frame.hpp"
#include "handle_table.hpp"
#include "outstanding_questions.hpp"
#include "proxy.hpp"
#include "read_watch.hpp"
#include "socket_io.hpp"

#pragma GCC visibility push(hidden)

namespace captee::detail {

// Arguments of one invoke: four kinds, at most 15 of each.
inline constexpr size_t kMaxArgs = 4 * 15;

// Sockets made for CHANNEL references while encoding one frame; closed once
// the frame is sent (the peer has its own copy by then).
struct OwnedFds {
  int fd[15];
  size_t n = 0;
  OwnedFds() = default;
  OwnedFds(const OwnedFds &) = delete;
  OwnedFds &operator=(const OwnedFds &) = delete;
  ~OwnedFds() { close_all(); }
  [[gnu::always_inline]] void close_all() {  // on the call path, mostly with n == 0
    for (size_t i = 0; i < n; ++i) {
      ::close(fd[i]);
    }
    n = 0;
  }
};

class ChannelImpl final : public Channel, public std::enable_shared_from_this<ChannelImpl> {
 public:
  ChannelImpl(int fd, const ChannelOptions &opts)
      : io_(fd, opts.record_senders, opts.early_bytes), opts_(opts) {}

  bool handshake(Ref primordial, std::string *why);

  // Channel
  Ref peer_primordial() override;
  void close() override { shut_down(nullptr); }
  bool closed() const override { return dead_flag_.load(std::memory_order_acquire); }
  void on_close(std::function<void()> fn) override;
  ucred peer_credentials() const override { return cred_; }
  wire::Limits limits() const override { return limits_; }
  size_t export_count() const override { return exports_.size(); }
  size_t import_count() const override { return imports_.size(); }

  int32_t invoke_remote(uint32_t handle, ObjectOp op, ObjectArg *args, ObjectCounts k);
  // The last local reference to `p` may be going (proxy_invoke's release).
  // (Functions declared `inline` here are defined in, and used by, one file
  // only: the one file may inline them, as it did when the engine was one.)
  inline void release_proxy(Proxy *p);

  // Called by the StallWatch: wakes a parked pool thread if the channel has
  // had no reader for kStallNs because its reader is serving.
  void check_stall(int64_t now_ns);

 private:
  // ---- tables (references.cpp, proxy.cpp)
  int32_t export_object(Object o, uint32_t &handle);
  void unexport_now(uint32_t handle, uint32_t count);
  Object import_proxy(uint32_t handle);  // new reference, or NULL if over the limit
  void maybe_auto_close();

  // Encodes objects for sending; on failure undoes what it exported. Sockets
  // made for CHANNEL references are recorded in `owned` (closed once sent).
  int32_t encode_objects(const ObjectArg *objs, size_t n, wire::ObjRef *refs, int *fds,
                         size_t &nfds, OwnedFds &owned);
  void undo_exports(const wire::ObjRef *refs, size_t n);
  // Turns received references into objects (new references). Returns false if
  // some receiver-hosted handle was invalid (those slots are NULL). Sets
  // `channels` if a CHANNEL reference arrived (a PendingChannel), and
  // *violation if the frame must close the connection.
  bool materialize(const std::vector<wire::ObjRef> &refs, FdList &fds, Object *out, bool &channels,
                   const char **violation);

  // ---- direct connections (direct.cpp)
  bool send_direct(DirectObject *d, wire::ObjRef &ref, int *fds, size_t &nfds, OwnedFds &owned);
  // A CHANNEL reference's socket as it arrives: a PendingChannel, or NULL
  // with *violation set (the socket is closed then).
  Object receive_channel_ref(int sock, uint32_t key, const char **violation);
  // Replaces the PendingChannels among `objs` by the objects they name.
  void resolve_channels(Object *objs, size_t n);
  Object open_channel_ref(int sock, uint32_t key);

  // ---- I/O and routing (channel.cpp)
  bool send(wire::Encoded &e, std::span<const int> fds = {});
  RecvStatus read_frame(FramePtr &f, const char **why);
  // Called by a reader with mu_ held, right after it got a frame: waits for the
  // frame's turn, resolves its object references and releases, and passes the
  // turn on. Returns false (mu_ still held) if the connection must close.
  bool intake_locked(Frame &f, std::unique_lock<std::mutex> &lk, const char **why);
  // Waits for the answer to question `id` (serving callbacks meanwhile) and
  // gives the id back (OutstandingQuestions::give_back) before returning.
  // Null if the channel closed.
  // Always inlined into its one caller, invoke_remote, as it was when the
  // engine was one file (an inline function with outside linkage no longer
  // counts as called once).
  [[gnu::always_inline]] inline FramePtr wait_for(Question &q, uint32_t id, Question *outer);
  FramePtr dispatch_locked(FramePtr f, Question *mine, std::unique_lock<std::mutex> &lk);
  inline void wake_reader_locked(Question *except);
  void serve(FramePtr f);
  void send_error(uint32_t id, int32_t code);
  void queue_release(uint32_t handle, uint32_t count);
  void start_pool();
  void pool_loop();

  void violation(const char *why) { shut_down(why); }
  void shut_down(const char *why);
  // Whether, with mu_ held, releasing the exports on this thread could wait
  // for a peer that waits for us: this thread serves a request (on any
  // channel), or another thread awaits an answer here that it asked for
  // while serving one. Plain callers waiting here do not count.
  bool release_may_deadlock_locked() const;
  // Releases the exports a close took from the table (shut_down).
  static void release_all(std::vector<Object> &objects);
  // The same on a detached thread; false (objects untouched) if none can be
  // started.
  static bool release_on_own_thread(std::vector<Object> &objects);
  uint32_t alloc_id() {
    uint32_t v = next_id_.fetch_add(1, std::memory_order_relaxed) & 0x7FFFFFFF;
    return (v == 0 ? 1 : v) | my_tag_;
  }
  size_t max_frame() const {
    return wire::kHeaderSize + 8 + 2 * kMaxArgs * wire::kArgSize + limits_.max_data;
  }

  FrameSocket io_;
  ChannelOptions opts_;
  wire::Limits limits_;
  uint32_t my_tag_ = 0;
  bool peer_has_primordial_ = false;
  ucred cred_{};
  std::atomic<uint32_t> next_id_{1};
  std::atomic<bool> dead_flag_{false};

  // Connection state and outstanding questions.
  mutable std::mutex mu_;
  bool dead_ = false;
  bool shutdown_done_ = false;  // exports released and notifiers run
  int readers_ = 0;             // threads inside recvmsg
  // A waiting invoker reads only when no pool thread is inside recvmsg, and
  // pool threads park while it does: a thread blocked in recvmsg cannot be
  // told that its reply was read by someone else.
  bool invoker_reading_ = false;
  int parked_ = 0;
  // Pool threads inside recvmsg: one. The reader serves what it reads itself
  // (no hand-off, no wake-up); only if it is still busy after kStallNs does
  // the process-wide StallWatch wake a parked pool thread to read meanwhile.
  // Keeping a second reader blocked instead costs an extra context switch per
  // call on a busy CPU, and several readers take turns and run cache-cold.
  // Together with invoker_reading_ this keeps to one thread in recvmsg at a
  // time, which descriptor notices (FrameSocket::use_fd_notices) rely on.
  int pool_readers_ = 0;
  static constexpr int kMaxPoolReaders = 1;
  int64_t stall_since_ = 0;  // when the last reader went off to serve; 0: not
  std::thread::id stall_owner_;
  std::condition_variable pool_cv_;
  std::deque<FramePtr> pending_;  // top-level requests an invoker read
  // Once this side has invoked the peer, the pool's idle reader waits in
  // watch_ rather than inside recvmsg, so an invoker reads its own reply
  // without a hand-off (one context switch less per call; decision 0008).
  // watching_: a pool thread is inside watch_.wait(); armed_: a record would
  // wake it. Both change only under mu_, and so do arm() and disarm().
  ReadWatch watch_;
  bool invokes_out_ = false;
  bool watch_tried_ = false;
  bool watch_failed_ = false;  // epoll_wait failed once: read as before
  bool watching_ = false;
  bool armed_ = false;
  bool watch_usable_locked() {
    if (!watch_tried_) {
      watch_tried_ = true;
      (void)watch_.open(io_.fd());
    }
    return watch_.is_open() && !watch_failed_;
  }
  bool pool_started_ = false;
  OutstandingQuestions questions_;
  std::vector<std::function<void()>> notifiers_;

  // Tables (each with its own lock).
  ExportTable exports_{dead_flag_};
  ImportTable imports_;

  // Sequence numbers: next to send, next to take in.
  std::mutex send_mu_;
  uint32_t send_seq_ = 1;
  uint32_t recv_seq_ = 1;
  std::condition_variable order_cv_;
  int order_waiters_ = 0;

  // Channels started from CHANNEL references that carried a key (see
  // DirectObject::open_direct), so a second reference reuses the first.
  std::mutex direct_mu_;
  std::unordered_map<uint32_t, std::weak_ptr<Channel>> direct_;
  bool peer_accepts_channels_ = false;

  // Releases waiting to go out (batched).
  std::mutex rmu_;
  std::vector<wire::Message::Release> release_queue_;
  bool flushing_ = false;
};

}  // namespace captee::detail

#pragma GCC visibility pop
