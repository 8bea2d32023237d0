// The captee CLI: asks a running capteed through its diagnostics service.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <optional>
#include <cstdlib>
#include <vector>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "CAppLoader.h"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "CDiagnostics.h"
#include "CStorageAdmin.h"
#include "IClientEnv.hpp"
#include "IDiagnosticsCaptee.hpp"
#include "captee/channel.hpp"
#include "captee/detail/printable.hpp"
#include "captee/detail/whole_file.hpp"
#include "captee/tee/daemon.hpp"
#include "captee/tee/programs.hpp"
#include "storage_cli.hpp"

namespace captee::tee {

namespace {

std::string default_socket() {
  const char *env = std::getenv("CAPTEE_SOCKET");
  return env != nullptr && *env != '\0' ? env : "/run/captee/captee.sock";
}

// Connects, registers and opens `uid`. Null Ref with one sentence in *why.
Ref open_service(const std::string &socket, uint32_t uid, const char *what, std::string *why) {
  ChannelOptions opts;
  opts.log = [](const std::string &) {};
  std::string reason;
  Ref root = connect(socket, opts, &reason);
  if (root.is_null()) {
    *why = "cannot reach capteed at " + socket + " (" + reason + ")";
    return {};
  }
  iface::IClientEnv r(root);
  Ref env;
  if (int32_t rv = r.registerAsClient(Ref(), env); rv != Object_OK) {
    *why = "capteed at " + socket + " refused registration (error " + std::to_string(rv) + ")";
    return {};
  }
  Ref svc;
  int32_t rv = iface::IClientEnv(env).open(uid, svc);
  if (rv != Object_OK) {
    *why = std::string("capteed at ") + socket + " would not open the " + what + " service (" +
           (rv == 10   ? "not available"
            : rv == 11 ? "not permitted"
                       : "error " + std::to_string(rv)) +
           ")";
    return {};
  }
  return svc;
}

// JSON for a terminal: pure ASCII (every other character as \uXXXX, control
// characters escaped by the JSON rules), bytes that are not UTF-8 replaced.
std::string json_line(const nlohmann::json &j) {
  return j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

nlohmann::json counters_json(const IDiagnosticsCaptee_Counters &c) {
  return {{"connections", c.connections},
          {"objects", c.objects},
          {"memory_objects", c.memoryObjects},
          {"memory_bytes", c.memoryBytes},
          {"tas", c.tas},
          {"callbacks_in_flight", c.callbacksInFlight},
          {"uptime_ms", c.uptimeMs},
          {"pid", c.pid},
          {"connections_accepted", c.connectionsAccepted}};
}

// The loaded TAs as capteed reports them (a JSON array); null with one
// sentence in *why if it cannot.
nlohmann::json query_tas(const Ref &diag_ref, std::string *why) {
  std::string buf(256 * 1024, '\0');
  size_t len = 0;
  if (int32_t rv = iface::IDiagnosticsCaptee(diag_ref).queryTasJson(
          std::as_writable_bytes(std::span(buf)), len);
      rv != Object_OK) {
    *why = "capteed did not list its TAs (error " + std::to_string(rv) + ")";
    return nullptr;
  }
  buf.resize(len > 0 && len <= buf.size() ? len - 1 : 0);
  auto j = nlohmann::json::parse(buf, nullptr, false);
  if (j.is_discarded() || !j.is_array()) {
    *why = "capteed sent a malformed TA list";
    return nullptr;
  }
  return j;
}

// One line per TA: "NAME UUID id ID authority AUTH loaded-by UID STATE",
// STATE being "pid N" while it runs (last, so scripts can cut it off).
std::string ta_line(const nlohmann::json &t) {
  std::ostringstream line;
  line << t.value("name", "?") << " " << t.value("uuid", "?") << " id " << t.value("id", 0ull)
       << " authority " << t.value("authority", "?") << " loaded-by " << t.value("loaded_by", 0ull);
  const std::string service = t.value("service", "");
  if (!service.empty() && service != "app-loader") {
    line << " service " << service;
  }
  const std::string state = t.value("state", "");
  if (state == "running" && t.contains("pid")) {
    line << " pid " << t.value("pid", 0);
  } else {
    line << " " << state;
    if (t.contains("exit")) {
      line << " (" << t.value("exit", "") << ")";
    }
  }
  return line.str();
}

// Prints the TAs capteed reports as loaded, one per line (or as JSON).
int print_loaded_tas(const Ref &diag_ref, bool json, std::ostream &out, std::ostream &err) {
  std::string why;
  nlohmann::json tas = query_tas(diag_ref, &why);
  if (tas.is_null()) {
    err << "captee: " << why << ".\n";
    return 1;
  }
  if (json) {
    out << tas.dump() << "\n";
    return 0;
  }
  if (tas.empty()) {
    out << "no TAs loaded\n";
  }
  for (const auto &t : tas) {
    // Names and reasons come from TAs and the users who loaded them.
    out << printable(ta_line(t)) << "\n";
  }
  return 0;
}

int ta_list_command(const std::string &socket, bool json, std::ostream &out, std::ostream &err) {
  std::string why;
  Ref diag = open_service(socket, CDiagnostics_UID, "diagnostics", &why);
  if (diag.is_null()) {
    err << "captee: " << why << ".\n";
    return 1;
  }
  return print_loaded_tas(diag, json, out, err);
}

int ta_unload_command(const std::string &socket, uint64_t id, std::ostream &out,
                      std::ostream &err) {
  std::string why;
  Ref diag = open_service(socket, CDiagnostics_UID, "diagnostics", &why);
  if (diag.is_null()) {
    err << "captee: " << why << ".\n";
    return 1;
  }
  const int32_t rv = iface::IDiagnosticsCaptee(diag).unloadTa(id);
  if (rv == IDiagnostics_ERROR_APP_NOT_FOUND) {
    err << "captee: capteed has no TA " << id << " to unload (see `captee ta list`).\n";
    return 1;
  }
  if (rv == IDiagnostics_ERROR_RESTRICTED) {
    err << "captee: only root, or the uid that loaded it, may unload TA " << id << ".\n";
    return 1;
  }
  if (rv != Object_OK) {
    err << "captee: capteed did not unload TA " << id << " (error " << rv << ").\n";
    return 1;
  }
  out << "unloaded TA " << id << "\n";
  return 0;
}

// Loads FILE through the app loader and shows it running. The TA stays
// loaded after this command only if its manifest says keep-alive: otherwise
// it ends with the last reference to its controller, which is this one.
int ta_load_command(const std::string &socket, const std::string &file, std::ostream &out,
                    std::ostream &err) {
  constexpr uint64_t kMaxTa = 32 << 20;
  std::vector<std::byte> image;
  const detail::FileRead read = detail::read_whole_file(file, image, kMaxTa);
  // A pipe or device has no size: it was refused by size before, and still is.
  if (read == detail::FileRead::kTooLarge || read == detail::FileRead::kNotRegular ||
      (read == detail::FileRead::kOk && image.empty())) {
    err << "captee: the TA file " << file << " is empty or larger than 32 MiB.\n";
    return 1;
  }
  if (read != detail::FileRead::kOk) {
    err << "captee: cannot read the TA file " << file << ".\n";
    return 1;
  }
  std::string why;
  Ref loader_ref = open_service(socket, CAppLoader_UID, "app loader", &why);
  if (loader_ref.is_null()) {
    err << "captee: " << why << ".\n";
    return 1;
  }
  Ref controller;
  if (int32_t rv = iface::IAppLoader(loader_ref).loadFromBuffer(image, controller);
      rv != Object_OK) {
    err << "captee: capteed refused to load " << file << " (error " << rv << ").\n";
    return 1;
  }
  Ref app;
  if (int32_t rv = iface::IAppController(controller).getAppObject(app); rv != Object_OK) {
    err << "captee: " << file << " loaded but did not give its app object (error " << rv << ").\n";
    return 1;
  }
  out << "loaded " << file << "; TAs now running:\n";
  Ref diag = open_service(socket, CDiagnostics_UID, "diagnostics", &why);
  if (diag.is_null()) {
    err << "captee: " << why << ".\n";
    return 1;
  }
  return print_loaded_tas(diag, false, out, err);
}

}  // namespace

int captee_cli_main(int argc, char **argv, std::ostream &out, std::ostream &err,
                    std::span<CliExtension *const> extensions) {
  CLI::App app{"captee: inspect a running capteed", "captee"};
  std::string socket = default_socket();
  app.add_option("--socket", socket,
                 "capteed's socket (default $CAPTEE_SOCKET, else /run/captee/captee.sock)");
  app.require_subcommand(1);
  bool json = false;
  auto *status = app.add_subcommand("status", "Is capteed running, and how busy is it");
  status->add_flag("--json", json, "JSON output");
  auto *services = app.add_subcommand("services", "The services capteed offers");
  services->add_flag("--json", json, "JSON output");
  auto *stats = app.add_subcommand("stats", "capteed's counters");
  stats->add_flag("--json", json, "JSON output");
  auto *ta = app.add_subcommand("ta", "Trusted applications");
  ta->require_subcommand(1);
  std::string ta_file;
  auto *ta_load = ta->add_subcommand("load", "Load a TA");
  ta_load->add_option("FILE", ta_file, "TA file")->required();
  auto *ta_list = ta->add_subcommand("list", "List loaded TAs: who loaded what, and their ids");
  ta_list->add_flag("--json", json, "JSON output");
  uint64_t ta_id = 0;
  auto *ta_unload = ta->add_subcommand(
      "unload", "Stop a TA, keep-alive ones included (root: any; others: those they loaded)");
  ta_unload->add_option("ID", ta_id, "The TA's id, from `captee ta list`")->required();
  auto *storage = app.add_subcommand(
      "storage", "GP trusted storage (root or capteed's user only; docs/STORAGE.md)");
  storage->require_subcommand(1);
  auto *storage_usage = storage->add_subcommand("usage", "Objects and bytes per TA");
  storage_usage->add_flag("--json", json, "JSON output");
  std::optional<std::string> storage_ta;
  auto *storage_list = storage->add_subcommand(
      "list", "A TA's objects: ids, sizes and types (without --ta: the TAs, counts only)");
  storage_list->add_option("--ta", storage_ta, "The TA's UUID");
  storage_list->add_flag("--json", json, "JSON output");
  for (CliExtension *e : extensions) {
    e->add_commands(app);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e, out, err);
  }
  for (CliExtension *e : extensions) {
    if (std::optional<int> rc = e->run(out, err)) {
      return *rc;
    }
  }

