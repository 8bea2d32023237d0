// The channel engine: export/import tables, proxies, the invoke/reply loop
// with nested callbacks on the waiting thread, the serving pool, releases and
// peer death. See include/captee/channel.hpp for the contract.
#include "captee/channel.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <new>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <system_error>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "captee/fd_object.hpp"
#include "read_watch.hpp"
#include "socket_io.hpp"

namespace captee {
namespace {

using wire::Kind;
using wire::ObjRef;
using wire::RefType;

struct Frame {
  detail::RecvBuffer buf;  // the whole frame, as received
  detail::FdList fds;
  wire::Message msg;
  // Object references of a request or reply, resolved in sequence order by the
  // reading thread (new references; taken ones are set to NULL).
  Object objs[15] = {};
  bool objs_ok = true;
  bool channels = false;  // objs holds PendingChannels (see resolve_channels)
  // With ChannelOptions::record_senders: the frame's CallOrigin.
  pid_t sender_pid = 0;
  bool sender_early = false;
  Frame *next = nullptr;  // link in a waiter's inbox
  Frame() = default;
  Frame(const Frame &) = delete;
  Frame &operator=(const Frame &) = delete;
  ~Frame() { release_objects(); }
  const uint8_t *data() const { return buf.data.get(); }
  void release_objects() {
    for (Object &o : objs) {
      Object_RELEASE_IF(o);
      o = Object_NULL;
    }
  }
  // Back to the state of a fresh frame, keeping the storage.
  void reset() {
    release_objects();
    for (int &fd : fds.fds) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
    fds.fds.clear();
    buf.trim();
    objs_ok = true;
    channels = false;
    sender_pid = 0;
    sender_early = false;
    next = nullptr;
  }
};

// Frames are recycled per thread. The thread that reads a frame is usually the
// one that frees it (a pool thread serving a request, an invoker reading its
// reply), so in the steady state a call allocates no frame, no receive buffer
// and no decoded-message storage. The cache is plain thread_local data (no
// destructor of its own) so that frames freed while a thread exits are safe.
constexpr size_t kCachedFrames = 1;  // a thread reads, serves and frees one frame at a time
// Per-thread state of the call path uses the initial-exec TLS model: a plain
// %fs-relative access instead of a __tls_get_addr call per use (which cost
// more than a mutex). It is a few hundred bytes of the static TLS block
// glibc reserves, so the library still loads with dlopen().
#define CAPTEE_TLS [[gnu::tls_model("initial-exec")]] thread_local
CAPTEE_TLS Frame *tl_frame_cache[kCachedFrames] = {};
CAPTEE_TLS size_t tl_cached = 0;
CAPTEE_TLS bool tl_cache_closed = false;

struct FrameCacheCloser {
  ~FrameCacheCloser() {
    tl_cache_closed = true;
    while (tl_cached > 0) {
      delete tl_frame_cache[--tl_cached];
    }
  }
};

// Registers this thread's cleanup (on first use in the thread) before the
// thread keeps any frame.
void frame_cache_in_use() {
  CAPTEE_TLS FrameCacheCloser closer;
  (void)closer;
}

struct FrameRecycler {
  void operator()(Frame *f) const noexcept {
    if (tl_cache_closed || tl_cached == kCachedFrames) {
      delete f;
      return;
    }
    f->reset();  // may release objects: callers never hold mu_ here
    frame_cache_in_use();
    tl_frame_cache[tl_cached++] = f;
  }
};
using FramePtr = std::unique_ptr<Frame, FrameRecycler>;

FramePtr new_frame() {
  if (tl_cached > 0) {
    return FramePtr(tl_frame_cache[--tl_cached]);
  }
  return FramePtr(new Frame);
}

// One thread blocked on one invoke id (replies and nested requests land here).
struct Waiter {
  std::thread::id owner = std::this_thread::get_id();
  std::condition_variable cv;
  Frame *head = nullptr;  // FIFO inbox, rarely more than one frame
  Frame *tail = nullptr;
  Waiter() = default;
  Waiter(const Waiter &) = delete;
  Waiter &operator=(const Waiter &) = delete;
  ~Waiter() {
    // Frames that raced in after our reply belong to nobody; drop them.
    while (!empty()) {
      pop();
    }
  }
  bool empty() const { return head == nullptr; }
  void push(FramePtr f) {
    Frame *raw = f.release();
    raw->next = nullptr;
    if (tail != nullptr) {
      tail->next = raw;
    } else {
      head = raw;
    }
    tail = raw;
  }
  FramePtr pop() {
    Frame *raw = head;
    head = raw->next;
    if (head == nullptr) {
      tail = nullptr;
    }
    raw->next = nullptr;
    return FramePtr(raw);
  }
};

// Sockets made for CHANNEL references while encoding one frame; closed once
// the frame is sent (the peer has its own copy by then).
struct OwnedFds {
  int fd[15];
  size_t n = 0;
  OwnedFds() = default;
  OwnedFds(const OwnedFds &) = delete;
  OwnedFds &operator=(const OwnedFds &) = delete;
  ~OwnedFds() { close_all(); }
  void close_all() {
    for (size_t i = 0; i < n; ++i) {
      ::close(fd[i]);
    }
    n = 0;
  }
};

// A CHANNEL reference between its arrival and its handshake. Lives only in a
// frame's object slots: resolve_channels replaces it before anyone sees it.
class PendingChannel final : public LocalObject {
 public:
  static Object make(int sock, uint32_t key) {
    return (new PendingChannel(sock, key))->as_object();
  }
  int take_fd() { return std::exchange(sock_, -1); }
  uint32_t key() const { return key_; }

 protected:
  int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *, ObjectCounts) override {
    return Object_ERROR_UNAVAIL;
  }

 private:
  PendingChannel(int sock, uint32_t key) : sock_(sock), key_(key) {}
  ~PendingChannel() override {
    if (sock_ >= 0) {
      ::close(sock_);
    }
  }
  int sock_;
  uint32_t key_;
};

// What a CHANNEL reference becomes when its domain is gone before the
// handshake: every op but retain/release answers Object_ERROR_DEFUNCT.
int32_t defunct_invoke(ObjectCxt, ObjectOp op, ObjectArg *, ObjectCounts k) {
  const uint32_t method = ObjectOp_methodID(op);
  if (method == Object_OP_retain || method == Object_OP_release) {
    return k == 0 ? Object_OK : Object_ERROR_INVALID;
  }
  return Object_ERROR_DEFUNCT;
}

Object defunct_object() {
  return Object{&defunct_invoke, nullptr};
}

bool is_seqpacket_socket(int fd) {
  int type = 0;
  int domain = 0;
  socklen_t len = sizeof type;
  socklen_t dlen = sizeof domain;
  sockaddr_un peer{};
  socklen_t plen = sizeof peer;
  return ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_SEQPACKET &&
         ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) == 0 && domain == AF_UNIX &&
         ::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &plen) == 0;
}

class ChannelImpl;

struct Proxy {
  std::atomic<uint32_t> refs{1};
  std::shared_ptr<ChannelImpl> ch;
  uint32_t handle = 0;
  uint32_t received = 1;  // how many references the peer sent us (guarded by tmu_)
};

int32_t proxy_invoke(ObjectCxt h, ObjectOp op, ObjectArg *args, ObjectCounts k);

// The invoke ids this thread is currently serving or waiting on, per channel:
// a nested invoke on the same channel reuses the id, which is how the peer
// knows to run it on the thread that waits for it.
CAPTEE_TLS std::vector<std::pair<const void *, uint32_t>> tl_chain;

uint32_t chain_id(const void *ch) {
  for (auto it = tl_chain.rbegin(); it != tl_chain.rend(); ++it) {
    if (it->first == ch) {
      return it->second;
    }
  }
  return 0;
}

