// Included by every translation unit that calls OpenSSL, so that the first
// OpenSSL initialisation in the process is this one.
//
// OpenSSL frees its global and per-thread state from an atexit handler. In
// captee's processes, detached threads (a channel's serving threads, a
// crash-event delivery thread) may still be running, or still be exiting, when
// main returns: one still inside OpenSSL would use freed state, and one that
// exits after the handler ran never frees its error queue (the handler deleted
// the thread-local key whose destructor would have). So OpenSSL is told not to
// clean up at exit; the kernel reclaims the process's memory anyway, and each
// thread's state is still freed when the thread ends.
#pragma once

#include <openssl/crypto.h>

namespace captee::detail {

inline const bool kOpensslKeptUntilExit = OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr) == 1;

}  // namespace captee::detail
