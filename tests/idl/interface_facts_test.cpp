// Every interface-level fact of spec §5 for captee's IDL: op numbers, the
// ObjectCounts each stub sends, the exact size of every buffer (bundles,
// lone primitives, structs, data buffers at their positions), bundle member
// offsets, error numbers, consts and struct layouts. The stubs are the real
// generated ones; a recording object stands in for the callee.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>

#include "CAppLoader.h"
#include "CDiagnostics.h"
#include "CGPAppClient.h"
#include "CMemoryService.h"
#include "CRegisterListenerCBO.h"
#include "IAppController.h"
#include "IAppLoader.h"
#include "IClientEnv.h"
#include "ICredentials.h"
#include "IDiagnostics.h"
#include "IGPAppClient.h"
#include "IGPAppClientCaptee.h"
#include "IGPSession.h"
#include "IIO.h"
#include "IListenerCBO.h"
#include "IMemRegion.h"
#include "IMemoryService.h"
#include "IOpener.h"
#include "IRegisterListenerCBO.h"
#include "IRevoker.h"
#include "ISuppPluginRelay.h"
#include "ITaHost.h"
#include "IWait.h"
#include "captee/gp_ta_protocol.h"
#include "recording_object.h"

namespace captee::idl::test {
namespace {

class Facts : public ::testing::Test {
 protected:
  // Checks the one recorded call and forgets it.
  void expect_call(uint32_t op, uint32_t counts, std::vector<size_t> sizes) {
    ASSERT_EQ(rec.calls.size(), 1u);
    const RecordedCall &c = rec.calls[0];
    EXPECT_EQ(c.op, op);
    EXPECT_EQ(c.counts, counts) << std::hex << "counts 0x" << c.counts << " expected 0x" << counts;
    EXPECT_EQ(c.buffer_sizes, sizes);
    EXPECT_TRUE(c.outputs_were_null);
    EXPECT_EQ(c.null_args, counts == 0);
    last = c;
    rec.calls.clear();
  }
  uint32_t u32_at(size_t bi, size_t off) const {
    uint32_t v = 0;
    std::memcpy(&v, last.input_bytes.at(bi).data() + off, 4);
    return v;
  }
  uint64_t u64_at(size_t bi, size_t off) const {
    uint64_t v = 0;
    std::memcpy(&v, last.input_bytes.at(bi).data() + off, 8);
    return v;
  }

