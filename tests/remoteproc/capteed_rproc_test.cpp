// The remote processors of a real capteed: the remoteproc TA through libteec
// (OP-TEE's firmware signed by OP-TEE's own script, keys from --rproc-pubkey),
// the non-secure face through the remoteproc-control service, the policy,
// JSON platforms and bad options.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <vector>

#include "CRemoteprocControl.h"
#include "IRemoteprocControl.hpp"
#include "IRemoteprocEvents.hpp"
#include "IRemoteprocHost.hpp"
#include "captee/fwimage/resource_table.hpp"
#include "captee/memory.hpp"
#include "tee_api_defines.h"
#include "tee_client_api.h"
#include "tee_harness.hpp"

namespace {

using captee::Ref;
using captee::test::CapteedProcess;
namespace iface = captee::iface;

constexpr uint32_t kLoad = 1, kStart = 2, kStop = 3, kRscTable = 4, kCoredump = 5, kRelease = 6;
const TEEC_UUID kRemoteproc = {
    0x80a4c275, 0x0a47, 0x4905, {0x82, 0x85, 0x14, 0x86, 0xa9, 0x77, 0x1a, 0x08}};

std::string data(const std::string &name) {
  return std::string(CAPTEE_TEST_DATA_DIR) + "/rproc/" + name;
}

std::vector<uint8_t> read_file(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f) << path;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// A libteec session to the remoteproc TA for one rproc_id, as Linux's
// remoteproc_tee opens it.
class RprocSession {
 public:
  explicit RprocSession(const std::string &socket, uint32_t rproc_id = 0) : id_(rproc_id) {
    ::setenv("CAPTEE_SOCKET", socket.c_str(), 1);
    ok_ = TEEC_InitializeContext(nullptr, &ctx_) == TEEC_SUCCESS;
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].value.a = rproc_id;
    uint32_t origin = 0;
    open_result_ =
        ok_ ? TEEC_OpenSession(&ctx_, &s_, &kRemoteproc, TEEC_LOGIN_PUBLIC, nullptr, &op, &origin)
            : TEEC_ERROR_COMMUNICATION;
  }
  ~RprocSession() {
    if (open_result_ == TEEC_SUCCESS) {
      TEEC_CloseSession(&s_);
    }
    if (ok_) {
      TEEC_FinalizeContext(&ctx_);
    }
  }
  TEEC_Result open_result() const { return open_result_; }

  TEEC_Result cmd(uint32_t c) {
    TEEC_Operation op = id_op(TEEC_NONE, TEEC_NONE);
    return TEEC_InvokeCommand(&s_, c, &op, nullptr);
  }
  TEEC_Result load(const std::vector<uint8_t> &image) {
    TEEC_SharedMemory shm{};
    shm.size = image.size();
    shm.flags = TEEC_MEM_INPUT;
    if (TEEC_Result r = TEEC_AllocateSharedMemory(&ctx_, &shm); r != TEEC_SUCCESS) {
      return r;
    }
    std::memcpy(shm.buffer, image.data(), image.size());
    TEEC_Operation op = id_op(TEEC_MEMREF_WHOLE, TEEC_NONE);
    op.params[1].memref.parent = &shm;
    TEEC_Result r = TEEC_InvokeCommand(&s_, kLoad, &op, nullptr);
    TEEC_ReleaseSharedMemory(&shm);
    return r;
  }
  TEEC_Result rsc_table(uint32_t *da, uint32_t *size) {
    TEEC_Operation op = id_op(TEEC_VALUE_OUTPUT, TEEC_VALUE_OUTPUT);
    TEEC_Result r = TEEC_InvokeCommand(&s_, kRscTable, &op, nullptr);
    *da = op.params[1].value.a;
    *size = op.params[2].value.a;
    return r;
  }
  TEEC_Result coredump(std::vector<uint8_t> *out) {
    TEEC_Operation op = id_op(TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE);
    TEEC_Result r = TEEC_InvokeCommand(&s_, kCoredump, &op, nullptr);
    if (r != TEEC_ERROR_SHORT_BUFFER) {
      return r;
    }
    out->resize(op.params[1].tmpref.size);
    op.params[1].tmpref.buffer = out->data();
    r = TEEC_InvokeCommand(&s_, kCoredump, &op, nullptr);
    out->resize(r == TEEC_SUCCESS ? op.params[1].tmpref.size : 0);
    return r;
  }

 private:
  TEEC_Operation id_op(uint32_t t1, uint32_t t2) {
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, t1, t2, TEEC_NONE);
    op.params[0].value.a = id_;
    return op;
  }
  uint32_t id_;
  bool ok_ = false;
  TEEC_Context ctx_{};
  TEEC_Session s_{};
  TEEC_Result open_result_ = TEEC_ERROR_GENERIC;
};

