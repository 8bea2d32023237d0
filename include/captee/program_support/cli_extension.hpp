// Commands of the `captee` CLI that live in lower layers (e.g. `captee rproc`
// in the rproc layer) plug in here, as daemon extensions do for capteed: each
// adds its subcommands before parsing and runs them if one was chosen.
#pragma once

#include <iosfwd>
#include <optional>

namespace CLI {
class App;
}

namespace captee {

class CliExtension {
 public:
  virtual ~CliExtension() = default;
  // Adds the extension's subcommands to `app` (before parsing).
  virtual void add_commands(CLI::App &app) = 0;
  // After parsing: if one of its commands was chosen, runs it and returns the
  // exit code (results to `out`, one-sentence errors to `err`); else nullopt.
  virtual std::optional<int> run(std::ostream &out, std::ostream &err) = 0;
};

}  // namespace captee
