// libteec against a real capteed (temporary socket, --ta-dir with the GP test
// TA and captee's tally example TA): the behaviours of spec
// gp-tee-client-api.md "Behaviour worth matching".
#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <memory>
#include <thread>
#include <vector>

#include "CAppLoader.h"
#include "CGPAppClient.h"
#include "IAppController.h"
#include "IAppLoader.h"
#include "IClientEnv.h"
#include "IGPAppClient.h"
#include "IGPSession.h"
#include "MinkCom.h"
#include "tally_ta.h"
#include "tee_client_api.h"
#include "teec_fixture.hpp"
#include "teec_test_ta.h"

extern "C" int teec_header_values_checked(void);

namespace {

using captee::test::Teec;

TEST(TeecHeader, ValuesMatchOpTee) {
  EXPECT_EQ(teec_header_values_checked(), 1);
}

TEST_F(Teec, NullCloseAndFinalizeAreNoOps) {
  TEEC_FinalizeContext(nullptr);
  TEEC_CloseSession(nullptr);
  TEEC_ReleaseSharedMemory(nullptr);
  TEEC_RequestCancellation(nullptr);
  EXPECT_EQ(TEEC_InitializeContext(nullptr, nullptr), TEEC_ERROR_BAD_PARAMETERS);
  uint32_t origin = 0;
  EXPECT_EQ(TEEC_InvokeCommand(nullptr, 0, nullptr, &origin), TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_API);
  TEEC_UUID uuid = TEEC_TEST_TA_UUID;
  TEEC_Session s{};
  EXPECT_EQ(TEEC_OpenSession(nullptr, &s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_ERROR_BAD_PARAMETERS);
  // A closed session, closed again, and a context finalized twice.
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_CloseSession(&s);
  TEEC_CloseSession(&s);
  EXPECT_EQ(TEEC_InvokeCommand(&s, 0, nullptr, &origin), TEEC_ERROR_BAD_PARAMETERS);
  TEEC_Context c{};
  ASSERT_EQ(TEEC_InitializeContext(nullptr, &c), TEEC_SUCCESS);
  TEEC_FinalizeContext(&c);
  TEEC_FinalizeContext(&c);
}

TEST_F(Teec, WrongTeeNameIsItemNotFound) {
  TEEC_Context c{};
  EXPECT_EQ(TEEC_InitializeContext("optee", &c), TEEC_ERROR_ITEM_NOT_FOUND);
  ASSERT_EQ(TEEC_InitializeContext("captee", &c), TEEC_SUCCESS);
  TEEC_FinalizeContext(&c);
}

TEST_F(Teec, NoDaemonIsCommunicationError) {
  std::string saved = ::getenv("CAPTEE_SOCKET");
  ::setenv("CAPTEE_SOCKET", "/nonexistent/captee.sock", 1);
  TEEC_Context c{};
  EXPECT_EQ(TEEC_InitializeContext(nullptr, &c), TEEC_ERROR_COMMUNICATION);
  ::setenv("CAPTEE_SOCKET", saved.c_str(), 1);
}

TEST_F(Teec, TallyKeepsATotalPerSession) {
  TEEC_UUID uuid = TA_TALLY_UUID;
  TEEC_Session a{}, b{};
  uint32_t origin = 0;
  TEEC_Operation start{};
  start.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  start.params[0].value.a = 42;
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &a, &uuid, TEEC_LOGIN_PUBLIC, nullptr, &start, &origin),
            TEEC_SUCCESS);
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &b, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = 1;
  ASSERT_EQ(TEEC_InvokeCommand(&a, TA_TALLY_CMD_ADD, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.a, 43u);
  EXPECT_EQ(op.params[0].value.b, 1u);
  op.params[0].value.a = 7;
  ASSERT_EQ(TEEC_InvokeCommand(&b, TA_TALLY_CMD_ADD, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.a, 7u) << "the other session's total is its own";
  // An addition past 2^32-1 is refused and changes nothing.
  op.params[0].value.a = 0xFFFFFFFFu;
  // TEE_ERROR_OVERFLOW, which tee_client_api.h does not name (as in OP-TEE's).
  constexpr TEEC_Result kOverflow = 0xFFFF300F;
  EXPECT_EQ(TEEC_InvokeCommand(&a, TA_TALLY_CMD_ADD, &op, &origin), kOverflow);
  EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
  op.params[0].value.a = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&a, TA_TALLY_CMD_ADD, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.a, 43u);
  EXPECT_EQ(op.params[0].value.b, 2u);
  // The TA checks its parameter types itself.
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  EXPECT_EQ(TEEC_InvokeCommand(&a, TA_TALLY_CMD_ADD, &op, &origin), TEEC_ERROR_BAD_PARAMETERS);
  EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
  TEEC_CloseSession(&a);
  TEEC_CloseSession(&b);
}

TEST_F(Teec, TallyReverseAsksForTheSizeItNeeds) {
  TEEC_UUID uuid = TA_TALLY_UUID;
  TEEC_Session s{};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  char in[] = "abcdefgh";
  char out[16] = {};
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[0].tmpref = {in, 8};
  op.params[1].tmpref = {out, 3};
  EXPECT_EQ(TEEC_InvokeCommand(&s, TA_TALLY_CMD_REVERSE, &op, &origin), TEEC_ERROR_SHORT_BUFFER);
  EXPECT_EQ(op.params[1].tmpref.size, 8u);
  EXPECT_EQ(out[0], 0) << "nothing written on SHORT_BUFFER";
  op.params[1].tmpref = {out, sizeof out};
  ASSERT_EQ(TEEC_InvokeCommand(&s, TA_TALLY_CMD_REVERSE, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[1].tmpref.size, 8u);
  EXPECT_EQ(std::string(out, 8), "hgfedcba");
  TEEC_CloseSession(&s);
}

TEST_F(Teec, TallyExampleClientRuns) {
  const auto [status, output] = captee::test::run_capture("CAPTEE_SOCKET='" + daemon_->socket() +
                                                          "' '" CAPTEE_TALLY_CLIENT "'");
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("add 300: total 421 after 3 additions"), std::string::npos) << output;
  EXPECT_NE(output.find("reverse \"capability\": \"ytilibapac\""), std::string::npos) << output;
  EXPECT_NE(output.find("shout (registered, from byte 4): \"the CLIENT'S OWN BUFFER, REGISTERED\""),
            std::string::npos)
      << output;
}

TEST_F(Teec, ValueParamsTravelByValue) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_VALUE_INOUT, TEEC_NONE);
  op.params[0].value = {7, 6};
  op.params[1].value = {0xFFFF, 0xFFFF};
  op.params[2].value = {10, 20};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_VALUES, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
  EXPECT_EQ(op.params[0].value.a, 7u);
  EXPECT_EQ(op.params[1].value.a, 13u);
  EXPECT_EQ(op.params[1].value.b, 42u);
  EXPECT_EQ(op.params[2].value.a, 11u);
  EXPECT_EQ(op.params[2].value.b, 19u);
  // No operation at all is fine; an unknown command is the TA's answer.
  EXPECT_EQ(TEEC_InvokeCommand(&s, 99, nullptr, &origin), TEEC_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, UnknownTaIsItemNotFoundFromTee) {
  TEEC_UUID uuid = {0x12345678, 0x9abc, 0xdef0, {1, 2, 3, 4, 5, 6, 7, 8}};
  TEEC_Session s{};
  uint32_t origin = 0;
  EXPECT_EQ(TEEC_OpenSession(&ctx_, &s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_ERROR_ITEM_NOT_FOUND);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
}

TEST_F(Teec, OpenSessionRefusedByTa) {
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  op.params[0].value.a = 0xBAD;
  TEEC_Session s{};
  uint32_t origin = 0;
  EXPECT_EQ(open(&s, &origin, &op), TEEC_ERROR_ACCESS_DENIED);
  EXPECT_EQ(origin, TEEC_ORIGIN_TRUSTED_APP);
  op.params[0].value.a = 1;
  ASSERT_EQ(open(&s, &origin, &op), TEEC_SUCCESS);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, PanicIsTargetDeadThenTargetDeadAgain) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  uint32_t origin = 0;
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_PANIC, nullptr, &origin), TEEC_ERROR_TARGET_DEAD);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COUNTERS, &op, &origin), TEEC_ERROR_TARGET_DEAD);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
  TEEC_CloseSession(&s);
  // A new session gets a fresh instance.
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  EXPECT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COUNTERS, &op, &origin), TEEC_SUCCESS);
  TEEC_CloseSession(&s);
}

