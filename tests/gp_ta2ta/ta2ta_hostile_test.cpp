// GP TA-to-TA from the attacker's side: a TA that claims another identity
// through the GP service capteed bound to it, a user's TA bearing a trusted
// TA's UUID, a TA passing memory it cannot pass, a TA using session handles
// it was never given. Each ends with capteed and the other TAs unharmed.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../support/load_image.hpp"
#include "CAppLoader.h"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "ITestTa.hpp"
#include "raw_gp.hpp"
#include "ta2ta_relay.h"
#include "teec_fixture.hpp"
#include "teec_test_ta.h"

namespace captee::test {
namespace {

constexpr TEEC_UUID kRelay = TA2TA_RELAY_UUID;
constexpr TEEC_UUID kTestTa = TEEC_TEST_TA_UUID;
// The native test TA of tests/tee_apps, installed in the TA directory.
constexpr TEEC_UUID kNativeTestTa = {
    0x6a1c0de0, 0x7e57, 0x4a11, {0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}};
// The GP test TA the squatter bears the UUID of.
constexpr TEEC_UUID kGpSingle = {
    0x7e57c0de, 0x0002, 0x4000, {0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02}};
constexpr uint32_t kInfinite = 0xFFFFFFFFu;
constexpr uint32_t kLoginTrustedApp = 0xF0000000u;  // TEE_LOGIN_TRUSTED_APP
constexpr uint32_t kOpenAsOp = 2;                   // IGPAppClientCaptee.openSessionAs

std::vector<std::byte> read_file(const char *path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<std::byte> out(bytes.size());
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

// The UUID capteed gives the GP login USER of `uid` (src/tee/gp_identity.hpp),
// as the TEE_UUID a TA reads: UUIDv5(58ac9ca0-2086-4683-a1b8-ec4bc08e01b6,
// "uid=<hex>").
TEEC_UUID user_uuid(unsigned uid) {
  const uint8_t ns[16] = {0x58, 0xac, 0x9c, 0xa0, 0x20, 0x86, 0x46, 0x83,
                          0xa1, 0xb8, 0xec, 0x4b, 0xc0, 0x8e, 0x01, 0xb6};
  char name[32];
  std::snprintf(name, sizeof name, "uid=%x", uid);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, ns, sizeof ns);
  EVP_DigestUpdate(ctx, name, std::strlen(name));
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  md[6] = static_cast<unsigned char>((md[6] & 0x0F) | 0x50);
  md[8] = static_cast<unsigned char>((md[8] & 0x3F) | 0x80);
  TEEC_UUID u{};
  u.timeLow = (uint32_t{md[0]} << 24) | (uint32_t{md[1]} << 16) | (uint32_t{md[2]} << 8) | md[3];
  u.timeMid = static_cast<uint16_t>((md[4] << 8) | md[5]);
  u.timeHiAndVersion = static_cast<uint16_t>((md[6] << 8) | md[7]);
  std::memcpy(u.clockSeqAndNode, md + 8, 8);
  return u;
}

bool same(const TEEC_UUID &a, const TEEC_UUID &b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

class Ta2TaHostile : public Teec {
 protected:
  Ref loader() {
    int32_t rv = Object_ERROR;
    Ref l = daemon_->open(CAppLoader_UID, &rv);
    EXPECT_EQ(rv, Object_OK);
    return l;
  }

  // A native TA's host environment object CAPTEE_TA_ENV_GP_APP_CLIENT (0),
  // which the test TA hands out as its "listener" 0: capteed's GP service
  // bound to that TA. Calls on it reach capteed from the TA's own channel.
  static Ref gp_service_of(const Ref &native_ta) {
    Ref gp;
    EXPECT_EQ(iface::ITestTa(native_ta).listener(0, gp), Object_OK);
    return gp;
  }

  // gpd.client.identity as the GP test TA sees it on `session` (a raw
  // session to it): {login, uuid}.
  static std::pair<uint32_t, TEEC_UUID> identity_on(const Ref &session) {
    RawCall c;
    c.types = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
    c.p[1].bytes.assign(16, 0);
    EXPECT_EQ(raw_invoke(session.get(), TEEC_TEST_CMD_IDENTITY, c), Object_OK);
    EXPECT_EQ(c.ret, TEEC_SUCCESS);
    TEEC_UUID u{};
    std::memcpy(&u, c.p[1].bytes.data(), sizeof u);
    return {c.p[0].a, u};
  }

  // The relay on a raw session: it opens the GP test TA and asks it who
  // called; {login, uuid} it reports.
  static std::pair<uint32_t, TEEC_UUID> relay_identity_raw(const Ref &relay) {
    TEEC_UUID target = kTestTa;
    RawCall open;
    open.types =
        TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE);
    open.p[0].bytes.resize(sizeof target);
    std::memcpy(open.p[0].bytes.data(), &target, sizeof target);
    open.p[1].a = kInfinite;
    EXPECT_EQ(raw_invoke(relay.get(), TA2TA_CMD_OPEN, open), Object_OK);
    EXPECT_EQ(open.p[2].a, TEEC_SUCCESS) << "origin " << open.p[2].b;
    RawCall set;
    set.types = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    set.p[0].a = TEEC_TEST_CMD_IDENTITY;
    set.p[0].b = kInfinite;
    EXPECT_EQ(raw_invoke(relay.get(), TA2TA_CMD_TARGET, set), Object_OK);
    RawCall id;
    id.types = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
    id.p[1].bytes.assign(16, 0);
    EXPECT_EQ(raw_invoke(relay.get(), TA2TA_CMD_RELAY, id), Object_OK);
    EXPECT_EQ(id.ret, TEEC_SUCCESS) << "origin " << id.origin;
    TEEC_UUID u{};
    std::memcpy(&u, id.p[1].bytes.data(), sizeof u);
    return {id.p[0].a, u};
  }

  void open_ta(const TEEC_UUID &uuid, TEEC_Session *s) {
    uint32_t origin = 0;
    ASSERT_EQ(TEEC_OpenSession(&ctx_, s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
              TEEC_SUCCESS)
        << "origin " << origin;
  }

  // A relay session (a new relay instance) holding a session to the GP test TA.
  void open_relay_to_test_ta(TEEC_Session *s) {
    open_ta(kRelay, s);
    TEEC_UUID target = kTestTa;
    TEEC_Operation op{};
    op.paramTypes =
        TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_NONE);
    op.params[0].tmpref = {&target, sizeof target};
    op.params[1].value.a = kInfinite;
    ASSERT_EQ(TEEC_InvokeCommand(s, TA2TA_CMD_OPEN, &op, nullptr), TEEC_SUCCESS);
    ASSERT_EQ(op.params[2].value.a, TEEC_SUCCESS);
  }

  // The relay relays the GP test TA's VALUES command: whether it still works.
  bool relay_still_works(TEEC_Session *s) {
    TEEC_Operation set{};
    set.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    set.params[0].value = {TEEC_TEST_CMD_VALUES, kInfinite};
    if (TEEC_InvokeCommand(s, TA2TA_CMD_TARGET, &set, nullptr) != TEEC_SUCCESS) {
      return false;
    }
    TEEC_Operation op{};
    op.paramTypes =
        TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_VALUE_INOUT, TEEC_NONE);
    op.params[0].value = {20, 22};
    return TEEC_InvokeCommand(s, TA2TA_CMD_RELAY, &op, nullptr) == TEEC_SUCCESS &&
           op.params[1].value.a == 42;
  }

