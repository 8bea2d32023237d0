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

namespace {

// OpenSSL's secure heap: an arena of its own (mmap'ed between guard pages,
// MADV_DONTDUMP, mlock'ed where RLIMIT_MEMLOCK allows) for what it
// allocates "securely": the private values of RSA, EC, SM2 and DH keys
// (BN_secure_new) and of Ed25519 / X25519 keys, so they are never in a core
// file. Both sizes are powers of two, as OpenSSL requires. 1 MiB holds a few
// hundred RSA-4096 private keys at once; when it is full OpenSSL's secure
// allocations fail (the GP call answers OUT_OF_MEMORY), they do not fall
// back to the ordinary heap.
constexpr size_t kSecureHeapBytes = size_t{1} << 20;
constexpr size_t kSecureHeapMinimum = 32;

}  // namespace

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
  // Before any key exists; its mmap, mprotect and mlock are done before the
  // seccomp filter goes in. 2 means the arena works but a protection (the
  // mlock, most likely, under a small RLIMIT_MEMLOCK) was not applied: it is
  // still out of core files.
  if (CRYPTO_secure_malloc_initialized() == 0 &&
      CRYPTO_secure_malloc_init(kSecureHeapBytes, kSecureHeapMinimum) == 0) {
    return fail("cannot set up OpenSSL's secure heap");
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
