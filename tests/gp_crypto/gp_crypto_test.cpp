// GP cryptography inside a TA (issue 15): the crypto test TA, built in both
// API modes, runs its known-answer tests through the GP API against a real
// capteed, and each misuse the specification lists panics it (the client
// sees TEEC_ERROR_TARGET_DEAD from the TEE, and a new session works).
#include <gtest/gtest.h>

#include <cstdint>

#include "../hostile/baseline.hpp"
#include "gp_crypto_ta.h"
#include "teec_fixture.hpp"

namespace captee::test {
namespace {

class GpCrypto : public Teec, public ::testing::WithParamInterface<bool> {
 protected:
  // The v1.1-mode build for GetParam() true, the default one otherwise.
  TEEC_UUID uuid() const {
    if (GetParam()) {
      return GP_CRYPTO_TA_GP11_UUID;
    }
    return GP_CRYPTO_TA_V131_UUID;
  }

  void open_ta(TEEC_Session *s) {
    TEEC_UUID u = uuid();
    uint32_t origin = 0;
    ASSERT_EQ(TEEC_OpenSession(&ctx_, s, &u, TEEC_LOGIN_PUBLIC, nullptr, nullptr, &origin),
              TEEC_SUCCESS)
        << "origin " << origin;
  }

  // Runs a known-answer command; the number of the failed check, 0 if none.
  uint32_t run(uint32_t cmd) {
    TEEC_Session s{};
    open_ta(&s);
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].value.a = 99;
    uint32_t origin = 0;
    TEEC_Result r = TEEC_InvokeCommand(&s, cmd, &op, &origin);
    TEEC_CloseSession(&s);
    if (r != TEEC_SUCCESS) {
      ADD_FAILURE() << "command " << cmd << " answered " << std::hex << r << " origin " << origin;
      return op.params[0].value.a == 0 ? 1000 : op.params[0].value.a;
    }
    return op.params[0].value.a;
  }
};

TEST_P(GpCrypto, TransientObjects) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_OBJECTS), 0u);
}

TEST_P(GpCrypto, Operations) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_OPERATIONS), 0u);
}

TEST_P(GpCrypto, DigestKnownAnswers) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_DIGESTS), 0u);
}

TEST_P(GpCrypto, MacKnownAnswers) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_MACS), 0u);
}

TEST_P(GpCrypto, CipherKnownAnswersAndBuffering) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_CIPHERS), 0u);
}

TEST_P(GpCrypto, AuthenticatedEncryptionKnownAnswers) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_AE), 0u);
}

TEST_P(GpCrypto, CtsAndXtsKnownAnswers) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_CTS_XTS), 0u);
}

TEST_P(GpCrypto, KeyDerivationKnownAnswers) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_DERIVE), 0u);
}

TEST_P(GpCrypto, RsaKnownAnswersAndKeys) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_RSA), 0u);
}

TEST_P(GpCrypto, RsaRoundTrips) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_RSA_ROUND_TRIPS), 0u);
}

TEST_P(GpCrypto, EccKnownAnswersAndKeys) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_ECC), 0u);
}

TEST_P(GpCrypto, EccRoundTripsOnEveryNistCurve) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_ECC_ROUND_TRIPS), 0u);
}

TEST_P(GpCrypto, Ed25519AndX25519KnownAnswers) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_CURVE25519), 0u);
}

TEST_P(GpCrypto, DiffieHellmanKnownAnswerAndAgreement) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_DH), 0u);
}

TEST_P(GpCrypto, Sm4KnownAnswers) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_SM4), 0u);
}

// SM2 (GB/T 32918): GM/T 0003.5's signature verifies over the digest the
// TA computes, its ciphertext decrypts (GP's C1 || C3 || C2 through
// OpenSSL's DER), generated keys round-trip, and hostile ciphertexts (too
// short, C1 compressed or off the curve, lengths past any buffer) are
// refused with BAD_PARAMETERS or CIPHERTEXT_INVALID, never a crash.
TEST_P(GpCrypto, Sm2KnownAnswersAndHostileCiphertexts) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_SM2), 0u);
}

