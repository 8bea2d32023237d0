// A loader behind a real channel, as a client of capteed sees it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "captee/channel.hpp"
#include "captee/tee/apps/app_loader.hpp"

namespace captee::tee::apps::testing {

std::vector<std::byte> read_file(const std::string &path);

// True once `pred` holds (polled every 5 ms), false after `timeout`.
bool eventually(const std::function<bool()> &pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Child processes of this process that still exist (running or zombie).
size_t child_count();

// How the client reaches TA objects: given a direct channel to the TA
// process (it accepts channel references, the default for clients) or
// forwarded through the loader (it does not).
enum class Path { kDirect, kForwarded };

struct LoaderOverChannel {
  // The loader's side accepts no channel references, as capteed.
  explicit LoaderOverChannel(AppLoaderConfig cfg = {}, Path path = Path::kDirect);
  ~LoaderOverChannel();

  std::shared_ptr<ListenerTable> listeners;
  std::shared_ptr<AppRegistry> registry;
  std::shared_ptr<Channel> server;  // exports the loader / listener registry
  std::shared_ptr<Channel> client;
  Ref loader;     // the client's proxy
  Ref registrar;  // IRegisterListenerCBO, over a second channel
  std::shared_ptr<Channel> reg_server;
  std::shared_ptr<Channel> reg_client;
};

// One more client connection to the loader of `registry` (as another process
// would have), reaching TAs on `path`.
struct ExtraClient {
  ExtraClient(std::shared_ptr<AppRegistry> registry, Path path);
  ~ExtraClient();
  std::shared_ptr<Channel> server;
  std::shared_ptr<Channel> client;
  Ref loader;
};

AppLoaderConfig test_config();

}  // namespace captee::tee::apps::testing
