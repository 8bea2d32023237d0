/* Minimal single-threaded CWait: queued signal bits, no blocking. */
#include "cwait_c.h"

#include <stdlib.h>

#include "IWait.h"
#include "IWait_invoke.h"

typedef struct CWait {
  int refs;
  uint32_t pending;
} CWait;

static int g_live;

static int32_t CWait_retain(CWait *me) {
  me->refs++;
  return Object_OK;
}

static int32_t CWait_release(CWait *me) {
  if (--me->refs == 0) {
    free(me);
    g_live--;
  }
  return Object_OK;
}

static int32_t CWait_wait(CWait *me, uint32_t msec, uint32_t code, uint32_t events,
                          uint32_t *result) {
  (void)code;
  if (events == 0 || msec == 0) {
    *result = 0;
    return Object_OK;
  }
  *result = me->pending & events;
  me->pending &= ~events;
  return Object_OK;
}

static int32_t CWait_signal(CWait *me, uint32_t code, uint32_t events) {
  (void)code;
  me->pending |= events;
  return Object_OK;
}

static IWait_DEFINE_INVOKE(IWait_invoke, CWait_, CWait *)

    int32_t CWait_open(Object *out) {
  CWait *me = (CWait *)calloc(1, sizeof(CWait));
  if (me == NULL) {
    return Object_ERROR_MEM;
  }
  me->refs = 1;
  g_live++;
  out->invoke = IWait_invoke;
  out->context = me;
  return Object_OK;
}

int cwait_live(void) {
  return g_live;
}
