// A hostile client process, run by the hostile and chaos suites (fork +
// exec, so the test never forks while its own channel threads run):
//   silent SOCK N          opens N connections that never say hello, prints
//                          "ready" and holds them until stdin closes
//   hold SOCK N            tries to open N full connections (handshake and
//                          root object), prints "ready K" with the number
//                          that opened, and holds them until stdin closes
//   ta-churn SOCK TA SEED  loads the TA, calls it forever, reconnecting
//                          whenever capteed goes away (chaos)
//   mem-churn SOCK SEED    allocates, maps, shares and drops memory objects
//                          forever, reconnecting likewise (chaos)
//   open SOCK UID          opens service UID through the library; prints
//                          "opened" or "refused RV"
//   exec-race SOCK UID EXE N [presend]
//                          the connect-then-exec race against service UID,
//                          N times (see exec_race); prints
//                          "granted G denied D failed F"
//   ta-squat SOCK FILE     loads the TA FILE from a buffer, asks it its pid,
//                          lets go of everything and hangs up, then prints
//                          "ready <pid>" (0: not loaded) and waits for stdin
//   ta-fill SOCK FILE N    loads FILE from a buffer up to N times, stopping
//                          at the first refusal, lets go and hangs up; prints
//                          "ready <loaded> <refusal's error, 0 if none>"
//   ta-load SOCK FILE      loads FILE once; prints "ready <error> <pid>" and
//                          holds it until stdin closes
//   ta-share SOCK FILE     loads FILE (an ITestTa) from a buffer, asks
//                          whether the TA already keeps an object, has it
//                          keep one of its own; prints "ready <pid> <1 if
//                          something was kept already, else 0>" and holds
//   gp-as SOCK FILE LOGIN  loads the GP TA FILE from a buffer and, holding
//                          its app object, opens a session claiming the
//                          login LOGIN with the private open op; prints
//                          "ready <TEE result> <sessions this TA instance
//                          has opened>" and holds the session
//   gp-shapes SOCK FILE    loads the GP TA FILE from a buffer and calls its
//                          app object and a session with shapes the
//                          generated skeletons refuse (see gp_shapes);
//                          prints "ready <shapes not answered
//                          Object_ERROR_INVALID> <opens counted by the TA
//                          afterwards, 0 if the right calls failed>"
//   ta-unload SOCK ID      asks capteed to unload TA ID (`captee ta unload`);
//                          prints "ready <error>"
//   gp-fill SOCK N         opens GP sessions (libteec) to the multi-instance
//                          GP test TA, a TA process each, up to N or the
//                          first refusal; prints "ready <opened> <refusal's
//                          TEEC result, 0 if none>" and holds them
//   gp-call-on SOCK MS     opens a GP session (libteec) to the single-instance
//                          GP test TA, prints "ready <1 if the session is
//                          direct, else 0>" and calls its TEE_Wait(MS)
//                          command over and over until it is killed
// HOSTILE_AS=uid:gid drops to that identity first (the tests run as root).
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "CAppLoader.h"
#include "CDiagnostics.h"
#include "CMemoryService.h"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "IOpener.h"
#include "IClientEnv.hpp"
#include "IDiagnosticsCaptee.hpp"
#include "IMemoryService.hpp"
#include "ITestTa.hpp"
#include "IGPAppClient.h"
#include "IGPSession.hpp"
#include "../support/load_image.hpp"
#include "tee_client_api.h"
#include "captee/channel.hpp"
#include "captee/gp_ta_protocol.h"
#include "captee/memory.hpp"
#include "hostile_peer.hpp"

using namespace captee;

namespace {

// Prints `line` for the test and holds what the caller opened until the
// test closes this process's stdin.
void report_and_hold(const std::string &line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  char c;
  while (::read(0, &c, 1) > 0) {
  }
}

int silent(const std::string &socket, int n) {
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    int fd = test::raw_connect(socket);
    if (fd < 0) {
      return 3;
    }
    fds.push_back(fd);
  }
  report_and_hold("ready");
  for (int fd : fds) {
    ::close(fd);
  }
  return 0;
}

ChannelOptions quiet() {
  ChannelOptions o;
  o.log = [](const std::string &) {};
  return o;
}

