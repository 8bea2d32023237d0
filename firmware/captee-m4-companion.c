/* captee-m4-companion: the second image of captee's two-image sample bundle.
 *
 * It has no entry point of its own: the bundle boots captee-m4, which finds
 * this image's descriptor at COMPANION_DESCRIPTOR_DA and calls into it. The
 * image occupies the upper half of RETRAM and a slice of MCU SRAM that
 * captee-m4 does not use, so the TA loads both without overlap. */
#include <stdint.h>

#include "captee-m4-companion.h"

/* Written by checksum(), so the image also has a writable SRAM segment. */
__attribute__((section(".companion_data"))) volatile uint32_t companion_calls = 0x5A5A0000u;

static uint32_t checksum(uint32_t seed) {
  companion_calls++;
  uint32_t h = 2166136261u ^ seed; /* FNV-1a over the seed's bytes */
  for (int i = 0; i < 4; i++) {
    h ^= (seed >> (8 * i)) & 0xFFu;
    h *= 16777619u;
  }
  return h;
}

/* captee-m4 copies the greeting into its trace buffer as it is. */
#ifndef COMPANION_GREETING
#define COMPANION_GREETING "companion image up"
#endif

__attribute__((section(".companion_descriptor"), used))
const struct companion_descriptor companion_descriptor = {COMPANION_MAGIC, COMPANION_GREETING,
                                                          checksum};
