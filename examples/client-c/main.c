/* captee-counter-client: loads a counter TA (build/ta/counter_ta.ta by
 * default) through the app loader and uses it.
 *   captee-counter-client [TA_FILE] */
#include <stdio.h>
#include <stdlib.h>

#include "captee/tee/apps/app_loader.h"
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
  Object loader = Object_NULL;
  if (captee_app_loader_create(NULL, NULL, &loader) != Object_OK) {
    fprintf(stderr, "counter-client: cannot create the app loader.\n");
    free(image);
    return 1;
  }
  uint32_t total = 0;
  int32_t rv = counter_client_run(loader, image, len, 10, &total, stdout);
  Object_ASSIGN_NULL(loader);
  free(image);
  return rv == Object_OK && total == 55 ? 0 : 1;
}
