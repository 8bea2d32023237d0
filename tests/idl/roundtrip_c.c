/* IRoundTrip in C: the skeleton comes from IRoundTrip_DEFINE_INVOKE, and the
 * client below calls the generated stubs. Compiled as C11 with -Werror. */
#include "roundtrip_c.h"

#include <stdlib.h>

#include "RoundTrip.h"
#include "RoundTrip_invoke.h"

typedef struct CRoundTrip {
  int refs;
  unsigned calls;
} CRoundTrip;

static int g_live;

static int32_t CRT_retain(CRoundTrip *me) {
  me->refs++;
  return Object_OK;
}

static int32_t CRT_release(CRoundTrip *me) {
  if (--me->refs == 0) {
    free(me);
    g_live--;
  }
  return Object_OK;
}

static int32_t CRT_ping(CRoundTrip *me, uint32_t x, uint32_t *y) {
  me->calls++;
  *y = x + 100;
  return Object_OK;
}

static int32_t CRT_prims(CRoundTrip *me, uint8_t a, uint16_t b, uint32_t c, uint64_t d, int8_t e,
                         int16_t f, int32_t g, int64_t h, float i, double j, uint8_t *oa,
                         uint16_t *ob, uint32_t *oc, uint64_t *od, int8_t *oe, int16_t *of,
                         int32_t *og, int64_t *oh, float *oi, double *oj) {
  me->calls++;
  *oa = (uint8_t)(a + 1);
  *ob = (uint16_t)(b + 1);
  *oc = c + 1;
  *od = d + 1;
  *oe = (int8_t)(e - 1);
  *of = (int16_t)(f - 1);
  *og = g - 1;
  *oh = h - 1;
  *oi = i * 2;
  *oj = j * 2;
  return Object_OK;
}

static int32_t CRT_single(CRoundTrip *me, uint16_t a, uint64_t *b) {
  me->calls++;
  *b = (uint64_t)a * 0x10001u;
  return Object_OK;
}

static int32_t CRT_structs(CRoundTrip *me, const RT_Small *s, const RT_Pair *p, const RT_Big *big,
                           RT_Small *os, RT_Big *obig, RT_Nested *on) {
  me->calls++;
  os->a = s->a + 1;
  os->b = (uint16_t)(s->b + 1);
  os->c = (uint8_t)(s->c + 1);
  os->d = (uint8_t)(s->d + 1);
  obig->v[0] = big->v[0] + p->x;
  obig->v[1] = big->v[1] + p->y;
  obig->v[2] = big->v[2];
  obig->f = big->f * 2;
  obig->pad = 0;
  on->s = *s;
  on->arr[0] = (uint32_t)p->x;
  on->arr[1] = (uint32_t)p->y;
  return Object_OK;
}

static int32_t CRT_loneStruct(CRoundTrip *me, const RT_Nested *n, RT_Pair *p) {
  me->calls++;
  p->x = (uint64_t)n->s.a + n->arr[0];
  p->y = n->arr[1];
  return Object_OK;
}

static int32_t CRT_arrays(CRoundTrip *me, const uint32_t *u, size_t u_len, const RT_Small *ss,
                          size_t ss_len, uint16_t *ou, size_t ou_len, size_t *ou_lenout, RT_Big *ob,
                          size_t ob_len, size_t *ob_lenout) {
  me->calls++;
  size_t n = u_len < ou_len ? u_len : ou_len;
  for (size_t k = 0; k < n; ++k) {
    ou[k] = (uint16_t)(u[k] + 1);
  }
  *ou_lenout = n;
  size_t m = ss_len < ob_len ? ss_len : ob_len;
  for (size_t k = 0; k < m; ++k) {
    ob[k].v[0] = ss[k].a;
    ob[k].v[1] = ss[k].b;
    ob[k].v[2] = ss[k].c;
    ob[k].f = ss[k].d;
    ob[k].pad = 0;
  }
  *ob_lenout = m;
  return Object_OK;
}

static int32_t CRT_buffers(CRoundTrip *me, const void *ib, size_t ib_len, void *ob, size_t ob_len,
                           size_t *ob_lenout) {
  me->calls++;
  if (ib_len > ob_len) {
    return Object_ERROR_SIZE_OUT;
  }
  const uint8_t *in = (const uint8_t *)ib;
  uint8_t *out = (uint8_t *)ob;
  for (size_t k = 0; k < ib_len; ++k) {
    out[k] = in[ib_len - 1 - k];
  }
  *ob_lenout = ib_len;
  return Object_OK;
}

static int32_t CRT_objects(CRoundTrip *me, Object gi, IRoundTripBase ti, Object *go,
                           IRoundTripBase *to) {
  me->calls++;
  Object_INIT(*go, gi);
  Object_INIT(*to, ti);
  return Object_OK;
}

static int32_t CRT_objectArrays(CRoundTrip *me, const IRoundTripBase (*ins)[3], Object (*outs)[2]) {
  me->calls++;
  Object_INIT((*outs)[0], (*ins)[2]);
  Object_INIT((*outs)[1], (*ins)[0]);
  return Object_OK;
}

static int32_t CRT_nothing(CRoundTrip *me) {
  me->calls++;
  return Object_OK;
}

static int32_t CRT_fail(CRoundTrip *me, int32_t code, Object *o) {
  me->calls++;
  (void)o;
  return code;
}

static int32_t CRT_later(CRoundTrip *me, uint32_t x, uint32_t *y) {
  me->calls++;
  *y = x * 3;
  return Object_OK;
}