TEST_F(Teec, InternalApiSubsetWorksInsideTheTa) {
  TEEC_Session s{};
  ASSERT_EQ(open(&s), TEEC_SUCCESS);
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_INTERNAL_API, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.a, 1u);
  uint32_t now = static_cast<uint32_t>(::time(nullptr));
  EXPECT_LE(op.params[0].value.b, now);
  EXPECT_GE(op.params[0].value.b + 5, now);
  // The instance was created once and opened once (a multi-instance TA).
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  ASSERT_EQ(TEEC_InvokeCommand(&s, TEEC_TEST_CMD_COUNTERS, &op, &origin), TEEC_SUCCESS);
  EXPECT_EQ(op.params[0].value.a, 1u);
  EXPECT_EQ(op.params[0].value.b, 1u);
  TEEC_CloseSession(&s);
}

TEEC_Result counters(TEEC_Session *s, uint32_t *opens, uint32_t *creates) {
  TEEC_Operation op{};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  uint32_t origin = 0;
  TEEC_Result r = TEEC_InvokeCommand(s, TEEC_TEST_CMD_COUNTERS, &op, &origin);
  *opens = op.params[0].value.a;
  *creates = op.params[0].value.b;
  return r;
}

TEST_F(Teec, MultiInstanceTaGetsOneInstancePerSession) {
  TEEC_Session a{}, b{};
  ASSERT_EQ(open(&a), TEEC_SUCCESS);
  ASSERT_EQ(open(&b), TEEC_SUCCESS);
  uint32_t opens = 0, creates = 0;
  ASSERT_EQ(counters(&b, &opens, &creates), TEEC_SUCCESS);
  EXPECT_EQ(opens, 1u);
  EXPECT_EQ(creates, 1u);
  TEEC_CloseSession(&a);
  TEEC_CloseSession(&b);
}

