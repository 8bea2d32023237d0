// GP calls in shapes that are not the interface's (wrong counts, wrong bundle
// sizes, ops the object does not have), from the attacker's side. The GP
// objects are implemented on the skeletons captee-idlc generates, so what
// refuses these is the generated check (docs/IDL.md, "The skeleton macro"):
// each is Object_ERROR_INVALID, the connection and the TA live on, and the
// right calls still work afterwards.
//  - capteed's own objects (CGPAppClient and the sessions it hands out),
//    spoken to over a raw connection;
//  - a GP TA's own app object and session (the skeletons in its host, which
//    a client reaches through the app loader), from hostile_client gp-shapes.
#include "CGPAppClient.h"
#include "IGPAppClient.h"
#include "IGPAppClientCaptee.h"
#include "IGPSession.h"
#include "captee/gp_ta_protocol.h"
#include "hostile_peer.hpp"
#include "hostile_ta_fixture.hpp"

using namespace captee;
using namespace captee::test;

namespace {

constexpr uint32_t kCmdCounters = 5;  // tests/teec/ta/teec_test_ta.h
constexpr uint32_t kValueOutput = 2;  // TEE_PARAM_TYPE_VALUE_OUTPUT in params[0]

std::string words(std::initializer_list<uint32_t> w) {
  std::string s;
  for (uint32_t v : w) {
    s.append(reinterpret_cast<const char *>(&v), 4);
  }
  return s;
}

// The multi-instance GP test TA's UUID as libteec sends it: a TEEC_UUID as
// stored in memory (7e57c0de-0001-4000-8000-000000000001).
std::string test_ta_uuid() {
  return words({0x7e57c0deu, 0x40000001u}) + std::string("\x80\0\0\0\0\0\0\x01", 8);
}

// One call as a raw client lays it out.
struct Shape {
  uint32_t op;
  std::vector<std::string> bi;
  std::vector<uint32_t> bo;  // capacities
  size_t noi;                // null objects
  size_t noo;
};

int32_t call(HostilePeer &p, uint32_t handle, const Shape &s, Received *out = nullptr) {
  const uint32_t id = p.next_id();
  Received r;
  if (!p.request(id, handle, s.op, s.bi, s.bo, std::vector<wire::ObjRef>(s.noi), s.noo) ||
      !p.reply_for(id, r)) {
    return Object_ERROR_UNAVAIL;
  }
  if (out != nullptr) {
    *out = r;
  }
  return r.msg.header.kind == wire::Kind::kError ? r.msg.error : Object_OK;
}

uint32_t u32_at(const std::string &b, size_t off) {
  uint32_t v = 0;
  if (b.size() >= off + 4) {
    std::memcpy(&v, b.data() + off, 4);
  }
  return v;
}

// openSessionV2 of the GP test TA, public, no parameters: counts 0x1556.
Shape open_v2() {
  return {IGPAppClient_OP_openSessionV2,
          {words({0, 0xFFFFFFFFu, 0, 0, 0, 0}), test_ta_uuid(), "", "", "", ""},
          {24, 0, 0, 0, 0},
          5,
          1};
}

// invokeCommand(CMD_COUNTERS), params[0] a value output: counts 0x0455.
Shape invoke_counters() {
  return {IGPSession_OP_invokeCommand,
          {words({kCmdCounters, 0, 0xFFFFFFFFu, kValueOutput, 0}), "", "", "", ""},
          {24, 8, 0, 0, 0},
          4,
          0};
}

// Object_OP_version: one 4-byte output.
Shape version() {
  return {Object_OP_version, {}, {4}, 0, 0};
}

}  // namespace

