// Issue 20, finding 5: bytes from firmware reach the terminal. Signed
// firmware whose trace buffer holds terminal control sequences (window
// title, clipboard, colours, clear, reset, C1 CSI, carriage return and
// backspaces, a bidi override), and a crash reason made of the same: what
// `captee rproc trace` and `captee rproc state` print, and what
// captee-rprocd logs, is inert, with every byte still visible as \xNN.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "IRemoteProc.hpp"
#include "IRemoteProcManager.hpp"
#include "captee/channel.hpp"
#include "captee/detail/printable.hpp"
#include "tee_harness.hpp"

using namespace captee;
using namespace captee::test;

namespace {

// Only what a terminal shows as it is: printable ASCII and newlines.
bool inert(const std::string &s) {
  for (char c : s) {
    const auto b = uint8_t(c);
    if ((b < 0x20 && b != '\n') || b >= 0x7F) {
      return false;
    }
  }
  return true;
}

// The test's own report must not act on the terminal either.
std::string shown(const std::string &s) {
  return printable(s, Lines::kMany);
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const char kHostileReason[] =
    "\x1b]0;owned\x07\x1b[2J\x9b"
    "2J\rforged";

}  // namespace

TEST(HostileFirmware, TerminalControlSequencesFromFirmwarePrintInert) {
  if (std::string(CAPTEE_FIRMWARE_HOSTILE_TRACE_SIGNED).empty()) {
    GTEST_SKIP() << "the sample firmware was not cross-built";
  }
  CapteedProcess tee("", {"--rproc-pubkey", CAPTEE_FIRMWARE_DEV_PUBKEY});
  ASSERT_TRUE(tee.ready());
  // captee-rprocd, its log kept in a file.
  const std::string rproc_socket = tee.dir() + "/rproc.sock";
  const std::string log = tee.dir() + "/rprocd.log";
  pid_t rprocd = spawn({"/bin/sh", "-c",
                        std::string("exec ") + RPROCD_PATH + " --tee-socket " + tee.socket() +
                            " --socket " + rproc_socket + " --log-level info 2>" + log});
  int rprocd_exit = -1;
  ASSERT_TRUE(eventually([&] { return accepts_connections(rproc_socket); }));
  auto cli = [&](const std::string &args) {
    return run_capture(std::string(CAPTEE_CLI_PATH) + " rproc --rproc-socket " + rproc_socket +
                       " " + args);
  };
  auto [rc, out] = cli("boot " CAPTEE_FIRMWARE_HOSTILE_TRACE_SIGNED);
  ASSERT_EQ(rc, 0) << shown(out);

  // The trace: inert, and everything the firmware wrote is there to read.
  // The core writes it a byte at a time (slowly under Valgrind): wait for
  // the greeting's last piece.
  std::string trace;
  ASSERT_TRUE(eventually(
      [&] {
        trace = cli("trace").second;
        return trace.find("\\xe2\\x80\\xaetxt.exe") != std::string::npos;
      },
      30000))
      << shown(trace);
  EXPECT_TRUE(inert(trace)) << shown(trace);
  for (const char *visible :
       {"\\x1b]0;owned by the firmware\\x07", "\\x1b]52;c;cm0gLXJmIH4=\\x07",
        "\\x1b[31;1mred\\x1b[0m", "\\x1b[2J\\x1b[H", "\\x1bc", "\\x9b2J", "\\xc2\\x9b2J",
        "ok\\x0d\\x08\\x08forged\\x7f", "\\xe2\\x80\\xaetxt.exe"}) {
    EXPECT_NE(trace.find(visible), std::string::npos) << visible << " in\n" << shown(trace);
  }

  // A crash reason is a client's bytes, shown back by capteed (which keeps
  // only printable ASCII of it): `state`, as text and JSON, stays inert.
  ChannelOptions quiet;
  quiet.log = [](const std::string &) {};
  Ref root = connect(rproc_socket, quiet);
  ASSERT_FALSE(root.is_null());
  Ref proc;
  ASSERT_EQ(iface::IRemoteProcManager(root).open(0, proc), Object_OK);
  ASSERT_EQ(iface::IRemoteProc(proc).crash(
                std::as_bytes(std::span(kHostileReason, sizeof kHostileReason - 1))),
            Object_OK);
  proc.reset();
  root.reset();
  std::string state;
  ASSERT_TRUE(eventually([&] {
    state = cli("state").second;
    return state.find("last crash: injected crash: ") != std::string::npos;
  })) << shown(state);
  EXPECT_TRUE(inert(state)) << shown(state);
  std::tie(rc, out) = cli("state --json");
  EXPECT_EQ(rc, 0) << shown(out);
  EXPECT_TRUE(inert(out)) << shown(out);
  const nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << shown(out);
  EXPECT_EQ(j["last_crash"].get<std::string>().rfind("injected crash: ", 0), 0u) << shown(out);

  // captee-rprocd logged the boot and the crash: inert too.
  EXPECT_EQ(stop_child(rprocd, rprocd_exit, SIGTERM), 0);
  const std::string logged = read_file(log);
  EXPECT_NE(logged.find("crashed: "), std::string::npos) << shown(logged);
  EXPECT_TRUE(inert(logged)) << shown(logged);
}
