// TEE_GenerateRandom (GP 6.9): the kernel's generator, which OpenSSL's own
// DRBG seeds from too; getrandom is in the TA host's seccomp allow-list.
#include <sys/random.h>

#include <cstdint>

#include "tee_internal_api.h"

extern "C" {

void TEE_GenerateRandom(void *randomBuffer, size_t randomBufferLen) {
  if (randomBuffer == nullptr && randomBufferLen != 0) {
    TEE_Panic(TEE_ERROR_BAD_PARAMETERS);
  }
  auto *p = static_cast<uint8_t *>(randomBuffer);
  while (randomBufferLen > 0) {
    ssize_t n = ::getrandom(p, randomBufferLen, 0);
    if (n <= 0) {
      TEE_Panic(TEE_ERROR_GENERIC);
    }
    p += n;
    randomBufferLen -= static_cast<size_t>(n);
  }
}

}  // extern "C"