struct ChainScope {
  explicit ChainScope(const void *ch, uint32_t id) { tl_chain.emplace_back(ch, id); }
  ~ChainScope() { tl_chain.pop_back(); }
  ChainScope(const ChainScope &) = delete;
  ChainScope &operator=(const ChainScope &) = delete;
};

constexpr size_t kMaxArgs = 4 * 15;

// Requests this thread is serving, nested (a callback is served on the
// thread waiting for the call that caused it, and may cause another). Each
// level costs a few KiB of this thread's stack, so a peer that answers every
// callback with a request that causes another would overflow it: past
// kMaxNesting levels, across all channels, a request is refused with
// Object_ERROR_BUSY instead.
constexpr int kMaxNesting = 64;
thread_local int tl_serving = 0;

// The origin of the request this thread serves (current_call_origin()),
// nested like tl_serving.
thread_local CallOrigin tl_origin;

struct OriginScope {
  explicit OriginScope(CallOrigin o) : saved(tl_origin) { tl_origin = o; }
  ~OriginScope() { tl_origin = saved; }
  OriginScope(const OriginScope &) = delete;
  OriginScope &operator=(const OriginScope &) = delete;
  CallOrigin saved;
};

class ChannelImpl final : public Channel, public std::enable_shared_from_this<ChannelImpl> {
 public:
  ChannelImpl(int fd, const ChannelOptions &opts) : fd_(fd), opts_(opts) {}
  ~ChannelImpl() override { ::close(fd_); }

  bool handshake(Ref primordial, std::string *why);

  // Channel
  Ref peer_primordial() override;
  void close() override { shut_down(nullptr); }
  bool closed() const override { return dead_flag_.load(std::memory_order_acquire); }
  void on_close(std::function<void()> fn) override;
  ucred peer_credentials() const override { return cred_; }
  wire::Limits limits() const override { return limits_; }
  size_t export_count() const override {
    std::lock_guard lk(tmu_);
    return live_exports_;
  }
  size_t import_count() const override {
    std::lock_guard lk(tmu_);
    return imports_.size();
  }

  int32_t invoke_remote(uint32_t handle, ObjectOp op, ObjectArg *args, ObjectCounts k);
  void release_proxy(Proxy *p);

 private:
  struct Export {
    Object obj = Object_NULL;
    uint16_t gen = 0;
    uint32_t remote = 0;
    bool live = false;
  };
  struct ObjKey {
    void *invoke;
    void *ctx;
    bool operator==(const ObjKey &) const = default;
  };
  struct ObjKeyHash {
    size_t operator()(const ObjKey &k) const {
      return std::hash<void *>()(k.invoke) * 31 + std::hash<void *>()(k.ctx);
    }
  };

  // ---- tables
  int32_t export_object(Object o, uint32_t &handle);
  // Drops `count` peer references; the object to release (outside locks) is
  // stored in `drop`. Returns false if the peer released more than it had.
  bool unexport(uint32_t handle, uint32_t count, Object &drop);
  void unexport_now(uint32_t handle, uint32_t count);
  Object lookup_export(uint32_t handle);  // retained, or NULL
  Object import_proxy(uint32_t handle);   // new reference, or NULL if over the limit
  void release_all_exports();
  void maybe_auto_close();

  // Encodes objects for sending; on failure undoes what it exported. Sockets
  // made for CHANNEL references are recorded in `owned` (closed once sent).
  int32_t encode_objects(const ObjectArg *objs, size_t n, ObjRef *refs, int *fds, size_t &nfds,
                         OwnedFds &owned);
  bool send_direct(DirectObject *d, ObjRef &ref, int *fds, size_t &nfds, OwnedFds &owned);
  void undo_exports(const ObjRef *refs, size_t n);
  // Turns received references into objects (new references). Returns false if
  // some receiver-hosted handle was invalid (those slots are NULL). Sets
  // `channels` if a CHANNEL reference arrived (a PendingChannel), and
  // *violation if the frame must close the connection.
  bool materialize(const std::vector<ObjRef> &refs, detail::FdList &fds, Object *out,
                   bool &channels, const char **violation);
  // Replaces the PendingChannels among `objs` by the objects they name.
  void resolve_channels(Object *objs, size_t n);
  Object open_channel_ref(int sock, uint32_t key);

  // ---- I/O
  bool send(wire::Encoded &e, std::span<const int> fds = {});
  detail::RecvStatus read_frame(FramePtr &f, const char **why);
  // Called by a reader with mu_ held, right after it got a frame: waits for the
  // frame's turn, resolves its object references and releases, and passes the
  // turn on. Returns false (mu_ still held) if the connection must close.
  bool intake_locked(Frame &f, std::unique_lock<std::mutex> &lk, const char **why);
  // Waits for the reply to invoke `id` (serving callbacks meanwhile) and
  // gives the id back (unregister_locked) before returning. Null if the
  // channel closed.
  FramePtr wait_for(Waiter &w, uint32_t id, Waiter *outer);
  FramePtr dispatch_locked(FramePtr f, Waiter *me, std::unique_lock<std::mutex> &lk);
  void wake_reader_locked(Waiter *except);
  void serve(FramePtr f);
  void send_error(uint32_t id, int32_t code);
  void queue_release(uint32_t handle, uint32_t count);
  void start_pool();
  void pool_loop();

 public:
  // Called by the StallWatch: wakes a parked pool thread if the channel has
  // had no reader for kStallNs because its reader is serving.
  void check_stall(int64_t now_ns);

 private:
  void violation(const char *why) { shut_down(why); }
  void shut_down(const char *why);
  uint32_t alloc_id() {
    uint32_t v = next_id_.fetch_add(1, std::memory_order_relaxed) & 0x7FFFFFFF;
    return (v == 0 ? 1 : v) | my_tag_;
  }
  size_t max_frame() const {
    return wire::kHeaderSize + 8 + 2 * kMaxArgs * wire::kArgSize + limits_.max_data;
  }

  const int fd_;
  ChannelOptions opts_;
  wire::Limits limits_;
  uint32_t my_tag_ = 0;
  bool peer_has_primordial_ = false;
  ucred cred_{};
  std::atomic<uint32_t> next_id_{1};
  std::atomic<bool> dead_flag_{false};

  // Connection state and waiters.
  mutable std::mutex mu_;
  bool dead_ = false;
  bool shutdown_done_ = false;  // exports released and notifiers run
  int readers_ = 0;             // threads inside recvmsg
  // A waiting invoker reads only when no pool thread is inside recvmsg, and
  // pool threads park while it does: a thread blocked in recvmsg cannot be
  // told that its reply was read by someone else.
  bool waiter_reading_ = false;
  int parked_ = 0;
  // Pool threads inside recvmsg: one. The reader serves what it reads itself
  // (no hand-off, no wake-up); only if it is still busy after kStallNs does
  // the process-wide StallWatch wake a parked pool thread to read meanwhile.
  // Keeping a second reader blocked instead costs an extra context switch per
  // call on a busy CPU, and several readers take turns and run cache-cold.
  // Together with waiter_reading_ this keeps to one thread in recvmsg at a
  // time, which descriptor notices (fd_notices_) rely on.
  int pool_readers_ = 0;
  static constexpr int kMaxPoolReaders = 1;
  int64_t stall_since_ = 0;  // when the last reader went off to serve; 0: not
  std::thread::id stall_owner_;
  std::condition_variable pool_cv_;
  std::deque<FramePtr> pending_;  // top-level requests a waiter read
  // Once this side has invoked the peer, the pool's idle reader waits in
  // watch_ rather than inside recvmsg, so an invoker reads its own reply
  // without a hand-off (one context switch less per call; decision 0008).
  // watching_: a pool thread is inside watch_.wait(); armed_: a record would
  // wake it. Both change only under mu_, and so do arm() and disarm().
  detail::ReadWatch watch_;
  bool invokes_out_ = false;
  bool watch_tried_ = false;
  bool watch_failed_ = false;  // epoll_wait failed once: read as before
  bool watching_ = false;
  bool armed_ = false;
  bool watch_usable_locked() {
    if (!watch_tried_) {
      watch_tried_ = true;
      (void)watch_.open(fd_);
    }
    return watch_.is_open() && !watch_failed_;
  }
  bool pool_started_ = false;
  // Threads waiting on an invoke id: a handful at most, so a flat vector
  // (no allocation per invoke once it has grown).
  struct WaiterSlot {
    uint32_t id;
    Waiter *w;
  };
  std::vector<WaiterSlot> waiters_;
  WaiterSlot *find_waiter_locked(uint32_t id) {
    for (WaiterSlot &s : waiters_) {
      if (s.id == id) {
        return &s;
      }
    }
    return nullptr;
  }
  // Takes `id` back from the innermost waiter: to `outer` if this was a nested
  // invoke reusing the id, else the id is free again.
  void unregister_locked(uint32_t id, Waiter *outer) {
    WaiterSlot *s = find_waiter_locked(id);
    if (s == nullptr) {
      return;
    }
    if (outer != nullptr) {
      s->w = outer;
    } else {
      *s = waiters_.back();
      waiters_.pop_back();
    }
  }
  std::vector<std::function<void()>> notifiers_;

