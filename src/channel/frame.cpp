// Frames and their per-thread cache (frame.hpp).
#include "frame.hpp"

namespace captee::detail {

CAPTEE_TLS constinit Frame *tl_frame_cache[kCachedFrames] = {};
CAPTEE_TLS constinit size_t tl_cached = 0;

namespace {

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

}  // namespace

void FrameRecycler::operator()(Frame *f) const noexcept {
  if (tl_cache_closed || tl_cached == kCachedFrames) {
    delete f;
    return;
  }
  f->reset();  // may release objects: callers never hold mu_ here
  frame_cache_in_use();
  tl_frame_cache[tl_cached++] = f;
}

}  // namespace captee::detail
