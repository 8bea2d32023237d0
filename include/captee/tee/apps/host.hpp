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
// root object, an ITaHost (idl/ITaHost.idl): getAppObject returns the TA's
// app object, attachClient serves one of the host's objects on a direct
// channel to a client (a socket capteed made;
// docs/decisions/0002-direct-ta-channel.md), under the host's own per-call
// deadline. It exits when the loader's channel closes, whatever direct
// channels are open.
//
// Order at start (sandbox.hpp says why): drop to `run_as`, die with the
// parent, confine_process, install_seccomp, and only then dlopen the image.
#pragma once

#include <cstdint>
#include <string>

namespace captee::tee::apps {

struct HostOptions {
  int channel_fd = 3;
  int image_fd = 4;
  int env_fd = -1;            // second channel, on which the loader exports the host env
  uint64_t memory_limit = 0;  // from the manifest, already resolved by the loader
  uint32_t deadline_ms = 0;   // per-call deadline on direct channels (0: none)
  unsigned max_direct = 0;    // direct channels at once (0: attachClient refuses)
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
  // The registry's id of this TA instance (apps::TaCaller::app_id, the node
  // of capteed's wait-for graph), 0 when unknown. Only capteed sets it, when
  // it forks the host: the GP runtime names itself by it in the call chains
  // of direct TA-to-TA calls (decision 0028), and nothing a caller sends
  // changes it.
  uint64_t instance_id = 0;
};

// Runs the host until the channel closes. Returns the process exit status
// (0 after a normal close, 2 when start-up fails, with one line on stderr).
int run_host(const HostOptions &opts);

}  // namespace captee::tee::apps

// Asked by the GP TA runtime inside the host (found with dlsym, so that a
// TA links nothing of the host): 1 if this host lets a GP TA open sessions
// with a stated identity, else 0. A runtime that cannot find it refuses.
extern "C" int captee_tahost_claimed_identities_allowed(void);

// Asked by the GP TA runtime the same way: HostOptions::instance_id, 0 if
// capteed gave none (the runtime then takes no direct TA-to-TA call).
extern "C" uint64_t captee_tahost_instance_id(void);