int hold(const std::string &socket, int n) {
  std::vector<Ref> roots;
  for (int i = 0; i < n; ++i) {
    Ref root = connect(socket, quiet());
    if (!root.is_null()) {
      roots.push_back(std::move(root));
    }
  }
  report_and_hold("ready " + std::to_string(roots.size()));
  return 0;
}

void pause_a_little(std::mt19937 &rng) {
  std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % 20));
}

std::vector<std::byte> read_image(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> raw{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<std::byte> image(raw.size());
  std::memcpy(image.data(), raw.data(), raw.size());
  return image;
}

[[noreturn]] void ta_churn(const std::string &socket, const std::string &ta_path, unsigned seed) {
  std::mt19937 rng(seed);
  const std::vector<std::byte> image = read_image(ta_path);
  for (;;) {
    Ref root = connect(socket, quiet());
    Ref env, loader, controller, app;
    if (root.is_null() || iface::IClientEnv(root).registerAsClient(Ref(), env) != Object_OK ||
        iface::IClientEnv(env).open(CAppLoader_UID, loader) != Object_OK ||
        iface::IAppLoader(loader).loadFromBuffer(image, controller) != Object_OK ||
        iface::IAppController(controller).getAppObject(app) != Object_OK) {
      pause_a_little(rng);  // capteed restarting, or the TA was just killed
      continue;
    }
    iface::ITestTa ta(app);
    for (int i = 0, n = 1 + int(rng() % 50); i < n; ++i) {
      uint32_t sum = 0;
      std::string text(1 + rng() % 2000, char('a' + rng() % 26));
      std::vector<std::byte> back(text.size());
      size_t len = 0;
      if (ta.add(uint32_t(i), 1, sum) != Object_OK ||
          ta.echo(std::span(reinterpret_cast<const std::byte *>(text.data()), text.size()), back,
                  len) != Object_OK) {
        break;  // killed, or capteed went away: start over
      }
      if (sum != uint32_t(i) + 1 || len != text.size() ||
          std::memcmp(back.data(), text.data(), len) != 0) {
        std::_Exit(5);  // a wrong answer is a failure, not chaos
      }
      if (rng() % 8 == 0) {
        Ref child;
        if (ta.child(child) == Object_OK) {
          iface::ITestTa(child).add(1, 2, sum);
        }
      }
      if (rng() % 16 == 0) {
        ta.sleepMs(uint32_t(rng() % 30));
      }
      if (rng() % 8 == 0) {
        // A TA that tries to leave helpers behind (they would ignore
        // SIGTERM); the sandbox refuses the fork, and chaos checks that no
        // process of any TA outlives the run.
        int32_t err = 0;
        if (ta.spawnHelpers(2, err) == Object_OK && err != EPERM) {
          std::_Exit(6);  // a TA started a process: the sandbox failed
        }
      }
    }
  }
}

[[noreturn]] void mem_churn(const std::string &socket, unsigned seed) {
  std::mt19937 rng(seed);
  for (;;) {
    Ref root = connect(socket, quiet());
    Ref env, mem_ref, diag;
    if (root.is_null() || iface::IClientEnv(root).registerAsClient(Ref(), env) != Object_OK ||
        iface::IClientEnv(env).open(CMemoryService_UID, mem_ref) != Object_OK ||
        iface::IClientEnv(env).open(CDiagnostics_UID, diag) != Object_OK) {
      pause_a_little(rng);
      continue;
    }
    iface::IMemoryService mem(mem_ref);
    std::vector<Ref> held;
    for (int i = 0, n = 1 + int(rng() % 40); i < n; ++i) {
      Ref m;
      const uint32_t pool = rng() % 2;
      const uint32_t rights = rng() % 3 == 0
                                  ? IMemoryService_RIGHT_READ
                                  : IMemoryService_RIGHT_READ | IMemoryService_RIGHT_WRITE;
      if (mem.allocate(pool, 4096 * (1 + rng() % 8), rights, m) != Object_OK) {
        break;
      }
      if (pool == IMemoryService_POOL_SHARED && (rights & IMemoryService_RIGHT_WRITE) != 0) {
        if (auto map = Mapping::map(m.get(), FdObject::kRead | FdObject::kWrite)) {
          map->bytes()[0] = std::byte{0x5a};
        }
      }
      IMemoryService_ObjectInfo info{};
      if (mem.queryObject(m, info) != Object_OK) {
        break;
      }
      held.push_back(std::move(m));
      if (held.size() > 8) {
        held.erase(held.begin() + long(rng() % held.size()));
      }
    }
    IDiagnosticsCaptee_Counters c{};
    iface::IDiagnosticsCaptee(diag).queryCounters(c);
  }
}

int open_service(const std::string &socket, uint32_t uid) {
  Ref root = connect(socket, quiet());
  Ref env, svc;
  int32_t rv = Object_ERROR_UNAVAIL;
  if (!root.is_null() && (rv = iface::IClientEnv(root).registerAsClient(Ref(), env)) == Object_OK) {
    rv = iface::IClientEnv(env).open(uid, svc);
  }
  std::printf(rv == Object_OK ? "opened\n" : "refused %d\n", int(rv));
  return 0;
}

// The executable /proc/<pid>/exe names now ("" if none or unreadable).
std::string exe_of(pid_t pid) {
  char buf[4096];
  ssize_t n = ::readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

// The connect-then-exec race of issue 20 (finding 4), `tries` times. This
// process makes a socket and forks. The child connects it to capteed and at
// once execs `exe`, an executable the policy allows, so that the process
// capteed sees connected runs `exe`. This process, which holds the same
// socket and is not `exe`, waits until the child runs `exe`, then does the
// handshake and opens `uid`. With `presend` the child sends its hello and the
// open itself, before it execs, and this process only reads the answers.
int exec_race(const std::string &socket, uint32_t uid, const std::string &exe, int tries,
              bool presend) {
  const std::string target = std::filesystem::canonical(exe).string();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket.c_str());
  std::vector<pid_t> children;
  int granted = 0, denied = 0, failed = 0;
  for (int i = 0; i < tries; ++i) {
    int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    const pid_t child = ::fork();
    if (child == 0) {
      ::dup2(::open("/dev/null", O_WRONLY | O_CLOEXEC), 1);
      if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::_exit(3);
      }
      if (presend) {
        test::HostilePeer p(fd, test::HostilePeer::Adopt{});
        (void)(p.send_hello() && p.send_open(uid, 1));
      }
      ::execl(target.c_str(), target.c_str(), "30", static_cast<char *>(nullptr));
      ::_exit(127);
    }
    children.push_back(child);
    // Ready once the socket is connected and the child runs `exe`.
    bool ready = false;
    for (int spin = 0; spin < 100000 && !ready; ++spin) {  // 10 s or more
      sockaddr_un peer{};
      socklen_t len = sizeof peer;
      ready = ::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &len) == 0 &&
              exe_of(child) == target;
      if (!ready) {
        ::usleep(100);
      }
    }
    test::HostilePeer p(fd, test::HostilePeer::Adopt{});
    int32_t rv = Object_ERROR_UNAVAIL;
    if (ready && presend) {
      test::Received r;
      if (p.recv_hello() && p.reply_for(1, r)) {
        rv = r.msg.header.kind == wire::Kind::kError ? r.msg.error : Object_OK;
      }
    } else if (ready && p.hello()) {
      p.open(uid, &rv);
    }
    if (rv == Object_OK) {
      ++granted;
    } else if (rv == IOpener_ERROR_PRIVILEGE) {
      ++denied;
    } else {
      ++failed;
    }
  }
  for (pid_t c : children) {
    ::kill(c, SIGKILL);
    ::waitpid(c, nullptr, 0);
  }
  std::printf("granted %d denied %d failed %d\n", granted, denied, failed);
  return 0;
}

