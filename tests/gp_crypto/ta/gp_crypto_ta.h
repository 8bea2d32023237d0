/* The crypto test TA's UUIDs and commands (shared by the TA and
 * gp_crypto_test). One source, built twice: in the default v1.3.1 mode and
 * in the GP v1.1 compatibility mode (CFG_TA_OPTEE_CORE_API_COMPAT_1_1),
 * whose 32-bit lengths go through the runtime's __GP11_ conversions.
 *
 * The known-answer commands take params[0] VALUE_OUTPUT and answer
 * TEE_SUCCESS, or TEE_ERROR_GENERIC with params[0].value.a = the number of
 * the failed check. */
#ifndef GP_CRYPTO_TA_H
#define GP_CRYPTO_TA_H

#define GP_CRYPTO_TA_V131_UUID                       \
  {                                                  \
    0x7e57c0de, 0x0151, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x51 \
    }                                                \
  }
#define GP_CRYPTO_TA_GP11_UUID                       \
  {                                                  \
    0x7e57c0de, 0x0152, 0x4000, {                    \
      0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x52 \
    }                                                \
  }

/* Transient objects: allocation sizes, populate, attribute protection and
 * usage flags, copy, reset, generated keys. */
#define GP_CRYPTO_CMD_OBJECTS 0
/* Operations: TEE_IsAlgorithmSupported, allocation errors, operation
 * information, reset, keys cleared, TEE_GenerateRandom. */
#define GP_CRYPTO_CMD_OPERATIONS 1
/* Digests: FIPS 180 / FIPS 202 / GB/T 32905 "abc" vectors, updates split
 * anywhere, SHORT_BUFFER, DigestExtract in pieces, CopyOperation. */
#define GP_CRYPTO_CMD_DIGESTS 2
/* MACs: RFC 4231 and RFC 2202 HMACs, RFC 4226's HMAC-SHA1, RFC 4493
 * AES-CMAC, AES and DES CBC-MACs, CompareFinal, SHORT_BUFFER. */
#define GP_CRYPTO_CMD_MACS 3
/* Ciphers: SP 800-38A AES-128/256 ECB, CBC and CTR, the FIPS 46 DES example
 * (single and as 3DES), block buffering and SHORT_BUFFER. */
#define GP_CRYPTO_CMD_CIPHERS 4
/* Authenticated encryption: the GCM specification's test cases 2 and 4 and
 * SP 800-38C's CCM examples 1 and 2, AAD and payload in pieces, SHORT_BUFFER
 * for the tag, MAC_INVALID with nothing written, unsupported tag sizes. */
#define GP_CRYPTO_CMD_AE 6
/* AES-CTS: RFC 3962's vectors whole, in pieces and in place; AES-XTS: IEEE
 * 1619's vector 2, ciphertext stealing, two keys, one key twice refused. */
#define GP_CRYPTO_CMD_CTS_XTS 7
/* OP-TEE's key derivations: RFC 5869 HKDF, RFC 6070 PBKDF2, a Concat KDF
 * computed independently. */
#define GP_CRYPTO_CMD_DERIVE 8
/* RSA: NIST CAVS PKCS#1 v1.5 SHA-256 verification vectors (one good, one
 * bad), a signature and two ciphertexts OpenSSL made with a fixed key pair,
 * key attributes (with and without CRT values, protection, the public half
 * copied), Populate's errors and the key sizes. */
#define GP_CRYPTO_CMD_RSA 9
/* RSA on a generated 2048-bit key pair: every signature scheme signs and
 * verifies (PSS with a salt length given too), every encryption scheme
 * encrypts and decrypts, SHORT_BUFFER, messages too long. */
#define GP_CRYPTO_CMD_RSA_ROUND_TRIPS 10
/* ECC: RFC 6979's P-256 ECDSA signature verifies (GP's and OP-TEE's older
 * algorithm numbers), the key pair's signatures verify, attributes (curve,
 * coordinates, private value, the public half copied), a point off the
 * curve refused, RFC 5903's P-256 ECDH from both sides. */
#define GP_CRYPTO_CMD_ECC 11
/* ECC on generated keys on P-192 to P-521: ECDSA sign and verify (r || s of
 * the curve's size), both sides of ECDH agree. */
#define GP_CRYPTO_CMD_ECC_ROUND_TRIPS 12
/* Ed25519 and X25519: RFC 8032's signatures (tests 1 and 2) exactly, RFC
 * 7748's shared secret from both sides, Ed25519ctx not supported (OpenSSL
 * 3.0), a key pair with another's public value refused, generated keys. */