TEST_F(Teec, SingleInstanceTaIsSharedBySessions) {
  TEEC_UUID uuid = {0x7e57c0de, 0x0002, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x02}};
  TEEC_Session a{}, b{};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &a, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &b, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  uint32_t opens = 0, creates = 0;
  ASSERT_EQ(counters(&b, &opens, &creates), TEEC_SUCCESS);
  EXPECT_EQ(opens, 2u);
  EXPECT_EQ(creates, 1u);
  TEEC_CloseSession(&a);
  TEEC_CloseSession(&b);
}

TEST_F(Teec, SingleSessionTaIsBusyWhileASessionIsOpen) {
  TEEC_UUID uuid = {0x7e57c0de, 0x0003, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x03}};
  TEEC_Session a{}, b{};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &a, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  EXPECT_EQ(TEEC_OpenSession(&ctx_, &b, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_ERROR_BUSY);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
  TEEC_CloseSession(&a);
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &b, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  TEEC_CloseSession(&b);
}

// A client that loads a GP TA's image through the app loader gets its own
// process: it never shares (or can lie to) the instance the GP service runs.
TEST_F(Teec, AppLoaderClientsDoNotShareGpInstances) {
  TEEC_UUID uuid = {0x7e57c0de, 0x0002, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x02}};
  TEEC_Session a{}, b{};
  uint32_t origin = 0;
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &a, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  captee::Ref loader = daemon_->open(CAppLoader_UID);
  ASSERT_TRUE(loader);
  const char name[] = "7e57c0de-0002-4000-8000-000000000002";
  Object ctrl = Object_NULL, app = Object_NULL, sess = Object_NULL;
  ASSERT_EQ(IAppLoader_loadEmbedded(loader.get(), name, sizeof name - 1, &ctrl), Object_OK);
  ASSERT_EQ(IAppController_getAppObject(ctrl, &app), Object_OK);
  uint32_t sz[4] = {}, ret = 1;
  size_t olen[4] = {};
  ASSERT_EQ(IGPAppClient_openSession(
                app, &uuid, sizeof uuid, Object_NULL, 0, TEEC_LOGIN_PUBLIC, 0, 0, 0, nullptr, 0,
                nullptr, 0, nullptr, 0, nullptr, 0, nullptr, 0, &olen[0], nullptr, 0, &olen[1],
                nullptr, 0, &olen[2], nullptr, 0, &olen[3], Object_NULL, Object_NULL, Object_NULL,
                Object_NULL, &sz[0], &sz[1], &sz[2], &sz[3], &sess, &ret, &origin),
            Object_OK);
  ASSERT_EQ(ret, TEEC_SUCCESS);
  ASSERT_EQ(TEEC_OpenSession(&ctx_, &b, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
            TEEC_SUCCESS);
  uint32_t opens = 0, creates = 0;
  ASSERT_EQ(counters(&b, &opens, &creates), TEEC_SUCCESS);
  EXPECT_EQ(opens, 2u);  // a and b; not the loader client's session
  Object_ASSIGN_NULL(sess);
  Object_ASSIGN_NULL(app);
  Object_ASSIGN_NULL(ctrl);
  TEEC_CloseSession(&a);
  TEEC_CloseSession(&b);
}

