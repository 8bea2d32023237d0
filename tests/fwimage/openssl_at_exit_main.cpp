// Helper for OpensslLifetime: exits 0 if captee's OpenSSL users leave
// OpenSSL usable until the very end of the process, as threads that are still
// running or exiting after main returns need it.
//
// The check runs in an atexit handler registered before anything touches
// OpenSSL, so it runs after any handler OpenSSL itself registers later.
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>

#include "captee/fwimage/keys.hpp"

namespace {

void check_openssl_still_works() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const char text[] = "abc";
  // After OPENSSL_cleanup the library refuses to initialise again.
  if (OPENSSL_init_crypto(0, nullptr) != 1 ||
      EVP_Digest(text, 3, digest, &len, EVP_sha256(), nullptr) != 1 || len != 32 ||
      digest[0] != 0xba || digest[31] != 0xad) {
    std::_Exit(3);  // OpenSSL was shut down under us
  }
}

}  // namespace

int main() {
  std::atexit(check_openssl_still_works);
  // Use OpenSSL through captee: a key that does not parse leaves an error
  // queue on this thread, as a refused image does on a serving thread.
  const char junk[] = "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n";
  auto key = captee::fwimage::PublicKey::from_pem(
      std::span(reinterpret_cast<const uint8_t *>(junk), std::strlen(junk)));
  return key.ok() ? 2 : 0;
}