  // Tables.
  mutable std::mutex tmu_;
  std::vector<Export> exports_;
  std::vector<uint32_t> free_slots_;
  size_t live_exports_ = 0;
  std::unordered_map<ObjKey, uint32_t, ObjKeyHash> by_obj_;
  std::unordered_map<uint32_t, Proxy *> imports_;
  bool primordial_taken_ = false;

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
  // Both sides offered wire version 2: records carrying descriptors are
  // announced, and every other record is read without a control buffer.
  // Sound because one thread at a time reads the socket (see pool_loop).
  bool fd_notices_ = false;
  // With opts_.record_senders: bytes received so far (FrameSender). Only
  // the one reading thread touches it; atomic for the hand-over between
  // readers.
  std::atomic<uint64_t> stream_bytes_{0};
  // Reads one frame, recording its sender if the options say so.
  detail::RecvStatus recv_one(size_t max, detail::RecvBuffer &buf, detail::FdList &fds,
                              bool notices, const char **why, Frame *f);

  // Releases waiting to go out (batched).
  std::mutex rmu_;
  std::vector<wire::Message::Release> release_queue_;
  bool flushing_ = false;
};

// ------------------------------------------------------------- stall watch

constexpr int64_t kStallNs = 1'000'000;
constexpr auto kTick = std::chrono::milliseconds(1);
constexpr int64_t kIdleAfterNs = 100'000'000;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One thread per process that keeps channels readable while their only
// reader serves a long request. It ticks every millisecond while requests
// are being served and sleeps when the process has been idle for 100 ms, so
// the call path never wakes anything but the peer.
class StallWatch {
 public:
  static StallWatch &get() {
    static StallWatch *w = [] {
      instance_ = new StallWatch;  // never destroyed: threads may use it at exit
      ::pthread_atfork([] { instance_->mu_.lock(); }, [] { instance_->mu_.unlock(); },
                       [] {
                         // The child has no watch thread; start afresh.
                         new (&instance_->mu_) std::mutex;
                         new (&instance_->cv_) std::condition_variable;
                         instance_->started_ = false;
                         instance_->idle_.store(false);
                         new (&instance_->channels_) std::vector<std::weak_ptr<ChannelImpl>>;
                       });
      return instance_;
    }();
    return *w;
  }
  void add(std::weak_ptr<ChannelImpl> ch) {
    std::lock_guard lk(mu_);
    channels_.push_back(std::move(ch));
    if (!started_) {
      try {
        std::thread([this] { run(); }).detach();
        started_ = true;
      } catch (const std::system_error &) {
        // No watch for now (the next channel tries again): long handlers
        // then hold up their channel, which is slower but still correct.
      }
    }
  }
  void note_busy(int64_t now) {
    last_busy_ns_.store(now, std::memory_order_relaxed);
    if (idle_.load(std::memory_order_acquire)) {
      std::lock_guard lk(mu_);
      idle_.store(false, std::memory_order_release);
      cv_.notify_one();
    }
  }

 private:
  void run();
  std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;
  std::atomic<bool> idle_{false};
  std::atomic<int64_t> last_busy_ns_{0};
  std::vector<std::weak_ptr<ChannelImpl>> channels_;
  static inline StallWatch *instance_ = nullptr;
};

void StallWatch::run() {
  std::unique_lock lk(mu_);
  for (;;) {
    std::vector<std::weak_ptr<ChannelImpl>> list = channels_;
    lk.unlock();
    int64_t now = now_ns();
    for (auto &w : list) {
      if (auto ch = w.lock()) {
        ch->check_stall(now);
      }
    }
    list.clear();  // may drop the last reference to a channel: not under mu_
    lk.lock();
    std::erase_if(channels_, [](const auto &w) { return w.expired(); });
    if (now - last_busy_ns_.load(std::memory_order_relaxed) > kIdleAfterNs) {
      idle_.store(true, std::memory_order_release);
      cv_.wait(lk, [&] { return !idle_.load(std::memory_order_acquire); });
    } else {
      cv_.wait_for(lk, kTick);
    }
  }
}

// ------------------------------------------------------------------ proxies

int32_t proxy_invoke(ObjectCxt h, ObjectOp op, ObjectArg *args, ObjectCounts k) {
  auto *p = static_cast<Proxy *>(h);
  const uint32_t method = ObjectOp_methodID(op);
  if (method == Object_OP_retain || method == Object_OP_release) {
    if (k != 0) {
      return Object_ERROR_INVALID;
    }
    if (method == Object_OP_retain) {
      p->refs.fetch_add(1, std::memory_order_relaxed);
    } else {
      p->ch->release_proxy(p);
    }
    return Object_OK;
  }
  // Local ops are never forwarded; unknown reserved ops are invalid.
  if (ObjectOp_isLocal(op) || (!is_user_method(method) && method != Object_OP_version)) {
    return Object_ERROR_INVALID;
  }
  return p->ch->invoke_remote(p->handle, op, args, k);
}

Proxy *as_proxy(Object o) {
  return o.invoke == &proxy_invoke ? static_cast<Proxy *>(o.context) : nullptr;
}

}  // namespace

bool is_remote(Object o) {
  return as_proxy(o) != nullptr;
}

