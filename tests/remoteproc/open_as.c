/* Opens the remoteproc TA through libteec and the remoteproc-control service
 * through MinkCom, as user UID / group GID, and prints both results:
 *   "teec 0x<result> origin <n> control <mink result>"
 * Used by the policy tests (run as root, they drop to the given ids first). */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "CRemoteprocControl.h"
#include "IClientEnv.h"
#include "MinkCom.h"
#include "tee_client_api.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: open_as UID GID\n");
    return 2;
  }
  if (setgroups(0, NULL) != 0 || setgid((gid_t)atoi(argv[2])) != 0 ||
      setuid((uid_t)atoi(argv[1])) != 0) {
    perror("open_as: dropping privileges");
    return 2;
  }
  TEEC_Context ctx;
  TEEC_Session session;
  TEEC_UUID uuid = {0x80a4c275, 0x0a47, 0x4905, {0x82, 0x85, 0x14, 0x86, 0xa9, 0x77, 0x1a, 0x08}};
  TEEC_Operation op = {0};
  op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
  uint32_t origin = 0;
  TEEC_Result r = TEEC_InitializeContext(NULL, &ctx);
  if (r == TEEC_SUCCESS) {
    r = TEEC_OpenSession(&ctx, &session, &uuid, TEEC_LOGIN_PUBLIC, NULL, &op, &origin);
    if (r == TEEC_SUCCESS) {
      TEEC_CloseSession(&session);
    }
    TEEC_FinalizeContext(&ctx);
  }
  Object root = Object_NULL, env = Object_NULL, control = Object_NULL;
  int32_t c = MinkCom_getRootEnvObject(&root);
  if (c == Object_OK) {
    c = MinkCom_getClientEnvObject(root, &env);
  }
  if (c == Object_OK) {
    c = IClientEnv_open(env, CRemoteprocControl_UID, &control);
  }
  Object_ASSIGN_NULL(control);
  Object_ASSIGN_NULL(env);
  Object_ASSIGN_NULL(root);
  printf("teec 0x%08x origin %u control %d\n", (unsigned)r, (unsigned)origin, (int)c);
  return 0;
}
