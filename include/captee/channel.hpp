// Channels: object invocation across processes.
//
// A Channel joins two domains (processes) over one connected AF_UNIX
// SOCK_SEQPACKET socket. Each side keeps
//  - an export table: the objects it hosts that the peer may name. A handle is
//    an index plus a generation, and the table holds one reference per entry,
//    so the peer can only reach objects it was given; a stale or guessed handle
//    is answered with Object_ERROR_BADOBJ and the connection stays up;
//  - an import table: proxies for the peer's objects. A proxy is a plain
//    `Object` whose retain/release are local; the last local release sends a
//    release to the peer (batched when several are pending).
// Objects passed as arguments are exported on the fly. Passing the peer's own
// proxy back to it names the original (no proxy of a proxy). A proxy from one
// channel passed into another is exported there like any local object, so
// calls forward through the middle domain. FdObjects travel as descriptors.
//
// Threads. The invoking thread sends its request itself and, unless another
// thread is already reading the socket, reads the reply itself. If the peer
// calls back into this domain while handling the request (same invoke id),
// the callback runs on the invoking thread, nested up to 64 levels (past
// that a request is answered Object_ERROR_BUSY: a hostile peer cannot grow
// the stack without bound). Requests that start in the peer are served by
// a small pool (4 threads by default, started when the first object is
// exported): one pool thread reads the socket and serves what it reads
// itself, so the uncontended path has no thread hand-off on either side. If
// a handler runs for more than about a millisecond, a process-wide watcher
// puts another pool thread on the socket, so a handler may wait for another
// request without deadlocking.
//
// Failure. If the peer dies or hangs up, every pending invoke completes with
// Object_ERROR_UNAVAIL (ChannelOptions::closed_error), every export is
// released, proxies answer the same from then on and close notifiers run.
// The releases come first, on the thread that noticed the close, so a
// caller that sees UNAVAIL also sees them done. One exception: an object's
// last release may wait for a peer that waits for us, when the closing
// thread is itself serving a request, or another thread awaits an answer
// here that it asked for while serving one (a callback made on a peer's
// behalf). Releasing inline could then deadlock, so the releases run on a
// thread of their own and the pending invokes do not wait for them. A
// malformed frame, a wrong size, an unknown kind or a bad descriptor count
// closes that one connection with one log line naming the reason.
//
// Direct connections (three-party handoff). A domain that forwards calls to
// an object living in a third domain can, instead of forwarding, hand its
// peer a socket to that third domain: a DirectObject sent to a peer that
// accepts channel references travels as a CHANNEL reference (a connected
// SOCK_SEQPACKET socket, wire version 2), and the receiver starts a channel
// of its own on it, whose primordial is the object. Calls then take one hop
// instead of two. Such a channel accepts no channel references itself, and
// once it closes its objects answer Object_ERROR_DEFUNCT: the reference named
// the object's own domain, so losing it means that domain is gone. Its
// peer_credentials() are those of whoever created the socket pair (the
// domain that did the handoff), not of the domain at the other end.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "captee/object.hpp"
#include "captee/wire.hpp"

