// preload_openssl (openssl_preload.hpp). Under the seccomp filter every open
// but the TA image's answers EPERM, so OpenSSL could neither read its
// configuration nor dlopen the legacy provider later: it is told not to
// read openssl.cnf at all (a TA's crypto does not depend on the machine's
// OpenSSL configuration) and gets its providers now.
#include "openssl_preload.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

namespace captee::tee::apps::detail {

bool preload_openssl(std::string *why) {
  auto fail = [&](const char *what) {
    if (why != nullptr) {
      *why = what;
    }
    ERR_clear_error();
    return false;
  };
  if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) != 1) {
    return fail("cannot initialise OpenSSL");
  }
  // Loaded for the life of the process; loading one explicitly stops
  // OpenSSL from loading the default provider on its own, so both are named.
  if (OSSL_PROVIDER_load(nullptr, "default") == nullptr) {
    return fail("cannot load OpenSSL's default provider");
  }
  (void)OSSL_PROVIDER_load(nullptr, "legacy");
  // The first random bytes instantiate and seed the DRBG (getrandom, which
  // the filter allows; this only makes sure no fallback path is needed).
  unsigned char byte = 0;
  if (RAND_bytes(&byte, 1) != 1) {
    return fail("cannot seed OpenSSL's random generator");
  }
  OPENSSL_cleanse(&byte, 1);
  ERR_clear_error();
  return true;
}

}  // namespace captee::tee::apps::detail