// This process's app loader (null if capteed refuses it).
Ref app_loader(const std::string &socket, Ref &root) {
  root = connect(socket, quiet());
  Ref env, loader;
  if (root.is_null() || iface::IClientEnv(root).registerAsClient(Ref(), env) != Object_OK ||
      iface::IClientEnv(env).open(CAppLoader_UID, loader) != Object_OK) {
    return {};
  }
  return loader;
}

// Loads `image` and gets its app object; the loader's error, or the
// controller's.
int32_t load(const Ref &loader, const std::vector<std::byte> &image, Ref &controller, Ref &app) {
  int32_t rv = test::load_image(loader, image, controller);
  if (rv == Object_OK) {
    rv = iface::IAppController(controller).getAppObject(app);
  }
  return rv;
}

int ta_squat(const std::string &socket, const std::string &file) {
  uint32_t pid = 0;
  {
    Ref root;
    Ref loader = app_loader(socket, root);
    Ref controller, app;
    if (loader.is_null() || load(loader, read_image(file), controller, app) != Object_OK ||
        iface::ITestTa(app).pid(pid) != Object_OK) {
      pid = 0;
    }
  }  // everything released: the connection closes
  report_and_hold("ready " + std::to_string(pid));
  return 0;
}

int ta_fill(const std::string &socket, const std::string &file, int n) {
  int loaded = 0;
  int32_t refusal = 0;
  {
    Ref root;
    Ref loader = app_loader(socket, root);
    const auto image = read_image(file);
    std::vector<Ref> controllers;
    for (int i = 0; !loader.is_null() && i < n; ++i) {
      Ref controller;
      refusal = iface::IAppLoader(loader).loadFromBuffer(image, controller);
      if (refusal != Object_OK) {
        break;
      }
      controllers.push_back(std::move(controller));
      ++loaded;
    }
  }
  report_and_hold("ready " + std::to_string(loaded) + " " + std::to_string(refusal));
  return 0;
}