namespace captee {

struct ChannelOptions {
  // Proposed limits; the handshake settles on the smaller of the two sides'.
  // Invokes beyond them fail locally with Object_ERROR_MAXARGS (more args of one
  // kind, or more descriptors), Object_ERROR_MAXDATA (BI bytes + BO capacities)
  // or Object_ERROR_NOSLOTS (export table full).
  wire::Limits limits;
  // Threads serving requests that start in the peer.
  unsigned pool_threads = 4;
  // Handshake deadline.
  int handshake_timeout_ms = 5000;
  // Receives the one line logged when a connection is closed for a protocol
  // violation. Default: stderr.
  std::function<void(const std::string &)> log;
  // Whether the peer may send channel references (offered in the handshake
  // as wire version 2). A server that never needs one (capteed, a TA host)
  // turns it off, and a CHANNEL reference it receives closes the connection.
  bool accept_channel_refs = true;
  // What invokes answer once the channel is closed: pending ones and every
  // later one. Channels started from channel references use
  // Object_ERROR_DEFUNCT.
  int32_t closed_error = Object_ERROR_UNAVAIL;
  // Record who sent each request: the channel turns SO_PASSCRED on and notes
  // the pid the kernel attaches to each record, so that the object serving a
  // request can ask current_call_origin(). A Listener with this set also
  // takes the connecting process's pidfd and executable at accept (see
  // AcceptedPeer). Costs a control buffer on every receive.
  bool record_senders = false;
  // With record_senders: requests in the first `early_bytes` bytes the peer
  // sent are marked early (CallOrigin::early). The Listener sets it per
  // connection to AcceptedPeer::early_bytes.
  uint64_t early_bytes = 0;
};

// Where the request a thread is serving came from, as the kernel reported
// it, for objects that decide by which process calls.
struct CallOrigin {
  // The request arrived over a channel that records senders
  // (ChannelOptions::record_senders). False for local calls.
  bool recorded = false;
  // The pid (in this process's pid namespace) the kernel attached to the
  // request's record with SCM_CREDENTIALS: the process that sent it (an
  // unprivileged sender cannot name another). 0 if none was attached or a
  // request's records disagree.
  pid_t pid = 0;
  // The request was already queued when its Listener took the peer's
  // identity (ChannelOptions::early_bytes): code that ran before then may
  // have sent it.
  bool early = false;
};

// The origin of the innermost request this thread is serving for a peer;
// `recorded` false outside one, or if its channel does not record senders.
CallOrigin current_call_origin();

class Channel;

// An object that can give a peer a direct connection to the domain that
// really hosts it, instead of being exported and forwarded by this one.
// When a channel whose peer accepts channel references is about to send a
// DirectObject, it calls open_direct(); a socket it returns goes to the peer
// as a CHANNEL reference and the object itself is not exported. Objects sent
// to other peers, or for which open_direct() returns -1, are exported as
// usual, so a DirectObject must also work as a plain (forwarding) object.
class DirectObject : public LocalObject {
 public:
  // Returns a connected AF_UNIX SOCK_SEQPACKET socket (ownership moves to the
  // caller; the channel closes it once sent) whose far end is served by a
  // channel exporting what this object stands for as its primordial, or -1.
  // May set `key` (initially 0) to a value that is the same for every socket
  // leading to the same domain and object, and different for any other, for
  // as long as that domain lives: a receiver that still has a channel for the
  // key reuses it (so objects keep their identity) and closes the new socket.
  // Called on the sending thread, outside the channel's locks; may block
  // (e.g. to ask the hosting domain to serve the socket).
  virtual int open_direct(uint32_t &key) = 0;

 protected:
  DirectObject() = default;
};

// True if `o` is a proxy of some channel (an object of another domain).
// Borrowed; no reference is taken.
bool is_remote(Object o);

// True if `o` is a proxy of the channel whose request this thread is serving
// (the innermost one): an object the calling peer hosts itself. False for
// this domain's own objects and for proxies of any other channel, which a
// peer can also pass back here once it was given them, and outside a
// request. Borrowed.
bool is_callers_object(Object o);

// Closes the channel `o` is a proxy of, as Channel::close (its pending
// invokes fail at once; the peer's connection is gone). For giving up on a
// peer that stopped answering; only meant for objects whose peer the caller
// may cut off (see is_callers_object). False, doing nothing, if `o` is no
// proxy. Borrowed.
bool close_channel_of(Object o);

// Starts a channel on a connected SOCK_SEQPACKET socket. Takes ownership of
// `fd` (closed on failure too). `primordial` (may be null) becomes the first
// export, which the peer obtains with peer_primordial(). Performs the
// handshake; returns nullptr on failure (peer gone, bad hello, version
// mismatch, timeout) with the reason in *why if given.
// Thread-safety: everything on a Channel may be called from any thread.
std::shared_ptr<Channel> start_channel(int fd, Ref primordial, const ChannelOptions &opts = {},
                                       std::string *why = nullptr);

class Channel {
 public:
  virtual ~Channel() = default;

  // A new reference to the peer's primordial object (a proxy), or a null Ref if
  // the peer exported none or the channel is closed.
  virtual Ref peer_primordial() = 0;

  // Closes the connection now: pending invokes fail with UNAVAIL, exports are
  // released, notifiers run. Idempotent.
  virtual void close() = 0;
  virtual bool closed() const = 0;

  // Runs `fn` once when the channel closes (at once if it already has). `fn`
  // runs on whichever thread notices the close; it must not block for long.
  virtual void on_close(std::function<void()> fn) = 0;

  // The peer's credentials (SO_PEERCRED at start; authoritative).
  virtual ucred peer_credentials() const = 0;
  // The limits both sides agreed on.
  virtual wire::Limits limits() const = 0;