  Recorder rec;
  Object self = rec.object();
  RecordedCall last;
  Object out = Object_NULL;
  uint8_t buf[64] = {};
  size_t len = 0;
  uint32_t u32 = 0;
  uint64_t u64 = 0;
  uint32_t ids[3] = {1, 2, 3};
};

TEST_F(Facts, EveryInterfaceAnswersTheReservedOps) {
  EXPECT_EQ(IWait_release(self), Object_OK);
  expect_call(0xFFFF, 0, {});
  EXPECT_EQ(IWait_retain(self), Object_OK);
  expect_call(0xFFFE, 0, {});
  EXPECT_EQ(IGPSession_api_version(self, &u32), Object_OK);
  expect_call(0x7FFF, 0x0010, {4});
}

TEST_F(Facts, ClientEnv) {
  EXPECT_EQ(IClientEnv_ERROR_COMMONLIBS_ALREADY_LOADED, 10);
  EXPECT_EQ(IClientEnv_ERROR_APP_REGION_ALREADY_SET, 11);
  EXPECT_EQ(IClientEnv_OP_open, 0);
  EXPECT_EQ(IClientEnv_OP_adciShutdown, 9);

  IClientEnv_open(self, 0x199, &out);
  expect_call(0, 0x1001, {4});
  EXPECT_EQ(u32_at(0, 0), 0x199u);
  IClientEnv_registerLegacy(self, buf, 3, &out);
  expect_call(1, 0x1001, {3});
  IClientEnv_registerAsClient(self, Recorder::fake(0x11), &out);
  expect_call(2, 0x1100, {});
  EXPECT_EQ(last.input_objects, std::vector<const void *>{reinterpret_cast<void *>(0x11)});
  IClientEnv_registerWithWhitelist(self, Recorder::fake(0x11), ids, 3, &out);
  expect_call(3, 0x1101, {12});
  IClientEnv_notifyDomainChange(self);
  expect_call(4, 0, {});
  IClientEnv_registerWithCredentials(self, Recorder::fake(0x12), &out);
  expect_call(5, 0x1100, {});
  IClientEnv_loadCmnlibFromBuffer(self, buf, 5);
  expect_call(6, 0x0001, {5});
  IClientEnv_configTaRegion(self, 0x1122334455667788ull, 0x99);
  expect_call(7, 0x0001, {12});  // {u64@0, u32@8}: unpadded sum, not sizeof
  EXPECT_EQ(u64_at(0, 0), 0x1122334455667788ull);
  EXPECT_EQ(u32_at(0, 8), 0x99u);
  IClientEnv_adciAccept(self);
  expect_call(8, 0, {});
  IClientEnv_adciShutdown(self);
  expect_call(9, 0, {});
}

TEST_F(Facts, Opener) {
  EXPECT_EQ(IOpener_INVALID_ID, 0u);
  EXPECT_EQ(IOpener_ERROR_NOT_FOUND, 10);
  EXPECT_EQ(IOpener_ERROR_PRIVILEGE, 11);
  EXPECT_EQ(IOpener_ERROR_NOT_SUPPORTED, 12);
  IOpener_open(self, 5, &out);
  expect_call(0, 0x1001, {4});
}

TEST_F(Facts, IO) {
  EXPECT_EQ(IIO_ERROR_OFFSET_OUT_OF_BOUNDS, 10);
  EXPECT_EQ(IIO_ERROR_INVALID_BUFFER_AND_OFFSET, 12);
  IIO_getLength(self, &u64);
  expect_call(0, 0x0010, {8});
  IIO_readAtOffset(self, 40, buf, 6, &len);
  expect_call(1, 0x0011, {8, 6});
  EXPECT_EQ(u64_at(0, 0), 40u);
  IIO_writeAtOffset(self, 41, buf, 3);
  expect_call(2, 0x0002, {8, 3});
}

TEST_F(Facts, Credentials) {
  EXPECT_EQ(ICredentials_ERROR_NOT_FOUND, 10);
  EXPECT_EQ(ICredentials_ERROR_VALUE_SIZE, 12);
  size_t len2 = 0;
  ICredentials_getPropertyByIndex(self, 2, buf, 4, &len, buf + 8, 5, &len2);
  expect_call(0, 0x0021, {4, 4, 5});
  ICredentials_getValueByName(self, buf, 3, buf + 8, 5, &len);
  expect_call(1, 0x0011, {3, 5});
}

TEST_F(Facts, GPAppClient) {
  EXPECT_EQ(CGPAppClient_UID, 0x199u);
  EXPECT_EQ(IGPAppClient_ERROR_INVALID_UUID_LEN, 10);
  EXPECT_EQ(IGPAppClient_ERROR_ACCESS_DENIED, 16);
  EXPECT_EQ(IGPAppClient_OP_openSession, 0);
  EXPECT_EQ(IGPAppClient_OP_openSessionV2, 1);
  uint8_t uuid[16] = {};
  size_t l[4];
  uint32_t sz[4], rv = 0, ro = 0;
  IGPSession session = Object_NULL;
  IGPAppClient_openSession(self, uuid, 16, Recorder::fake(0x20), 101, 102, 103, 104, 105, buf, 1,
                           buf, 2, buf, 3, buf, 4, buf, 5, &l[0], buf, 6, &l[1], buf, 7, &l[2], buf,
                           8, &l[3], Recorder::fake(0x21), Recorder::fake(0x22),
                           Recorder::fake(0x23), Recorder::fake(0x24), &sz[0], &sz[1], &sz[2],
                           &sz[3], &session, &rv, &ro);
  expect_call(0, 0x1556, {20, 16, 1, 2, 3, 4, 24, 5, 6, 7, 8});
  for (uint32_t i = 0; i < 5; ++i) {
    EXPECT_EQ(u32_at(0, 4 * i), 101 + i);  // cancelCode, connectionMethod, ..., exParamTypes
  }
  const std::vector<const void *> objs = {
      reinterpret_cast<void *>(0x20), reinterpret_cast<void *>(0x21),
      reinterpret_cast<void *>(0x22), reinterpret_cast<void *>(0x23),
      reinterpret_cast<void *>(0x24)};
  EXPECT_EQ(last.input_objects, objs);  // waitCBO first, then imem1..4

  IGPAppClient_openSessionV2(self, uuid, 16, Recorder::fake(0x20), 101, 102, 103, 104, 105, 106,
                             buf, 1, buf, 2, buf, 3, buf, 4, buf, 5, &l[0], buf, 6, &l[1], buf, 7,
                             &l[2], buf, 8, &l[3], Recorder::fake(0x21), Recorder::fake(0x22),
                             Recorder::fake(0x23), Recorder::fake(0x24), &sz[0], &sz[1], &sz[2],
                             &sz[3], &session, &rv, &ro);
  expect_call(1, 0x1556, {24, 16, 1, 2, 3, 4, 24, 5, 6, 7, 8});
  EXPECT_EQ(u32_at(0, 4), 102u);  // cancellationRequestTimeout right after cancelCode
}

TEST_F(Facts, GPSession) {
  EXPECT_EQ(sizeof(IGPSession_MemoryObjectParameters), 24u);
  EXPECT_EQ(offsetof(IGPSession_MemoryObjectParameters, sharedObjIndex), 16u);
  EXPECT_EQ(TEE_EX_PARAM_TYPE_NONE, 0u);
  EXPECT_EQ(TEE_EX_PARAM_TYPE_MEMREF_NULL, 1u);
  EXPECT_EQ(TEE_EX_PARAM_TYPE_MEMREF_DUP, 2u);
  EXPECT_EQ(TEE_EX_PARAM_TYPE_MEMREF_FORCE_RW, 3u);
  EXPECT_EQ(IGPSession_ERROR_CLOSED, 10);
  IGPSession_close(self);
  expect_call(0, 0, {});
  size_t l[4];
  uint32_t sz[4], rv = 0, ro = 0;
  IGPSession_invokeCommand(self, 201, 202, 203, 204, 205, buf, 1, buf, 2, buf, 3, buf, 4, buf, 5,
                           &l[0], buf, 6, &l[1], buf, 7, &l[2], buf, 8, &l[3], Recorder::fake(0x31),
                           Recorder::fake(0x32), Recorder::fake(0x33), Recorder::fake(0x34), &sz[0],
                           &sz[1], &sz[2], &sz[3], &rv, &ro);
  // The acceptance example: 5 u32 in BI[0] = 20 bytes, 6 u32 in BO[0] = 24 bytes.
  expect_call(1, 0x0455, {20, 1, 2, 3, 4, 24, 5, 6, 7, 8});
  for (uint32_t i = 0; i < 5; ++i) {
    EXPECT_EQ(u32_at(0, 4 * i), 201 + i);
  }
}

// captee's private open (captee/gp_ta_protocol.h): openSessionV2's layout
// with the identity capteed computed after the V2 bundle, 44 bytes.
TEST_F(Facts, GPAppClientCaptee) {
  EXPECT_EQ(IGPAppClientCaptee_OP_openSessionAs, CAPTEE_GP_OP_OPEN_SESSION_AS);
  EXPECT_EQ(sizeof(IGPAppClientCaptee_Uuid), 16u);
  uint8_t uuid[16] = {};
  size_t l[4];
  uint32_t sz[4], rv = 0, ro = 0;
  IGPSession session = Object_NULL;
  IGPAppClientCaptee_Uuid client{};
  for (uint8_t i = 0; i < 16; ++i) {
    client.bytes[i] = uint8_t(0xA0 + i);
  }
  IGPAppClientCaptee_openSessionAs(
      self, uuid, 16, Recorder::fake(0x20), 101, 102, 103, 104, 105, 106, 107, &client, buf, 1, buf,
      2, buf, 3, buf, 4, buf, 5, &l[0], buf, 6, &l[1], buf, 7, &l[2], buf, 8, &l[3],
      Recorder::fake(0x21), Recorder::fake(0x22), Recorder::fake(0x23), Recorder::fake(0x24),
      &sz[0], &sz[1], &sz[2], &sz[3], &session, &rv, &ro);
  expect_call(CAPTEE_GP_OP_OPEN_SESSION_AS, 0x1556,
              {CAPTEE_GP_OPEN_AS_BUNDLE_SIZE, 16, 1, 2, 3, 4, 24, 5, 6, 7, 8});
  for (uint32_t i = 0; i < 6; ++i) {
    EXPECT_EQ(u32_at(0, 4 * i), 101 + i);  // the V2 bundle
  }
  EXPECT_EQ(u32_at(0, 24), 107u);  // login
  EXPECT_EQ(std::memcmp(last.input_bytes.at(0).data() + 28, client.bytes, 16), 0);
  const std::vector<const void *> objs = {
      reinterpret_cast<void *>(0x20), reinterpret_cast<void *>(0x21),
      reinterpret_cast<void *>(0x22), reinterpret_cast<void *>(0x23),
      reinterpret_cast<void *>(0x24)};
  EXPECT_EQ(last.input_objects, objs);
  // The inherited ops keep IGPAppClient's numbers.
  IGPAppClientCaptee_openSessionV2(self, uuid, 16, Object_NULL, 1, 2, 3, 4, 5, 6, buf, 1, buf, 2,
                                   buf, 3, buf, 4, buf, 5, &l[0], buf, 6, &l[1], buf, 7, &l[2], buf,
                                   8, &l[3], Object_NULL, Object_NULL, Object_NULL, Object_NULL,
                                   &sz[0], &sz[1], &sz[2], &sz[3], &session, &rv, &ro);
  expect_call(IGPAppClient_OP_openSessionV2, 0x1556, {24, 16, 1, 2, 3, 4, 24, 5, 6, 7, 8});
}

// The TA host root (captee's own, between capteed and captee-tahost).
TEST_F(Facts, TaHost) {
  ITaHost_getAppObject(self, &out);
  expect_call(0, ObjectCounts_pack(0, 0, 0, 1), {});
  ITaHost_attachClient(self, Recorder::fake(0x40), Recorder::fake(0x41));
  expect_call(1, ObjectCounts_pack(0, 0, 2, 0), {});
  const std::vector<const void *> objs = {reinterpret_cast<void *>(0x40),
                                          reinterpret_cast<void *>(0x41)};
  EXPECT_EQ(last.input_objects, objs);  // socket, then target
}

// The supplicant plugin relay (captee's own, between a TA and capteed):
// docs/IDL.md's op number and counts, and the bundle's layout.
TEST_F(Facts, SuppPluginRelay) {
  EXPECT_EQ(sizeof(ISuppPluginRelay_Uuid), 16u);
  ISuppPluginRelay_Uuid plugin{};
  for (int i = 0; i < 16; ++i) {
    plugin.bytes[i] = static_cast<uint8_t>(i + 1);
  }
  size_t answer_len = 0;
  uint32_t out_len = 0;
  uint32_t result = 0;
  ISuppPluginRelay_invokePlugin(self, &plugin, 7, 9, buf, 3, buf, 5, &answer_len, &out_len,
                                &result);
  expect_call(0, 0x0022, {24, 3, 8, 5});
  EXPECT_EQ(u32_at(0, 0), 7u);  // cmd
  EXPECT_EQ(u32_at(0, 4), 9u);  // subCmd
  EXPECT_EQ(std::memcmp(last.input_bytes.at(0).data() + 8, plugin.bytes, 16), 0);
}

TEST_F(Facts, Wait) {
  EXPECT_EQ(IWait_WAIT_INFINITE, 0xFFFFFFFFu);
  EXPECT_EQ(IWait_EVENT_NONE, 0u);
  EXPECT_EQ(IWait_EVENT_CANCEL, 1u);
  IWait_wait(self, 10, 20, 30, &u32);
  expect_call(0, 0x0011, {12, 4});
  EXPECT_EQ(u32_at(0, 0), 10u);
  EXPECT_EQ(u32_at(0, 8), 30u);
  IWait_signal(self, 20, 30);
  expect_call(1, 0x0001, {8});
}

TEST_F(Facts, AppLoader) {
  EXPECT_EQ(CAppLoader_UID, 3u);
  EXPECT_EQ(IAppLoader_ERROR_INVALID_BUFFER, 10);
  EXPECT_EQ(IAppLoader_ERROR_CLIENT_CRED_PARSING_FAILURE, 20);
  EXPECT_EQ(IAppLoader_ERROR_ELF_LOADING, 27);
  IAppLoader_loadFromBuffer(self, buf, 9, &out);
  expect_call(0, 0x1001, {9});
  IAppLoader_loadFromRegion(self, Recorder::fake(0x40), &out);
  expect_call(1, 0x1100, {});
  IAppLoader_loadEmbedded(self, buf, 4, &out);
  expect_call(2, 0x1001, {4});
  IAppLoader_connect(self, buf, 4, &out);
  expect_call(3, 0x1001, {4});
}

TEST_F(Facts, AppController) {
  EXPECT_EQ(IAppController_CBO_INTERFACE_WAIT, 1u);
  EXPECT_EQ(IAppController_ERROR_APP_SUSPENDED, 10);
  EXPECT_EQ(IAppController_ERROR_APP_RESTART_FAILED, 20);
  size_t l[4];
  uint32_t sz[4], rv = 0, ro = 0;
  IAppController_openSession(self, 1, 2, 3, 4, 5, buf, 1, buf, 2, buf, 3, buf, 4, buf, 5, &l[0],
                             buf, 6, &l[1], buf, 7, &l[2], buf, 8, &l[3], Recorder::fake(0x51),
                             Recorder::fake(0x52), Recorder::fake(0x53), Recorder::fake(0x54),
                             &sz[0], &sz[1], &sz[2], &sz[3], &out, &rv, &ro);
  expect_call(0, 0x1455, {20, 1, 2, 3, 4, 24, 5, 6, 7, 8});
  IAppController_unload(self);
  expect_call(1, 0, {});
  IAppController_getAppObject(self, &out);
  expect_call(2, 0x1000, {});
  IAppController_installCBO(self, IAppController_CBO_INTERFACE_WAIT, Recorder::fake(0x55));
  expect_call(3, 0x0101, {4});
  IAppController_disconnect(self);
  expect_call(4, 0, {});
  IAppController_restart(self);
  expect_call(5, 0, {});
}

TEST_F(Facts, Diagnostics) {
  EXPECT_EQ(CDiagnostics_UID, 143u);
  EXPECT_EQ(sizeof(IDiagnostics_HeapInfo), 24u);
  EXPECT_EQ(alignof(IDiagnostics_HeapInfo), 4u);
  EXPECT_EQ(sizeof(IDiagnostics_AppRegionInfo), 24u);
  EXPECT_EQ(sizeof(IDiagnostics_AppInfo), 24u);
  EXPECT_EQ(offsetof(IDiagnostics_AppInfo, physMemorySize), 16u);
  EXPECT_EQ(sizeof(IDiagnostics_RegisterInfo), 336u);
  EXPECT_EQ(offsetof(IDiagnostics_RegisterInfo, sp), 248u);
  EXPECT_EQ(offsetof(IDiagnostics_RegisterInfo, apibkeylo), 296u);
  EXPECT_EQ(offsetof(IDiagnostics_RegisterInfo, reserved), 304u);
  EXPECT_EQ(IDiagnostics_APP_STATUS_IDLE, 1u);
  EXPECT_EQ(IDiagnostics_APP_STATUS_BLOCKED, 3u);
  EXPECT_EQ(IDiagnostics_ERROR_APP_NOT_FOUND, 10);
  EXPECT_EQ(IDiagnostics_ERROR_RESTRICTED, 12);
  IDiagnostics_HeapInfo heap;
  IDiagnostics_AppRegionInfo r1, r2;
  IDiagnostics_AppInfo app;
  IDiagnostics_RegisterInfo regs;
  size_t len2 = 0;
  IDiagnostics_queryHeapInfo(self, &heap);
  expect_call(0, 0x0010, {24});
  IDiagnostics_queryLoadedApps(self, buf, 33, &len);
  expect_call(1, 0x0010, {33});
  IDiagnostics_queryAppRegion(self, &r1, &r2, &u32);
  expect_call(2, 0x0030, {24, 24, 4});
  IDiagnostics_queryAppInfo(self, buf, 7, &app);
  expect_call(3, 0x0011, {7, 24});
  IDiagnostics_queryAppDump(self, buf, 7, &regs, buf + 8, 40, &len2, &u64);
  expect_call(4, 0x0031, {7, 336, 40, 8});
}

TEST_F(Facts, ListenerInterfaces) {
  EXPECT_EQ(CRegisterListenerCBO_UID, 87u);
  EXPECT_EQ(IRegisterListenerCBO_ERROR_MAX_REGISTERED, 10);
  EXPECT_EQ(IRegisterListenerCBO_ERROR_REG_NOT_ALLOWED_FROM_CURRENT_VM, 14);
  IRegisterListenerCBO_register(self, 0x10, Recorder::fake(0x61), Object_NULL);
  expect_call(0, 0x0201, {4});

  uint32_t offsets[5];
  IMemRegion smo[4];
  IListenerCBO_request(self, offsets, 5, &len, &u32, &smo[0], &smo[1], &smo[2], &smo[3]);
  expect_call(0, 0x4020, {20, 4});
  IListenerCBO_wait(self);
  expect_call(1, 0, {});

  EXPECT_EQ(IMemRegion_ERROR_PERM, 10);
  EXPECT_EQ(IMemRegion_PERM_X, 1u);
  EXPECT_EQ(IMemRegion_PERM_W, 2u);
  EXPECT_EQ(IMemRegion_PERM_R, 4u);
  EXPECT_EQ(IMemRegion_PERM_RW, 6u);
  EXPECT_EQ(IMemRegion_PERM_RX, 5u);
  IMemRegion_getData(self, 8, buf, 16, &len);
  expect_call(0, 0x0011, {8, 16});
  IMemRegion_setData(self, 8, buf, 16);
  expect_call(1, 0x0002, {8, 16});
  IMemRegion_createRestrictedRegion(self, IMemRegion_PERM_R, &out);
  expect_call(2, 0x1001, {4});
}

TEST_F(Facts, CapteeMemoryServiceAndRevoker) {
  EXPECT_EQ(CMemoryService_UID, 0x10001u);
  EXPECT_EQ(sizeof(IMemoryService_ObjectInfo), 16u);
  EXPECT_EQ(sizeof(IMemoryService_PoolInfo), 24u);
  IMemoryService_allocate(self, IMemoryService_POOL_TEE_PRIVATE, 8192,
                          IMemoryService_RIGHT_READ | IMemoryService_RIGHT_WRITE, &out);
  // Bundle sorted by alignment: size u64@0, pool u32@8, rights u32@12.
  expect_call(0, 0x1001, {16});
  EXPECT_EQ(u64_at(0, 0), 8192u);
  EXPECT_EQ(u32_at(0, 8), 1u);
  EXPECT_EQ(u32_at(0, 12), 3u);
  IMemoryService_ObjectInfo info;
  IMemoryService_queryObject(self, Recorder::fake(0x70), &info);
  expect_call(1, 0x0110, {16});
  IMemoryService_PoolInfo pool;
  IMemoryService_queryPool(self, 0, &pool);
  expect_call(2, 0x0011, {4, 24});

  IRevoker_revoke(self);
  expect_call(0, 0, {});
}

}  // namespace
}  // namespace captee::idl::test
