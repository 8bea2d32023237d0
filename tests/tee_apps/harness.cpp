#include "harness.hpp"

#include <dirent.h>
#include <sys/socket.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

namespace captee::tee::apps::testing {

std::vector<std::byte> read_file(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> c((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::byte> b(c.size());
  std::memcpy(b.data(), c.data(), c.size());
  return b;
}

bool eventually(const std::function<bool()> &pred, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

size_t child_count() {
  size_t n = 0;
  DIR *d = opendir("/proc/self/task");
  if (d == nullptr) {
    return 0;
  }
  while (dirent *e = readdir(d)) {
    if (e->d_name[0] == '.') {
      continue;
    }
    std::ifstream f(std::string("/proc/self/task/") + e->d_name + "/children");
    std::string pid;
    while (f >> pid) {
      ++n;
    }
  }
  closedir(d);
  return n;
}

AppLoaderConfig test_config() {
  AppLoaderConfig cfg;
  cfg.tahost_path = CAPTEE_TAHOST;
  cfg.ta_dir = CAPTEE_TA_DIR;
  cfg.default_memory_limit = 64ull << 20;
  return cfg;
}

static void pair(Ref exported, std::shared_ptr<Channel> &server, std::shared_ptr<Channel> &client,
                 Ref &proxy, Path path = Path::kDirect) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    throw std::runtime_error("socketpair");
  }
  ChannelOptions server_opts;
  server_opts.accept_channel_refs = false;
  ChannelOptions client_opts;
  client_opts.accept_channel_refs = path == Path::kDirect;
  std::thread t([&] { server = start_channel(sv[0], exported, server_opts); });
  client = start_channel(sv[1], Ref(), client_opts);
  t.join();
  if (!server || !client) {
    throw std::runtime_error("channel");
  }
  proxy = client->peer_primordial();
}

LoaderOverChannel::LoaderOverChannel(AppLoaderConfig cfg, Path path) {
  listeners = std::make_shared<ListenerTable>();
  cfg.listeners = listeners;
  registry = AppRegistry::create(cfg);
  pair(make_app_loader(registry), server, client, loader, path);
  pair(make_listener_registry(listeners), reg_server, reg_client, registrar);
}

ExtraClient::ExtraClient(std::shared_ptr<AppRegistry> registry, Path path) {
  pair(make_app_loader(std::move(registry)), server, client, loader, path);
}

ExtraClient::~ExtraClient() {
  loader.reset();
  client->close();
  server->close();
}

LoaderOverChannel::~LoaderOverChannel() {
  loader.reset();
  registrar.reset();
  client->close();
  server->close();
  reg_client->close();
  reg_server->close();
  registry->shutdown();
}

}  // namespace captee::tee::apps::testing