int ta_load(const std::string &socket, const std::string &file) {
  Ref root;
  Ref loader = app_loader(socket, root);
  Ref controller, app;
  uint32_t pid = 0;
  int32_t rv = loader.is_null() ? Object_ERROR : load(loader, read_image(file), controller, app);
  if (rv == Object_OK) {
    rv = iface::ITestTa(app).pid(pid);
  }
  report_and_hold("ready " + std::to_string(rv) + " " + std::to_string(pid));
  return 0;
}

int ta_share(const std::string &socket, const std::string &file) {
  Ref root;
  Ref loader = app_loader(socket, root);
  Ref controller, app, already, child;
  uint32_t pid = 0;
  if (loader.is_null() || load(loader, read_image(file), controller, app) != Object_OK ||
      iface::ITestTa(app).pid(pid) != Object_OK || iface::ITestTa(app).kept(already) != Object_OK ||
      iface::ITestTa(app).child(child) != Object_OK ||
      iface::ITestTa(app).keep(child) != Object_OK) {
    return 4;
  }
  report_and_hold("ready " + std::to_string(pid) + " " + (already.is_null() ? "0" : "1"));
  return 0;
}

// What any holder of a GP TA's app object can do: open a session with
// capteed's private op, naming whatever client identity it likes.
// Login 0 (public) opens with openSessionV2 (op 1), which states no
// identity; any other claims `login` with the private op.
int32_t open_session_as(const Ref &app, uint32_t login, Ref &session, uint32_t &result) {
  uint8_t bundle[CAPTEE_GP_OPEN_AS_BUNDLE_SIZE] = {};
  const uint32_t v2[6] = {0, 0xFFFFFFFFu, login, 0, 0, 0};  // no parameters
  std::memcpy(bundle, v2, sizeof v2);
  std::memcpy(bundle + 24, &login, 4);
  std::memset(bundle + 28, 0x42, 16);  // the claimed client UUID
  uint8_t uuid[16] = {};               // ignored by the TA itself
  uint32_t out[6] = {};
  ObjectArg a[17] = {};
  a[0].bi = {bundle, login == 0 ? 24u : sizeof bundle};
  a[1].bi = {uuid, sizeof uuid};
  a[6].b = {out, sizeof out};
  for (int i = 11; i < 16; ++i) {
    a[i].o = Object_NULL;
  }
  const ObjectOp op = login == 0 ? IGPAppClient_OP_openSessionV2 : CAPTEE_GP_OP_OPEN_SESSION_AS;
  int32_t rv = Object_invoke(app.get(), op, a, ObjectCounts_pack(6, 5, 5, 1));
  if (rv == Object_OK) {
    session = Ref::adopt(a[16].o);
    result = out[4];
  }
  return rv;
}

