/* captee-rpmsg-hostile: captee-rpmsg-echo breaking the virtio rules after
 * announcing its channel (its used index jumps), for the tests of what the
 * host does then: the processor is crashed with the reason. */
#define CAPTEE_RPMSG_HOSTILE 1
#include "captee-rpmsg-echo.c"
