#include <signal.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>

#include "captee/detail/printable.hpp"
#include "captee/channel.hpp"
#include "captee/rproc/manager.hpp"
#include "captee/rproc/programs.hpp"
#include "captee/program_support/directories.hpp"

namespace captee::rproc {

namespace {

std::string env_or(const char *name, const char *fallback) {
  const char *v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

}  // namespace

int rprocd_main(int argc, char **argv) {
  CLI::App app{"captee-rprocd: the normal-world remote-processor manager", "captee-rprocd"};
  std::string tee_socket = env_or("CAPTEE_SOCKET", "/run/captee/captee.sock");
  std::string socket = env_or("CAPTEE_RPROC_SOCKET", "/run/captee/rproc.sock");
  std::string firmware_dir, coredump_dir, tty_dir;
  std::string recovery = "enabled", coredump = "disabled", level = "info";
  app.add_option("--tee-socket", tee_socket,
                 "capteed's socket (default $CAPTEE_SOCKET, else /run/captee/captee.sock)");
  app.add_option(
      "--socket", socket,
      "This daemon's socket (default $CAPTEE_RPROC_SOCKET, else /run/captee/rproc.sock)");
  app.add_option("--firmware-dir", firmware_dir, "Where `captee rproc boot NAME` looks");
  app.add_option("--recovery", recovery, "Automatic recovery on crashes")
      ->check(CLI::IsMember({"enabled", "disabled"}));
  app.add_option("--coredump", coredump, "Write a core dump on each crash")
      ->check(CLI::IsMember({"enabled", "disabled"}));
  app.add_option("--coredump-dir", coredump_dir, "Where core dumps go");
  app.add_option("--tty-dir", tty_dir,
                 "Where the ptys of rpmsg-tty channels are linked (default: the socket's "
                 "directory; \"none\" for no ptys)");
  app.add_option("--log-level", level, "error, warn, info or debug")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e);
  }
  std::string why;
  if (coredump == "enabled" && coredump_dir.empty()) {
    std::cerr << "captee-rprocd: --coredump enabled needs --coredump-dir.\n";
    return 1;
  }
  if (!coredump_dir.empty() && !ensure_directory(coredump_dir, 0750, &why)) {
    std::cerr << "captee-rprocd: core dump directory: " << why << ".\n";
    return 1;
  }
  const auto slash = socket.rfind('/');
  if (slash != std::string::npos && slash > 0 &&
      !ensure_directory(socket.substr(0, slash), 0755, &why)) {
    std::cerr << "captee-rprocd: socket directory: " << why << ".\n";
    return 1;
  }
  if (tty_dir.empty()) {
    tty_dir = slash == std::string::npos ? "." : slash == 0 ? "/" : socket.substr(0, slash);
  } else if (tty_dir == "none") {
    tty_dir.clear();
  } else if (!ensure_directory(tty_dir, 0755, &why)) {
    std::cerr << "captee-rprocd: tty directory: " << why << ".\n";
    return 1;
  }

  sigset_t stop_set;
  sigemptyset(&stop_set);
  sigaddset(&stop_set, SIGTERM);
  sigaddset(&stop_set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  const bool quiet = level == "error" || level == "warn";
  static std::mutex log_mu;
  ManagerOptions opts;
  opts.tee_socket = tee_socket;
  opts.firmware_dir = firmware_dir;
  opts.proc.recovery = recovery == "enabled";
  opts.proc.coredump = coredump == "enabled";
  opts.proc.coredump_dir = coredump_dir;
  opts.proc.tty_dir = tty_dir;
  opts.proc.log = [quiet](const std::string &line) {
    if (!quiet) {
      std::lock_guard<std::mutex> lock(log_mu);
      std::fprintf(stderr, "captee-rprocd: %s\n", line.c_str());
    }
  };
  Manager manager(opts);
  if (!manager.start(&why)) {
    std::fprintf(stderr, "captee-rprocd: %s; waiting for capteed\n", printable(why).c_str());
  }
  ChannelOptions copts;
  copts.log = [](const std::string &line) {
    std::lock_guard<std::mutex> lock(log_mu);
    std::fprintf(stderr, "captee-rprocd: client connection dropped: %s\n", printable(line).c_str());
  };
  auto listener = Listener::bind(
      socket, [&manager](const ucred &) { return manager.object(); }, copts, 0600, &why);
  if (!listener) {
    std::cerr << "captee-rprocd: cannot listen on " << socket << ": " << why << ".\n";
    manager.shutdown();
    return 1;
  }
  listener->serve_in_background();
  int sig = 0;
  while (sigwait(&stop_set, &sig) != 0) {
  }
  listener->shut_down();
  manager.shutdown();  // every processor stopped and released
  return 0;
}

}  // namespace captee::rproc