// A client written against the Mink interfaces (MinkCom + the IGPAppClient /
// IGPSession C stubs, as libminkteec's users do) reaches the same TA.
TEST_F(Teec, MinkInterfaceClientInteroperates) {
  Object root = Object_NULL, env = Object_NULL, app = Object_NULL, sess = Object_NULL;
  ASSERT_EQ(MinkCom_getRootEnvObject(&root), Object_OK);
  ASSERT_EQ(MinkCom_getClientEnvObject(root, &env), Object_OK);
  ASSERT_EQ(IClientEnv_open(env, CGPAppClient_UID, &app), Object_OK);
  TEEC_UUID uuid = TA_TALLY_UUID;
  uint32_t sz[4] = {}, ret = 1, origin = 0;
  size_t olen[4] = {};
  ASSERT_EQ(IGPAppClient_openSession(
                app, &uuid, sizeof uuid, Object_NULL, 0, TEEC_LOGIN_PUBLIC, 0, 0, 0, nullptr, 0,
                nullptr, 0, nullptr, 0, nullptr, 0, nullptr, 0, &olen[0], nullptr, 0, &olen[1],
                nullptr, 0, &olen[2], nullptr, 0, &olen[3], Object_NULL, Object_NULL, Object_NULL,
                Object_NULL, &sz[0], &sz[1], &sz[2], &sz[3], &sess, &ret, &origin),
            Object_OK);
  ASSERT_EQ(ret, TEEC_SUCCESS);
  ASSERT_FALSE(Object_isNull(sess));
  uint32_t value[2] = {41, 0};
  uint32_t out[2] = {};
  ASSERT_EQ(
      IGPSession_invokeCommand(
          sess, TA_TALLY_CMD_ADD, 0, 0xFFFFFFFFu, TEEC_PARAM_TYPES(TEEC_VALUE_INOUT, 0, 0, 0), 0,
          value, sizeof value, nullptr, 0, nullptr, 0, nullptr, 0, out, sizeof out, &olen[0],
          nullptr, 0, &olen[1], nullptr, 0, &olen[2], nullptr, 0, &olen[3], Object_NULL,
          Object_NULL, Object_NULL, Object_NULL, &sz[0], &sz[1], &sz[2], &sz[3], &ret, &origin),
      Object_OK);
  EXPECT_EQ(ret, TEEC_SUCCESS);
  EXPECT_EQ(olen[0], 8u);
  EXPECT_EQ(out[0], 41u) << "a new session's total starts at 0";
  EXPECT_EQ(out[1], 1u);
  Object_ASSIGN_NULL(sess);
  Object_ASSIGN_NULL(app);
  Object_ASSIGN_NULL(env);
  Object_ASSIGN_NULL(root);
}

// The expected client UUID: UUIDv5 in the Linux TEE client namespace.
TEEC_UUID uuid_v5(const std::string &name) {
  static const uint8_t ns[16] = {0x58, 0xac, 0x9c, 0xa0, 0x20, 0x86, 0x46, 0x83,
                                 0xa1, 0xb8, 0xec, 0x4b, 0xc0, 0x8e, 0x01, 0xb6};
  std::vector<uint8_t> in(ns, ns + 16);
  in.insert(in.end(), name.begin(), name.end());
  uint8_t md[SHA_DIGEST_LENGTH];
  SHA1(in.data(), in.size(), md);
  md[6] = static_cast<uint8_t>((md[6] & 0x0F) | 0x50);
  md[8] = static_cast<uint8_t>((md[8] & 0x3F) | 0x80);
  TEEC_UUID u{};
  u.timeLow = (uint32_t{md[0]} << 24) | (uint32_t{md[1]} << 16) | (uint32_t{md[2]} << 8) | md[3];
  u.timeMid = static_cast<uint16_t>((md[4] << 8) | md[5]);
  u.timeHiAndVersion = static_cast<uint16_t>((md[6] << 8) | md[7]);
  std::memcpy(u.clockSeqAndNode, md + 8, 8);
  return u;
}