namespace {

void ChannelImpl::release_proxy(Proxy *p) {
  // Not the last reference: no lock.
  uint32_t r = p->refs.load(std::memory_order_relaxed);
  while (r > 1) {
    if (p->refs.compare_exchange_weak(r, r - 1, std::memory_order_acq_rel)) {
      return;
    }
  }
  // Perhaps the last: the count reaches zero only under tmu_, where
  // import_proxy() finds proxies, so nobody can revive one that is going.
  // (Dropping to zero outside the lock let an import revive the proxy and
  // its new holder release and free it before this thread took the lock:
  // a use after free that fuzz/channel_peer found.)
  uint32_t count = 0;
  {
    std::lock_guard lk(tmu_);
    if (p->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) {
      return;  // imported or retained again meanwhile
    }
    auto it = imports_.find(p->handle);
    if (it != imports_.end() && it->second == p) {
      imports_.erase(it);
    }
    count = p->received;
  }
  std::shared_ptr<ChannelImpl> self = std::move(p->ch);
  uint32_t handle = p->handle;
  delete p;
  queue_release(handle, count);
  maybe_auto_close();
}

Object ChannelImpl::import_proxy(uint32_t handle) {
  std::lock_guard lk(tmu_);
  auto it = imports_.find(handle);
  if (it != imports_.end()) {
    Proxy *p = it->second;
    if (p->received == UINT32_MAX) {
      return Object_NULL;
    }
    p->refs.fetch_add(1, std::memory_order_acq_rel);
    ++p->received;
    return Object{&proxy_invoke, p};
  }
  if (imports_.size() >= limits_.max_exports) {
    return Object_NULL;  // the peer cannot have exported more than this
  }
  auto *p = new Proxy;
  p->ch = shared_from_this();
  p->handle = handle;
  imports_.emplace(handle, p);
  return Object{&proxy_invoke, p};
}

Ref ChannelImpl::peer_primordial() {
  if (closed() || !peer_has_primordial_) {
    return {};
  }
  {
    std::lock_guard lk(tmu_);
    auto it = imports_.find(wire::kPrimordialHandle);
    if (it != imports_.end()) {
      it->second->refs.fetch_add(1, std::memory_order_acq_rel);
      return Ref::adopt(Object{&proxy_invoke, it->second});
    }
    if (primordial_taken_) {
      return {};
    }
    primordial_taken_ = true;
  }
  // The handshake stands for the one reference the peer sent.
  return Ref::adopt(import_proxy(wire::kPrimordialHandle));
}

// ------------------------------------------------------------------- exports

int32_t ChannelImpl::export_object(Object o, uint32_t &handle) {
  bool first_export = false;
  {
    std::lock_guard lk(tmu_);
    if (dead_flag_.load(std::memory_order_acquire)) {
      return Object_ERROR_UNAVAIL;
    }
    ObjKey key{reinterpret_cast<void *>(o.invoke), o.context};
    auto it = by_obj_.find(key);
    if (it != by_obj_.end()) {
      Export &e = exports_[it->second];
      if (e.remote == UINT32_MAX) {
        return Object_ERROR_NOSLOTS;
      }
      ++e.remote;
      handle = (uint32_t(e.gen) << 16) | it->second;
      return Object_OK;
    }
    if (live_exports_ >= limits_.max_exports) {
      return Object_ERROR_NOSLOTS;
    }
    uint32_t idx;
    if (!free_slots_.empty()) {
      idx = free_slots_.back();
      free_slots_.pop_back();
    } else {
      idx = uint32_t(exports_.size());
      exports_.emplace_back();
    }
    Export &e = exports_[idx];
    e.gen = uint16_t(e.gen + 1 == 0 ? 1 : e.gen + 1);
    e.obj = o;
    e.remote = 1;
    e.live = true;
    (void)Object_retain(o);
    by_obj_.emplace(key, idx);
    first_export = live_exports_++ == 0;
    handle = (uint32_t(e.gen) << 16) | idx;
  }
  if (first_export) {
    start_pool();
  }
  return Object_OK;
}

bool ChannelImpl::unexport(uint32_t handle, uint32_t count, Object &drop) {
  std::lock_guard lk(tmu_);
  uint32_t idx = handle & 0xFFFF;
  if (idx >= exports_.size() || !exports_[idx].live || exports_[idx].gen != (handle >> 16)) {
    return true;  // already gone (e.g. the connection closed meanwhile)
  }
  Export &e = exports_[idx];
  if (count > e.remote) {
    return false;
  }
  if ((e.remote -= count) == 0) {
    drop = e.obj;
    by_obj_.erase(ObjKey{reinterpret_cast<void *>(e.obj.invoke), e.obj.context});
    e.obj = Object_NULL;
    e.live = false;
    free_slots_.push_back(idx);
    --live_exports_;
  }
  return true;
}

void ChannelImpl::unexport_now(uint32_t handle, uint32_t count) {
  Object drop = Object_NULL;
  if (!unexport(handle, count, drop)) {
    violation("peer released more references than it was given");
    return;
  }
  if (!Object_isNull(drop)) {
    (void)Object_release(drop);
    maybe_auto_close();
  }
}

Object ChannelImpl::lookup_export(uint32_t handle) {
  std::lock_guard lk(tmu_);
  uint32_t idx = handle & 0xFFFF;
  if (idx >= exports_.size() || !exports_[idx].live || exports_[idx].gen != (handle >> 16)) {
    return Object_NULL;
  }
  (void)Object_retain(exports_[idx].obj);
  return exports_[idx].obj;
}

void ChannelImpl::release_all_exports() {
  std::vector<Object> drop;
  {
    std::lock_guard lk(tmu_);
    for (Export &e : exports_) {
      if (e.live) {
        drop.push_back(e.obj);
        e = Export{Object_NULL, e.gen, 0, false};
      }
    }
    by_obj_.clear();
    free_slots_.clear();
    for (uint32_t i = 0; i < exports_.size(); ++i) {
      free_slots_.push_back(i);
    }
    live_exports_ = 0;
  }
  for (Object o : drop) {
    (void)Object_release(o);
  }
}

void ChannelImpl::maybe_auto_close() {
  {
    std::lock_guard lk(tmu_);
    if (live_exports_ != 0 || !imports_.empty()) {
      return;
    }
  }
  // Nobody here can name anything on the other side and the other side can
  // name nothing here: the connection has no more use.
  shut_down(nullptr);
}

int32_t ChannelImpl::encode_objects(const ObjectArg *objs, size_t n, ObjRef *refs, int *fds,
                                    size_t &nfds, OwnedFds &owned) {
  for (size_t i = 0; i < n; ++i) {
    Object o = objs[i].o;
    int32_t rv = Object_OK;
    if (Object_isNull(o)) {
      refs[i] = ObjRef{};
      continue;
    }
    if (Proxy *p = as_proxy(o); p != nullptr && p->ch.get() == this) {
      refs[i] = ObjRef{RefType::kReceiverHosted, 0, p->handle};
      continue;
    }
    LocalObject *local = LocalObject::from(o);
    if (auto *fo = dynamic_cast<FdObject *>(local); fo != nullptr) {
      if (nfds >= limits_.max_fds) {
        rv = Object_ERROR_MAXARGS;
      } else {
        refs[i] = ObjRef{RefType::kFd, fo->rights(), uint32_t(nfds)};
        fds[nfds++] = fo->fd();
      }
    } else if (auto *d = peer_accepts_channels_ ? dynamic_cast<DirectObject *>(local) : nullptr;
               d != nullptr && nfds < limits_.max_fds && owned.n < std::size(owned.fd) &&
               send_direct(d, refs[i], fds, nfds, owned)) {
      // sent as a CHANNEL reference: the peer will reach the object itself
    } else {
      uint32_t h = 0;
      rv = export_object(o, h);
      refs[i] = ObjRef{RefType::kSenderHosted, 0, h};
    }
    if (rv != Object_OK) {
      undo_exports(refs, i);
      return rv;
    }
  }
  return Object_OK;
}

bool ChannelImpl::send_direct(DirectObject *d, ObjRef &ref, int *fds, size_t &nfds,
                              OwnedFds &owned) {
  uint32_t key = 0;
  int sock = d->open_direct(key);
  if (sock < 0) {
    return false;
  }
  owned.fd[owned.n++] = sock;
  ref = ObjRef{RefType::kChannel, 0, key};
  fds[nfds++] = sock;
  return true;
}

void ChannelImpl::undo_exports(const ObjRef *refs, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (refs[i].type == RefType::kSenderHosted) {
      unexport_now(refs[i].handle, 1);
    }
  }
}