TEST_F(HostileTaTest, MisshapenCallsToCapteedsGpObjectsAreInvalidAndTheConnectionStays) {
  HostilePeer p(d_.socket());
  ASSERT_TRUE(p.connected());
  ASSERT_TRUE(p.hello());
  int32_t rv = -1;
  const uint32_t gp = p.open(CGPAppClient_UID, &rv);
  ASSERT_EQ(rv, Object_OK);
  ASSERT_NE(gp, 0u);

  std::vector<std::pair<const char *, Shape>> bad_opens;
  auto bad_open = [&](const char *what, auto change) {
    Shape s = open_v2();
    change(s);
    bad_opens.emplace_back(what, s);
  };
  bad_open("five BI", [](Shape &s) { s.bi.pop_back(); });
  bad_open("six BO", [](Shape &s) { s.bo.push_back(0); });
  bad_open("six OI", [](Shape &s) { s.noi = 6; });
  bad_open("no OO", [](Shape &s) { s.noo = 0; });
  bad_open("V2 with a 20-byte bundle", [](Shape &s) { s.bi[0].resize(20); });
  bad_open("V2 with a 28-byte bundle", [](Shape &s) { s.bi[0].resize(28); });
  bad_open("op 0 with a 24-byte bundle", [](Shape &s) { s.op = IGPAppClient_OP_openSession; });
  bad_open("a 23-byte result", [](Shape &s) { s.bo[0] = 23; });
  bad_open("a 25-byte result", [](Shape &s) { s.bo[0] = 25; });
  // capteed's service never answers the private op, whatever its shape.
  bad_open("openSessionAs", [](Shape &s) {
    s.op = IGPAppClientCaptee_OP_openSessionAs;
    s.bi[0].resize(CAPTEE_GP_OPEN_AS_BUNDLE_SIZE);
  });
  bad_open("op 3", [](Shape &s) { s.op = 3; });
  bad_open("the last user op", [](Shape &s) { s.op = ObjectOp_METHOD_USERMAX; });
  for (const auto &[what, s] : bad_opens) {
    EXPECT_EQ(call(p, gp, s), Object_ERROR_INVALID) << what;
  }
  // Version with the wrong shape too; with the right one the generated
  // skeleton answers 1.0.0 (the hand-written objects answered INVALID).
  EXPECT_EQ(call(p, gp, {Object_OP_version, {}, {8}, 0, 0}), Object_ERROR_INVALID);
  Received r;
  ASSERT_EQ(call(p, gp, version(), &r), Object_OK);
  EXPECT_EQ(u32_at(r.buffer(0), 0), 1u << IGPAppClient_MAJOR_SHIFT);

  // The right shape still opens a session, on the same connection.
  ASSERT_EQ(call(p, gp, open_v2(), &r), Object_OK);
  ASSERT_EQ(u32_at(r.buffer(0), 16), 0u) << "retValue";
  ASSERT_EQ(r.msg.objs.size(), 1u);
  ASSERT_EQ(r.msg.objs[0].type, wire::RefType::kSenderHosted);
  const uint32_t session = r.msg.objs[0].handle;

  std::vector<std::pair<const char *, Shape>> bad_invokes;
  auto bad_invoke = [&](const char *what, auto change) {
    Shape s = invoke_counters();
    change(s);
    bad_invokes.emplace_back(what, s);
  };
  bad_invoke("four BI", [](Shape &s) { s.bi.pop_back(); });
  bad_invoke("four BO", [](Shape &s) { s.bo.pop_back(); });
  bad_invoke("three OI", [](Shape &s) { s.noi = 3; });
  bad_invoke("an OO", [](Shape &s) { s.noo = 1; });
  bad_invoke("a 16-byte bundle", [](Shape &s) { s.bi[0].resize(16); });
  bad_invoke("a 24-byte bundle", [](Shape &s) { s.bi[0].resize(24); });
  bad_invoke("a 20-byte result", [](Shape &s) { s.bo[0] = 20; });
  bad_invoke("a 28-byte result", [](Shape &s) { s.bo[0] = 28; });
  bad_invoke("op 2", [](Shape &s) { s.op = 2; });
  bad_invoke("close with arguments", [](Shape &s) { s.op = IGPSession_OP_close; });
  bad_invoke("close with one BI", [](Shape &s) { s = {IGPSession_OP_close, {"x"}, {}, 0, 0}; });
  for (const auto &[what, s] : bad_invokes) {
    EXPECT_EQ(call(p, session, s), Object_ERROR_INVALID) << what;
  }
  ASSERT_EQ(call(p, session, version(), &r), Object_OK);
  EXPECT_EQ(u32_at(r.buffer(0), 0), 1u << IGPSession_MAJOR_SHIFT);

  // The session, and the TA behind it, still answer the right shape.
  ASSERT_EQ(call(p, session, invoke_counters(), &r), Object_OK);
  EXPECT_EQ(u32_at(r.buffer(0), 16), 0u) << "retValue";
  ASSERT_EQ(r.buffer(1).size(), 8u);
  EXPECT_EQ(u32_at(r.buffer(1), 0), 1u) << "sessions the TA opened";
  EXPECT_EQ(call(p, session, {IGPSession_OP_close, {}, {}, 0, 0}), Object_OK);
  EXPECT_TRUE(p.release(session, 1));
  EXPECT_TRUE(p.release(gp, 1));
}

TEST_F(HostileTaTest, MisshapenCallsToATasOwnGpObjectsAreInvalidAndTheTaServesOn) {
  HostileClientRun c({"gp-shapes", d_.socket(), CAPTEE_GP_SINGLE_TA});
  ASSERT_TRUE(c.ready()) << c.line();
  EXPECT_EQ(word(c, 0), 0) << "shapes answered other than Object_ERROR_INVALID (stderr names them)";
  EXPECT_EQ(word(c, 1), 1) << "the right open and invoke after them did not work";
}
