// Pseudo-terminals for a processor's "rpmsg-tty" channels, as Linux's
// rpmsg_tty driver gives /dev/ttyRPMSGn: what a program writes to the pty
// goes to the firmware (in messages of at most 496 bytes), what the firmware
// sends comes out of it. Raw mode (no echo, no line editing): bytes pass
// unchanged.
//
// Channel `index` of the name "rpmsg-tty" gets the stable path
// `<dir>/rproc<id>-ttyRPMSG<index>`, a symlink to the pty (/dev/pts/N). When
// the channel goes down (a crash, a stop) the pty hangs up (its master is
// closed, so readers see end of file) and the link goes; when the channel
// comes back, a new pty is linked at the same path.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "captee/rproc/rpmsg_host.hpp"

namespace captee::rproc {

inline constexpr const char *kRpmsgTtyName = "rpmsg-tty";

class RpmsgTtys {
 public:
  // `dir` empty: no ptys. `host` must outlive this object.
  RpmsgTtys(RpmsgHost &host, std::string dir, uint32_t rproc_id, RpmsgHost::Log log);
  ~RpmsgTtys();
  RpmsgTtys(const RpmsgTtys &) = delete;
  RpmsgTtys &operator=(const RpmsgTtys &) = delete;

  // Called for each channel that comes up: makes its pty when it is an
  // "rpmsg-tty" one without a pty yet.
  void channel_up(const RpmsgChannelInfo &c);
  // The stable path of channel `index`'s pty, "" when it has none.
  std::string path(uint32_t index) const;

 private:
  class Tty;
  RpmsgHost &host_;
  const std::string dir_;
  const uint32_t id_;
  RpmsgHost::Log log_;
  mutable std::mutex mu_;
  std::map<uint32_t, std::shared_ptr<Tty>> ttys_;
};

}  // namespace captee::rproc