bool ChannelImpl::materialize(const std::vector<ObjRef> &refs, detail::FdList &fds, Object *out,
                              bool &channels, const char **violation) {
  bool ok = true;
  size_t next_fd = 0;  // fd and channel references use the descriptors in order
  for (size_t i = 0; i < refs.size(); ++i) {
    const ObjRef &r = refs[i];
    out[i] = Object_NULL;
    switch (r.type) {
      case RefType::kNull:
        break;
      case RefType::kSenderHosted:
        out[i] = import_proxy(r.handle);
        if (Object_isNull(out[i])) {
          ok = false;
          queue_release(r.handle, 1);  // keep the peer's count right
        }
        break;
      case RefType::kReceiverHosted:
        out[i] = lookup_export(r.handle);
        ok = ok && !Object_isNull(out[i]);
        break;
      case RefType::kFd:
        out[i] = FdObject::adopt(fds.take(next_fd++), r.rights).detach();
        break;
      case RefType::kChannel: {
        int sock = fds.take(next_fd++);
        if (!opts_.accept_channel_refs) {
          ::close(sock);
          *violation = "channel reference on a connection that does not accept them";
          break;
        }
        if (!is_seqpacket_socket(sock)) {
          ::close(sock);
          *violation = "channel reference that is not a connected SEQPACKET socket";
          break;
        }
        // The handshake waits for the far end: it runs once this frame is out
        // of the ordering turn (resolve_channels), never here.
        out[i] = PendingChannel::make(sock, r.handle);
        channels = true;
        break;
      }
    }
  }
  return ok;
}

void ChannelImpl::resolve_channels(Object *objs, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    auto *pending = LocalObject::from_as<PendingChannel>(objs[i]);
    if (pending == nullptr) {
      continue;
    }
    Object resolved = open_channel_ref(pending->take_fd(), pending->key());
    Object_release(objs[i]);
    objs[i] = resolved;
  }
}

Object ChannelImpl::open_channel_ref(int sock, uint32_t key) {
  if (key != 0) {
    std::lock_guard lk(direct_mu_);
    auto it = direct_.find(key);
    if (it != direct_.end()) {
      if (auto ch = it->second.lock(); ch && !ch->closed()) {
        if (Ref r = ch->peer_primordial(); r) {
          ::close(sock);  // the domain is already reachable: keep one channel
          return r.detach();
        }
      }
    }
  }
  ChannelOptions o = opts_;
  o.accept_channel_refs = false;
  o.closed_error = Object_ERROR_DEFUNCT;
  std::string why;
  std::shared_ptr<Channel> ch = start_channel(sock, Ref(), o, &why);
  Ref r = ch ? ch->peer_primordial() : Ref();
  if (!r) {
    // The far end died before it answered (or exports nothing): as if the
    // object's domain were already gone.
    if (ch) {
      ch->close();
    }
    return defunct_object();
  }
  if (key != 0) {
    std::lock_guard lk(direct_mu_);
    std::erase_if(direct_, [](const auto &e) { return e.second.expired(); });
    direct_[key] = ch;
  }
  return r.detach();
}

// --------------------------------------------------------------- I/O paths

bool ChannelImpl::send(wire::Encoded &e, std::span<const int> fds) {
  int rc;
  {
    std::lock_guard lk(send_mu_);
    wire::set_seq(e, send_seq_++);
    rc = detail::send_frame(fd_, e, fds, fd_notices_);
  }
  if (rc == 0) {
    return true;
  }
  if (rc == EPIPE || rc == ECONNRESET || rc == ENOTCONN) {
    shut_down(nullptr);
  } else {
    std::string why = std::string("send failed: ") + std::strerror(rc);
    shut_down(why.c_str());
  }
  return false;
}

void ChannelImpl::send_error(uint32_t id, int32_t code) {
  wire::Encoded e;
  wire::encode_error(id, code, e);
  send(e);
}

detail::RecvStatus ChannelImpl::recv_one(size_t max, detail::RecvBuffer &buf, detail::FdList &fds,
                                         bool notices, const char **why, Frame *f) {
  if (!opts_.record_senders) {
    return detail::recv_frame(fd_, max, buf, fds, notices, why);
  }
  detail::FrameSender sender;
  sender.stream_bytes = stream_bytes_.load(std::memory_order_relaxed);
  auto st = detail::recv_frame(fd_, max, buf, fds, notices, why, &sender);
  stream_bytes_.store(sender.stream_bytes, std::memory_order_relaxed);
  if (f != nullptr) {
    f->sender_pid = sender.pid;
    f->sender_early = sender.first_byte < opts_.early_bytes;
  }
  return st;
}

detail::RecvStatus ChannelImpl::read_frame(FramePtr &f, const char **why) {
  f = new_frame();
  auto st = recv_one(max_frame(), f->buf, f->fds, fd_notices_, why, f.get());
  if (st != detail::RecvStatus::kOk) {
    return st;
  }
  wire::DecodeError err = wire::decode(f->buf.bytes(), f->fds.fds.size(), limits_, f->msg);
  if (err) {
    *why = err.why;
    return detail::RecvStatus::kViolation;
  }
  if (f->msg.header.kind == Kind::kHello) {
    *why = "unexpected hello after the handshake";
    return detail::RecvStatus::kViolation;
  }
  return st;
}

void ChannelImpl::wake_reader_locked(Waiter *except) {
  if (readers_ != 0) {
    return;
  }
  for (const WaiterSlot &s : waiters_) {
    if (s.w != except && s.w->empty()) {
      s.w->cv.notify_one();
      return;
    }
  }
}

FramePtr ChannelImpl::dispatch_locked(FramePtr f, Waiter *me, std::unique_lock<std::mutex> &lk) {
  const wire::Message &m = f->msg;
  switch (m.header.kind) {
    case Kind::kSuccess:
    case Kind::kError:
    case Kind::kRequest: {
      if (WaiterSlot *slot = find_waiter_locked(m.header.invoke_id); slot != nullptr) {
        Waiter *w = slot->w;
        w->push(std::move(f));
        if (w != me) {
          w->cv.notify_one();
        }
        return nullptr;
      }
      if (m.header.kind != Kind::kRequest) {
        lk.unlock();
        violation("reply for an invoke id nobody is waiting on");
        f.reset();  // may release objects: never under mu_
        lk.lock();
        return nullptr;
      }
      if (me == nullptr) {
        return f;  // a pool thread serves what it read
      }
      // A waiting invoker read a new request: the pool serves it (unless the
      // channel closed meanwhile: then nobody will, see shut_down).
      if (dead_) {
        lk.unlock();
        f.reset();  // may release objects: never under mu_
        lk.lock();
        return nullptr;
      }
      if (pool_started_) {
        pending_.push_back(std::move(f));
        pool_cv_.notify_one();
        if (watching_ && parked_ == 0) {
          watch_.kick();  // the only idle pool thread waits on the socket
        }
      } else {
        std::thread([self = shared_from_this(), fr = std::move(f)]() mutable {
          self->serve(std::move(fr));
        }).detach();
      }
      return nullptr;
    }
    case Kind::kRelease:
    case Kind::kReleaseBatch:  // applied in intake_locked
    case Kind::kHello:
    case Kind::kFdNotice:  // consumed by recv_frame
      break;
  }
  return nullptr;
}

