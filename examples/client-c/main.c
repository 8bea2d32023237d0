/* captee-counter-client: a Mink-style C client. It reaches capteed the way a
 * QTEE client reaches QTEE (MinkCom root, client environment, IClientEnv_open
 * by class UID), loads a counter TA (build/ta/counter_ta.ta by default)
 * through the app loader, and uses it. capteed's socket is $CAPTEE_SOCKET, or
 * /run/captee/captee.sock.
 *   captee-counter-client [TA_FILE] */
#include <stdio.h>
#include <stdlib.h>

#include "CAppLoader.h"
#include "IClientEnv.h"
#include "MinkCom.h"
#include "counter_client.h"

static unsigned char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    return NULL;
  }
  unsigned char *buf = NULL;
  size_t cap = 0;
  *len = 0;
  for (;;) {
    if (*len == cap) {
      cap = cap ? cap * 2 : 65536;
      unsigned char *grown = realloc(buf, cap);
      if (grown == NULL) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = grown;
    }
    size_t n = fread(buf + *len, 1, cap - *len, f);
    if (n == 0) {
      break;
    }
    *len += n;
  }
  fclose(f);
  return buf;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : CAPTEE_EXAMPLE_TA;
  size_t len = 0;
  unsigned char *image = read_all(path, &len);
  if (image == NULL) {
    fprintf(stderr, "counter-client: cannot read %s.\n", path);
    return 1;
  }
  Object root = Object_NULL, env = Object_NULL, loader = Object_NULL;
  int32_t rv = MinkCom_getRootEnvObject(&root);
  if (rv == Object_OK) {
    rv = MinkCom_getClientEnvObject(root, &env);
  }
  if (rv == Object_OK) {
    rv = IClientEnv_open(env, CAppLoader_UID, &loader);
  }
  if (rv != Object_OK) {
    fprintf(stderr, "counter-client: cannot open the app loader through capteed (error %d).\n",
            (int)rv);
    Object_ASSIGN_NULL(env);
    Object_ASSIGN_NULL(root);
    free(image);
    return 1;
  }
  uint32_t total = 0;
  rv = counter_client_run(loader, image, len, 10, &total, stdout);
  Object_ASSIGN_NULL(loader);
  Object_ASSIGN_NULL(env);
  Object_ASSIGN_NULL(root);
  free(image);
  return rv == Object_OK && total == 55 ? 0 : 1;
}