TEST_P(GpCrypto, BigIntArithmeticAgainstIndependentValues) {
  EXPECT_EQ(run(GP_CRYPTO_CMD_BIGINT), 0u);
}

// Each mistake panics the TA: TARGET_DEAD from the TEE, the next session
// gets a fresh instance that works, and capteed is back at its baseline
// (counters, descriptors, threads, `captee stats`) once the dead instances
// are gone.
TEST_P(GpCrypto, MisusePanicsTheTa) {
  TEEC_FinalizeContext(&ctx_);  // the baseline is capteed with no client
  const Baseline base = quiet_baseline(daemon_->pid(), daemon_->socket(), CAPTEE_CLI_PATH);
  ASSERT_TRUE(base.quiet);
  ASSERT_EQ(TEEC_InitializeContext(nullptr, &ctx_), TEEC_SUCCESS);
  for (uint32_t which = 1; which <= GP_CRYPTO_MISUSE_COUNT; ++which) {
    TEEC_Session s{};
    open_ta(&s);
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].value.a = which;
    uint32_t origin = 0;
    EXPECT_EQ(TEEC_InvokeCommand(&s, GP_CRYPTO_CMD_MISUSE, &op, &origin), TEEC_ERROR_TARGET_DEAD)
        << "misuse " << which;
    EXPECT_EQ(origin, TEEC_ORIGIN_TEE) << "misuse " << which;
    TEEC_CloseSession(&s);
  }
  EXPECT_EQ(run(GP_CRYPTO_CMD_DIGESTS), 0u);
  TEEC_FinalizeContext(&ctx_);
  expect_back_to_baseline(daemon_->pid(), daemon_->socket(), base, CAPTEE_CLI_PATH);
  ASSERT_EQ(TEEC_InitializeContext(nullptr, &ctx_), TEEC_SUCCESS);
}

// Each arithmetic mistake (a result with no room, an array or FMM context
// never initialised or corrupted, a modulus below 2, no inverse, division by
// zero) panics the TA, and capteed is back at its baseline afterwards.
TEST_P(GpCrypto, BigIntMisusePanicsTheTa) {
  TEEC_FinalizeContext(&ctx_);
  const Baseline base = quiet_baseline(daemon_->pid(), daemon_->socket(), CAPTEE_CLI_PATH);
  ASSERT_TRUE(base.quiet);
  ASSERT_EQ(TEEC_InitializeContext(nullptr, &ctx_), TEEC_SUCCESS);
  for (uint32_t which = 1; which <= GP_BIGINT_MISUSE_COUNT; ++which) {
    TEEC_Session s{};
    open_ta(&s);
    TEEC_Operation op{};
    op.paramTypes = TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_NONE, TEEC_NONE, TEEC_NONE);
    op.params[0].value.a = which;
    uint32_t origin = 0;
    EXPECT_EQ(TEEC_InvokeCommand(&s, GP_CRYPTO_CMD_BIGINT_MISUSE, &op, &origin),
              TEEC_ERROR_TARGET_DEAD)
        << "bigint misuse " << which;
    EXPECT_EQ(origin, TEEC_ORIGIN_TEE) << "bigint misuse " << which;
    TEEC_CloseSession(&s);
  }
  EXPECT_EQ(run(GP_CRYPTO_CMD_BIGINT), 0u);
  TEEC_FinalizeContext(&ctx_);
  expect_back_to_baseline(daemon_->pid(), daemon_->socket(), base, CAPTEE_CLI_PATH);
  ASSERT_EQ(TEEC_InitializeContext(nullptr, &ctx_), TEEC_SUCCESS);
}

INSTANTIATE_TEST_SUITE_P(BothApiModes, GpCrypto, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool> &i) {
                           return i.param ? std::string("Gp11") : std::string("V131");
                         });

}  // namespace
}  // namespace captee::test
