#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "captee/detail/printable.hpp"
#include "captee/storage_listener_protocol.h"
#include "captee/supp_plugin_protocol.h"
#include "captee/supplicant/programs.hpp"
#include "captee/supplicant/supplicant.hpp"

namespace captee::supplicant {

namespace {

std::string default_socket() {
  const char *env = std::getenv("CAPTEE_SOCKET");
  return env != nullptr && *env != '\0' ? env : "/run/captee/captee.sock";
}

void log_line(const std::string &line) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::fprintf(stderr, "captee-supplicant: %s\n", line.c_str());
}

}  // namespace

int supplicant_main(int argc, char **argv) {
  CLI::App app{
      "captee-supplicant: serves OP-TEE supplicant plugins to trusted apps and, with "
      "--storage-dir, keeps capteed's trusted storage",
      "captee-supplicant"};
  std::string socket = default_socket();
  std::string plugin_dir = kDefaultPluginDir;
  app.add_option("--plugin-dir", plugin_dir,
                 "Directory of plugins (<uuid>.plugin or .so files, tee_plugin_method.h)")
      ->capture_default_str();
  std::string storage_dir;
  app.add_option("--storage-dir", storage_dir,
                 "Also keep capteed's trusted storage (capteed --storage-backend supplicant) in "
                 "this directory: its sealed SQLite database and WAL, opaque to the supplicant "
                 "(created 0700; one supplicant per directory)");
  app.add_option("--socket", socket,
                 "capteed's socket (default $CAPTEE_SOCKET, else /run/captee/captee.sock)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e);
  }

  // Blocked before any thread starts, so only the waiting thread sees them.
  sigset_t stop_set;
  sigemptyset(&stop_set);
  sigaddset(&stop_set, SIGTERM);
  sigaddset(&stop_set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  std::string why;
  auto supplicant = Supplicant::start({socket, plugin_dir, log_line, storage_dir}, &why);
  if (!supplicant) {
    log_line(why + "; not starting");
    return 1;
  }
  const size_t n = supplicant->plugins().size();
  log_line("serving " + std::to_string(n) + (n == 1 ? " plugin" : " plugins") + " from " +
           printable(plugin_dir) + " as listener " +
           std::to_string(CAPTEE_SUPP_PLUGIN_LISTENER_ID) + " of capteed at " + printable(socket));
  if (supplicant->serves_storage()) {
    log_line("keeping capteed's storage in " + printable(storage_dir) + " as listener " +
             std::to_string(CAPTEE_STORAGE_LISTENER_ID));
  }
  Supplicant *s = supplicant.get();
  // Ends with the process if capteed lets go first.
  std::thread([s, stop_set] {
    int sig = 0;
    while (sigwait(&stop_set, &sig) != 0) {
    }
    s->stop();
  }).detach();
  int code = 0;
  if (supplicant->wait()) {
    log_line("capteed let go of the listener (it stopped or closed the connection); exiting");
    code = 1;
  }
  // A plugin call may still run on another thread: nothing is unloaded or
  // destroyed under it.
  std::fflush(stderr);
  ::_exit(code);
}

}  // namespace captee::supplicant