#define GP_CRYPTO_CMD_CURVE25519 13
/* DH in RFC 7919's ffdhe2048: the secret OpenSSL derived for two key pairs
 * it made, a generated key pair (TEE_ATTR_DH_X_BITS) agreeing from both
 * sides, attributes. */
#define GP_CRYPTO_CMD_DH 14
/* The arithmetic family (gp_bigint_ta.c): every TEE_BigInt* function
 * against values Python's integers gave (tools/bigint_vectors.py), signs,
 * zero, OVERFLOW and SHORT_BUFFER. */
#define GP_CRYPTO_CMD_BIGINT 15
/* SM4 ECB, CBC and CTR: GB/T 32907's examples 1 and 2 (gp_sm4_ta.c). */
#define GP_CRYPTO_CMD_SM4 17
/* SM2: GM/T 0003.5's signature and ciphertext on the standard curve, round
 * trips on generated keys, hostile ciphertexts (gp_sm2_ta.c). */
#define GP_CRYPTO_CMD_SM2 18
/* params[0] VALUE_INPUT a = one of GP_BIGINT_MISUSE_*: an arithmetic
 * mistake that must panic the TA. */
#define GP_CRYPTO_CMD_BIGINT_MISUSE 16
/* params[0] VALUE_INPUT a = one of GP_CRYPTO_MISUSE_*: the TA sets the case
 * up (TEE_ERROR_ITEM_NOT_FOUND if that fails), then makes the mistake, which
 * must panic it (the client sees TARGET_DEAD). */
#define GP_CRYPTO_CMD_MISUSE 5

#define GP_CRYPTO_MISUSE_WRONG_CLASS 1                  /* TEE_DigestUpdate on a cipher */
#define GP_CRYPTO_MISUSE_NO_KEY 2                       /* TEE_CipherInit with no key set */
#define GP_CRYPTO_MISUSE_NOT_INITIALIZED 3              /* TEE_CipherUpdate before Init */
#define GP_CRYPTO_MISUSE_WRONG_KEY_TYPE 4               /* a DES key on an AES operation */
#define GP_CRYPTO_MISUSE_KEY_TOO_LARGE 5                /* AES-256 key, maxKeySize 128 */
#define GP_CRYPTO_MISUSE_KEY_USAGE 6                    /* key without TEE_USAGE_ENCRYPT */
#define GP_CRYPTO_MISUSE_AFTER_FAILED_FINAL 7           /* MACUpdate after a failed compare */
#define GP_CRYPTO_MISUSE_PARTIAL_BLOCK 8                /* NOPAD DoFinal on 15 bytes */
#define GP_CRYPTO_MISUSE_PROTECTED_ATTR 9               /* secret of a non-extractable key */
#define GP_CRYPTO_MISUSE_POPULATE_TWICE 10              /* Populate an initialised object */
#define GP_CRYPTO_MISUSE_BAD_HANDLE 11                  /* a made-up operation handle */
#define GP_CRYPTO_MISUSE_WRONG_IV 12                    /* CBC with an 8-byte IV */
#define GP_CRYPTO_MISUSE_FREED_OBJECT 13                /* a freed object's handle */
#define GP_CRYPTO_MISUSE_UPDATE_EXTRACTING 14           /* DigestUpdate after Extract */
#define GP_CRYPTO_MISUSE_MISSING_ATTR 15                /* Populate with no secret */
#define GP_CRYPTO_MISUSE_KEY_WHILE_ACTIVE 16            /* SetOperationKey mid-operation */
#define GP_CRYPTO_MISUSE_AAD_AFTER_PAYLOAD 17           /* AEUpdateAAD after AEUpdate */
#define GP_CRYPTO_MISUSE_DECRYPT_FINAL_ON_ENCRYPT 18    /* AEDecryptFinal, encrypt mode */
#define GP_CRYPTO_MISUSE_ONE_KEY_FOR_TWO 19             /* SetOperationKey on AES-XTS */
#define GP_CRYPTO_MISUSE_CTS_UNDER_A_BLOCK 20           /* CTS final on 15 bytes */
#define GP_CRYPTO_MISUSE_DERIVE_WITHOUT_LENGTH 21       /* HKDF with no OKM length */
#define GP_CRYPTO_MISUSE_RSA_SIGN_IN_VERIFY_MODE 22     /* SignDigest, verify mode */
#define GP_CRYPTO_MISUSE_RSA_PUBLIC_KEY_TO_SIGN 23      /* public key on a sign operation */
#define GP_CRYPTO_MISUSE_RSA_DIGEST_LENGTH 24           /* 31-byte digest, RSA SHA-256 */
#define GP_CRYPTO_MISUSE_RSA_PRIVATE_ATTR 25            /* private exponent, not extractable */
#define GP_CRYPTO_MISUSE_RSA_DECRYPT_ON_SIGNATURE 26    /* AsymmetricDecrypt, signature op */
#define GP_CRYPTO_MISUSE_RSA_PRIVATE_ATTR_ON_PUBLIC 27  /* Populate a public key with d */
#define GP_CRYPTO_MISUSE_RSA_GENERATE_PUBLIC 28         /* GenerateKey on a public key */
#define GP_CRYPTO_MISUSE_ECDSA_DIGEST_LENGTH 29         /* 20-byte digest, ECDSA SHA-256 */
#define GP_CRYPTO_MISUSE_ECDH_POINT_OFF_CURVE 30        /* ECDH with a peer off the curve */
#define GP_CRYPTO_MISUSE_ECDSA_WRONG_CURVE 31           /* P-384 key, ECDSA_P256 */
#define GP_CRYPTO_MISUSE_ECDSA_KEY_FOR_ECDH 32          /* ECDSA key on an ECDH operation */
#define GP_CRYPTO_MISUSE_X25519_LOW_ORDER_POINT 33      /* X25519 with the zero point */
#define GP_CRYPTO_MISUSE_DH_PEER_OUT_OF_RANGE 34        /* DH with a peer value of 1 */
#define GP_CRYPTO_MISUSE_SM2_DIGEST_LENGTH 35           /* 20-byte digest, SM2 DSA */
#define GP_CRYPTO_MISUSE_SM2_ECDSA_KEY 36               /* P-256 key on SM2 DSA */
#define GP_CRYPTO_MISUSE_SM2_PKE_KEY_TO_SIGN 37         /* SM2 PKE key on SM2 DSA */
#define GP_CRYPTO_MISUSE_SM2_PUBLIC_KEY_TO_DECRYPT 38   /* public key, SM2 decrypt */
#define GP_CRYPTO_MISUSE_SM2_ENCRYPT_IN_DECRYPT_MODE 39 /* Encrypt, decrypt mode */
#define GP_CRYPTO_MISUSE_SM2_GENERATE_PUBLIC 40         /* GenerateKey, SM2 public */
#define GP_CRYPTO_MISUSE_COUNT 40

