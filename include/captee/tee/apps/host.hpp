// The runtime of captee-tahost: one process running one TA.
//
// The app loader spawns captee-tahost with inherited descriptors: the
// channel socket (the loader calls the TA), a sealed memfd holding the TA
// image and, when the loader has a host environment, a second channel socket
// on which the TA calls it (kept apart so that the first channel's replies are
// read by the waiting thread itself, with no pool hand-off). The host confines
// itself (confine_process), maps the image with dlopen("/proc/self/fd/N"),
// starts the channels, installs seccomp, calls the TA's captee_ta_init(env)
// with the environment channel's primordial (or Object_NULL) and serves the host
// root object: op kHostGetAppObject returns the TA's app object. It exits
// when the channel closes.
#pragma once

#include <cstdint>
#include <string>

namespace captee::tee::apps {

// The host root's one op: out interface app (counts (0,0,0,1)). Answers the
// TA's error if captee_ta_get_app_object failed.
inline constexpr uint32_t kHostGetAppObject = 0;

struct HostOptions {
  int channel_fd = 3;
  int image_fd = 4;
  int env_fd = -1;            // second channel, on which the loader exports the host env
  uint64_t memory_limit = 0;  // from the manifest, already resolved by the loader
  bool seccomp = true;
};

// Runs the host until the channel closes. Returns the process exit status
// (0 after a normal close, 2 when start-up fails, with one line on stderr).
int run_host(const HostOptions &opts);

}  // namespace captee::tee::apps
