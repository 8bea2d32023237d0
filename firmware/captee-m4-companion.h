/* The interface between captee-m4 and its companion image in a two-image
 * bundle (as a TF-M image exports services to the Zephyr image beside it).
 * The companion places this descriptor at a fixed device address; the main
 * image looks for the magic there at boot. */
#ifndef CAPTEE_M4_COMPANION_H
#define CAPTEE_M4_COMPANION_H

#include <stdint.h>

#define COMPANION_DESCRIPTOR_DA 0x00008000u
#define COMPANION_MAGIC 0x31504d43u /* "CMP1" */

struct companion_descriptor {
  uint32_t magic;
  const char *greeting;
  uint32_t (*checksum)(uint32_t seed);
};

#endif
