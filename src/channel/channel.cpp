// The channel engine's call path: invoke and serve, the outstanding
// questions, reading and routing frames in sequence order, the serving pool,
// and close. See include/captee/channel.hpp for the contract and
// channel_impl.hpp for where the rest of the engine lives.
#include <pthread.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <utility>

#include "channel_impl.hpp"
#include "stall_watch.hpp"

namespace captee {
namespace detail {
namespace {

using wire::Kind;
using wire::ObjRef;
using wire::RefType;

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

// The channel of the request this thread serves (is_callers_object()),
// nested like tl_origin.
thread_local const ChannelImpl *tl_serving_channel = nullptr;

struct ServingScope {
  explicit ServingScope(const ChannelImpl *ch) : saved(tl_serving_channel) {
    tl_serving_channel = ch;
  }
  ~ServingScope() { tl_serving_channel = saved; }
  ServingScope(const ServingScope &) = delete;
  ServingScope &operator=(const ServingScope &) = delete;
  const ChannelImpl *saved;
};

}  // namespace

// --------------------------------------------------------------- I/O paths

bool ChannelImpl::send(wire::Encoded &e, std::span<const int> fds) {
  int rc;
  {
    std::lock_guard lk(send_mu_);
    wire::set_seq(e, send_seq_++);
    rc = io_.send(e, fds);
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

RecvStatus ChannelImpl::read_frame(FramePtr &f, const char **why) {
  // The transport reads the frame and its descriptors; the codec decodes it.
  f = new_frame();
  auto st = io_.receive(max_frame(), f->buf, f->fds, f->origin, why);
  if (st != RecvStatus::kOk) {
    return st;
  }
  wire::DecodeError err = wire::decode(f->buf.bytes(), f->fds.fds.size(), limits_, f->msg);
  if (err) {
    *why = err.why;
    return RecvStatus::kViolation;
  }
  if (f->msg.header.kind == Kind::kHello) {
    *why = "unexpected hello after the handshake";
    return RecvStatus::kViolation;
  }
  return st;
}

void ChannelImpl::wake_reader_locked(Question *except) {
  if (readers_ != 0) {
    return;
  }
  for (const OutstandingQuestions::Slot &s : questions_) {
    if (s.q != except && s.q->empty()) {
      s.q->cv.notify_one();
      return;
    }
  }
}

FramePtr ChannelImpl::dispatch_locked(FramePtr f, Question *mine,
                                      std::unique_lock<std::mutex> &lk) {
  const wire::Message &m = f->msg;
  switch (m.header.kind) {
    case Kind::kSuccess:
    case Kind::kError:
    case Kind::kRequest: {
      if (auto *slot = questions_.find(m.header.invoke_id); slot != nullptr) {
        Question *q = slot->q;
        q->push(std::move(f));
        if (q != mine) {
          q->cv.notify_one();
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
      if (mine == nullptr) {
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
    case Kind::kFdNotice:  // consumed by the transport (FrameSocket::receive)
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
        if (!exports_.release(r.handle, r.count, drop)) {
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

FramePtr ChannelImpl::wait_for(Question &q, uint32_t id, Question *outer) {
  std::unique_lock lk(mu_);
  for (;;) {
    if (!q.empty()) {
      FramePtr f = q.pop();
      wake_reader_locked(&q);
      if (f->msg.header.kind != Kind::kRequest) {
        questions_.give_back(id, outer);
        return f;
      }
      lk.unlock();
      serve(std::move(f));  // a callback: runs here, on the waiting thread
      lk.lock();
      continue;
    }
    if (dead_ && shutdown_done_) {
      questions_.give_back(id, outer);
      return nullptr;
    }
    if (readers_ == 0 && !dead_) {
      ++readers_;
      invoker_reading_ = true;
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
      bool ok = st == RecvStatus::kOk && intake_locked(*f, lk, &why);
      if (ok) {
        dispatch_locked(std::move(f), &q, lk);
      }
      --readers_;
      invoker_reading_ = false;
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
        shut_down(st == RecvStatus::kClosed ? nullptr : why);
        f.reset();  // may release objects: never under mu_
        lk.lock();
      }
      continue;
    }
    q.cv.wait(lk);
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
    if (invoker_reading_ || pool_readers_ >= kMaxPoolReaders || watching_) {
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
      watch_failed_ = wake == ReadWatch::Wake::kFailed;
      readable = wake != ReadWatch::Wake::kKicked;
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
    bool ok = st == RecvStatus::kOk && intake_locked(*f, lk, &why);
    FramePtr mine = ok ? dispatch_locked(std::move(f), nullptr, lk) : nullptr;
    --readers_;  // only now: see wait_for
    --pool_readers_;
    if (!ok) {
      lk.unlock();
      shut_down(st == RecvStatus::kClosed ? nullptr : why);
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
  Question q;
  q.asked_while_serving = tl_serving > 0;
  Question *outer = nullptr;
  bool concurrent = false;
  {
    std::lock_guard lk(mu_);
    concurrent = !questions_.empty();  // other threads are waiting on this channel
    if (auto *slot = questions_.find(id); slot != nullptr) {
      if (slot->q->owner != q.owner) {
        undo_exports(refs, noi);
        return Object_ERROR_BUSY;  // a hostile peer reused an id on two threads
      }
      outer = slot->q;
      slot->q = &q;
    } else {
      questions_.add(id, &q);
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
      reply = wait_for(q, id, outer);  // gives the id back itself
    } else {
      std::lock_guard lk(mu_);
      questions_.give_back(id, outer);
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
    target = exports_.lookup(m.handle);
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
    OriginScope origin(opts_.record_senders ? CallOrigin{true, f->origin.pid, f->origin.early}
                                            : CallOrigin{});
    ServingScope serving(this);
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

bool ChannelImpl::release_may_deadlock_locked() const {
  if (tl_serving > 0) {
    return true;  // this thread owes a peer the reply to what it serves
  }
  // Another thread waiting here for an answer it needs to reply to a
  // request it serves: its peer waits for it, so a release that waits for
  // that peer must not make it wait. A plain caller (serving nothing) waits
  // for nobody's sake: it gets UNAVAIL after the releases, as promised.
  const std::thread::id me = std::this_thread::get_id();
  for (const OutstandingQuestions::Slot &s : questions_) {
    if (s.q->owner != me && s.q->asked_while_serving) {
      return true;
    }
  }
  return false;
}

void ChannelImpl::shut_down(const char *why) {
  std::vector<std::function<void()>> notifiers;
  // Requests queued for the pool will never be served. Their objects
  // include proxies, which hold this channel: left in the queue they would
  // keep it (and its socket) alive for ever. Released below, outside mu_.
  std::deque<FramePtr> unserved;
  bool release_aside = false;
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
    release_aside = release_may_deadlock_locked();
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
  ::shutdown(io_.fd(), SHUT_RDWR);  // wakes every thread inside recvmsg
  std::vector<Object> exports = exports_.take_all();
  // An export's last release runs the object's own code, which may call
  // out and wait: capteed's GP session closes the TA's session, and the TA
  // may first need the answer to a call it made back through this channel
  // (its client's IWait), which this very thread is forwarding, or another
  // thread that asked here while serving. Only then can an inline release
  // deadlock, so only then do the releases run on a thread of their own and
  // the pending invokes not wait for them; otherwise here, first, as the
  // contract promises.
  if (!release_aside || !release_on_own_thread(exports)) {
    release_all(exports);
  }
  for (auto &fn : notifiers) {
    fn();
  }
  // Pending invokes complete only now, so a caller that sees UNAVAIL also
  // sees the notifiers run and, unless they were set aside above, the
  // exports released.
  std::lock_guard lk(mu_);
  shutdown_done_ = true;
  for (const OutstandingQuestions::Slot &s : questions_) {
    s.q->cv.notify_all();
  }
}

void ChannelImpl::release_all(std::vector<Object> &objects) {
  for (Object o : objects) {
    (void)Object_release(o);
  }
  objects.clear();
}

bool ChannelImpl::release_on_own_thread(std::vector<Object> &objects) {
  if (objects.empty()) {
    return true;
  }
  try {
    // A copy of the handles (no references taken): if no thread starts, the
    // caller still has them to release.
    std::thread([objs = objects]() mutable { release_all(objs); }).detach();
  } catch (const std::exception &) {  // no thread or no memory for the copy
    return false;                     // release on the closing thread, as before
  }
  objects.clear();  // the thread owns those references now
  return true;
}

void ChannelImpl::maybe_auto_close() {
  if (!tables_empty(exports_, imports_)) {
    return;
  }
  // Nobody here can name anything on the other side and the other side can
  // name nothing here: the connection has no more use.
  shut_down(nullptr);
}

}  // namespace detail

CallOrigin current_call_origin() {
  return detail::tl_origin;
}

bool is_callers_object(Object o) {
  const detail::Proxy *p = detail::as_proxy(o);
  return p != nullptr && detail::tl_serving_channel != nullptr &&
         p->ch.get() == detail::tl_serving_channel;
}

}  // namespace captee
