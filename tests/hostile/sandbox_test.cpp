// A TA's own code must never run outside its sandbox (issue 20, finding 1).
//
// The attacker is any local user allowed to load a TA (the default policy
// lets everyone). Its image carries code that runs while the image is being
// mapped, before the host ever calls it: an IFUNC resolver, a constructor
// and an .init_array entry (tests/hostile/ta/escape_ta.c). Each tries to
// open a socket, create a file outside, fork and exec. All of it must be
// refused by the filter, and the code must run as the TA's own unprivileged
// uid, whether capteed runs as root or not.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "CAppLoader.h"
#include "IAppController.hpp"
#include "IAppLoader.hpp"
#include "IEscapeReport.hpp"
#include "captee/detail/whole_file.hpp"
#include "captee/tee/apps/ta_uid_pool.hpp"
#include "../tee/tee_harness.hpp"

namespace captee::test {
namespace {

constexpr uid_t kNobody = 65534;

const char *const kStageNames[] = {"IFUNC resolver", "constructor", ".init_array entry"};
const char *const kTryNames[] = {"socket()", "open(O_CREAT) outside", "fork()", "execve()"};
const char *const kMarkers[] = {"/tmp/captee-escape-ifunc", "/tmp/captee-escape-constructor",
                                "/tmp/captee-escape-init-array"};

// The escape TA's image (empty if it cannot be read: the load then fails).
std::vector<std::byte> escape_ta_image() {
  std::vector<std::byte> image;
  detail::read_whole_file(CAPTEE_ESCAPE_TA, image);
  return image;
}

// Loads the escape TA into `d` through the app loader and checks what its
// load-time code got; `expect_uid` tells which uid the TA must run as.
void load_and_check(const CapteedProcess &d, bool expect_uid_in_ta_range, uid_t expect_uid) {
  for (const char *m : kMarkers) {
    ::unlink(m);
  }
  Ref loader = d.open(CAppLoader_UID);
  ASSERT_FALSE(loader.is_null());
  Ref controller, app;
  ASSERT_EQ(iface::IAppLoader(loader).loadFromBuffer(escape_ta_image(), controller), Object_OK);
  ASSERT_EQ(iface::IAppController(controller).getAppObject(app), Object_OK);

  std::vector<int64_t> r(IEscapeReport_STAGES * IEscapeReport_TRIES);
  size_t len = 0;
  ASSERT_EQ(iface::IEscapeReport(app).results(
                std::as_writable_bytes(std::span<int64_t>(r.data(), r.size())), len),
            Object_OK);
  ASSERT_EQ(len, r.size() * sizeof(int64_t));
  for (uint32_t s = 0; s < IEscapeReport_STAGES; ++s) {
    for (uint32_t t = 0; t < IEscapeReport_TRIES; ++t) {
      const int64_t got = r[s * IEscapeReport_TRIES + t];
      ASSERT_NE(got, IEscapeReport_NOT_RUN) << "the " << kStageNames[s] << " never ran";
      EXPECT_EQ(got, -EPERM) << kTryNames[t] << " from the " << kStageNames[s] << " was answered "
                             << got << ", not refused by the filter";
    }
    struct stat st {};
    EXPECT_NE(::stat(kMarkers[s], &st), 0)
        << "the " << kStageNames[s] << " created " << kMarkers[s];
    ::unlink(kMarkers[s]);
  }

  uint32_t uid = 0;
  ASSERT_EQ(iface::IEscapeReport(app).uid(uid), Object_OK);
  if (expect_uid_in_ta_range) {
    EXPECT_NE(uid, 0u) << "the TA runs as root";
    EXPECT_GE(uid, tee::apps::TaUidPool::kDefaultBase) << "the TA does not run as a uid of its own";
  } else {
    EXPECT_EQ(uid, expect_uid);
  }
}

TEST(HostileSandbox, LoadTimeCodeOfATaIsConfinedUnderRootCapteed) {
  ASSERT_EQ(::geteuid(), 0u) << "this test needs root (CI runs as root)";
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  load_and_check(d, true, 0);
}

TEST(HostileSandbox, LoadTimeCodeOfATaIsConfinedUnderNonRootCapteed) {
  ASSERT_EQ(::geteuid(), 0u) << "this test needs root to start capteed as another user";
  CapteedProcess d("", {}, kNobody);
  ASSERT_TRUE(d.ready());
  load_and_check(d, false, kNobody);
}

// Two TA hosts never share a uid: one cannot signal, trace or read the
// /proc entries of another.
TEST(HostileSandbox, EachTaProcessHasAUidOfItsOwn) {
  ASSERT_EQ(::geteuid(), 0u);
  CapteedProcess d;
  ASSERT_TRUE(d.ready());
  Ref loader = d.open(CAppLoader_UID);
  ASSERT_FALSE(loader.is_null());
  Ref c1, c2, a1, a2;
  ASSERT_EQ(iface::IAppLoader(loader).loadFromBuffer(escape_ta_image(), c1), Object_OK);
  ASSERT_EQ(iface::IAppLoader(loader).loadFromBuffer(escape_ta_image(), c2), Object_OK);
  ASSERT_EQ(iface::IAppController(c1).getAppObject(a1), Object_OK);
  ASSERT_EQ(iface::IAppController(c2).getAppObject(a2), Object_OK);
  uint32_t u1 = 0, u2 = 0;
  ASSERT_EQ(iface::IEscapeReport(a1).uid(u1), Object_OK);
  ASSERT_EQ(iface::IEscapeReport(a2).uid(u2), Object_OK);
  EXPECT_NE(u1, u2);
  EXPECT_NE(u1, 0u);
  EXPECT_NE(u2, 0u);
}

}  // namespace
}  // namespace captee::test
