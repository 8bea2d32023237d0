#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "captee/tee/app_services.hpp"
#include "captee/tee/builtin_ta.hpp"
#include "captee/program_support/directories.hpp"
#include "captee/tee/daemon.hpp"
#include "captee/tee/device_id.hpp"
#include "captee/tee/object_store_choice.hpp"
#include "captee/tee/programs.hpp"
#include "captee/tee/storage/trusted_storage.hpp"
#include "CStorageAdmin.h"
#include "storage_admin.hpp"
#include "ta_signatures.hpp"

namespace captee::tee {

namespace {
std::string default_socket() {
  const char *env = std::getenv("CAPTEE_SOCKET");
  return env != nullptr && *env != '\0' ? env : "/run/captee/captee.sock";
}

}  // namespace

int capteed_main(int argc, char **argv, std::span<DaemonExtension *const> extensions) {
  // Block the stop signals before anything can start a thread (the durable
  // store's anchor thread starts when the store opens, well before the
  // daemon listens), so that only sigwait below sees them. A thread that
  // did not block them would take a SIGTERM that arrives while the main
  // thread is between two sigwaits (after SIGSTOP and SIGCONT, say) and the
  // process would die of it, without its clean stop.
  sigset_t stop_set;
  sigemptyset(&stop_set);
  sigaddset(&stop_set, SIGTERM);
  sigaddset(&stop_set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_set, nullptr);
  CLI::App app{"capteed: captee's TEE daemon (the secure world)", "capteed"};
  std::string socket = default_socket();
  std::string policy_file;
  std::string ta_dir;
  std::string state_dir;
  std::string level = "warn";
  unsigned connection_threads = 2;
  app.add_option("--socket", socket,
                 "Listening socket (default $CAPTEE_SOCKET, else /run/captee/captee.sock)");
  app.add_option("--policy", policy_file,
                 "Policy file (JSON, docs/POLICY.md); default: the built-in policy");
  app.add_option("--ta-dir", ta_dir, "Directory of trusted applications");
  std::vector<std::string> ta_pubkeys;
  bool allow_unsigned_tas = false;
  app.add_option("--ta-pubkey", ta_pubkeys,
                 "A key TAs may be signed with (OP-TEE's signed TA format; PEM, public or "
                 "private: the dev kit's keys/default_ta.pem works). Repeatable.");
  app.add_flag("--allow-unsigned-tas", allow_unsigned_tas,
               "Development mode: also run TAs that are not signed (without keys, signed TAs "
               "then run unverified)");
  app.add_option("--state-dir", state_dir,
                 "Directory for persistent state: the device ID and TA persistent times "
                 "(without it both last only as long as capteed runs)");
  app.add_option("--log-level", level, "error, warn, info or debug")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}));
  app.add_option("--connection-threads", connection_threads,
                 "Threads serving each connection's requests (1 is fastest, but then one slow "
                 "request holds up that client's other threads)")
      ->check(CLI::Range(1u, 8u));
  unsigned max_per_uid = DaemonOptions{}.max_connections_per_uid;
  app.add_option("--max-connections-per-uid", max_per_uid,
                 "Connections one uid may have open at once; 0: no limit (root has none)")
      ->capture_default_str();
  uint32_t ta_uid_base = apps::TaUidPool::kDefaultBase;
  uint32_t ta_uid_count = apps::TaUidPool::kDefaultCount;
  app.add_option("--ta-uid-base", ta_uid_base,
                 "First uid TA processes run as when capteed is root (one uid each; pick a range "
                 "no account uses)")
      ->capture_default_str();
  app.add_option("--ta-uid-count", ta_uid_count, "How many uids from --ta-uid-base")
      ->check(CLI::Range(1u, 1u << 20))
      ->capture_default_str();
  const apps::AppLoaderConfig app_defaults;
  size_t max_tas_per_uid = app_defaults.max_tas_per_uid;
  size_t max_keep_alive_per_uid = app_defaults.max_keep_alive_per_uid;
  uint64_t ta_memory_ceiling = app_defaults.memory_ceiling;
  app.add_option("--max-tas-per-uid", max_tas_per_uid,
                 "TAs one uid may have loaded at once through the app loader (and, apart, "
                 "through GP sessions); 0: no limit (root has none)")
      ->capture_default_str();
  app.add_option("--max-keep-alive-per-uid", max_keep_alive_per_uid,
                 "Of those, keep-alive TAs (they outlive their clients until `captee ta "
                 "unload`); 0: no limit (root has none)")
      ->capture_default_str();
  app.add_option("--ta-memory-ceiling", ta_memory_ceiling,
                 "Largest memory limit a TA gets, whatever its manifest asks (e.g. 64MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(uint64_t(1) << 20, uint64_t(1) << 40))
      ->capture_default_str();
  uint32_t ta_deadline_ms = app_defaults.default_deadline_ms;
  app.add_option("--ta-deadline-ms", ta_deadline_ms,
                 "Per-call deadline of TAs whose manifest sets none, GP TAs among them: a TA "
                 "still in one call (its callbacks included) when it passes is killed; 0: none")
      ->capture_default_str();
  uint64_t storage_quota = kDefaultStorageQuota;
  app.add_option("--storage-quota", storage_quota,
                 "Most bytes of GP trusted storage one TA may keep: object ids, attributes "
                 "and data (e.g. 16MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(uint64_t(1), uint64_t(1) << 40))
      ->capture_default_str();
  std::string storage_secret, rpmb_device;
  bool storage_accept_rollback = false;
  app.add_option("--storage-secret", storage_secret,
                 "The 32-byte device secret trusted storage's keys derive from (mode 0600); "
                 "default: created on first start in the state directory");
  app.add_option("--rpmb-device", rpmb_device,
                 "The emulated RPMB holding trusted storage's rollback root and "
                 "TEE_STORAGE_PRIVATE_RPMB objects; default: <state-dir>.rpmb, beside the state "
                 "directory (never restore it with a backup)");
  app.add_flag("--storage-accept-rollback", storage_accept_rollback,
               "Accept trusted storage as it is in the state directory after restoring a backup "
               "on purpose (docs/STORAGE.md); without it a rolled-back store answers "
               "TEE_ERROR_CORRUPT_OBJECT");
  std::string storage_backend = "state-dir";
  app.add_option("--storage-backend", storage_backend,
                 "Where trusted storage's sealed database lives: state-dir (<state-dir>/storage) "
                 "or supplicant (kept by captee-supplicant --storage-dir; storage calls answer "
                 "TEE_ERROR_STORAGE_NOT_AVAILABLE while no supplicant is registered). The "
                 "device secret and the RPMB stay with capteed either way (docs/STORAGE.md)")
      ->check(CLI::IsMember({"state-dir", "supplicant"}))
      ->capture_default_str();
  uint32_t storage_supplicant_timeout_ms = kDefaultSupplicantTimeoutMs;
  app.add_option("--storage-supplicant-timeout-ms", storage_supplicant_timeout_ms,
                 "With --storage-backend supplicant: how long one file request may wait for "
                 "captee-supplicant's answer; past it the storage call fails "
                 "(TEE_ERROR_STORAGE_NOT_AVAILABLE), the supplicant's connection is closed and "
                 "storage calls fail until a supplicant registers again")
      ->check(CLI::Range(uint32_t(1), uint32_t(3600000)))
      ->capture_default_str();
  std::string storage_anchor = "overlapped";
  app.add_option("--storage-anchor", storage_anchor,
                 "When trusted storage's rollback root is written: 'overlapped' beside each "
                 "change's commit, confirmed by the next change or when idle (a change is "
                 "undone by restoring the state directory only until then), or 'strict' after "
                 "each commit, with no such window but two flushes in sequence "
                 "(docs/STORAGE.md)")
      ->check(CLI::IsMember({"overlapped", "strict"}))
      ->capture_default_str();
  for (DaemonExtension *e : extensions) {
    e->add_options(app);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e);
  }

  DaemonOptions opts;
  opts.socket_path = socket;
  opts.ta_dir = ta_dir;
  opts.pool_threads_per_connection = connection_threads;
  opts.max_connections_per_uid = max_per_uid;
  opts.state_dir = state_dir;
  opts.log_level = level == "error"  ? LogLevel::kError
                   : level == "warn" ? LogLevel::kWarn
                   : level == "info" ? LogLevel::kInfo
                                     : LogLevel::kDebug;
  if (!policy_file.empty()) {
    std::string why;
    std::vector<std::string> warnings;
    auto p = Policy::load(policy_file, &why, &warnings);
    if (!p) {
      std::cerr << "capteed: " << why << "; not starting.\n";
      return 1;
    }
    for (const auto &w : warnings) {
      std::cerr << "capteed: warning: policy " << w << "\n";
    }
    opts.policy = std::move(*p);
  }
  std::string why;
  if (!ensure_directory(state_dir, 0755, &why)) {
    std::cerr << "capteed: state directory: " << why << ".\n";
    return 1;
  }
  // What TAs get from capteed itself (ta_environment.hpp): the device ID
  // and their persistent times, kept in the state directory.
  auto device_id = load_or_create_device_id(state_dir, &why);
  if (!device_id) {
    std::cerr << "capteed: state directory: " << why << "; not starting.\n";
    return 1;
  }
  const std::string ta_time_dir = state_dir.empty() ? "" : state_dir + "/ta-time";
  if (!ensure_directory(ta_time_dir, 0700, &why)) {
    std::cerr << "capteed: state directory: " << why << ".\n";
    return 1;
  }
  // GP trusted storage (object_store_choice.hpp), bound to each TA by
  // its (authority, UUID).
  StorageChoice storage_choice;
  storage_choice.state_dir = state_dir;
  storage_choice.quota_bytes = storage_quota;
  storage_choice.secret_path = storage_secret;
  storage_choice.rpmb_path = rpmb_device;
  storage_choice.accept_rollback = storage_accept_rollback;
  // The listeners TAs and the supplicant backend share (app_services.cpp).
  auto listeners = std::make_shared<apps::ListenerTable>();
  storage_choice.supplicant_backend = storage_backend == "supplicant";
  storage_choice.listeners = listeners;
  storage_choice.supplicant_timeout_ms = storage_supplicant_timeout_ms;
  storage_choice.log = [](const std::string &line) { std::cerr << "capteed: " << line << "\n"; };
  storage_choice.strict_anchor = storage_anchor == "strict";
  auto object_store = choose_object_store(storage_choice, &why);
  if (!object_store) {
    std::cerr << "capteed: trusted storage: " << why << "; not starting.\n";
    return 1;
  }
  if (!why.empty()) {
    // The TAs that do not use storage are still served; those that do get
    // TEE_ERROR_CORRUPT_OBJECT or STORAGE_NOT_AVAILABLE until the
    // administrator acts (docs/STORAGE.md).
    std::cerr << "capteed: error: trusted storage cannot be trusted: " << why
              << "; every storage call fails until this is resolved (docs/STORAGE.md).\n";
  }
  // The same store answers `captee storage` (storage_admin.hpp).
  std::shared_ptr<storage::ObjectStore> admin_store = object_store;
  auto trusted_storage = std::make_shared<const storage::TrustedStorage>(std::move(object_store));
  auto ta_environment = std::make_shared<const apps::TaEnvironment>(
      *device_id, std::make_shared<apps::TaTimeStore>(ta_time_dir),
      [trusted_storage](const apps::TaAuthority &authority, const apps::TaUuid &uuid) {
        return trusted_storage->bind(storage::Owner{authority, uuid});
      });
  auto slash = socket.rfind('/');
  if (slash != std::string::npos && slash > 0 &&
      !ensure_directory(socket.substr(0, slash), 0755, &why)) {
    std::cerr << "capteed: socket directory: " << why << ".\n";
    return 1;
  }

  ::signal(SIGPIPE, SIG_IGN);

  // One descriptor per client connection: take the hard limit.
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  auto ta_keys = load_trusted_ta_keys(ta_pubkeys, &why);
  if (!ta_keys) {
    std::cerr << "capteed: " << why << "; not starting.\n";
    return 1;
  }
  Daemon daemon(std::move(opts));
  // Anyone may open it; each call answers only root and capteed's uid.
  daemon.services().add(CStorageAdmin_UID, "storage-admin",
                        [admin_store](const ClientIdentity &who) -> Ref {
                          return make_object<StorageAdmin>(admin_store, who.uid);
                        });
  for (const TrustedTaKey &k : *ta_keys) {
    daemon.log(LogLevel::kInfo, "TAs signed by key " + k.fingerprint + " (" + k.file + ") may run");
  }
  if (allow_unsigned_tas) {
    daemon.log(LogLevel::kWarn, "development mode (--allow-unsigned-tas): unsigned TAs run");
  } else if (ta_keys->empty()) {
    daemon.log(LogLevel::kInfo, "no --ta-pubkey and no --allow-unsigned-tas: no TA will load");
  }
  auto builtins = std::make_shared<BuiltinTaTable>();
  auto shutdown_extensions = [&] {
    for (DaemonExtension *e : extensions) {
      e->shutdown();
    }
  };
  for (DaemonExtension *e : extensions) {
    if (!e->install(daemon, *builtins, &why)) {
      std::cerr << "capteed: " << why << "; not starting.\n";
      shutdown_extensions();
      return 1;
    }
  }
  apps::AppLoaderConfig app_cfg;
  app_cfg.ta_dir = ta_dir;
  app_cfg.ta_environment = ta_environment;
  app_cfg.listeners = listeners;
  if (::geteuid() == 0) {
    if (ta_uid_base == 0 || uint64_t(ta_uid_base) + ta_uid_count >= 0xffffffffull) {
      std::cerr << "capteed: --ta-uid-base " << ta_uid_base << " with --ta-uid-count "
                << ta_uid_count << " is not a range of ordinary uids; not starting.\n";
      shutdown_extensions();
      return 1;
    }
    app_cfg.uid_pool = std::make_shared<apps::TaUidPool>(ta_uid_base, ta_uid_count);
  }
  app_cfg.max_tas_per_uid = max_tas_per_uid;
  app_cfg.max_keep_alive_per_uid = max_keep_alive_per_uid;
  app_cfg.memory_ceiling = ta_memory_ceiling;
  app_cfg.default_deadline_ms = ta_deadline_ms;
  app_cfg.image_gate = make_ta_image_gate(
      std::make_shared<const std::vector<TrustedTaKey>>(std::move(*ta_keys)), allow_unsigned_tas);
  app_cfg.on_refusal = [&daemon](const std::string &why) {
    daemon.log(LogLevel::kWarn, "refused to load " + why);
  };
  std::shared_ptr<apps::AppRegistry> apps =
      install_app_services(daemon, std::move(app_cfg), builtins);
  if (!daemon.start(&why)) {
    std::cerr << "capteed: cannot listen on " << socket << ": " << why << ".\n";
    apps->shutdown();
    shutdown_extensions();
    return 1;
  }
  int sig = 0;
  while (sigwait(&stop_set, &sig) != 0) {
  }
  daemon.stop();
  apps->shutdown();  // no TA process outlives capteed
  // Trusted storage's last change confirmed in the RPMB, so a clean stop
  // leaves no rollback window (decision 0029).
  admin_store->settle();
  shutdown_extensions();
  return 0;
}

}  // namespace captee::tee