std::string hex(const char *prefix, unsigned long v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s=%lx", prefix, v);
  return buf;
}

std::string sha256_of_self() {
  std::ifstream f("/proc/self/exe", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  uint8_t md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), md);
  std::string out;
  for (uint8_t b : md) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", b);
    out += two;
  }
  return out;
}

// Opens with `login` and asks the TA for gpd.client.identity.
TEEC_Result identity_seen_by_ta(TEEC_Context *ctx, uint32_t login, const void *data,
                                uint32_t *seen_login, TEEC_UUID *seen, uint32_t *origin) {
  TEEC_UUID uuid = TEEC_TEST_TA_UUID;
  TEEC_Session s{};
  TEEC_Result r = TEEC_OpenSession(ctx, &s, &uuid, login, data, nullptr, origin);
  if (r != TEEC_SUCCESS) {
    return r;
  }
  TEEC_Operation op{};
  op.paramTypes =
      TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE);
  op.params[1].tmpref = {seen, sizeof *seen};
  r = TEEC_InvokeCommand(&s, TEEC_TEST_CMD_IDENTITY, &op, origin);
  *seen_login = op.params[0].value.a;
  TEEC_CloseSession(&s);
  return r;
}

TEST_F(Teec, LoginIdentitiesAreComputedByCapteed) {
  uint32_t login = 99, origin = 0;
  TEEC_UUID seen{};
  ASSERT_EQ(identity_seen_by_ta(&ctx_, TEEC_LOGIN_PUBLIC, nullptr, &login, &seen, &origin),
            TEEC_SUCCESS);
  EXPECT_EQ(login, TEEC_LOGIN_PUBLIC);
  TEEC_UUID nil{};
  EXPECT_EQ(std::memcmp(&seen, &nil, sizeof nil), 0);

  ASSERT_EQ(identity_seen_by_ta(&ctx_, TEEC_LOGIN_USER, nullptr, &login, &seen, &origin),
            TEEC_SUCCESS);
  EXPECT_EQ(login, TEEC_LOGIN_USER);
  TEEC_UUID want = uuid_v5(hex("uid", ::geteuid()));
  EXPECT_EQ(std::memcmp(&seen, &want, sizeof want), 0);

  uint32_t gid = ::getegid();
  ASSERT_EQ(identity_seen_by_ta(&ctx_, TEEC_LOGIN_GROUP, &gid, &login, &seen, &origin),
            TEEC_SUCCESS);
  EXPECT_EQ(login, TEEC_LOGIN_GROUP);
  want = uuid_v5(hex("gid", gid));
  EXPECT_EQ(std::memcmp(&seen, &want, sizeof want), 0);

  ASSERT_EQ(identity_seen_by_ta(&ctx_, TEEC_LOGIN_APPLICATION, nullptr, &login, &seen, &origin),
            TEEC_SUCCESS);
  EXPECT_EQ(login, TEEC_LOGIN_APPLICATION);
  want = uuid_v5("app=" + sha256_of_self());
  EXPECT_EQ(std::memcmp(&seen, &want, sizeof want), 0);
}

TEST_F(Teec, LoginsTheCallerIsNotEntitledToAreRefused) {
  uint32_t login = 0, origin = 0;
  TEEC_UUID seen{};
  uint32_t foreign_gid = 4242421;  // a group this process is not in
  EXPECT_EQ(identity_seen_by_ta(&ctx_, TEEC_LOGIN_GROUP, &foreign_gid, &login, &seen, &origin),
            TEEC_ERROR_ACCESS_DENIED);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
  EXPECT_EQ(
      identity_seen_by_ta(&ctx_, TEEC_LOGIN_USER_APPLICATION, nullptr, &login, &seen, &origin),
      TEEC_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(origin, TEEC_ORIGIN_TEE);
}

}  // namespace
