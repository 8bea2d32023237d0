// rpmsg.echo.us: one 64-byte message host -> firmware -> host, through
// captee-rprocd's RpmsgHost, the mailbox kicks and capteed's event delivery,
// to firmware/captee-rpmsg-echo on the emulated M4 and back.
// rpmsg.throughput.mbps: 496-byte payloads with 8 in flight, megabits of
// payload per second that made the round trip.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <thread>

#include "captee/rproc/manager.hpp"
#include "captee/ta/remoteproc_extension.hpp"
#include "captee/tee/app_services.hpp"
#include "captee/tee/daemon.hpp"

namespace {

using namespace captee;

std::vector<uint8_t> read_file(const char *path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Counter final : public rproc::RpmsgListener {
 public:
  void on_message(std::span<const uint8_t> p) override {
    std::lock_guard<std::mutex> lock(mu_);
    received_++;
    bytes_ += p.size();
    cv_.notify_all();
  }
  void on_state(bool) override {}
  // Waits until `n` messages in all have come; false after 10 s.
  bool wait(uint64_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return received_ >= n; });
  }
  uint64_t received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t received_ = 0, bytes_ = 0;
};

// capteed in this process, captee-rprocd's manager, the sample running.
struct World {
  std::string dir;
  std::unique_ptr<tee::Daemon> daemon;
  ta::RemoteprocExtension ext;
  std::shared_ptr<tee::apps::AppRegistry> apps;
  std::unique_ptr<rproc::Manager> manager;
  std::shared_ptr<Counter> counter = std::make_shared<Counter>();
  bool ok = false;

  World() {
    char tmpl[] = "/tmp/captee-bench-rpmsg-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      return;
    }
    dir = tmpl;
    tee::DaemonOptions opts;
    opts.socket_path = dir + "/captee.sock";
    opts.policy = tee::Policy::allow_all();
    opts.log = [](tee::LogLevel, const std::string &) {};
    daemon = std::make_unique<tee::Daemon>(std::move(opts));
    std::vector<uint8_t> pub = read_file(CAPTEE_FIRMWARE_DEV_PUBKEY);
    ext.public_keys_pem = {std::string(pub.begin(), pub.end())};
    auto builtins = std::make_shared<tee::BuiltinTaTable>();
    std::string why;
    if (!ext.install(*daemon, *builtins, &why)) {
      std::fprintf(stderr, "bench_rpmsg: %s\n", why.c_str());
      return;
    }
    apps = tee::install_app_services(*daemon, {}, builtins);
    if (!daemon->start(&why)) {
      std::fprintf(stderr, "bench_rpmsg: %s\n", why.c_str());
      return;
    }
    rproc::ManagerOptions mo;
    mo.tee_socket = dir + "/captee.sock";
    manager = std::make_unique<rproc::Manager>(mo);
    if (!manager->start(&why) || manager->processor(0) == nullptr) {
      std::fprintf(stderr, "bench_rpmsg: %s\n", why.c_str());
      return;
    }
    rproc::RemoteProc &p = *manager->processor(0);
    p.rpmsg().listen("rpmsg-tty", 0, counter);
    if (p.boot(read_file(CAPTEE_FIRMWARE_RPMSG_ECHO_SIGNED), "echo") != rproc::Outcome::kOk) {
      std::fprintf(stderr, "bench_rpmsg: boot: %s\n", p.status().last_error.c_str());
      return;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      for (const rproc::RpmsgChannelInfo &c : p.rpmsg().channels()) {
        ok = ok || (c.name == "rpmsg-tty" && c.up);
      }
      if (ok) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ~World() {
    if (manager) {
      manager->shutdown();
    }
    manager.reset();
    if (daemon) {
      daemon->stop();
    }
    if (apps) {
      apps->shutdown();
    }
    ext.shutdown();
    daemon.reset();
    if (!dir.empty()) {
      std::filesystem::remove_all(dir);
    }
  }
  rproc::RpmsgHost &host() { return manager->processor(0)->rpmsg(); }
};

// Built and torn down inside main(): its threads use channel state that
// thread_local destructors free at exit, so it must be gone before.
World *the_world = nullptr;

World &world() {
  return *the_world;
}

void BM_RpmsgEcho64(benchmark::State &state) {
  World &w = world();
  if (!w.ok) {
    state.SkipWithError("the sample did not come up");
    return;
  }
  std::vector<uint8_t> msg(64, 0x42);
  uint64_t expect = w.counter->received();
  for (auto _ : state) {
    if (w.host().send("rpmsg-tty", 0, msg) != rproc::RpmsgHost::SendResult::kOk ||
        !w.counter->wait(++expect)) {
      state.SkipWithError("a message did not come back");
      return;
    }
  }
  state.counters["us"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 1e-6,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_RpmsgEcho64)->Iterations(2000)->UseRealTime();

void BM_RpmsgThroughput496(benchmark::State &state) {
  World &w = world();
  if (!w.ok) {
    state.SkipWithError("the sample did not come up");
    return;
  }
  constexpr uint64_t kMessages = 2000, kWindow = 8;
  std::vector<uint8_t> msg(496, 0x5A);
  uint64_t bytes = 0;
  for (auto _ : state) {
    const uint64_t base = w.counter->received();
    for (uint64_t sent = 0; sent < kMessages; sent++) {
      if (sent >= kWindow && !w.counter->wait(base + sent - kWindow + 1)) {
        state.SkipWithError("messages did not come back");
        return;
      }
      if (w.host().send("rpmsg-tty", 0, msg) != rproc::RpmsgHost::SendResult::kOk) {
        state.SkipWithError("a send failed");
        return;
      }
    }
    if (!w.counter->wait(base + kMessages)) {
      state.SkipWithError("messages did not come back");
      return;
    }
    bytes += kMessages * msg.size();
  }
  state.counters["mbps"] =
      benchmark::Counter(static_cast<double>(bytes) * 8 / 1e6, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RpmsgThroughput496)->Iterations(5)->UseRealTime();

}  // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  {
    World w;
    the_world = &w;
    benchmark::RunSpecifiedBenchmarks();
    the_world = nullptr;
  }
  benchmark::Shutdown();
  return 0;
}