int gp_as(const std::string &socket, const std::string &file, uint32_t login) {
  constexpr uint32_t kCmdCounters = 5;  // tests/teec/ta/teec_test_ta.h
  constexpr uint32_t kValueOutput = 2;  // TEE_PARAM_TYPE_VALUE_OUTPUT in params[0]
  Ref root;
  Ref loader = app_loader(socket, root);
  Ref controller, app, session;
  uint32_t result = 0;
  if (loader.is_null() || load(loader, read_image(file), controller, app) != Object_OK ||
      open_session_as(app, login, session, result) != Object_OK) {
    return 4;
  }
  uint32_t opens = 0;
  if (result == 0) {
    uint32_t value[2] = {};
    size_t o1 = 0, o2 = 0, o3 = 0, o4 = 0;
    uint32_t sz[4] = {};
    uint32_t origin = 0;
    if (iface::IGPSession(session).invokeCommand(
            kCmdCounters, 0, 0xFFFFFFFFu, kValueOutput, 0, {}, {}, {}, {},
            std::as_writable_bytes(std::span(value)), o1, {}, o2, {}, o3, {}, o4, Ref(), Ref(),
            Ref(), Ref(), sz[0], sz[1], sz[2], sz[3], result, origin) != Object_OK ||
        o1 != 8) {
      return 5;
    }
    opens = value[0];
  }
  report_and_hold("ready " + std::to_string(result) + " " + std::to_string(opens));
  return 0;
}

// Calls the GP TA's own objects (the generated skeletons in its host, which
// capteed's app loader forwards to unchecked) with argument shapes that are
// not the interface's: wrong counts, wrong bundle sizes, ops it does not
// have. Each must be Object_ERROR_INVALID (named on stderr if not), and the
// right calls must still work afterwards.
int gp_shapes(const std::string &socket, const std::string &file) {
  constexpr uint32_t kCmdCounters = 5;  // tests/teec/ta/teec_test_ta.h
  constexpr uint32_t kValueOutput = 2;  // TEE_PARAM_TYPE_VALUE_OUTPUT in params[0]
  constexpr ObjectCounts kOpen = ObjectCounts_pack(6, 5, 5, 1);
  constexpr ObjectCounts kInvoke = ObjectCounts_pack(5, 5, 4, 0);
  Ref root;
  Ref loader = app_loader(socket, root);
  Ref controller, app;
  if (loader.is_null() || load(loader, read_image(file), controller, app) != Object_OK) {
    return 4;
  }
  int wrong = 0;
  auto expect_invalid = [&](const char *what, int32_t rv) {
    if (rv != Object_ERROR_INVALID) {
      ++wrong;
      std::fprintf(stderr, "gp-shapes: %s answered %d\n", what, int(rv));
    }
  };

  // openSession-shaped calls: bundle (a V2 one, room to be too long), UUID
  // (ignored by the TA), the 24-byte result bundle. Arrays are longer than
  // any of the counts used, zeroed: slots a count moves are empty buffers or
  // null objects.
  uint8_t bundle[CAPTEE_GP_OPEN_AS_BUNDLE_SIZE + 4] = {};
  const uint32_t v2[6] = {0, 0xFFFFFFFFu, 0, 0, 0, 0};  // public, no parameters
  std::memcpy(bundle, v2, sizeof v2);
  uint8_t uuid[16] = {};
  uint32_t result[7] = {};
  Ref session;
  auto open = [&](ObjectOp op, size_t bundle_size, size_t result_size, ObjectCounts k) {
    ObjectArg a[20] = {};
    a[0].bi = {bundle, bundle_size};
    a[1].bi = {uuid, sizeof uuid};
    a[6].b = {result, result_size};
    const int32_t rv = Object_invoke(app.get(), op, a, k);
    if (rv == Object_OK) {
      session = Ref::adopt(a[ObjectCounts_indexOO(k)].o);
    }
    return rv;
  };
  expect_invalid("openSessionAs, 40-byte bundle",
                 open(CAPTEE_GP_OP_OPEN_SESSION_AS, 40, 24, kOpen));
  expect_invalid("openSessionAs, 48-byte bundle",
                 open(CAPTEE_GP_OP_OPEN_SESSION_AS, 48, 24, kOpen));
  expect_invalid("openSessionV2, 44-byte bundle",
                 open(IGPAppClient_OP_openSessionV2, 44, 24, kOpen));
  expect_invalid("openSession, 24-byte bundle", open(IGPAppClient_OP_openSession, 24, 24, kOpen));
  expect_invalid("openSessionV2, 20-byte result",
                 open(IGPAppClient_OP_openSessionV2, 24, 20, kOpen));
  expect_invalid("openSessionV2, no out object",
                 open(IGPAppClient_OP_openSessionV2, 24, 24, ObjectCounts_pack(6, 5, 5, 0)));
  expect_invalid("openSessionV2, five BI",
                 open(IGPAppClient_OP_openSessionV2, 24, 24, ObjectCounts_pack(5, 5, 5, 1)));
  expect_invalid("op 3 of the app object", open(3, 24, 24, kOpen));
  session.reset();
  if (open(IGPAppClient_OP_openSessionV2, 24, 24, kOpen) != Object_OK || result[4] != 0 ||
      session.is_null()) {
    report_and_hold("ready " + std::to_string(wrong) + " 0");
    return 0;
  }

  // invokeCommand-shaped calls: CMD_COUNTERS with params[0] a value output.
  const uint32_t cmd[6] = {kCmdCounters, 0, 0xFFFFFFFFu, kValueOutput, 0, 0};
  uint32_t value[2] = {};
  auto invoke = [&](ObjectOp op, size_t bundle_size, size_t result_size, ObjectCounts k) {
    ObjectArg a[20] = {};
    a[0].bi = {cmd, bundle_size};
    a[5].b = {result, result_size};
    a[6].b = {value, sizeof value};
    const int32_t rv = Object_invoke(session.get(), op, a, k);
    if (rv == Object_OK && ObjectCounts_numOO(k) > 0) {
      Ref::adopt(a[ObjectCounts_indexOO(k)].o).reset();
    }
    return rv;
  };
  expect_invalid("invokeCommand, 16-byte bundle",
                 invoke(IGPSession_OP_invokeCommand, 16, 24, kInvoke));
  expect_invalid("invokeCommand, 24-byte bundle",
                 invoke(IGPSession_OP_invokeCommand, 24, 24, kInvoke));
  expect_invalid("invokeCommand, 20-byte result",
                 invoke(IGPSession_OP_invokeCommand, 20, 20, kInvoke));
  expect_invalid("invokeCommand, an out object",
                 invoke(IGPSession_OP_invokeCommand, 20, 24, ObjectCounts_pack(5, 5, 4, 1)));
  expect_invalid("invokeCommand, four BO",
                 invoke(IGPSession_OP_invokeCommand, 20, 24, ObjectCounts_pack(5, 4, 4, 0)));
  expect_invalid("close with a buffer",
                 invoke(IGPSession_OP_close, 20, 24, ObjectCounts_pack(1, 0, 0, 0)));
  expect_invalid("op 2 of the session", invoke(2, 20, 24, kInvoke));
  value[0] = 0;
  if (invoke(IGPSession_OP_invokeCommand, 20, 24, kInvoke) != Object_OK || result[4] != 0) {
    value[0] = 0;
  }
  report_and_hold("ready " + std::to_string(wrong) + " " + std::to_string(value[0]));
  return 0;
}