bool ChannelImpl::intake_locked(Frame &f, std::unique_lock<std::mutex> &lk, const char **why) {
  const uint32_t seq = f.msg.header.seq;
  while (seq != recv_seq_ && !dead_) {
    // Another reader holds an earlier frame; it will pass the turn on soon.
    // Unless the frame is from the past, or this is the only reader (every
    // frame read before this one has been taken in): then the gap can never
    // fill, and waiting for it would only stall the connection.
    if (int32_t(seq - recv_seq_) < 0 || readers_ <= 1) {
      *why = "frames out of sequence";
      return false;
    }
    ++order_waiters_;
    bool timed_out = order_cv_.wait_for(lk, std::chrono::seconds(2)) == std::cv_status::timeout;
    --order_waiters_;
    if (timed_out && seq != recv_seq_) {
      *why = "frames out of sequence";
      return false;
    }
  }
  if (dead_) {
    *why = nullptr;
    return false;
  }
  const Kind kind = f.msg.header.kind;
  if ((kind == Kind::kRequest || kind == Kind::kSuccess || kind == Kind::kError) &&
      f.msg.objs.empty()) {
    ++recv_seq_;  // nothing to resolve: pass the turn on without unlocking
    if (order_waiters_ > 0) {
      order_cv_.notify_all();
    }
    return true;
  }
  lk.unlock();
  bool ok = true;
  std::vector<Object> drops;
  switch (f.msg.header.kind) {
    case Kind::kRequest:
    case Kind::kSuccess: {
      const char *bad = nullptr;
      f.objs_ok = materialize(f.msg.objs, f.fds, f.objs, f.channels, &bad);
      if (bad != nullptr) {
        ok = false;
        *why = bad;
      }
      break;
    }
    case Kind::kRelease:
    case Kind::kReleaseBatch:
      for (const auto &r : f.msg.releases) {
        Object drop = Object_NULL;
        if (!unexport(r.handle, r.count, drop)) {
          ok = false;
          *why = "peer released more references than it was given";
        }
        if (!Object_isNull(drop)) {
          drops.push_back(drop);
        }
      }
      break;
    default:
      break;
  }
  lk.lock();
  ++recv_seq_;
  if (order_waiters_ > 0) {
    order_cv_.notify_all();
  }
  if (!drops.empty()) {
    lk.unlock();
    for (Object o : drops) {
      (void)Object_release(o);
    }
    maybe_auto_close();
    lk.lock();
  }
  return ok;
}

FramePtr ChannelImpl::wait_for(Waiter &w, uint32_t id, Waiter *outer) {
  std::unique_lock lk(mu_);
  for (;;) {
    if (!w.empty()) {
      FramePtr f = w.pop();
      wake_reader_locked(&w);
      if (f->msg.header.kind != Kind::kRequest) {
        unregister_locked(id, outer);
        return f;
      }
      lk.unlock();
      serve(std::move(f));  // a callback: runs here, on the waiting thread
      lk.lock();
      continue;
    }
    if (dead_ && shutdown_done_) {
      unregister_locked(id, outer);
      return nullptr;
    }
    if (readers_ == 0 && !dead_) {
      ++readers_;
      waiter_reading_ = true;
      if (armed_) {
        watch_.disarm();  // this record is ours to read: let the watcher sleep
        armed_ = false;
      }
      lk.unlock();
      FramePtr f;
      const char *why = nullptr;
      auto st = read_frame(f, &why);
      lk.lock();
      // Still counted as the reader until the frame is routed: a thread that
      // found readers_ == 0 in between would block in recvmsg while its reply
      // sits in our hands.
      bool ok = st == detail::RecvStatus::kOk && intake_locked(*f, lk, &why);
      if (ok) {
        dispatch_locked(std::move(f), &w, lk);
      }
      --readers_;
      waiter_reading_ = false;
      if (watching_) {
        if (!armed_ && !dead_) {
          watch_.arm();  // the peer's own requests wake the pool again
          armed_ = true;
        }
      } else if (parked_ > 0) {
        pool_cv_.notify_all();  // parked for this read; a watcher needs no help
      }
      if (!ok) {
        lk.unlock();
        shut_down(st == detail::RecvStatus::kClosed ? nullptr : why);
        f.reset();  // may release objects: never under mu_
        lk.lock();
      }
      continue;
    }
    w.cv.wait(lk);
  }
}

void ChannelImpl::start_pool() {
  {
    std::lock_guard lk(mu_);
    if (pool_started_ || dead_) {
      return;
    }
    pool_started_ = true;
  }
  unsigned started = 0;
  for (unsigned i = 0; i < std::max(1u, opts_.pool_threads); ++i) {
    try {
      std::thread([self = shared_from_this()] { self->pool_loop(); }).detach();
      ++started;
    } catch (const std::system_error &) {
      break;  // out of threads (e.g. a TA host at its memory limit): serve with fewer
    }
  }
  if (started == 0) {
    violation("cannot start a thread to serve requests");
    return;
  }
  StallWatch::get().add(weak_from_this());
}

void ChannelImpl::pool_loop() {
  std::unique_lock lk(mu_);
  bool readable = false;  // the watch saw a record: read it rather than watch again
  while (!dead_) {
    if (!pending_.empty()) {
      FramePtr f = std::move(pending_.front());
      pending_.pop_front();
      lk.unlock();
      serve(std::move(f));
      lk.lock();
      continue;
    }
    if (waiter_reading_ || pool_readers_ >= kMaxPoolReaders || watching_) {
      readable = false;  // whoever reads meanwhile may take that record
      ++parked_;
      pool_cv_.wait(lk);
      --parked_;
      continue;
    }
    if (invokes_out_ && !readable && watch_usable_locked()) {
      watching_ = true;
      armed_ = true;
      watch_.arm();
      lk.unlock();
      const auto wake = watch_.wait();
      lk.lock();
      watching_ = false;
      armed_ = false;
      watch_failed_ = wake == detail::ReadWatch::Wake::kFailed;
      readable = wake != detail::ReadWatch::Wake::kKicked;
      continue;
    }
    readable = false;
    ++readers_;
    ++pool_readers_;
    lk.unlock();
    FramePtr f;
    const char *why = nullptr;
    auto st = read_frame(f, &why);
    lk.lock();
    bool ok = st == detail::RecvStatus::kOk && intake_locked(*f, lk, &why);
    FramePtr mine = ok ? dispatch_locked(std::move(f), nullptr, lk) : nullptr;
    --readers_;  // only now: see wait_for
    --pool_readers_;
    if (!ok) {
      lk.unlock();
      shut_down(st == detail::RecvStatus::kClosed ? nullptr : why);
      f.reset();  // may release objects: never under mu_
      lk.lock();
      break;
    }
    if (mine) {
      wake_reader_locked(nullptr);  // invokers waiting here may read meanwhile
      const bool alone = pool_readers_ == 0 && parked_ > 0;
      int64_t now = 0;
      if (alone && (mine->msg.header.flags & wire::kFlagConcurrent) != 0) {
        pool_cv_.notify_one();  // the peer has more calls in flight: read on now
      } else if (alone) {
        now = now_ns();
        stall_since_ = now;
        stall_owner_ = std::this_thread::get_id();
      }
      lk.unlock();
      if (now != 0) {
        StallWatch::get().note_busy(now);
      }
      serve(std::move(mine));
      lk.lock();
      if (stall_owner_ == std::this_thread::get_id()) {
        stall_since_ = 0;
        stall_owner_ = {};
      }
    }
  }
}

void ChannelImpl::check_stall(int64_t now) {
  std::lock_guard lk(mu_);
  if (!dead_ && stall_since_ != 0 && now - stall_since_ >= kStallNs && readers_ == 0 &&
      parked_ > 0) {
    stall_since_ = 0;
    stall_owner_ = {};
    pool_cv_.notify_one();
  }
}

