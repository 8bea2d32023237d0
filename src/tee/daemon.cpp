#include "captee/tee/daemon.hpp"

#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "CDiagnostics.h"
#include "CMemoryService.h"
#include "captee/detail/printable.hpp"
#include "client_env.hpp"
#include "daemon_state.hpp"
#include "diagnostics.hpp"
#include "memory_service.hpp"

namespace captee::tee {

namespace {
// Set by the primordial factory on the handshake thread that runs it: the
// connection is counted from then on, before its handshake completes, so a
// client that is already invoking is always counted.
thread_local bool t_counted = false;
}  // namespace

void Daemon::State::log(LogLevel level, const std::string &line) const {
  if (level > opts.log_level) {
    return;
  }
  // Lines carry names and paths that clients, TAs and firmware chose: one
  // line each, nothing a terminal or a log viewer would act on.
  const std::string safe = printable(line);
  if (opts.log) {
    opts.log(level, safe);
    return;
  }
  static const char *names[] = {"error", "warn", "info", "debug"};
  std::fprintf(stderr, "capteed: %s: %s\n", names[int(level)], safe.c_str());
}

DaemonStats Daemon::State::stats() {
  DaemonStats s;
  {
    std::lock_guard lk(channels_mu);
    for (auto it = channels.begin(); it != channels.end();) {
      auto ch = it->lock();
      if (!ch || ch->closed()) {
        it = channels.erase(it);
        continue;
      }
      s.objects += ch->export_count();
      ++it;
    }
  }
  s.connections = connections.load();
  s.connections_accepted = connections_accepted.load();
  s.memory_objects = memory_objects.load();
  s.memory_bytes = memory_bytes.load();
  s.private_objects = private_objects.load();
  s.shared_allocated_total = shared_allocated_total.load();
  s.tas = ta_count ? ta_count() : 0;
  if (ta_admin.counters) {
    ta_admin.counters(s);
  }
  s.callbacks_in_flight = callbacks_in_flight.load();
  s.uptime_ms = uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count());
  s.pid = uint64_t(::getpid());
  return s;
}

std::string Daemon::State::services_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto &e : registry.list()) {
    list.push_back({{"uid", e.uid}, {"name", e.name}});
  }
  return nlohmann::json{{"services", list}}.dump();
}

std::string stats_json(const DaemonStats &s) {
  nlohmann::json j = {{"connections", s.connections},
                      {"connections_accepted", s.connections_accepted},
                      {"objects", s.objects},
                      {"memory_objects", s.memory_objects},
                      {"memory_bytes", s.memory_bytes},
                      {"private_objects", s.private_objects},
                      {"shared_allocated_total", s.shared_allocated_total},
                      {"tas", s.tas},
                      {"tas_loaded", s.tas_loaded},
                      {"tas_keep_alive", s.tas_keep_alive},
                      {"ta_loads_refused_uid_cap", s.ta_loads_refused_uid_cap},
                      {"tas_unloaded_by_admin", s.tas_unloaded_by_admin},
                      {"callbacks_in_flight", s.callbacks_in_flight},
                      {"uptime_ms", s.uptime_ms},
                      {"pid", s.pid}};
  return j.dump();
}

Daemon::Daemon(DaemonOptions opts) : state_(std::make_shared<State>()) {
  state_->opts = std::move(opts);
  state_->memory_service = make_object<MemoryService>(state_);
  State *s = state_.get();
  std::weak_ptr<State> weak = state_;
  state_->registry.add(CMemoryService_UID, "memory",
                       [s](const ClientIdentity &) { return s->memory_service; });
  // One per uid, shared by its clients: `captee ta unload` decides on the
  // caller's kernel uid, and a client opening the service many times still
  // holds one export.
  state_->registry.add(CDiagnostics_UID, "diagnostics", [s, weak](const ClientIdentity &who) {
    std::lock_guard lk(s->diagnostics_mu);
    Ref &d = s->diagnostics[who.uid];
    if (d.is_null()) {
      d = make_object<Diagnostics>(weak, who.uid);
    }
    return d;
  });
}

Daemon::~Daemon() {
  stop();
  // Break the cycle service -> state -> service.
  state_->memory_service.reset();
  std::lock_guard lk(state_->diagnostics_mu);
  state_->diagnostics.clear();
}

ServiceRegistry &Daemon::services() {
  return state_->registry;
}

void Daemon::log(LogLevel level, const std::string &line) const {
  state_->log(level, line);
}