  // A relay call with one value in {a, b}; its result.
  TEEC_Result relay_value_call(TEEC_Session *s, uint32_t cmd, uint32_t a, uint32_t b = 0,
                               uint32_t *origin = nullptr) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].value = {a, b};
    return TEEC_InvokeCommand(s, cmd, &op, origin);
  }
};

// A TA tries to open sessions as someone else through the GP service
// capteed bound to it: with capteed's private openSessionAs (not an op of
// that object), and with every login a client could ask for. Only
// TEE_LOGIN_TRUSTED_APP opens, and the callee then sees that TA, whatever
// was asked.
TEST_F(Ta2TaHostile, ATaCannotClaimAnotherIdentity) {
  Ref l = loader();
  const std::string name = "captee_test_ta";
  Ref ctrl, app;
  ASSERT_EQ(iface::IAppLoader(l).loadEmbedded(std::as_bytes(std::span(name)), ctrl), Object_OK);
  ASSERT_EQ(iface::IAppController(ctrl).getAppObject(app), Object_OK);
  Ref gp = gp_service_of(app);
  ASSERT_FALSE(gp.is_null()) << "the TA found no GP service in its environment";

  // The relay's identity, stated: the private op does not exist here.
  uint8_t relay_bytes[16] = {0x7e, 0x57, 0xc0, 0xde, 0x00, 0x21, 0x40, 0x00,
                             0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21};
  {
    RawCall c;
    Ref s;
    EXPECT_EQ(raw_open_as(gp.get(), kTestTa, kLoginTrustedApp, relay_bytes, c, &s),
              Object_ERROR_INVALID);
    EXPECT_TRUE(s.is_null());
    // The op number itself, whatever the arguments.
    EXPECT_NE(gp.invoke_raw(kOpenAsOp, nullptr, 0), Object_OK);
  }
  // Logins a client may ask for, the kernel range, and made-up ones.
  for (uint32_t login :
       {0u, 1u, 2u, 4u, 5u, 6u, 0x80000000u, 0xBFFFFFFFu, 0xF0000001u, 0xFFFFFFFFu}) {
    RawCall c;
    Ref s;
    ASSERT_EQ(raw_open(gp.get(), kTestTa, login, c, &s), Object_OK) << login;
    EXPECT_EQ(c.ret, TEEC_ERROR_ACCESS_DENIED) << login;
    EXPECT_EQ(c.origin, TEEC_ORIGIN_TEE) << login;
    EXPECT_TRUE(s.is_null()) << login;
  }
  RawCall c;
  Ref s;
  ASSERT_EQ(raw_open(gp.get(), kTestTa, kLoginTrustedApp, c, &s), Object_OK);
  ASSERT_EQ(c.ret, TEEC_SUCCESS) << "origin " << c.origin;
  auto [login, uuid] = identity_on(s);
  EXPECT_EQ(login, kLoginTrustedApp);
  EXPECT_TRUE(same(uuid, kNativeTestTa)) << "the callee saw someone other than the calling TA";
}

