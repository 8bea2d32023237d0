// Regression (ASan run in CI): OpenSSL's atexit clean-up deleted the
// thread-local key of its per-thread error queues while capteed's detached
// serving threads were still exiting, so their queues leaked (LeakSanitizer)
// and a thread still inside OpenSSL would have used freed state. captee's
// OpenSSL users now keep OpenSSL until the process ends
// (captee/detail/openssl_lifetime.hpp).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>

TEST(OpensslLifetime, OpensslStaysUsableAfterMainReturns) {
  const int st = std::system(CAPTEE_OPENSSL_AT_EXIT_BIN);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0) << "3: OpenSSL was cleaned up at exit; 2: the junk key parsed";
}
