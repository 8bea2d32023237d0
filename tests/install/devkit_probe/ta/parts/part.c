#include <part_private.h>
#ifdef PROBE_FILE_FLAG
#error "cflags-probe_ta.c-y reached another file"
#endif
int probe_part(void) {
  return PART_VALUE;
}
