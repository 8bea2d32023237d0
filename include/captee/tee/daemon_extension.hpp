// Parts of the secure world that live in lower layers plug into capteed here.
//
// The design keeps layers one-way: the tee layer (capteed's core) may not
// depend on the platform or ta layers, yet capteed must host the emulated SoC
// and the remoteproc TA. So capteed_main() takes extensions: each adds its
// command-line options, then installs its services and built-in TAs on the
// daemon before it serves, and releases them after it stopped. The capteed
// tool's main() is the only place that names them.
#pragma once

#include <span>
#include <string>

namespace CLI {
class App;
}

namespace captee::tee {

class BuiltinTaTable;
class Daemon;

class DaemonExtension {
 public:
  virtual ~DaemonExtension() = default;
  // Adds the extension's options to capteed's command line (before parsing).
  virtual void add_options(CLI::App &app) = 0;
  // After parsing, before the daemon serves: registers services on `daemon`
  // and built-in TAs in `tas`. Returns false with one sentence in *why to
  // keep capteed from starting (e.g. a bad key file).
  virtual bool install(Daemon &daemon, BuiltinTaTable &tas, std::string *why) = 0;
  // After the daemon stopped (every connection closed): releases everything
  // install() built. Idempotent.
  virtual void shutdown() noexcept = 0;
};

}  // namespace captee::tee