// The trace buffer of the loaded firmware, read the way a host manager
// does: the table from the non-secure face, the trace pages mapped read-only.
struct Trace {
  Ref memory;
  std::optional<captee::Mapping> mapping;
  uint32_t base = 0, da = 0, len = 0;
  std::string text() const {
    if (!mapping) {
      return "<unmapped>";
    }
    auto b = mapping->bytes().subspan(da - base, len);
    auto end = std::find(b.begin(), b.end(), std::byte{0});
    return std::string(reinterpret_cast<const char *>(b.data()), size_t(end - b.begin()));
  }
};

Trace map_trace(iface::IRemoteprocHost &host) {
  Trace t;
  std::vector<std::byte> table(4096);
  size_t len = 0;
  uint32_t da = 0;
  EXPECT_EQ(host.readResourceTable(table, len, da), Object_OK);
  auto parsed = captee::fwimage::parse_resource_table(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(table.data()), len));
  EXPECT_TRUE(parsed.ok());
  if (!parsed.ok()) {
    return t;
  }
  for (const auto &e : parsed.value().entries) {
    if (const auto *tr = std::get_if<captee::fwimage::RscTrace>(&e.body)) {
      t.da = tr->da;
      t.len = tr->len;
      EXPECT_EQ(host.mapResource(tr->da, tr->len, t.memory, t.base), Object_OK);
      t.mapping = captee::Mapping::map(t.memory.get(), captee::FdObject::kRead);
      EXPECT_TRUE(t.mapping.has_value());
      EXPECT_FALSE(
          captee::Mapping::map(t.memory.get(), captee::FdObject::kRead | captee::FdObject::kWrite))
          << "the trace is read-only for the host";
      break;
    }
  }
  return t;
}

class Events final : public iface::IRemoteprocEventsSkeleton {
 public:
  int32_t onCrash(uint32_t, uint32_t crashes, std::span<const std::byte> reason) override {
    std::lock_guard<std::mutex> lock(mu);
    count = crashes;
    why.assign(reinterpret_cast<const char *>(reason.data()), reason.size());
    cv.notify_all();
    return Object_OK;
  }
  int32_t onKick(uint32_t, uint32_t) override { return Object_OK; }
  std::mutex mu;
  std::condition_variable cv;
  uint32_t count = 0;
  std::string why;
};

using captee::test::eventually;

class CapteedRproc : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<CapteedProcess>(
        "", std::vector<std::string>{"--rproc-pubkey", data("test-rsa2048.pub.pem"),
                                     "--rproc-pubkey", data("test-p256.pub.pem")});
    ASSERT_TRUE(daemon_->ready());
  }
  iface::IRemoteprocHost host(uint32_t id = 0) {
    Ref control = daemon_->open(CRemoteprocControl_UID);
    Ref p;
    EXPECT_EQ(iface::IRemoteprocControl(control).openProcessor(id, p), Object_OK);
    return iface::IRemoteprocHost(p);
  }
  std::unique_ptr<CapteedProcess> daemon_;
};

TEST_F(CapteedRproc, OpteeSignedFirmwareBootsAndItsTraceIsReadThroughTheHostFace) {
  RprocSession s(daemon_->socket());
  ASSERT_EQ(s.open_result(), TEEC_SUCCESS);
  ASSERT_EQ(s.load(read_file(data("sample-m4.rsa2048.sig"))), TEEC_SUCCESS);
  uint32_t da = 0, size = 0;
  ASSERT_EQ(s.rsc_table(&da, &size), TEEC_SUCCESS);
  EXPECT_EQ(da, 0x10000000u);
  EXPECT_GT(size, 16u);
  iface::IRemoteprocHost h = host();
  IRemoteprocHost_Info info{};
  ASSERT_EQ(h.getInfo(info), Object_OK);
  EXPECT_EQ(info.granted, 1u);
  EXPECT_EQ(info.state, IRemoteprocHost_STATE_OFFLINE);
  // The host copies its cached table back before START_FW, as Linux does.
  std::vector<std::byte> table(size);
  size_t len = 0;
  uint32_t table_da = 0;
  ASSERT_EQ(h.readResourceTable(table, len, table_da), Object_OK);
  EXPECT_EQ(table_da, da);
  EXPECT_EQ(h.writeResourceTable(0, std::span(table.data(), len)), Object_OK);
  table[0] = std::byte{2};  // the version is signed
  EXPECT_EQ(h.writeResourceTable(0, std::span(table.data(), 4)), IRemoteprocHost_ERROR_PROTECTED);

  Trace trace = map_trace(h);
  ASSERT_EQ(s.cmd(kStart), TEEC_SUCCESS);
  // The firmware writes its lines one by one while it runs: wait for the
  // later one too, not only the first.
  ASSERT_TRUE(eventually([&] {
    const std::string t = trace.text();
    return t.rfind("sample: firmware up", 0) == 0 &&
           t.find("resource table at 0x10000000") != std::string::npos;
  })) << trace.text();
  ASSERT_EQ(h.getInfo(info), Object_OK);
  EXPECT_EQ(info.state, IRemoteprocHost_STATE_RUNNING);

  ASSERT_EQ(s.cmd(kStop), TEEC_SUCCESS);
  ASSERT_EQ(s.cmd(kRelease), TEEC_SUCCESS);
  EXPECT_EQ(trace.text(), "") << "released: what the host still maps is wiped";
  ASSERT_EQ(h.getInfo(info), Object_OK);
  EXPECT_EQ(info.granted, 0u);
  Ref mem;
  uint32_t base = 0;
  EXPECT_EQ(h.mapResource(trace.da, trace.len, mem, base), IRemoteprocHost_ERROR_NOT_GRANTED);
}

