// A client process for the direct-channel tests (fork + exec, so the test
// process never forks while its own channel threads run).
//   hold SOCK TA_NAME SLEEP_MS
//     connects to the running TA named TA_NAME through capteed's app loader,
//     gets its app object (a direct channel, as every client does by default),
//     prints "ready <ta pid>" and then calls sleepMs(SLEEP_MS) forever, so the
//     test can kill it with -9 in the middle of a call.
// Exit codes: 2 usage, 3 cannot connect, 4 cannot reach the TA.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "CAppLoader.h"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "IClientEnv.hpp"
#include "ITestTa.hpp"
#include "captee/channel.hpp"

using namespace captee;

int main(int argc, char **argv) {
  if (argc != 5 || std::string(argv[1]) != "hold") {
    std::fprintf(stderr, "usage: ta_test_client hold SOCK TA_NAME SLEEP_MS\n");
    return 2;
  }
  const std::string name = argv[3];
  const auto sleep_ms = static_cast<uint32_t>(std::strtoul(argv[4], nullptr, 10));
  Ref root = captee::connect(argv[2]);
  Ref loader, ctrl, app;
  if (!root || iface::IClientEnv(root).open(CAppLoader_UID, loader) != Object_OK) {
    return 3;
  }
  uint32_t pid = 0;
  if (iface::IAppLoader(loader).connect(std::as_bytes(std::span(name)), ctrl) != Object_OK ||
      iface::IAppController(ctrl).getAppObject(app) != Object_OK ||
      iface::ITestTa(app).pid(pid) != Object_OK) {
    return 4;
  }
  std::printf("ready %u\n", pid);
  std::fflush(stdout);
  for (;;) {
    if (iface::ITestTa(app).sleepMs(sleep_ms) != Object_OK) {
      return 4;
    }
  }
}
