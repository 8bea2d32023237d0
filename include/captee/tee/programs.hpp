// The bodies of capteed and the captee CLI, so their main()s stay one line
// and their behaviour is testable in-process.
#pragma once

#include <iosfwd>
#include <span>

#include "captee/program_support/cli_extension.hpp"
#include "captee/tee/daemon_extension.hpp"

namespace captee::tee {

// capteed [--socket PATH] [--policy FILE] [--ta-dir DIR] [--state-dir DIR]
//         [--log-level error|warn|info|debug] [extension options]
// Runs in the foreground until SIGTERM or SIGINT, then releases everything
// and returns 0. Returns non-zero (after one sentence on stderr) if the policy
// is bad, an extension refuses its options, or the socket cannot be bound.
// `extensions` are borrowed for the call (daemon_extension.hpp).
int capteed_main(int argc, char **argv, std::span<DaemonExtension *const> extensions = {});

// captee [--socket PATH] status [--json] | services [--json] | stats [--json]
//        | ta load FILE | ta list | <extension commands>
// Writes results to `out`, one-sentence errors to `err`; returns the exit code.
// `extensions` are borrowed for the call (captee/program_support/cli_extension.hpp).
int captee_cli_main(int argc, char **argv, std::ostream &out, std::ostream &err,
                    std::span<CliExtension *const> extensions = {});

}  // namespace captee::tee
