// A C IWait written the way libminkteec's CWait.c is (spec §7.12): the
// generated IWait_DEFINE_INVOKE with invoke function IWait_invoke, prefix
// CWait_ and type CWait *. Shows that Mink-style C implementations compile
// unchanged against captee's generated headers.
#pragma once

#include "object.h"

#ifdef __cplusplus
extern "C" {
#endif

// A new CWait with refcount 1 (as CWait_open does).
int32_t CWait_open(Object *out);
// CWait objects not yet freed.
int cwait_live(void);

#ifdef __cplusplus
}
#endif
