// Issue 20, findings 2 and 8, from the attacker's side: another uid's TA
// bearing an installed TA's UUID and name (impersonation), and two uids
// loading one single-instance TA (sharing a process, its state and the
// identities claimed in it). A TA instance is shared only for the same image
// from the same authority: the administrator's --ta-dir, or one uid.
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>

#include "CAppLoader.h"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "IDiagnostics.h"
#include "ITestTa.hpp"
#include "hostile_ta_fixture.hpp"
#include "tee_client_api.h"

using namespace captee;
using namespace captee::test;

namespace {

constexpr const char *kInstalledName = "captee_test_ta_single";  // in --ta-dir, single-instance
// The GP test TA (single-instance, multi-session) installed as <uuid>.ta.
constexpr TEEC_UUID kGpSingleUuid = {
    0x7e57c0de, 0x0002, 0x4000, {0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02}};
constexpr const char *kGpSingleUuidString = "7e57c0de-0002-4000-8000-000000000002";
constexpr uint32_t kGpCmdCounters = 5;  // tests/teec/ta/teec_test_ta.h
constexpr uint32_t kLoginUser = 1;      // TEEC_LOGIN_USER

std::string sha256_of_file(const char *path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    return "";
  }
  std::string hex;
  char b[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(b, sizeof b, "%02x", md[i]);
    hex += b;
  }
  return hex;
}

uint32_t pid_of(const Ref &app) {
  uint32_t pid = 0;
  return iface::ITestTa(app).pid(pid) == Object_OK ? pid : 0;
}

// Root opens a GP session to `uuid` through libteec and asks the TA how many
// sessions its instance has opened; the TEE result.
TEEC_Result gp_open_and_count(const std::string &socket, TEEC_UUID uuid, uint32_t *opens) {
  ::setenv("CAPTEE_SOCKET", socket.c_str(), 1);
  TEEC_Context ctx{};
  TEEC_Result r = TEEC_InitializeContext(nullptr, &ctx);
  if (r != TEEC_SUCCESS) {
    return r;
  }
  TEEC_Session s{};
  uint32_t origin = 0;
  r = TEEC_OpenSession(&ctx, &s, &uuid, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin);
  if (r == TEEC_SUCCESS) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    r = TEEC_InvokeCommand(&s, kGpCmdCounters, &op, &origin);
    *opens = op.params[0].value.a;
    TEEC_CloseSession(&s);
  }
  TEEC_FinalizeContext(&ctx);
  return r;
}

}  // namespace

// Finding 2. uid 4242 loads, from a buffer, TAs bearing the UUID and name of
// two installed TAs (a native one, and a GP one by its UUID), flagged
// SINGLE_INSTANCE|KEEP_ALIVE, and hangs up. Before the fix, root's
// loadEmbedded and connect were answered by the squatter.
TEST_F(HostileTaTest, ASquatterWithAnInstalledTasUuidAndNameNeverAnswersOthers) {
  HostileClientRun squat({"ta-squat", d_.socket(), CAPTEE_SQUAT_TA});
  ASSERT_TRUE(squat.ready()) << squat.line();
  const long squat_pid = word(squat, 0);
  ASSERT_GT(squat_pid, 0) << "the squatter did not load: " << squat.line();
  HostileClientRun gp_squat({"ta-squat", d_.socket(), CAPTEE_GP_SQUAT_TA});
  ASSERT_TRUE(gp_squat.ready()) << gp_squat.line();
  const long gp_squat_pid = word(gp_squat, 0);
  ASSERT_GT(gp_squat_pid, 0) << "the GP squatter did not load: " << gp_squat.line();

  {
    int32_t rv = Object_ERROR;
    Ref loader = d_.open(CAppLoader_UID, &rv);
    ASSERT_EQ(rv, Object_OK);
    const std::string name = kInstalledName;
    Ref embedded, embedded_app, connected, connected_app;
    ASSERT_EQ(iface::IAppLoader(loader).loadEmbedded(std::as_bytes(std::span(name)), embedded),
              Object_OK);
    ASSERT_EQ(iface::IAppController(embedded).getAppObject(embedded_app), Object_OK);
    const uint32_t installed_pid = pid_of(embedded_app);
    EXPECT_NE(installed_pid, 0u);
    EXPECT_NE(long(installed_pid), squat_pid) << "root's loadEmbedded got the squatter";
    ASSERT_EQ(iface::IAppLoader(loader).connect(std::as_bytes(std::span(name)), connected),
              Object_OK);
    ASSERT_EQ(iface::IAppController(connected).getAppObject(connected_app), Object_OK);
    EXPECT_EQ(pid_of(connected_app), installed_pid)
        << "root's connect did not reach the installed TA";

    // GP by UUID: the installed GP TA answers (the squatter, a native TA,
    // would refuse the open), and its instance has had this one session.
    uint32_t opens = 0;
    EXPECT_EQ(gp_open_and_count(d_.socket(), kGpSingleUuid, &opens), TEEC_SUCCESS);
    EXPECT_EQ(opens, 1u);

    // Who runs what: the installed TAs under the TA directory's authority,
    // the squatters under their loader's uid, side by side.
    for (const auto &t : tas_where("uuid", nlohmann::json(kGpSingleUuidString))) {
      if (t["authority"] == "uid:4242") {
        EXPECT_EQ(t["pid"], gp_squat_pid) << t.dump();
      }
    }
    auto squatters = tas_where("authority", "uid:4242");
    ASSERT_EQ(squatters.size(), 2u);
    for (const auto &t : squatters) {
      EXPECT_EQ(t["loaded_by"], 4242) << t.dump();
      EXPECT_EQ(t["state"], "running") << t.dump();
    }
    auto installed = tas_where("name", kInstalledName);
    ASSERT_EQ(installed.size(), 2u);
    for (const auto &t : installed) {
      if (t["authority"] == "ta-dir") {
        EXPECT_EQ(t["pid"], installed_pid) << t.dump();
        EXPECT_EQ(t["loaded_by"], 0) << t.dump();
      }
    }

    // The squatter's uid cannot stop the installed TA, root stops the
    // squatters (keep-alive: nothing else would).
    uint64_t installed_id = 0;
    for (const auto &t : installed) {
      installed_id = t["authority"] == "ta-dir" ? t["id"].get<uint64_t>() : installed_id;
    }
    ASSERT_NE(installed_id, 0u);
    HostileClientRun stop_installed({"ta-unload", d_.socket(), std::to_string(installed_id)});
    EXPECT_EQ(word(stop_installed, 0), IDiagnostics_ERROR_RESTRICTED) << stop_installed.line();
    EXPECT_EQ(pid_of(embedded_app), installed_pid) << "the installed TA was stopped";
    for (const auto &t : squatters) {
      auto [rc, out] = cli("ta unload " + std::to_string(t["id"].get<uint64_t>()));
      EXPECT_EQ(rc, 0) << out;
    }
  }
  EXPECT_TRUE(eventually([&] { return ta_list().empty(); })) << ta_list().dump();
}

