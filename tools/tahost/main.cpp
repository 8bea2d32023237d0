// captee-tahost: runs one trusted app in its own confined process. Spawned by
// the app loader, never by hand (see docs/TA.md).
#include <CLI/CLI.hpp>

#include "captee/tee/apps/host.hpp"

int main(int argc, char **argv) {
  captee::tee::apps::HostOptions opts;
  bool no_seccomp = false;
  CLI::App app{"captee-tahost: runs one trusted app (spawned by the app loader)"};
  app.add_option("--channel-fd", opts.channel_fd, "inherited channel socket")->required();
  app.add_option("--image-fd", opts.image_fd, "inherited memfd holding the TA image")->required();
  app.add_option("--env-fd", opts.env_fd, "inherited host environment channel socket");
  app.add_option("--memory-limit", opts.memory_limit, "bytes of heap for the TA");
  app.add_option("--deadline-ms", opts.deadline_ms, "per-call deadline on direct channels");
  app.add_option("--max-direct", opts.max_direct, "direct client channels at once");
  app.add_option("--run-as", opts.run_as, "uid (and gid) to drop to first (capteed as root)");
  app.add_option("--parent-pid", opts.parent_pid, "capteed's pid: exit if it is gone");
  app.add_flag("--claimed-identities", opts.claimed_identities,
               "GP TAs may open sessions with a stated identity (capteed's GP service only)");
  app.add_option("--instance-id", opts.instance_id,
                 "the TA instance's id in capteed's registry (capteed only)");
  app.add_flag("--no-seccomp", no_seccomp, "skip the seccomp filter (debugging only)");
  CLI11_PARSE(app, argc, argv);
  opts.seccomp = !no_seccomp;
  return captee::tee::apps::run_host(opts);
}