int ta_unload(const std::string &socket, uint64_t id) {
  int32_t rv = Object_ERROR;
  {
    Ref root = connect(socket, quiet());
    Ref env, diag;
    if (!root.is_null() && iface::IClientEnv(root).registerAsClient(Ref(), env) == Object_OK &&
        iface::IClientEnv(env).open(CDiagnostics_UID, diag) == Object_OK) {
      rv = iface::IDiagnosticsCaptee(diag).unloadTa(id);
    }
  }
  report_and_hold("ready " + std::to_string(rv));
  return 0;
}

int gp_fill(const std::string &socket, int n) {
  ::setenv("CAPTEE_SOCKET", socket.c_str(), 1);
  TEEC_Context ctx{};
  if (TEEC_InitializeContext(nullptr, &ctx) != TEEC_SUCCESS) {
    return 3;
  }
  TEEC_UUID uuid = {0x7e57c0de, 0x0001, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x01}};
  std::vector<TEEC_Session> sessions(size_t(n > 0 ? n : 0));
  int opened = 0;
  TEEC_Result refusal = TEEC_SUCCESS;
  for (auto &s : sessions) {
    uint32_t origin = 0;
    refusal = TEEC_OpenSession(&ctx, &s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin);
    if (refusal != TEEC_SUCCESS) {
      break;
    }
    ++opened;
  }
  report_and_hold("ready " + std::to_string(opened) + " " + std::to_string(refusal));
  for (int i = 0; i < opened; ++i) {
    TEEC_CloseSession(&sessions[size_t(i)]);
  }
  TEEC_FinalizeContext(&ctx);
  return 0;
}