const DaemonOptions &Daemon::options() const {
  return state_->opts;
}

void Daemon::set_ta_hooks(std::function<uint64_t()> count,
                          std::function<std::vector<std::string>()> names) {
  state_->ta_count = std::move(count);
  state_->ta_names = std::move(names);
}

void Daemon::set_ta_admin(TaAdmin admin) {
  state_->ta_admin = std::move(admin);
}

Daemon::CallbackGuard::CallbackGuard(Daemon &d) : d_(d) {
  d_.state_->callbacks_in_flight.fetch_add(1);
}
Daemon::CallbackGuard::~CallbackGuard() {
  d_.state_->callbacks_in_flight.fetch_sub(1);
}

DaemonStats Daemon::stats() const {
  return state_->stats();
}

bool Daemon::start(std::string *why) {
  if (state_->listener) {
    if (why)
      *why = "already started";
    return false;
  }
  ChannelOptions copts;
  copts.pool_threads = state_->opts.pool_threads_per_connection;
  // capteed hands out direct channels (to TA processes) but never takes one.
  copts.accept_channel_refs = false;
  // Executables count only for requests their own process sent (finding 4
  // of issue 20; see ExecutableBinding).
  copts.record_senders = true;
  std::weak_ptr<State> weak = state_;
  copts.log = [weak](const std::string &line) {
    if (auto s = weak.lock()) {
      s->log(LogLevel::kWarn, line);
    }
  };
  std::shared_ptr<State> s = state_;
  auto listener = Listener::bind(
      s->opts.socket_path,
      [weak](AcceptedPeer &peer) -> Ref {
        auto st = weak.lock();
        if (!st) {
          return {};
        }
        st->connections.fetch_add(1);
        t_counted = true;
        std::shared_ptr<const ExecutableBinding> binding;
        ClientIdentity who = identity_from_accept(peer, &binding);
        return make_object<ClientEnv>(st, std::move(who), std::nullopt, std::move(binding));
      },
      copts, s->opts.socket_mode, why);
  if (!listener) {
    return false;
  }
  s->listener = std::move(listener);
  // Each handshake runs on a thread of its own (the factory above too): a
  // client that connects and stays silent holds up nobody.
  ListenerLimits limits;
  limits.max_open_per_uid = s->opts.max_connections_per_uid;
  limits.root_unlimited = true;
  s->listener->serve_in_background(
      [weak](std::shared_ptr<Channel> ch, const std::string &why) {
        auto st = weak.lock();
        if (!ch) {
          if (st && t_counted) {
            st->connections.fetch_sub(1);  // the handshake failed
          }
          if (st && !st->stopping.load() && !why.empty()) {
            st->log(LogLevel::kInfo, "connection dropped: " + why);
          }
          return;
        }
        if (!st) {
          ch->close();
          return;
        }
        st->connections_accepted.fetch_add(1);
        ucred c = ch->peer_credentials();
        st->log(LogLevel::kDebug,
                "connection from pid " + std::to_string(c.pid) + " uid " + std::to_string(c.uid));
        bool stopping = false;
        {
          std::lock_guard lk(st->channels_mu);
          // stop() sets `stopping` before it takes the list under this lock: a
          // channel added after that would never be closed by it.
          stopping = st->stopping.load();
          if (!stopping) {
            for (auto it = st->channels.begin(); it != st->channels.end();) {
              auto live = it->lock();
              it = (!live || live->closed()) ? st->channels.erase(it) : std::next(it);
            }
            st->channels.push_back(ch);
          }
        }
        // Counts down when the channel closes, however that happens.
        ch->on_close([weak] {
          if (auto s = weak.lock()) {
            s->connections.fetch_sub(1);
          }
        });
        if (stopping) {
          ch->close();
        }
      },
      limits);
  s->log(LogLevel::kInfo, "listening on " + s->opts.socket_path);
  return true;
}

void Daemon::stop() {
  auto &s = *state_;
  if (!s.listener || s.stopping.exchange(true)) {
    return;
  }
  s.listener->shut_down();
  std::vector<std::shared_ptr<Channel>> live;
  {
    std::lock_guard lk(s.channels_mu);
    for (auto &w : s.channels) {
      if (auto ch = w.lock()) {
        live.push_back(std::move(ch));
      }
    }
    s.channels.clear();
  }
  for (auto &ch : live) {
    ch->close();  // releases everything the client held
  }
  live.clear();
  s.listener.reset();  // unlinks the socket
}

}  // namespace captee::tee
