#include "counter_client.h"

#include <string.h>

#include "IAppController.h"
#include "IAppLoader.h"
#include "ICounter.h"
#include "IOpener.h"

static int32_t fail(FILE *log, const char *what, int32_t rv) {
  if (log != NULL) {
    fprintf(log, "counter-client: %s failed with error %d\n", what, (int)rv);
  }
  return rv;
}

int32_t counter_client_run(Object loader, const void *image, size_t image_len, uint32_t rounds,
                           uint32_t *total, FILE *log) {
  Object ctrl = Object_NULL, app = Object_NULL, counter = Object_NULL;
  int32_t rv = IAppLoader_loadFromBuffer(loader, image, image_len, &ctrl);
  if (rv != Object_OK) {
    return fail(log, "IAppLoader_loadFromBuffer", rv);
  }
  rv = IAppController_getAppObject(ctrl, &app);
  if (rv != Object_OK) {
    fail(log, "IAppController_getAppObject", rv);
    goto out;
  }
  rv = IOpener_open(app, ICounter_OPEN_ID, &counter);
  if (rv != Object_OK) {
    fail(log, "IOpener_open", rv);
    goto out;
  }
  uint32_t value = 0;
  for (uint32_t i = 1; i <= rounds && rv == Object_OK; ++i) {
    rv = ICounter_add(counter, i, &value);
  }
  if (rv != Object_OK) {
    fail(log, "ICounter_add", rv);
    goto out;
  }
  *total = value;
  const char msg[] = "hello from the normal world";
  char back[sizeof msg];
  size_t back_len = 0;
  rv = ICounter_echo(counter, msg, sizeof msg, back, sizeof back, &back_len);
  if (rv != Object_OK || back_len != sizeof msg || memcmp(msg, back, sizeof msg) != 0) {
    rv = fail(log, "ICounter_echo", rv != Object_OK ? rv : Object_ERROR);
    goto out;
  }
  if (log != NULL) {
    fprintf(log, "counter-client: sum of 1..%u is %u; the TA echoed \"%s\"\n", rounds, value, back);
  }
out:
  Object_ASSIGN_NULL(counter);
  Object_ASSIGN_NULL(app);
  Object_ASSIGN_NULL(ctrl);
  return rv;
}
