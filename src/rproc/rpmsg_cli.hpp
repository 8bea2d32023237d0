// `captee rproc rpmsg ...` and `captee rproc tty`: the firmware's rpmsg
// channels from the command line (docs/REMOTEPROC.md, "rpmsg").
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "IRemoteProc.hpp"

namespace captee::rproc {

struct RpmsgCommand {
  enum class Kind { kList, kSend, kListen, kTty } kind = Kind::kList;
  std::string name, data;
  uint32_t index = 0;
  uint32_t count = 0;  // listen: exit after this many messages (0: never)
  bool json = false;
};

// Runs `cmd` on processor `id`; the exit status.
int run_rpmsg_command(const iface::IRemoteProc &proc, uint32_t id, const RpmsgCommand &cmd,
                      std::ostream &out, std::ostream &err);

}  // namespace captee::rproc
