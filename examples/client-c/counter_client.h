/* The example client's logic, in C: load a TA through an IAppLoader and use
 * its counter. Shared by the example program and the tests. */
#ifndef COUNTER_CLIENT_H
#define COUNTER_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "object.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Loads `image` (a .ta file's bytes) with `loader` (an IAppLoader, borrowed),
 * opens a counter, adds 1..rounds, echoes a message, and releases everything.
 * Progress goes to `log` (may be NULL). *total receives the final count.
 * Returns Object_OK or the first error. */
int32_t counter_client_run(Object loader, const void *image, size_t image_len, uint32_t rounds,
                           uint32_t *total, FILE *log);

#ifdef __cplusplus
}
#endif

#endif
