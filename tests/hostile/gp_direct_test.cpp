// Clients killed with SIGKILL in the middle of calls on direct GP sessions
// (decision 0021): capteed and the TA's process both come back to where they
// were, and the TA goes on serving its other session.
#include <signal.h>

#include <filesystem>
#include <string>
#include <vector>

#include "../chaos/processes.hpp"
#include "baseline.hpp"
#include "hostile_client_run.hpp"
#include "tee_client_api.h"

namespace captee::test {
namespace {

struct ProcessState {
  size_t fds = 0;
  size_t threads = 0;
  bool operator==(const ProcessState &) const = default;
};

ProcessState state_of(pid_t pid) {
  return {fd_count(pid), thread_count(pid)};
}

// `pid`'s descriptors and threads once they have stopped moving.
ProcessState steady_state(pid_t pid) {
  ProcessState s;
  eventually(
      [&] {
        ProcessState before = state_of(pid);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        s = state_of(pid);
        return before == s;
      },
      20000);
  return s;
}

// CAPTEE_TEEC_DIRECT=0 runs the same on the forwarded path.
bool direct_turned_off() {
  const char *knob = std::getenv("CAPTEE_TEEC_DIRECT");
  return knob != nullptr && std::string(knob) == "0";
}

TEST(HostileGpDirect, ClientsKilledMidCallLeaveCapteedAndTheTaHostAtBaseline) {
  const int kClients = std::getenv("NCLIENTS") ? std::atoi(std::getenv("NCLIENTS")) : 3;
  const bool direct = !direct_turned_off();
  const std::string ta_dir = std::filesystem::path(CAPTEE_GP_SINGLE_TA).parent_path();
  CapteedProcess d("", {"--ta-dir", ta_dir});
  ASSERT_TRUE(d.ready());
  ::setenv("CAPTEE_SOCKET", d.socket().c_str(), 1);

  // Our own session keeps the single-instance TA's process alive throughout.
  TEEC_Context ctx{};
  ASSERT_EQ(TEEC_InitializeContext(nullptr, &ctx), TEEC_SUCCESS);
  TEEC_Session mine{};
  TEEC_UUID uuid = {0x7e57c0de, 0x0002, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x02}};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_OpenSession(&ctx, &mine, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  ASSERT_EQ(Object_isNull(mine.imp.direct), !direct);
  std::vector<pid_t> hosts = children_of(d.pid(), "captee-tahost");
  ASSERT_EQ(hosts.size(), 1u);
  const pid_t host = hosts[0];

  // One cancellable wait first: the TA's first call back through capteed (to
  // our IWait) makes its channel to capteed a calling one, whose idle reader
  // watches the socket with two descriptors of its own for as long as the
  // channel lives (decision 0008). They are part of the baseline.
  TEEC_Operation warm{};
  warm.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  warm.params[0].value.a = 1;
  ASSERT_EQ(TEEC_InvokeCommand(&mine, 6 /* TEEC_TEST_CMD_WAIT */, &warm, &origin), TEEC_SUCCESS);

  const IDiagnosticsCaptee_Counters counters = counters_at(d.socket());
  const ProcessState capteed_before = steady_state(d.pid());
  const ProcessState host_before = steady_state(host);

  {
    // Three clients in calls of one second each (the TA runs one at a time,
    // so two of them wait inside the TA's process), killed mid-call.
    std::vector<std::unique_ptr<HostileClientRun>> clients;
    for (int i = 0; i < kClients; ++i) {
      clients.push_back(std::make_unique<HostileClientRun>(
          std::vector<std::string>{"gp-call-on", d.socket(), "1000"}));
      ASSERT_EQ(clients.back()->line(), direct ? "ready 1" : "ready 0") << "client " << i;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (auto &c : clients) {
      ASSERT_EQ(::kill(c->pid(), SIGKILL), 0);
    }
  }  // reaped

  IDiagnosticsCaptee_Counters now{};
  EXPECT_TRUE(eventually(
      [&] {
        now = counters_at(d.socket());
        return same(now, counters);
      },
      20000))
      << "now: " << describe(now) << "\nbefore: " << describe(counters);
  ProcessState capteed_now{}, host_now{};
  EXPECT_TRUE(eventually(
      [&] {
        capteed_now = state_of(d.pid());
        host_now = state_of(host);
        return capteed_now == capteed_before && host_now == host_before;
      },
      20000))
      << "capteed: " << capteed_now.fds << " descriptors, " << capteed_now.threads
      << " threads (before " << capteed_before.fds << ", " << capteed_before.threads
      << "); TA host: " << host_now.fds << ", " << host_now.threads << " (before "
      << host_before.fds << ", " << host_before.threads << ")";
  EXPECT_EQ(children_of(d.pid(), "captee-tahost"), hosts) << "the TA's process changed";

  // The TA serves the session that stayed.
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = 1;
  EXPECT_EQ(TEEC_InvokeCommand(&mine, 6 /* TEEC_TEST_CMD_WAIT */, &op, &origin), TEEC_SUCCESS);
  TEEC_CloseSession(&mine);
  TEEC_FinalizeContext(&ctx);
  EXPECT_EQ(d.stop(), 0);
}

}  // namespace
}  // namespace captee::test