  // Diagnostics for tests: live export and import table entries.
  virtual size_t export_count() const = 0;
  virtual size_t import_count() const = 0;
};

// What Listener::serve_in_background admits besides its handshake caps.
// `max_open_per_uid` (0: none) caps the connections of one peer uid open at
// once, handshaking or established: one more is closed at accept, and the
// sink gets nullptr and "too many connections open from uid N". Its place
// comes back when one of that uid's channels closes.
struct ListenerLimits {
  unsigned max_open_per_uid = 0;
  bool root_unlimited = false;  // uid 0 is never capped
};

// The connecting process as a Listener found it on accepting a connection,
// before the handshake. With ChannelOptions::record_senders the Listener
// fills in everything; otherwise only `cred`. Owns its descriptors (a
// factory may take them, leaving -1); move-only.
struct AcceptedPeer {
  ucred cred{};  // SO_PEERCRED: the peer's pid, uid and gid at connect()
  // A pidfd of the connecting process, from SO_PEERPIDFD (Linux 6.5 and
  // later: it names that very process, `pidfd_exact`). Where the kernel
  // lacks it, pidfd_open(cred.pid), which names whoever had that pid at
  // accept, almost always the same process. -1 if neither worked.
  int pidfd = -1;
  bool pidfd_exact = false;
  // /proc/<pid>/exe opened O_RDONLY before the handshake (on the
  // connection's own thread: the open may wait on a filesystem the peer
  // controls), checked afterwards to belong to the pidfd's process (still
  // alive): the executable it ran then. -1 if it could not be opened (no
  // permission, process gone).
  int exe = -1;
  // Bytes the peer had already sent when `exe` was taken: what they carry
  // may come from code the process ran before it exec'd (see CallOrigin).
  uint64_t early_bytes = 0;

  AcceptedPeer() = default;
  AcceptedPeer(AcceptedPeer &&o) noexcept;
  AcceptedPeer &operator=(AcceptedPeer &&o) noexcept;
  AcceptedPeer(const AcceptedPeer &) = delete;
  AcceptedPeer &operator=(const AcceptedPeer &) = delete;
  ~AcceptedPeer();
};

// Listens on a filesystem AF_UNIX SOCK_SEQPACKET socket. Each accepted
// connection becomes a Channel that exports the object `primordial(creds)`
// returns (given the connecting peer's SO_PEERCRED), or `primordial(peer)`
// for a PeerFactory (given all the Listener took at accept).
class Listener {
 public:
  using PrimordialFactory = std::function<Ref(const ucred &)>;
  using PeerFactory = std::function<Ref(AcceptedPeer &)>;

  // Binds `path` (an existing socket file there is replaced) with permissions
  // `mode` (0600 by default: only the owner may connect). Returns nullptr on
  // failure with the reason in *why.
  static std::unique_ptr<Listener> bind(const std::string &path, PrimordialFactory primordial,
                                        const ChannelOptions &opts = {}, unsigned mode = 0600,
                                        std::string *why = nullptr);
  static std::unique_ptr<Listener> bind(const std::string &path, PeerFactory primordial,
                                        const ChannelOptions &opts = {}, unsigned mode = 0600,
                                        std::string *why = nullptr);
  // Shuts down, then waits until every handshake thread has finished, the
  // factory and `on_channel` calls included: none outlives the Listener.
  ~Listener();
  Listener(const Listener &) = delete;
  Listener &operator=(const Listener &) = delete;

  // Waits for one connection and starts its channel. Returns nullptr if the
  // handshake failed (the connection is dropped; call again) or the listener
  // was shut down (then `shut_down()` is true).
  std::shared_ptr<Channel> accept(std::string *why = nullptr);
  // Receives each connection serve_in_background() started: the channel, or
  // nullptr with the reason when its handshake failed or it was turned away.
  using ChannelSink = std::function<void(std::shared_ptr<Channel>, const std::string &why)>;
  // Accepts connections on a background thread until shut_down() or
  // destruction; each handshake runs on a thread of its own, so a silent peer
  // holds up nobody. The factory and `on_channel` are called on that thread
  // (without a sink, failures are logged and a channel keeps itself alive
  // while in use). At most kMaxPendingPerUid handshakes per peer uid, and
  // kMaxPending in all, wait at once: a connection beyond that is closed at
  // once, without calling the factory, and `on_channel` (on the accepting
  // thread) gets nullptr.
  // `limits` (ListenerLimits) may also cap the connections one uid has open.
  void serve_in_background(ChannelSink on_channel = {}, ListenerLimits limits = {});
  static constexpr unsigned kMaxPendingPerUid = 16;
  static constexpr unsigned kMaxPending = 256;
  // Stops accepting; unblocks accept(). Handshakes still waiting for their
  // peer's hello fail at once (their sockets are shut down); channels already
  // established live on.
  void shut_down();
  bool is_shut_down() const;

  const std::string &path() const { return path_; }
  int fd() const { return fd_; }

 private:
  struct Impl;
  Listener(int fd, std::string path, PeerFactory f, ChannelOptions opts);
  int accept_socket(AcceptedPeer &peer, std::string *why);
  int fd_;
  std::string path_;
  PeerFactory factory_;
  ChannelOptions opts_;
  std::unique_ptr<Impl> impl_;
};

// Connects to a Listener at `path` and returns the peer's primordial object.
// Null Ref on failure, with the reason in *why. The connection lives as long
// as references to the peer's objects (or exports of ours) do.
Ref connect(const std::string &path, const ChannelOptions &opts = {}, std::string *why = nullptr);

}  // namespace captee
