// The bodies of captee-rprocd and of the `captee rproc` commands, so their
// main()s stay thin and their behaviour is testable in-process.
#pragma once

#include <memory>

#include "captee/program_support/cli_extension.hpp"

namespace captee::rproc {

// captee-rprocd --tee-socket PATH --socket PATH [--firmware-dir DIR]
//   [--recovery enabled|disabled] [--coredump disabled|enabled]
//   [--coredump-dir DIR] [--log-level error|warn|info|debug]
// Runs in the foreground until SIGTERM or SIGINT, then stops and releases
// every processor and returns 0. Starts even if capteed is not up yet (the
// processors are then unavailable until it is). Returns non-zero after one
// sentence on stderr for bad options or an unusable socket.
int rprocd_main(int argc, char **argv);

// `captee rproc [--rproc N] [--rproc-socket PATH] <command>` for captee's CLI
// (docs/REMOTEPROC.md lists the commands). The default socket is
// $CAPTEE_RPROC_SOCKET, else /run/captee/rproc.sock.
std::unique_ptr<CliExtension> make_rproc_cli();

}  // namespace captee::rproc