#define GP_BIGINT_MISUSE_INIT_TOO_LARGE 1               /* Init beyond 2 x maxBigIntSize */
#define GP_BIGINT_MISUSE_NOT_INITIALIZED 2              /* an operand never Init'ed */
#define GP_BIGINT_MISUSE_CORRUPT_HEADER 3               /* more words used than room */
#define GP_BIGINT_MISUSE_ADD_OVERFLOW 4                 /* a sum too big for dest */
#define GP_BIGINT_MISUSE_MUL_OVERFLOW 5                 /* a product too big for dest */
#define GP_BIGINT_MISUSE_DIV_BY_ZERO 6                  /* Div by zero */
#define GP_BIGINT_MISUSE_MODULUS_ONE 7                  /* Mod with n = 1 */
#define GP_BIGINT_MISUSE_NEGATIVE_MODULUS 8             /* MulMod with n = -7 */
#define GP_BIGINT_MISUSE_NO_INVERSE 9                   /* InvMod of 6 mod 9 */
#define GP_BIGINT_MISUSE_FMM_CONTEXT_NOT_INITIALIZED 10 /* ConvertToFMM, zeroed context */
#define GP_BIGINT_MISUSE_FMM_CONTEXT_OTHER_MODULUS 11   /* ExpMod, another n's context */
#define GP_BIGINT_MISUSE_S32_INTO_NO_ROOM 12            /* ConvertFromS32 into 0 words */
#define GP_BIGINT_MISUSE_SHORT_CONTEXT 13               /* InitFMMContext with len 1 */
#define GP_BIGINT_MISUSE_GCD_OVERFLOW 14                /* a gcd too big for dest */
#define GP_BIGINT_MISUSE_COUNT 14

#endif /* GP_CRYPTO_TA_H */
