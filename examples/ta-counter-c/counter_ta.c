/* A Mink-style trusted app in C: the app object is an IOpener; open(1)
 * returns a fresh ICounter. Both use the C skeletons generated from IDL. */
#include <stdlib.h>
#include <string.h>

#include "ICounter.h"
#include "ICounter_invoke.h"
#include "IOpener.h"
#include "IOpener_invoke.h"
#include "captee/ta_sdk.h"

CAPTEE_TA_MANIFEST(CAPTEE_TA_UUID(0x3e6c7c8a, 0x61b0, 0x4c42, 0x9f, 0x4a, 0x00, 0x00, 0x00, 0x00,
                                  0x00, 0xc1),
                   "counter_ta", CAPTEE_TA_FLAG_MULTI_SESSION, 8u << 20, 2000);

/* ---- ICounter ---- */

typedef struct {
  uint32_t refs;
  uint32_t value;
} CCounter;

static int32_t CCounter_retain(CCounter *me) {
  __atomic_add_fetch(&me->refs, 1, __ATOMIC_RELAXED);
  return Object_OK;
}

static int32_t CCounter_release(CCounter *me) {
  if (__atomic_sub_fetch(&me->refs, 1, __ATOMIC_ACQ_REL) == 0) {
    free(me);
  }
  return Object_OK;
}

static int32_t CCounter_add(CCounter *me, uint32_t delta, uint32_t *value) {
  *value = __atomic_add_fetch(&me->value, delta, __ATOMIC_RELAXED);
  return Object_OK;
}

static int32_t CCounter_get(CCounter *me, uint32_t *value) {
  *value = __atomic_load_n(&me->value, __ATOMIC_RELAXED);
  return Object_OK;
}

static int32_t CCounter_echo(CCounter *me, const void *in, size_t in_len, void *out, size_t out_len,
                             size_t *out_lenout) {
  (void)me;
  if (in_len > out_len) {
    return Object_ERROR_SIZE_OUT;
  }
  memcpy(out, in, in_len);
  *out_lenout = in_len;
  return Object_OK;
}

static ICounter_DEFINE_INVOKE(CCounter_invoke, CCounter_, CCounter *)

    /* ---- IOpener (the app object; static, never freed) ---- */

    typedef struct {
  int unused;
} COpener;

static COpener opener;

static int32_t COpener_retain(COpener *me) {
  (void)me;
  return Object_OK;
}

static int32_t COpener_release(COpener *me) {
  (void)me;
  return Object_OK;
}

static int32_t COpener_open(COpener *me, uint32_t id, Object *obj) {
  (void)me;
  if (id != ICounter_OPEN_ID) {
    return IOpener_ERROR_NOT_FOUND;
  }
  CCounter *c = calloc(1, sizeof *c);
  if (c == NULL) {
    return Object_ERROR_MEM;
  }
  c->refs = 1;
  *obj = (Object){CCounter_invoke, c};
  return Object_OK;
}

static IOpener_DEFINE_INVOKE(COpener_invoke, COpener_, COpener *)

    int32_t captee_ta_get_app_object(Object *out) {
  *out = (Object){COpener_invoke, &opener};
  return Object_OK;
}
