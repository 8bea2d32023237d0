// Slow and stalling clients: connections that never say hello (the
// SOCK_SEQPACKET form of slow-loris: a record arrives whole or not at all,
// so a "partial send" is a silent peer or a frame split over records), and
// a client that sends requests but never reads the replies.
#include <fcntl.h>
#include <signal.h>

#include "CDiagnostics.h"
#include "IDiagnosticsCaptee.h"
#include "hostile_client_run.hpp"
#include "hostile_fixture.hpp"

using namespace captee;
using namespace captee::test;

namespace {

// hostile_client silent SOCK N, as another uid: holds N connections that
// never say hello until it goes out of scope.
struct SilentClients : HostileClientRun {
  SilentClients(const std::string &socket, int n)
      : HostileClientRun({"silent", socket, std::to_string(n)}) {}
};

}  // namespace

// Connections whose handshake is pending are counted from accept on. If a
// silent one held an accepting thread, the well-behaved client would wait
// for the silent ones' handshake timeouts (5 s each) and they would be gone
// by the time it is served.
TEST_F(HostileTest, SilentConnectionsHoldUpNobody) {
  SilentClients silent(d_.socket(), 12);
  ASSERT_TRUE(silent.ready());
  EXPECT_EQ(serve_well_behaved(d_.socket()), "");
  // All 12 are still pending (capteed may still be accepting the last of
  // them; they would time out only after 5 s).
  IDiagnosticsCaptee_Counters c{};
  EXPECT_TRUE(eventually(
      [&] {
        c = counters_at(d_.socket());
        return c.connections == 1u + 12u;
      },
      3000))
      << c.connections << " connections: the silent ones should still be pending";
}

// One uid cannot park more than 16 handshakes; the rest are turned away at
// once, and clients of other uids are served.
TEST_F(HostileTest, OneUidCannotParkMoreThanSixteenHandshakes) {
  SilentClients silent(d_.socket(), 40);
  ASSERT_TRUE(silent.ready());
  EXPECT_EQ(serve_well_behaved(d_.socket()), "");
  IDiagnosticsCaptee_Counters c{};
  EXPECT_TRUE(eventually(
      [&] {
        c = counters_at(d_.socket());
        return c.connections == 1u + 16u;
      },
      3000))
      << c.connections << " connections: 16 pending, the other 24 turned away";
}

TEST_F(HostileTest, AFrameSplitOverTwoRecordsClosesTheConnection) {
  {
    auto p = peer();
    std::string uid(4, '\0');
    wire::Encoded e;
    wire::BufIn bi[] = {{uid.data(), uid.size()}};
    wire::encode_request(1, wire::kPrimordialHandle, IClientEnv_OP_open,
                         ObjectCounts_pack(1, 0, 0, 1), bi, {}, {}, 0, e);
    wire::set_seq(e, 1);
    auto bytes = e.flatten();
    ASSERT_TRUE(p->send_bytes(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 10)));
    p->send_bytes(std::vector<uint8_t>(bytes.begin() + 10, bytes.end()));
    EXPECT_TRUE(p->closed_by_peer());
  }
  {
    auto p = peer();
    wire::Encoded e;
    wire::encode_error(1, -1, e);
    wire::set_seq(e, 1);
    auto bytes = e.flatten();
    bytes[0] = 64;  // the header promises more than the record holds
    ASSERT_TRUE(p->send_bytes(bytes));
    p->send_bytes(std::vector<uint8_t>(40, 0));
    EXPECT_TRUE(p->closed_by_peer());
  }
}

// Requests without reading a reply: capteed's replies fill the socket, its
// threads for that connection wait to send, and it stops reading; other
// clients are served meanwhile, and hanging up frees everything.
TEST_F(HostileTest, AClientThatNeverReadsItsRepliesStallsOnlyItself) {
  auto p = peer();
  int32_t rv = -1;
  uint32_t diag = p->open(CDiagnostics_UID, &rv);
  ASSERT_EQ(rv, Object_OK);
  int sent = 0;
  for (; sent < 200000; ++sent) {
    wire::Encoded e;
    uint32_t caps[] = {sizeof(IDiagnosticsCaptee_Counters)};
    wire::encode_request(p->next_id(), diag, IDiagnosticsCaptee_OP_queryCounters,
                         ObjectCounts_pack(0, 1, 0, 0), {}, caps, {}, 0, e);
    wire::set_seq(e, uint32_t(sent + 2));  // the open was frame 1
    auto bytes = e.flatten();
    if (::send(p->fd(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
      ASSERT_EQ(errno, EAGAIN);
      break;
    }
  }
  EXPECT_LT(sent, 200000) << "capteed never stopped reading";
  std::printf("unread replies: capteed stopped reading after %d requests\n", sent);
  EXPECT_EQ(serve_well_behaved(d_.socket()), "");
  // The stalled connection and the asking one (the well-behaved client's
  // may still be closing).
  EXPECT_TRUE(eventually([&] { return counters_at(d_.socket()).connections == 2u; }));
  p.reset();
}

// A uid may have only so many connections open at once (here 8; 256 by
// default): one more is closed at accept, while other uids and root are
// served, and the places come back when that uid's connections close.
// Without the cap one uid could open connections until capteed ran out of
// descriptors.
TEST(HostileLimits, OneUidHasAtMostItsCapOfConnectionsOpen) {
  CapteedProcess d("", {"--max-connections-per-uid", "8"});
  ASSERT_TRUE(d.ready());
  const Baseline base = quiet_baseline(d.pid(), d.socket(), CAPTEE_CLI_PATH);
  ASSERT_TRUE(base.quiet) << describe(base.counters);
  {
    HostileClientRun first({"hold", d.socket(), "12"});
    EXPECT_EQ(first.line(), "ready 8") << "8 open, the other 4 turned away";
    HostileClientRun second({"hold", d.socket(), "1"});
    EXPECT_EQ(second.line(), "ready 0") << "uid 4242 is at its cap";
    HostileClientRun other({"hold", d.socket(), "3"}, "4343:4343");
    EXPECT_EQ(other.line(), "ready 3") << "another uid has places of its own";
    HostileClientRun root({"hold", d.socket(), "12"}, "0:0");
    EXPECT_EQ(root.line(), "ready 12") << "root is not capped";
    EXPECT_EQ(serve_well_behaved(d.socket()), "");
    EXPECT_EQ(second.finish(), 0);
    EXPECT_EQ(first.finish(), 0);
    std::string line;
    EXPECT_TRUE(eventually(
        [&] {
          HostileClientRun again({"hold", d.socket(), "8"});
          line = again.line();
          return line == "ready 8";
        },
        10000))
        << "uid 4242's places did not come back: " << line;
  }
  expect_back_to_baseline(d.pid(), d.socket(), base, CAPTEE_CLI_PATH);
  EXPECT_EQ(d.stop(), 0);
}
