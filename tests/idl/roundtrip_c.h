// The C side of the round-trip tests: an IRoundTrip implemented in C with the
// generated C skeleton, and a C client that drives any IRoundTrip through the
// generated C stubs.
#pragma once

#include "object.h"

#ifdef __cplusplus
extern "C" {
#endif

// A new IRoundTrip implemented in C (refcount 1).
Object rt_c_object_new(void);
// Number of implementation functions the C object has run (retain/release
// excluded): shows whether the skeleton let a call through.
unsigned rt_c_calls(Object rt);
// Live C objects (created and not yet freed).
int rt_c_live_objects(void);

// Calls every IRoundTrip method from C on `rt` and checks the answers. `gi` and
// `ti` are passed as input objects and must come back as output objects.
// Returns 0 on success, otherwise the source line of the first failed check.
int rt_c_client(Object rt, Object gi, Object ti);

#ifdef __cplusplus
}
#endif