// Finding 8. uids 4242 and 4243 load the same single-instance TA through
// the app loader. Before the fix they shared its process: what one left in
// the TA the other got, and a session one opened with a claimed identity
// (the private open op, which any holder of a GP TA's app object may use)
// lived in the instance the other's sessions ran in.
TEST_F(HostileTaTest, TwoUidsLoadingOneSingleInstanceTaShareNoProcessSessionOrIdentity) {
  HostileClientRun a({"ta-share", d_.socket(), CAPTEE_TEST_TA_SINGLE}, "4242:4242");
  ASSERT_TRUE(a.ready()) << a.line();
  HostileClientRun b({"ta-share", d_.socket(), CAPTEE_TEST_TA_SINGLE}, "4243:4243");
  ASSERT_TRUE(b.ready()) << b.line();
  EXPECT_NE(word(a, 0), word(b, 0)) << "two uids got the same TA process";
  EXPECT_EQ(word(b, 1), 0) << "uid 4243 got what uid 4242 left in the TA";
  // Within one uid the TA is still single-instance.
  HostileClientRun a2({"ta-share", d_.socket(), CAPTEE_TEST_TA_SINGLE}, "4242:4242");
  ASSERT_TRUE(a2.ready()) << a2.line();
  EXPECT_EQ(word(a2, 0), word(a, 0));
  EXPECT_EQ(word(a2, 1), 1);

  // uid 4242 tries to open a session claiming a USER login: only capteed's
  // GP service may state identities, a TA started through the app loader
  // refuses. uid 4243's instance has only ever opened its own (public)
  // session.
  HostileClientRun ga({"gp-as", d_.socket(), CAPTEE_GP_SINGLE_TA, std::to_string(kLoginUser)},
                      "4242:4242");
  ASSERT_TRUE(ga.ready()) << ga.line();
  EXPECT_EQ(uint32_t(word(ga, 0)), 0xFFFF0001u) << "a claimed identity was accepted";
  HostileClientRun gb({"gp-as", d_.socket(), CAPTEE_GP_SINGLE_TA, "0"}, "4243:4243");
  ASSERT_TRUE(gb.ready()) << gb.line();
  EXPECT_EQ(word(gb, 0), 0) << "the GP TA refused a public session";
  EXPECT_EQ(word(gb, 1), 1) << "uid 4243's session shares a TA instance with uid 4242's";

  // Each instance bears its own loader's authority, and the image both
  // loaded: its SHA-256, as computed here from the file.
  for (const auto &[name, file] : {std::pair{"captee_test_ta_single", CAPTEE_TEST_TA_SINGLE},
                                   std::pair{kGpSingleUuidString, CAPTEE_GP_SINGLE_TA}}) {
    auto tas = tas_where("name", name);
    ASSERT_EQ(tas.size(), 2u) << ta_list().dump();
    EXPECT_NE(tas[0]["authority"], tas[1]["authority"]);
    EXPECT_NE(tas[0]["pid"], tas[1]["pid"]);
    for (const auto &t : tas) {
      EXPECT_EQ(t["authority"], "uid:" + std::to_string(t["loaded_by"].get<int>())) << t.dump();
      EXPECT_EQ(t["image_sha256"], sha256_of_file(file)) << t.dump();
    }
  }
}