  std::string why;
  if (ta_load->parsed()) {
    return ta_load_command(socket, ta_file, out, err);
  }
  if (ta_list->parsed()) {
    return ta_list_command(socket, json, out, err);
  }
  if (ta_unload->parsed()) {
    return ta_unload_command(socket, ta_id, out, err);
  }
  if (storage_usage->parsed() || storage_list->parsed()) {
    Ref admin = open_service(socket, CStorageAdmin_UID, "storage administration", &why);
    if (admin.is_null()) {
      err << "captee: " << why << ".\n";
      return 1;
    }
    return storage_usage->parsed() ? storage_usage_command(admin, json, out, err)
                                   : storage_list_command(admin, storage_ta, json, out, err);
  }

  Ref diag_ref = open_service(socket, CDiagnostics_UID, "diagnostics", &why);
  if (diag_ref.is_null()) {
    err << "captee: " << why << ".\n";
    return 1;
  }
  iface::IDiagnosticsCaptee diag(diag_ref);
  if (services->parsed()) {
    std::string buf(64 * 1024, '\0');
    size_t len = 0;
    if (int32_t rv = diag.queryServicesJson(std::as_writable_bytes(std::span(buf)), len);
        rv != Object_OK) {
      err << "captee: capteed did not list its services (error " << rv << ").\n";
      return 1;
    }
    buf.resize(len > 0 ? len - 1 : 0);
    auto j = nlohmann::json::parse(buf, nullptr, false);
    if (j.is_discarded() || !j.contains("services")) {
      err << "captee: capteed sent a malformed service list.\n";
      return 1;
    }
    if (json) {
      out << json_line(j) << "\n";
    } else {
      out << std::left << std::setw(10) << "UID"
          << "NAME\n";
      for (const auto &s : j["services"]) {
        std::ostringstream uid;
        uid << "0x" << std::hex << s["uid"].get<uint32_t>();
        out << std::setw(10) << uid.str() << printable(s["name"].get<std::string>()) << "\n";
      }
    }
    return 0;
  }
  IDiagnosticsCaptee_Counters c{};
  if (int32_t rv = diag.queryCounters(c); rv != Object_OK) {
    err << "captee: capteed did not report its counters (error " << rv << ").\n";
    return 1;
  }
  nlohmann::json j = counters_json(c);
  // A capteed without TA administration answers an unknown op: its stats
  // simply have no TA counters.
  if (IDiagnosticsCaptee_TaCounters tc{}; diag.queryTaCounters(tc) == Object_OK) {
    j["tas_loaded"] = tc.loaded;
    j["tas_keep_alive"] = tc.keepAlive;
    j["ta_loads_refused_uid_cap"] = tc.loadsRefusedUidCap;
    j["tas_unloaded_by_admin"] = tc.unloadedByAdmin;
  }
  if (stats->parsed()) {
    if (json) {
      out << json_line(j) << "\n";
    } else {
      for (auto it = j.begin(); it != j.end(); ++it) {
        out << it.key() << ": " << it.value() << "\n";
      }
    }
    return 0;
  }
  // status
  if (json) {
    nlohmann::json s = {{"running", true},
                        {"socket", socket},
                        {"pid", c.pid},
                        {"uptime_ms", c.uptimeMs},
                        {"connections", c.connections},
                        {"tas", c.tas}};
    out << json_line(s) << "\n";
  } else {
    out << "capteed is running on " << socket << " (pid " << c.pid << ", up " << c.uptimeMs / 1000
        << " s, " << c.connections << " connection" << (c.connections == 1 ? "" : "s") << ", "
        << c.tas << " TA" << (c.tas == 1 ? "" : "s") << ")\n";
  }
  return 0;
}

}  // namespace captee::tee