int32_t ChannelImpl::invoke_remote(uint32_t handle, ObjectOp op, ObjectArg *a, ObjectCounts k) {
  if (closed()) {
    return opts_.closed_error;
  }
  const size_t nbi = ObjectCounts_numBI(k), nbo = ObjectCounts_numBO(k),
               noi = ObjectCounts_numOI(k), noo = ObjectCounts_numOO(k);
  if (nbi > limits_.max_args || nbo > limits_.max_args || noi > limits_.max_args ||
      noo > limits_.max_args) {
    return Object_ERROR_MAXARGS;
  }
  uint64_t data = 0;
  wire::BufIn bi[15];
  uint32_t caps[15];
  for (size_t i = 0; i < nbi; ++i) {
    bi[i] = {a[i].bi.ptr, a[i].bi.size};
    data += a[i].bi.size;
  }
  for (size_t i = 0; i < nbo; ++i) {
    size_t cap = a[nbi + i].b.size;
    if (cap > limits_.max_data) {
      return Object_ERROR_MAXDATA;
    }
    caps[i] = uint32_t(cap);
    data += cap;
  }
  if (data > limits_.max_data) {
    return Object_ERROR_MAXDATA;
  }
  ObjRef refs[15];
  int fds[15];
  size_t nfds = 0;
  OwnedFds owned;
  if (int32_t rv = encode_objects(&a[nbi + nbo], noi, refs, fds, nfds, owned); rv != Object_OK) {
    return rv;
  }

  uint32_t id = chain_id(this);
  if (id == 0) {
    id = alloc_id();
  }
  ChainScope chain(this, id);
  Waiter w;
  Waiter *outer = nullptr;
  bool concurrent = false;
  {
    std::lock_guard lk(mu_);
    concurrent = !waiters_.empty();  // other threads are waiting on this channel
    if (WaiterSlot *slot = find_waiter_locked(id); slot != nullptr) {
      if (slot->w->owner != w.owner) {
        undo_exports(refs, noi);
        return Object_ERROR_BUSY;  // a hostile peer reused an id on two threads
      }
      outer = slot->w;
      slot->w = &w;
    } else {
      waiters_.push_back({id, &w});
    }
    invokes_out_ = true;
  }
  FramePtr reply;
  {
    CAPTEE_TLS wire::Encoded enc;
    wire::encode_request(id, handle, op, k, std::span(bi, nbi), std::span(caps, nbo),
                         std::span(refs, noi), uint8_t(nfds), enc);
    if (concurrent) {
      wire::add_flags(enc, wire::kFlagConcurrent);
    }
    const bool sent = send(enc, std::span(fds, nfds));
    owned.close_all();
    if (sent) {
      reply = wait_for(w, id, outer);  // gives the id back itself
    } else {
      std::lock_guard lk(mu_);
      unregister_locked(id, outer);
    }
  }
  if (!reply) {
    return opts_.closed_error;
  }
  const wire::Message &m = reply->msg;
  if (m.header.kind == Kind::kError) {
    return m.error;
  }
  if (ObjectCounts_numBO(m.counts) != nbo || ObjectCounts_numOO(m.counts) != noo) {
    violation("reply counts do not match the request");
    return opts_.closed_error;
  }
  for (size_t i = 0; i < nbo; ++i) {
    if (m.bi[i].size > caps[i]) {
      violation("reply output buffer larger than its capacity");
      return opts_.closed_error;
    }
  }
  if (!reply->objs_ok) {
    violation("reply names an object that is not ours");
    return opts_.closed_error;
  }
  if (reply->channels) {
    resolve_channels(reply->objs, noo);
  }
  for (size_t i = 0; i < nbo; ++i) {
    ObjectBuf &b = a[nbi + i].b;
    if (m.bi[i].size > 0) {
      std::memcpy(b.ptr, reply->data() + m.bi[i].offset, m.bi[i].size);
    }
    b.size = m.bi[i].size;
  }
  for (size_t i = 0; i < noo; ++i) {
    a[nbi + nbo + noi + i].o = std::exchange(reply->objs[i], Object_NULL);
  }
  return Object_OK;
}

void ChannelImpl::serve(FramePtr f) {
  const wire::Message &m = f->msg;
  const uint32_t id = m.header.invoke_id;
  const ObjectCounts k = m.counts;
  const size_t nbi = ObjectCounts_numBI(k), nbo = ObjectCounts_numBO(k),
               noi = ObjectCounts_numOI(k), noo = ObjectCounts_numOO(k);
  Object *ins = f->objs;  // released with the frame
  bool refs_ok = f->objs_ok;
  const uint32_t method = ObjectOp_methodID(m.op);
  int32_t rv = Object_OK;
  Object target = Object_NULL;
  if (!refs_ok) {
    rv = Object_ERROR_BADOBJ;
  } else if (method == Object_OP_retain || method == Object_OP_release || ObjectOp_isLocal(m.op)) {
    rv = Object_ERROR_INVALID;  // a peer never drives our reference counts
  } else if (tl_serving >= kMaxNesting) {
    rv = Object_ERROR_BUSY;
  } else {
    target = lookup_export(m.handle);
    if (Object_isNull(target)) {
      rv = Object_ERROR_BADOBJ;
    } else if (f->channels) {
      resolve_channels(ins, noi);
    }
  }
  ObjectArg args[kMaxArgs];
  // Output buffers: small ones on the stack (serve nests for callbacks, so a
  // per-thread buffer would be shared by two levels), zeroed either way so a
  // callee that reports more than it wrote leaks nothing.
  alignas(8) uint8_t small_out[256];
  std::vector<uint8_t> big_out;
  if (rv == Object_OK) {
    size_t total = 0;
    for (size_t i = 0; i < nbo; ++i) {
      total += (size_t(m.bo_caps[i]) + 7) & ~size_t(7);
    }
    uint8_t *outbuf = small_out;
    if (total <= sizeof small_out) {
      std::memset(small_out, 0, total);
    } else {
      big_out.resize(total);
      outbuf = big_out.data();
    }
    size_t at = 0;
    for (size_t i = 0; i < nbi; ++i) {
      args[i].bi = {f->data() + m.bi[i].offset, m.bi[i].size};
    }
    for (size_t i = 0; i < nbo; ++i) {
      args[nbi + i].b = {outbuf + at, m.bo_caps[i]};
      at += (size_t(m.bo_caps[i]) + 7) & ~size_t(7);
    }
    for (size_t i = 0; i < noi; ++i) {
      args[nbi + nbo + i].o = ins[i];
    }
    for (size_t i = 0; i < noo; ++i) {
      args[nbi + nbo + noi + i].o = Object_NULL;
    }
    ChainScope chain(this, id);
    OriginScope origin(opts_.record_senders ? CallOrigin{true, f->sender_pid, f->sender_early}
                                            : CallOrigin{});
    ++tl_serving;
    rv = Object_invoke(target, m.op, args, k);
    --tl_serving;
  }
  Object_RELEASE_IF(target);
  for (size_t i = 0; i < noi; ++i) {
    Object_RELEASE_IF(ins[i]);  // inputs were borrowed by the callee
    ins[i] = Object_NULL;
  }
  if (rv != Object_OK) {
    send_error(id, rv == 0 ? Object_ERROR : rv);
    return;
  }
  Object *outs = &args[nbi + nbo + noi].o;
  auto drop_outputs = [&] {
    for (size_t i = 0; i < noo; ++i) {
      Object_RELEASE_IF(args[nbi + nbo + noi + i].o);
    }
  };
  wire::BufIn bo[15];
  for (size_t i = 0; i < nbo; ++i) {
    if (args[nbi + i].b.size > m.bo_caps[i]) {
      drop_outputs();
      send_error(id, Object_ERROR_SIZE_OUT);
      return;
    }
    bo[i] = {args[nbi + i].b.ptr, args[nbi + i].b.size};
  }
  ObjRef refs[15];
  int fds[15];
  size_t nfds = 0;
  OwnedFds owned;
  ObjectArg out_objs[15];
  for (size_t i = 0; i < noo; ++i) {
    out_objs[i].o = outs[i];
  }
  if (int32_t e = encode_objects(out_objs, noo, refs, fds, nfds, owned); e != Object_OK) {
    drop_outputs();
    send_error(id, e);
    return;
  }
  // The exports hold their own references now. Drop ours before the reply
  // goes out: once the peer has the reply it may release the objects, and
  // their last release must then really be the last (a thread preempted
  // here used to keep, say, a session open past the peer's close). Fd
  // objects stay until sent (the send borrows their descriptors), and so do
  // the peer's own objects going home (dropping a last proxy sends a
  // release, which must not overtake the reply that names the handle).
  for (size_t i = 0; i < noo; ++i) {
    if (refs[i].type == RefType::kSenderHosted || refs[i].type == RefType::kChannel) {
      Object_RELEASE_IF(args[nbi + nbo + noi + i].o);
      args[nbi + nbo + noi + i].o = Object_NULL;
    }
  }
  CAPTEE_TLS wire::Encoded enc;
  wire::encode_success(id, ObjectCounts_pack(0, nbo, 0, noo), std::span(bo, nbo),
                       std::span(refs, noo), uint8_t(nfds), enc);
  send(enc, std::span(fds, nfds));
  owned.close_all();  // the peer has its own copies: let go of ours at once
  drop_outputs();     // the fd objects; the kernel duplicated their descriptors
}