static IRoundTrip_DEFINE_INVOKE(CRT_invoke, CRT_, CRoundTrip *)

    Object rt_c_object_new(void) {
  CRoundTrip *me = (CRoundTrip *)calloc(1, sizeof(CRoundTrip));
  if (me == NULL) {
    return Object_NULL;
  }
  me->refs = 1;
  g_live++;
  Object o = {CRT_invoke, me};
  return o;
}

unsigned rt_c_calls(Object rt) {
  return rt.invoke == CRT_invoke ? ((CRoundTrip *)rt.context)->calls : 0;
}

int rt_c_live_objects(void) {
  return g_live;
}

#define CHECK(cond)    \
  do {                 \
    if (!(cond)) {     \
      return __LINE__; \
    }                  \
  } while (0)

int rt_c_client(Object rt, Object gi, Object ti) {
  uint32_t y = 0;
  CHECK(IRoundTrip_ping(rt, 5, &y) == Object_OK && y == 105);

  uint8_t oa;
  uint16_t ob;
  uint32_t oc;
  uint64_t od;
  int8_t oe;
  int16_t of;
  int32_t og;
  int64_t oh;
  float oi;
  double oj;
  CHECK(IRoundTrip_prims(rt, 0xFE, 0xFFFE, 0xFFFFFFFEu, 0xFFFFFFFFFFFFFFFEull, -127, -32767,
                         -2147483647, -9223372036854775807ll, 1.25f, -2.5, &oa, &ob, &oc, &od, &oe,
                         &of, &og, &oh, &oi, &oj) == Object_OK);
  CHECK(oa == 0xFF && ob == 0xFFFF && oc == 0xFFFFFFFFu && od == 0xFFFFFFFFFFFFFFFFull);
  CHECK(oe == -128 && of == -32768 && og == INT32_MIN && oh == INT64_MIN);
  CHECK(oi == 2.5f && oj == -5.0);

  uint64_t b = 0;
  CHECK(IRoundTrip_single(rt, 0x1234, &b) == Object_OK && b == 0x12341234ull);

  RT_Small s = {7, 8, 9, 10};
  RT_Pair p = {100, 200};
  RT_Big big = {{1, 2, 3}, 0.75f, 0};
  RT_Small os;
  RT_Big obig;
  RT_Nested on;
  CHECK(IRoundTrip_structs(rt, &s, &p, &big, &os, &obig, &on) == Object_OK);
  CHECK(os.a == 8 && os.b == 9 && os.c == 10 && os.d == 11);
  CHECK(obig.v[0] == 101 && obig.v[1] == 202 && obig.v[2] == 3 && obig.f == 1.5f);
  CHECK(on.s.a == 7 && on.s.d == 10 && on.arr[0] == 100 && on.arr[1] == 200);

  RT_Nested n = {{40, 0, 0, 0}, {2, 9}};
  RT_Pair lp;
  CHECK(IRoundTrip_loneStruct(rt, &n, &lp) == Object_OK && lp.x == 42 && lp.y == 9);

  uint32_t u[3] = {10, 20, 30};
  RT_Small ss[2] = {{1, 2, 3, 4}, {5, 6, 7, 8}};
  uint16_t ou[8];
  RT_Big obs[4];
  size_t ou_len = 99, ob_len = 99;
  CHECK(IRoundTrip_arrays(rt, u, 3, ss, 2, ou, 8, &ou_len, obs, 4, &ob_len) == Object_OK);
  CHECK(ou_len == 3 && ou[0] == 11 && ou[2] == 31);
  CHECK(ob_len == 2 && obs[1].v[0] == 5 && obs[1].v[2] == 7 && obs[1].f == 8.0f);

  const char msg[5] = {'h', 'e', 'l', 'l', 'o'};
  char back[8];
  size_t back_len = 0;
  CHECK(IRoundTrip_buffers(rt, msg, 5, back, sizeof back, &back_len) == Object_OK);
  CHECK(back_len == 5 && back[0] == 'o' && back[4] == 'h');
  CHECK(IRoundTrip_buffers(rt, msg, 5, back, 2, &back_len) == Object_ERROR_SIZE_OUT);

  Object go = Object_NULL;
  IRoundTripBase to = Object_NULL;
  CHECK(IRoundTrip_objects(rt, gi, ti, &go, &to) == Object_OK);
  CHECK(go.context == gi.context && to.context == ti.context);
  Object_RELEASE_IF(go);
  Object_RELEASE_IF(to);

  IRoundTripBase ins[3] = {gi, Object_NULL, ti};
  Object outs[2] = {Object_NULL, Object_NULL};
  CHECK(IRoundTrip_objectArrays(rt, (const IRoundTripBase(*)[3]) & ins, &outs) == Object_OK);
  CHECK(outs[0].context == ti.context && outs[1].context == gi.context);
  Object_RELEASE_IF(outs[0]);
  Object_RELEASE_IF(outs[1]);

  CHECK(IRoundTrip_nothing(rt) == Object_OK);
  Object fo = Object_NULL;
  CHECK(IRoundTrip_fail(rt, IRoundTrip_ERROR_TWO, &fo) == IRoundTrip_ERROR_TWO);
  CHECK(Object_isNull(fo));
  CHECK(IRoundTrip_later(rt, 7, &y) == Object_OK && y == 21);

  uint32_t version = 0;
  CHECK(IRoundTrip_api_version(rt, &version) == Object_OK);
  CHECK(version == ((1u << IRoundTrip_MAJOR_SHIFT) | (2u << IRoundTrip_MINOR_SHIFT)));
  return 0;
}