int gp_call_on(const std::string &socket, uint32_t wait_ms) {
  ::setenv("CAPTEE_SOCKET", socket.c_str(), 1);
  TEEC_Context ctx{};
  if (TEEC_InitializeContext(nullptr, &ctx) != TEEC_SUCCESS) {
    return 3;
  }
  TEEC_UUID uuid = {0x7e57c0de, 0x0002, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x02}};
  TEEC_Session s{};
  uint32_t origin = 0;
  if (TEEC_OpenSession(&ctx, &s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin) !=
      TEEC_SUCCESS) {
    return 4;
  }
  std::printf("ready %d\n", Object_isNull(s.imp.direct) ? 0 : 1);
  std::fflush(stdout);
  constexpr uint32_t kCmdWait = 6;  // tests/teec/ta/teec_test_ta.h
  for (;;) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].value.a = wait_ms;
    (void)TEEC_InvokeCommand(&s, kCmdWait, &op, &origin);
  }
}

bool drop_privileges(const char *as) {
  std::string spec(as);
  size_t colon = spec.find(':');
  if (colon == std::string::npos) {
    return false;
  }
  gid_t gid = gid_t(std::stoul(spec.substr(colon + 1)));
  return ::setgroups(0, nullptr) == 0 && ::setgid(gid) == 0 &&
         ::setuid(uid_t(std::stoul(spec.substr(0, colon)))) == 0;
}

}  // namespace

int main(int argc, char **argv) {
  if (const char *as = std::getenv("HOSTILE_AS"); as != nullptr && *as != '\0') {
    if (!drop_privileges(as)) {
      return 97;
    }
  }
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "silent" && argc == 4) {
    return silent(argv[2], std::atoi(argv[3]));
  }
  if (mode == "hold" && argc == 4) {
    return hold(argv[2], std::atoi(argv[3]));
  }
  if (mode == "ta-churn" && argc == 5) {
    ta_churn(argv[2], argv[3], unsigned(std::strtoul(argv[4], nullptr, 10)));
  }
  if (mode == "mem-churn" && argc == 4) {
    mem_churn(argv[2], unsigned(std::strtoul(argv[3], nullptr, 10)));
  }
  if (mode == "open" && argc == 4) {
    return open_service(argv[2], uint32_t(std::strtoul(argv[3], nullptr, 0)));
  }
  if (mode == "exec-race" && (argc == 6 || argc == 7)) {
    return exec_race(argv[2], uint32_t(std::strtoul(argv[3], nullptr, 0)), argv[4],
                     std::atoi(argv[5]), argc == 7 && std::string(argv[6]) == "presend");
  }
  if (mode == "ta-squat" && argc == 4) {
    return ta_squat(argv[2], argv[3]);
  }
  if (mode == "ta-fill" && argc == 5) {
    return ta_fill(argv[2], argv[3], std::atoi(argv[4]));
  }
  if (mode == "ta-load" && argc == 4) {
    return ta_load(argv[2], argv[3]);
  }
  if (mode == "ta-share" && argc == 4) {
    return ta_share(argv[2], argv[3]);
  }
  if (mode == "gp-as" && argc == 5) {
    return gp_as(argv[2], argv[3], uint32_t(std::strtoul(argv[4], nullptr, 10)));
  }
  if (mode == "gp-fill" && argc == 4) {
    return gp_fill(argv[2], std::atoi(argv[3]));
  }
  if (mode == "gp-call-on" && argc == 4) {
    return gp_call_on(argv[2], uint32_t(std::strtoul(argv[3], nullptr, 10)));
  }
  if (mode == "gp-shapes" && argc == 4) {
    return gp_shapes(argv[2], argv[3]);
  }
  if (mode == "ta-unload" && argc == 4) {
    return ta_unload(argv[2], std::strtoull(argv[3], nullptr, 10));
  }
  std::fprintf(stderr,
               "usage: hostile_client "
               "silent|hold|ta-churn|mem-churn|open|exec-race|ta-squat|ta-fill|ta-load|"
               "ta-share|gp-as|gp-shapes|ta-unload|gp-fill|gp-call-on ...\n");
  return 2;
}
