/* A Mink-style C client: only MinkCom.h and the generated C headers. */
#include <stdio.h>
#include <string.h>

#include "CDiagnostics.h"
#include "CMemoryService.h"
#include "IClientEnv.h"
#include "IDiagnostics.h"
#include "IMemoryService.h"
#include "MinkCom.h"

#define CHECK(cond)                                           \
  do {                                                        \
    if (!(cond)) {                                            \
      fprintf(stderr, "minkcom_client: failed: %s\n", #cond); \
      return 1;                                               \
    }                                                         \
  } while (0)

int main(void) {
  Object root = Object_NULL, env = Object_NULL, diag = Object_NULL, svc = Object_NULL,
         bad = Object_NULL;
  CHECK(MinkCom_getRootEnvObject(&root) == Object_OK);
  CHECK(MinkCom_getClientEnvObject(root, &env) == Object_OK);

  /* spec §8.9: open by uid; unknown uids answer IOpener_ERROR_NOT_FOUND (10). */
  CHECK(IClientEnv_open(env, CDiagnostics_UID, &diag) == Object_OK);
  CHECK(IClientEnv_open(env, 0x7777, &bad) == 10 && Object_isNull(bad));
  IDiagnostics_HeapInfo heap;
  memset(&heap, 0, sizeof heap);
  CHECK(IDiagnostics_queryHeapInfo(diag, &heap) == Object_OK);
  CHECK(heap.totalSize > 0 && heap.usedSize > 0 && heap.usedSize <= heap.totalSize);

  /* Memory objects: a stable mapping and the rounded size. */
  Object mo = Object_NULL;
  CHECK(MinkCom_getMemoryObject(root, 10000, &mo) == Object_OK);
  void *addr = NULL, *addr2 = NULL;
  size_t size = 0, size2 = 0;
  CHECK(MinkCom_getMemoryObjectInfo(mo, &addr, &size) == Object_OK);
  CHECK(MinkCom_getMemoryObjectInfo(mo, &addr2, &size2) == Object_OK);
  CHECK(addr != NULL && addr == addr2 && size == 12288 && size2 == size);
  memset(addr, 0x5a, size);
  CHECK(MinkCom_getMemoryObjectInfo(env, &addr, &size) == Object_ERROR);

  /* The TEE recognises the object when it is passed back. */
  CHECK(IClientEnv_open(env, CMemoryService_UID, &svc) == Object_OK);
  IMemoryService_ObjectInfo info;
  CHECK(IMemoryService_queryObject(svc, mo, &info) == Object_OK);
  CHECK(info.size == 12288 && info.pool == IMemoryService_POOL_SHARED &&
        info.rights == (IMemoryService_RIGHT_READ | IMemoryService_RIGHT_WRITE));

  Object_ASSIGN_NULL(mo);
  Object_ASSIGN_NULL(svc);
  Object_ASSIGN_NULL(diag);
  Object_ASSIGN_NULL(env);
  Object_ASSIGN_NULL(root);
  puts("minkcom_client: ok");
  return 0;
}