TEST_F(CapteedRproc, P256SignedFirmwareBootsToo) {
  RprocSession s(daemon_->socket());
  ASSERT_EQ(s.load(read_file(data("sample-m4.p256.sig"))), TEEC_SUCCESS);
  iface::IRemoteprocHost h = host();
  Trace trace = map_trace(h);
  ASSERT_EQ(s.cmd(kStart), TEEC_SUCCESS);
  EXPECT_TRUE(eventually([&] { return trace.text().rfind("sample: firmware up", 0) == 0; }));
  ASSERT_EQ(s.cmd(kStop), TEEC_SUCCESS);
  ASSERT_EQ(s.cmd(kRelease), TEEC_SUCCESS);
}

TEST_F(CapteedRproc, CrashIsSeenByTheHostAndDumped) {
  RprocSession s(daemon_->socket());
  ASSERT_EQ(s.load(read_file(data("sample-m4.rsa2048.sig"))), TEEC_SUCCESS);
  ASSERT_EQ(s.cmd(kStart), TEEC_SUCCESS);
  iface::IRemoteprocHost h = host();
  auto *ev = new Events;
  Ref events = Ref::adopt(ev->as_object());
  Ref sub;
  ASSERT_EQ(h.subscribe(events, sub), Object_OK);
  const char why[] = "test";
  ASSERT_EQ(h.injectCrash(std::as_bytes(std::span(why, 4))), Object_OK);
  {
    std::unique_lock<std::mutex> lock(ev->mu);
    ASSERT_TRUE(ev->cv.wait_for(lock, std::chrono::seconds(10), [&] { return ev->count == 1; }));
    EXPECT_EQ(ev->why, "injected crash: test");
  }
  IRemoteprocHost_Info info{};
  ASSERT_EQ(h.getInfo(info), Object_OK);
  EXPECT_EQ(info.state, IRemoteprocHost_STATE_CRASHED);
  // Linux's recovery order: STOP, dump, reload, start.
  ASSERT_EQ(s.cmd(kStop), TEEC_SUCCESS);
  std::vector<uint8_t> dump;
  ASSERT_EQ(s.coredump(&dump), TEEC_SUCCESS);
  ASSERT_GT(dump.size(), 52u);
  EXPECT_EQ(std::memcmp(dump.data(),
                        "\x7f"
                        "ELF",
                        4),
            0);
  EXPECT_EQ(dump[16], 4) << "ET_CORE";
  ASSERT_EQ(s.load(read_file(data("sample-m4.rsa2048.sig"))), TEEC_SUCCESS);
  ASSERT_EQ(s.cmd(kStart), TEEC_SUCCESS);
  ASSERT_EQ(h.getInfo(info), Object_OK);
  EXPECT_EQ(info.state, IRemoteprocHost_STATE_RUNNING);
  ASSERT_EQ(s.cmd(kStop), TEEC_SUCCESS);
  ASSERT_EQ(s.cmd(kRelease), TEEC_SUCCESS);
}

TEST_F(CapteedRproc, ImageSignedByAnotherKeyIsRefused) {
  RprocSession s(daemon_->socket());
  // Signed by the development key, which this capteed was not given.
  if (std::string(CAPTEE_FIRMWARE_SIGNED).empty()) {
    GTEST_SKIP() << "the sample firmware was not cross-built";
  }
  EXPECT_EQ(s.load(read_file(CAPTEE_FIRMWARE_SIGNED)), TEE_ERROR_SIGNATURE_INVALID);
  EXPECT_EQ(s.cmd(kStart), TEEC_ERROR_BAD_STATE);
}