// A TA a user loaded from a buffer bears the UUID of a trusted TA: the
// installed relay's very image, and a squatter bearing the GP test TA's
// UUID. The TAs they call see the user who loaded them (login USER), never
// TEE_LOGIN_TRUSTED_APP with the trusted TA's UUID.
TEST_F(Ta2TaHostile, AUsersTaBearingATrustedUuidIsSeenAsItsUser) {
  Ref l = loader();
  const TEEC_UUID root_user = user_uuid(0);

  // The relay, from a buffer: the GP runtime's own TEE_OpenTASession.
  Ref ctrl, app;
  ASSERT_EQ(load_image(l, read_file(TA2TA_RELAY_TA_FILE), ctrl), Object_OK);
  ASSERT_EQ(iface::IAppController(ctrl).getAppObject(app), Object_OK);
  RawCall open;
  Ref relay;
  ASSERT_EQ(raw_open(app.get(), kRelay, TEEC_LOGIN_PUBLIC, open, &relay), Object_OK);
  ASSERT_EQ(open.ret, TEEC_SUCCESS);
  auto [login, uuid] = relay_identity_raw(relay);
  EXPECT_EQ(login, uint32_t{TEEC_LOGIN_USER});
  EXPECT_TRUE(same(uuid, root_user));
  EXPECT_FALSE(same(uuid, kRelay));

  // The same image from the TA directory is the trusted relay.
  TEEC_Session trusted{};
  open_relay_to_test_ta(&trusted);
  TEEC_Operation set{};
  set.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  set.params[0].value = {TEEC_TEST_CMD_IDENTITY, kInfinite};
  ASSERT_EQ(TEEC_InvokeCommand(&trusted, TA2TA_CMD_TARGET, &set, nullptr), TEEC_SUCCESS);
  TEEC_UUID seen{};
  TEEC_Operation id{};
  id.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  id.params[1].tmpref = {&seen, sizeof seen};
  ASSERT_EQ(TEEC_InvokeCommand(&trusted, TA2TA_CMD_RELAY, &id, nullptr), TEEC_SUCCESS);
  EXPECT_EQ(id.params[0].value.a, kLoginTrustedApp);
  EXPECT_TRUE(same(seen, kRelay));
  TEEC_CloseSession(&trusted);

  // A native squatter bearing the GP test TA's UUID, through the service
  // object itself.
  Ref squat_ctrl, squat;
  ASSERT_EQ(load_image(l, read_file(CAPTEE_GP_SQUAT_TA), squat_ctrl), Object_OK);
  ASSERT_EQ(iface::IAppController(squat_ctrl).getAppObject(squat), Object_OK);
  Ref gp = gp_service_of(squat);
  ASSERT_FALSE(gp.is_null());
  RawCall c;
  Ref s;
  ASSERT_EQ(raw_open(gp.get(), kTestTa, kLoginTrustedApp, c, &s), Object_OK);
  ASSERT_EQ(c.ret, TEEC_SUCCESS) << "origin " << c.origin;
  auto [squat_login, squat_uuid] = identity_on(s);
  EXPECT_EQ(squat_login, uint32_t{TEEC_LOGIN_USER});
  EXPECT_TRUE(same(squat_uuid, root_user));
  EXPECT_FALSE(same(squat_uuid, kGpSingle));
  s.reset();
  EXPECT_EQ(iface::IAppController(squat_ctrl).unload(), Object_OK);  // it is keep-alive
}