void ChannelImpl::queue_release(uint32_t handle, uint32_t count) {
  if (closed()) {
    return;
  }
  std::unique_lock lk(rmu_);
  release_queue_.push_back({handle, count});
  if (flushing_) {
    return;  // the thread already flushing takes ours along
  }
  flushing_ = true;
  while (!release_queue_.empty()) {
    std::vector<wire::Message::Release> batch;
    batch.swap(release_queue_);
    lk.unlock();
    for (size_t at = 0; at < batch.size(); at += wire::kMaxBatch) {
      size_t n = std::min<size_t>(wire::kMaxBatch, batch.size() - at);
      wire::Encoded e;
      wire::encode_release(std::span(batch.data() + at, n), e);
      if (!send(e)) {
        break;
      }
    }
    lk.lock();
  }
  flushing_ = false;
}

void ChannelImpl::on_close(std::function<void()> fn) {
  {
    std::lock_guard lk(mu_);
    if (!dead_) {
      notifiers_.push_back(std::move(fn));
      return;
    }
  }
  fn();
}

void ChannelImpl::shut_down(const char *why) {
  std::vector<std::function<void()>> notifiers;
  // Requests queued for the pool will never be served. Their objects
  // include proxies, which hold this channel: left in the queue they would
  // keep it (and its socket) alive for ever. Released below, outside mu_.
  std::deque<FramePtr> unserved;
  {
    std::lock_guard lk(mu_);
    if (dead_) {
      return;
    }
    dead_ = true;
    dead_flag_.store(true, std::memory_order_release);
    order_cv_.notify_all();
    pool_cv_.notify_all();
    if (watching_) {
      watch_.kick();
    }
    notifiers.swap(notifiers_);
    unserved.swap(pending_);
  }
  unserved.clear();
  if (why != nullptr) {
    std::string line = std::string("captee channel: closing connection: ") + why;
    if (opts_.log) {
      opts_.log(line);
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  }
  ::shutdown(fd_, SHUT_RDWR);  // wakes every thread inside recvmsg
  release_all_exports();
  for (auto &fn : notifiers) {
    fn();
  }
  // Pending invokes complete only now, so a caller that sees UNAVAIL also
  // sees the exports released and the notifiers run.
  std::lock_guard lk(mu_);
  shutdown_done_ = true;
  for (const WaiterSlot &s : waiters_) {
    s.w->cv.notify_all();
  }
}

bool ChannelImpl::handshake(Ref primordial, std::string *why) {
  auto fail = [&](const char *w) {
    if (why != nullptr) {
      *why = w;
    }
    return false;
  };
  socklen_t len = sizeof cred_;
  if (::getsockopt(fd_, SOL_SOCKET, SO_PEERCRED, &cred_, &len) != 0) {
    cred_ = ucred{0, uint32_t(-1), uint32_t(-1)};
  }
  if (opts_.record_senders) {
    // A Listener has done this already, before it took the peer's identity.
    int on = 1;
    if (::setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0) {
      return fail("cannot record senders (SO_PASSCRED)");
    }
  }
  wire::Hello mine;
  mine.limits = opts_.limits;
  mine.limits.max_args = std::min<uint32_t>(mine.limits.max_args, 15);
  mine.limits.max_exports = std::clamp<uint32_t>(mine.limits.max_exports, 1, 0xFFFF);
  mine.limits.max_fds = std::min<uint32_t>(mine.limits.max_fds, 15);
  mine.limits.max_data = std::min<uint32_t>(mine.limits.max_data, 64u << 20);
  mine.has_primordial = !primordial.is_null();
  mine.max_version =
      opts_.accept_channel_refs ? wire::kVersionChannelRefs : wire::kVersionFdNotices;
  while (mine.nonce == 0) {
    if (::getrandom(&mine.nonce, sizeof mine.nonce, 0) != sizeof mine.nonce) {
      return fail("getrandom failed");
    }
  }
  wire::Encoded e;
  wire::encode_hello(mine, e);
  if (detail::send_frame(fd_, e, {}, false) != 0) {
    return fail("peer closed before the handshake");
  }
  pollfd p{fd_, POLLIN, 0};
  int r;
  do {
    r = ::poll(&p, 1, opts_.handshake_timeout_ms);
  } while (r < 0 && errno == EINTR);
  if (r <= 0) {
    return fail("handshake timed out");
  }
  detail::RecvBuffer bytes;
  detail::FdList fds;
  const char *w = nullptr;
  if (recv_one(wire::kHeaderSize + wire::kHelloBodySize, bytes, fds, false, &w, nullptr) !=
      detail::RecvStatus::kOk) {
    return fail(w != nullptr ? w : "peer closed during the handshake");
  }
  wire::Message m;
  if (auto err = wire::decode(bytes.bytes(), fds.fds.size(), mine.limits, m)) {
    return fail(err.why);
  }
  if (m.header.kind != Kind::kHello) {
    return fail("first frame is not a hello");
  }
  const wire::Hello &peer = m.hello;
  if (std::max(peer.min_version, mine.min_version) > std::min(peer.max_version, mine.max_version)) {
    return fail("no common wire version");
  }
  peer_accepts_channels_ = peer.max_version >= wire::kVersionChannelRefs;
  fd_notices_ = peer.max_version >= wire::kVersionFdNotices;
  if (peer.nonce == mine.nonce) {
    return fail("peer echoed our nonce");
  }
  limits_.max_args = std::min(mine.limits.max_args, peer.limits.max_args);
  limits_.max_data = std::min(mine.limits.max_data, peer.limits.max_data);
  limits_.max_exports =
      std::max<uint32_t>(1, std::min(mine.limits.max_exports, peer.limits.max_exports));
  limits_.max_fds = std::min(mine.limits.max_fds, peer.limits.max_fds);
  my_tag_ = mine.nonce > peer.nonce ? 0x80000000u : 0;
  peer_has_primordial_ = peer.has_primordial;
  if (!primordial.is_null()) {
    uint32_t h = 0;
    // Slot 0, generation 1: kPrimordialHandle. Its one remote reference
    // stands for the peer's peer_primordial().
    if (export_object(primordial.get(), h) != Object_OK || h != wire::kPrimordialHandle) {
      return fail("cannot export the primordial object");
    }
  }
  return true;
}

}  // namespace

CallOrigin current_call_origin() {
  return tl_origin;
}

std::shared_ptr<Channel> start_channel(int fd, Ref primordial, const ChannelOptions &opts,
                                       std::string *why) {
  if (fd < 0) {
    if (why != nullptr) {
      *why = "invalid socket";
    }
    return nullptr;
  }
  auto ch = std::make_shared<ChannelImpl>(fd, opts);
  if (!ch->handshake(std::move(primordial), why)) {
    ch->close();
    return nullptr;
  }
  return ch;
}

}  // namespace captee
