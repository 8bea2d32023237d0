// A received frame, from the read until whoever handles it lets go, and the
// per-thread cache that recycles frames so that the steady state of a call
// allocates none.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <memory>

#include "captee/object.h"
#include "captee/wire.hpp"
#include "socket_io.hpp"

// Per-thread state of the call path uses the initial-exec TLS model: a plain
// %fs-relative access instead of a __tls_get_addr call per use (which cost
// more than a mutex). It is a few hundred bytes of the static TLS block
// glibc reserves, so the library still loads with dlopen(). Variables shared
// between files are also `constinit`, so that reading one from another file
// needs no call to a thread_local wrapper either.
#define CAPTEE_TLS [[gnu::tls_model("initial-exec")]] thread_local

#pragma GCC visibility push(hidden)

namespace captee::detail {

struct Frame {
  RecvBuffer buf;  // the whole frame, as received
  FdList fds;
  wire::Message msg;
  // Object references of a request or reply, resolved in sequence order by the
  // reading thread (new references; taken ones are set to NULL).
  Object objs[15] = {};
  bool objs_ok = true;
  bool channels = false;  // objs holds PendingChannels (see resolve_channels)
  // With ChannelOptions::record_senders: the frame's CallOrigin.
  FrameOrigin origin;
  Frame *next = nullptr;  // link in a question's inbox
  Frame() = default;
  Frame(const Frame &) = delete;
  Frame &operator=(const Frame &) = delete;
  ~Frame() { release_objects(); }
  const uint8_t *data() const { return buf.frame(); }
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
    origin = FrameOrigin{};
    next = nullptr;
  }
};

// Frames are recycled per thread. The thread that reads a frame is usually the
// one that frees it (a pool thread serving a request, an invoker reading its
// reply), so in the steady state a call allocates no frame, no receive buffer
// and no decoded-message storage. The cache is plain thread_local data (no
// destructor of its own) so that frames freed while a thread exits are safe.
inline constexpr size_t kCachedFrames = 1;  // a thread reads, serves and frees one frame at a time
[[gnu::tls_model(
    "initial-exec")]] extern constinit thread_local Frame *tl_frame_cache[kCachedFrames];
[[gnu::tls_model("initial-exec")]] extern constinit thread_local size_t tl_cached;

// Puts a frame this thread no longer needs in its cache (or frees it).
// Releases the frame's objects: callers never hold a channel's mu_ here.
struct FrameRecycler {
  void operator()(Frame *f) const noexcept;
};
using FramePtr = std::unique_ptr<Frame, FrameRecycler>;

// A frame ready to receive into: this thread's cached one if it has one.
inline FramePtr new_frame() {
  if (tl_cached > 0) {
    return FramePtr(tl_frame_cache[--tl_cached]);
  }
  return FramePtr(new Frame);
}

}  // namespace captee::detail

#pragma GCC visibility pop