// A TA passes TEE_InvokeTACommand memory it cannot pass: nothing mapped
// there, its read-only data as an output, a range running off a mapping,
// its client's input memref as an output. The check runs in the caller's
// own process before anything is copied (no other process's memory is ever
// read: the bytes travel as a copy the caller makes), and the caller
// panics, as the specification says: its client gets TARGET_DEAD from the
// TEE, and capteed and the other TAs carry on.
TEST_F(Ta2TaHostile, MemoryACallerCannotPassPanicsOnlyTheCaller) {
  for (uint32_t kind : {TA2TA_BOGUS_UNMAPPED, TA2TA_BOGUS_READ_ONLY_OUTPUT,
                        TA2TA_BOGUS_PAST_MAPPING, TA2TA_BOGUS_INPUT_AS_OUTPUT}) {
    TEEC_Session relay{};
    open_relay_to_test_ta(&relay);
    uint8_t client_bytes[64] = {1};
    TEEC_Operation op{};
    op.paramTypes =
        TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_MEMREF_TEMP_INPUT, TEEC_NONE, TEEC_NONE);
    op.params[0].value.a = kind;
    op.params[1].tmpref = {client_bytes, sizeof client_bytes};
    uint32_t origin = 0;
    EXPECT_EQ(TEEC_InvokeCommand(&relay, TA2TA_CMD_BOGUS, &op, &origin), TEEC_ERROR_TARGET_DEAD)
        << kind;
    EXPECT_EQ(origin, TEEC_ORIGIN_TEE) << kind;
    TEEC_CloseSession(&relay);
  }
  TEEC_Session healthy{};
  open_relay_to_test_ta(&healthy);
  EXPECT_TRUE(relay_still_works(&healthy));
  TEEC_CloseSession(&healthy);
}

// Session handles are the calling TA's own numbers: another TA's handle
// value names nothing of that TA's in the forger (at most the forger's own
// session of the same number), a made-up or stale handle panics the TA that
// uses it, and the victim's session carries on.
TEST_F(Ta2TaHostile, SessionHandlesNameOnlyTheHoldersOwnSessions) {
  TEEC_Session victim{};
  open_relay_to_test_ta(&victim);
  TEEC_Operation h{};
  h.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  ASSERT_EQ(TEEC_InvokeCommand(&victim, TA2TA_CMD_HANDLE, &h, nullptr), TEEC_SUCCESS);
  const uint32_t ha = h.params[0].value.a;
  const uint32_t hb = h.params[0].value.b;
  ASSERT_NE(ha | hb, 0u);

  // A relay with no session closes the victim's handle value: not its own.
  TEEC_Session forger{};
  open_ta(kRelay, &forger);
  uint32_t origin = 0;
  EXPECT_EQ(relay_value_call(&forger, TA2TA_CMD_CLOSE_HANDLE, ha, hb, &origin),
            TEEC_ERROR_TARGET_DEAD);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
  TEEC_CloseSession(&forger);
  EXPECT_TRUE(relay_still_works(&victim));

  // A relay holding a session of its own that has the same number: closing
  // the number closes its own session, never the victim's; invoking it
  // afterwards (stale) panics.
  TEEC_Session twin{};
  open_relay_to_test_ta(&twin);
  EXPECT_EQ(relay_value_call(&twin, TA2TA_CMD_CLOSE_HANDLE, ha, hb), TEEC_SUCCESS);
  EXPECT_EQ(relay_value_call(&twin, TA2TA_CMD_INVOKE_HANDLE, ha, hb, &origin),
            TEEC_ERROR_TARGET_DEAD);
  TEEC_CloseSession(&twin);
  EXPECT_TRUE(relay_still_works(&victim));

  // Made-up handles: another slot, another generation, the high bits.
  for (auto [a, b] : {std::pair{ha + 1, hb}, std::pair{ha ^ 0x10000u, hb}, std::pair{ha, hb + 1},
                      std::pair{0xFFFFFFFFu, 0xFFFFFFFFu}}) {
    TEEC_Session liar{};
    open_relay_to_test_ta(&liar);
    EXPECT_EQ(relay_value_call(&liar, TA2TA_CMD_INVOKE_HANDLE, a, b), TEEC_ERROR_TARGET_DEAD)
        << std::hex << a << " " << b;
    TEEC_CloseSession(&liar);
  }
  EXPECT_TRUE(relay_still_works(&victim));
  TEEC_CloseSession(&victim);
}

}  // namespace
}  // namespace captee::test
