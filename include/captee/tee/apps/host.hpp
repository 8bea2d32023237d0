// The runtime of captee-tahost: one process running one TA.
//
// The app loader spawns captee-tahost with inherited descriptors: the
// channel socket (the loader calls the TA), a sealed memfd holding the TA
// image and, when the loader has a host environment, a second channel socket
// on which the TA calls it (kept apart so that the first channel's replies are
// read by the waiting thread itself, with no pool hand-off). The host confines
// itself (confine_process), installs seccomp, maps the image with
// dlopen("/proc/self/fd/N"), starts the channels, calls the TA's captee_ta_init(env)
// with the environment channel's primordial (or Object_NULL) and serves the host
// root object: op kHostGetAppObject returns the TA's app object, op
// kHostAttachClient serves one of the host's objects on a direct channel to
// a client (a socket capteed made; docs/decisions/0002-direct-ta-channel.md),
// under the host's own per-call deadline. It exits when the loader's channel
// closes, whatever direct channels are open.
//
// Order at start (sandbox.hpp says why): drop to `run_as`, die with the
// parent, confine_process, install_seccomp, and only then dlopen the image.
#pragma once

#include <cstdint>
#include <string>

namespace captee::tee::apps {

// The host root's one op: out interface app (counts (0,0,0,1)). Answers the
// TA's error if captee_ta_get_app_object failed.
inline constexpr uint32_t kHostGetAppObject = 0;
// The host root's second op: in interfaces (socket, target), counts
// (0,0,2,0). `socket` is an fd object holding a connected SOCK_SEQPACKET
// socket whose other end a client has; `target` is an object of this host
// (sent home over the loader's channel). Answers at once, before the client's
// handshake: Object_OK, Object_ERROR_NOSLOTS (all direct slots taken, or no
// thread or descriptor left: the loader then forwards as before),
// Object_ERROR_INVALID.
inline constexpr uint32_t kHostAttachClient = 1;

struct HostOptions {
  int channel_fd = 3;
  int image_fd = 4;
  int env_fd = -1;            // second channel, on which the loader exports the host env
  uint64_t memory_limit = 0;  // from the manifest, already resolved by the loader
  uint32_t deadline_ms = 0;   // per-call deadline on direct channels (0: none)
  unsigned max_direct = 0;    // direct channels at once (0: kHostAttachClient refuses)
  bool seccomp = true;
  // When >= 0 (capteed is root): the uid, and only group, the host drops to
  // before anything else; see ta_uid_pool.hpp.
  int64_t run_as = -1;
  // capteed's pid: a host whose parent is already gone exits at once.
  int64_t parent_pid = -1;
  // Whether a GP TA here may open sessions with an identity the caller
  // states (CAPTEE_GP_OP_OPEN_SESSION_AS, gp_ta_protocol.h). Only capteed's
  // GP service, which computes identities from kernel credentials, reaches
  // the TAs it starts; a TA started through the app loader is reached by
  // its loaders' clients, whose claims nobody checked, so there it is off.
  bool claimed_identities = false;
};

// Runs the host until the channel closes. Returns the process exit status
// (0 after a normal close, 2 when start-up fails, with one line on stderr).
int run_host(const HostOptions &opts);

}  // namespace captee::tee::apps

// Asked by the GP TA runtime inside the host (found with dlsym, so that a
// TA links nothing of the host): 1 if this host lets a GP TA open sessions
// with a stated identity, else 0. A runtime that cannot find it refuses.
extern "C" int captee_tahost_claimed_identities_allowed(void);