TEST(CapteedRprocPolicy, OnlyRootAndTheRprocGroupReachTheRemoteProcessors) {
  CapteedProcess d;  // the built-in default policy
  ASSERT_TRUE(d.ready());
  auto [rc, out] =
      captee::test::run_capture("CAPTEE_SOCKET=" + d.socket() + " " + OPEN_AS + " 65534 65534");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "teec 0xffff0001 origin 3 control 11\n")
      << "ACCESS_DENIED from the TEE, and IOpener_ERROR_PRIVILEGE";
  std::tie(rc, out) =
      captee::test::run_capture("CAPTEE_SOCKET=" + d.socket() + " " + OPEN_AS + " 0 0");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "teec 0x00000000 origin 4 control 0\n");
}

TEST(CapteedRprocPlatform, TwoProcessorsOfAJsonPlatformBootIndependently) {
  captee::test::TempDir dir;
  const std::string region_map =
      R"("regions": [{"name": "retram", "da": "0x0", "size": "64K"},
                     {"name": "sram", "da": "0x10000000", "size": "384K"}])";
  std::ofstream(dir.path + "/two.json") << R"({"name": "two-m4", "processors": [
            {"id": 0, "name": "m4a", "core": "cortex-m4", "mailbox": "0x4C001000", )"
                                        << region_map << R"(},
            {"id": 1, "name": "m4b", "core": "cortex-m33", "mailbox": "0x4C001000", )"
                                        << region_map << "}]}";
  CapteedProcess d(
      "", {"--platform", dir.path + "/two.json", "--rproc-pubkey", data("test-rsa2048.pub.pem")});
  ASSERT_TRUE(d.ready());
  RprocSession a(d.socket(), 0), b(d.socket(), 1);
  ASSERT_EQ(a.open_result(), TEEC_SUCCESS);
  ASSERT_EQ(b.open_result(), TEEC_SUCCESS);
  const auto image = read_file(data("sample-m4.rsa2048.sig"));
  ASSERT_EQ(a.load(image), TEEC_SUCCESS);
  ASSERT_EQ(a.cmd(kStart), TEEC_SUCCESS);
  ASSERT_EQ(b.cmd(kStart), TEEC_ERROR_BAD_STATE) << "processor 1 has its own context";
  ASSERT_EQ(b.load(image), TEEC_SUCCESS);
  ASSERT_EQ(b.cmd(kStart), TEEC_SUCCESS);
  Ref control = d.open(CRemoteprocControl_UID);
  uint32_t ids[4];
  size_t n = 0;
  ASSERT_EQ(iface::IRemoteprocControl(control).listProcessors(ids, n), Object_OK);
  ASSERT_EQ(n, 2u);
  Ref p1;
  ASSERT_EQ(iface::IRemoteprocControl(control).openProcessor(1, p1), Object_OK);
  iface::IRemoteprocHost h1(p1);
  Trace t1 = map_trace(h1);
  EXPECT_TRUE(eventually([&] { return t1.text().rfind("sample: firmware up", 0) == 0; }));
  IRemoteprocHost_Info info{};
  ASSERT_EQ(h1.getInfo(info), Object_OK);
  EXPECT_EQ(info.core, IRemoteprocHost_CORE_CORTEX_M33);
  ASSERT_EQ(a.cmd(kStop), TEEC_SUCCESS);
  ASSERT_EQ(h1.getInfo(info), Object_OK);
  EXPECT_EQ(info.state, IRemoteprocHost_STATE_RUNNING) << "stopping 0 leaves 1 running";
  ASSERT_EQ(b.cmd(kStop), TEEC_SUCCESS);
  // A processor the platform does not have.
  RprocSession c(d.socket(), 2);
  EXPECT_EQ(c.open_result(), TEEC_ERROR_BAD_PARAMETERS);
}

TEST(CapteedRprocOptions, BadKeysAndPlatformsKeepCapteedFromStarting) {
  captee::test::TempDir dir;
  std::ofstream(dir.path + "/bad.pem") << "not a key";
  auto [rc, out] = captee::test::run_capture(std::string(CAPTEED_PATH) + " --socket " + dir.path +
                                             "/s.sock --rproc-pubkey " + dir.path + "/bad.pem");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("capteed: remote-processor key " + dir.path + "/bad.pem"), std::string::npos)
      << out;
  std::tie(rc, out) =
      captee::test::run_capture(std::string(CAPTEED_PATH) + " --socket " + dir.path +
                                "/s.sock --rproc-pubkey " + dir.path + "/absent.pem");
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(out, "capteed: cannot read the remote-processor key " + dir.path +
                     "/absent.pem; not starting.\n");
  std::ofstream(dir.path + "/p.json")
      << R"({"name": "x", "processors": [{"id": 0, "core": "arm7"}]})";
  std::tie(rc, out) =
      captee::test::run_capture(std::string(CAPTEED_PATH) + " --socket " + dir.path +
                                "/s.sock --platform " + dir.path + "/p.json");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("capteed: platform file " + dir.path + "/p.json: platform.processors[0]"),
            std::string::npos)
      << out;
}

}  // namespace
