/* The arithmetic family (GP 8) inside a TA: every TEE_BigInt* function
 * against values computed independently with Python's integers
 * (gp_bigint_vectors.h, made by tools/bigint_vectors.py), the result codes
 * GP gives (OVERFLOW, SHORT_BUFFER), and the mistakes that panic the TA. */
#include "gp_bigint_ta.h"

#include <string.h>
#include <tee_internal_api_extensions.h>

#include "gp_bigint_vectors.h"
#include "gp_crypto_ta.h"

#if __OPTEE_CORE_API_COMPAT_1_1
typedef uint32_t ta_size_t;
#else
typedef size_t ta_size_t;
#endif

/* Room for every value the vectors hold (products of 1024-bit operands,
 * 600-bit residues squared inside the runtime). */
#define BIG_BITS 4096
#define BIG_WORDS TEE_BigIntSizeInU32(BIG_BITS)
/* captee's FMM values are TEE_BigInt-sized (checked in the test). */
#define FMM_WORDS TEE_BigIntSizeInU32(521)

#define CHECK(n, cond)                   \
  do {                                   \
    if (!(cond)) {                       \
      return bigint_failed(params, (n)); \
    }                                    \
  } while (0)

static TEE_Result bigint_failed(TEE_Param params[4], uint32_t n) {
  EMSG("bigint check %u failed", n);
  params[0].value.a = n;
  return TEE_ERROR_GENERIC;
}

/* Sets `x` to the signed hex `s` ("-" then big-endian digits, as the
 * vectors spell values); false if that fails. */
static bool from_hex(TEE_BigInt *x, const char *s) {
  uint8_t bytes[BIG_BITS / 8];
  int32_t sign = 1;
  if (*s == '-') {
    sign = -1;
    ++s;
  }
  size_t digits = strlen(s);
  size_t len = (digits + 1) / 2;
  if (len > sizeof bytes) {
    return false;
  }
  TEE_MemFill(bytes, 0, sizeof bytes);
  for (size_t i = 0; i < digits; ++i) {
    char c = s[digits - 1 - i];
    uint8_t v = (uint8_t)(c >= 'a' ? c - 'a' + 10 : c - '0');
    bytes[len - 1 - i / 2] |= (uint8_t)(v << (4 * (i % 2)));
  }
  return TEE_BigIntConvertFromOctetString(x, bytes, len, sign) == TEE_SUCCESS;
}

/* True if `x` holds the signed hex `s`. */
static bool equals_hex(const TEE_BigInt *x, const char *s) {
  TEE_BigInt expected[BIG_WORDS];
  TEE_BigIntInit(expected, BIG_WORDS);
  return from_hex(expected, s) && TEE_BigIntCmp(x, expected) == 0;
}

static TEE_Result sizes_and_octets(TEE_Param params[4]) {
  TEE_BigInt x[BIG_WORDS];
  TEE_BigInt small[TEE_BigIntSizeInU32(64)];
  uint8_t buf[16];
  ta_size_t len = 0;
  static const uint8_t nine[9] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
  static const uint8_t padded[12] = {0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

  CHECK(1, TEE_BigIntSizeInU32(2048) == 66 && TEE_BigIntSizeInU32(1) == 3);
  CHECK(2, TEE_BigIntFMMSizeInU32(2048) >= TEE_BigIntSizeInU32(2048));
  CHECK(3, TEE_BigIntFMMContextSizeInU32(2048) >= 1);
  TEE_BigIntInit(x, BIG_WORDS);
  TEE_BigIntInit(small, TEE_BigIntSizeInU32(64));
  /* A fresh value is zero, and zero is no octets. */
  CHECK(4, TEE_BigIntCmpS32(x, 0) == 0);
  len = sizeof buf;
  CHECK(5, TEE_BigIntConvertToOctetString(buf, &len, x) == TEE_SUCCESS && len == 0);
  /* The octets are the magnitude; a negative sign makes it negative. */
  CHECK(6, TEE_BigIntConvertFromOctetString(x, nine, sizeof nine, -5) == TEE_SUCCESS);
  CHECK(7, equals_hex(x, "-010203040506070809") && TEE_BigIntCmpS32(x, 0) < 0);
  len = sizeof buf;
  CHECK(8, TEE_BigIntConvertToOctetString(buf, &len, x) == TEE_SUCCESS && len == sizeof nine &&
               TEE_MemCompare(buf, nine, sizeof nine) == 0);
  /* Too short: SHORT_BUFFER with the length it takes. */
  len = 8;
  CHECK(9, TEE_BigIntConvertToOctetString(buf, &len, x) == TEE_ERROR_SHORT_BUFFER && len == 9);
  /* Sign 0 is positive; leading zeros do not count against the room. */
  CHECK(10, TEE_BigIntConvertFromOctetString(x, nine, sizeof nine, 0) == TEE_SUCCESS &&
                equals_hex(x, "010203040506070809"));
  CHECK(11, TEE_BigIntConvertFromOctetString(small, padded + 4, 8, 1) == TEE_SUCCESS &&
                equals_hex(small, "0203040506070809"));
  CHECK(12, TEE_BigIntConvertFromOctetString(small, padded, 11, 1) == TEE_SUCCESS);
  /* Nine octets do not fit 64 bits: OVERFLOW, the value unchanged. */
  CHECK(13, TEE_BigIntConvertFromOctetString(small, nine, sizeof nine, 1) == TEE_ERROR_OVERFLOW);
  CHECK(14, equals_hex(small, "0102030405060708"));
  /* A negative zero is zero. */
  static const uint8_t zero[2] = {0, 0};
  CHECK(15, TEE_BigIntConvertFromOctetString(x, zero, sizeof zero, -1) == TEE_SUCCESS &&
                TEE_BigIntCmpS32(x, 0) == 0);
  return TEE_SUCCESS;
}

static TEE_Result s32_and_logical(TEE_Param params[4]) {
  TEE_BigInt x[BIG_WORDS];
  TEE_BigInt y[BIG_WORDS];
  TEE_BigInt one_word[TEE_BigIntSizeInU32(32)];
  int32_t v = 0;
  static const int32_t values[] = {0, 1, -1, 2147483647, -2147483647 - 1, 123456789, -987654};

  TEE_BigIntInit(x, BIG_WORDS);
  TEE_BigIntInit(y, BIG_WORDS);
  TEE_BigIntInit(one_word, TEE_BigIntSizeInU32(32));
  for (size_t i = 0; i < sizeof values / sizeof values[0]; ++i) {
    TEE_BigIntConvertFromS32(one_word, values[i]);
    CHECK(20, TEE_BigIntConvertToS32(&v, one_word) == TEE_SUCCESS && v == values[i]);
    CHECK(21, TEE_BigIntCmpS32(one_word, values[i]) == 0);
  }
  CHECK(22, from_hex(x, "-80000000") && TEE_BigIntConvertToS32(&v, x) == TEE_SUCCESS &&
                v == -2147483647 - 1);
  v = 7;
  CHECK(23, from_hex(x, "80000000") && TEE_BigIntConvertToS32(&v, x) == TEE_ERROR_OVERFLOW);
  CHECK(24, from_hex(x, "-80000001") && TEE_BigIntConvertToS32(&v, x) == TEE_ERROR_OVERFLOW);
  CHECK(25,
        from_hex(x, "100000000000000000") && TEE_BigIntConvertToS32(&v, x) == TEE_ERROR_OVERFLOW);

  /* Comparisons are signed. */
  CHECK(26, from_hex(x, "-5") && from_hex(y, "3"));
  CHECK(27, TEE_BigIntCmp(x, y) < 0 && TEE_BigIntCmp(y, x) > 0 && TEE_BigIntCmp(x, x) == 0);
  CHECK(28, TEE_BigIntCmpS32(x, -6) > 0 && TEE_BigIntCmpS32(x, -4) < 0);
  CHECK(29, from_hex(x, "-100000000000000000000") && TEE_BigIntCmpS32(x, -2147483647 - 1) < 0);

  /* Shifts act on the magnitude and keep the sign. */
  CHECK(30, from_hex(x, "-123456789abcdef0123456789"));
  TEE_BigIntShiftRight(y, x, 36);
  CHECK(31, equals_hex(y, "-123456789abcdef0"));
  TEE_BigIntShiftRight(x, x, 4);
  CHECK(32, equals_hex(x, "-123456789abcdef012345678"));
  TEE_BigIntShiftRight(y, x, 1000);
  CHECK(33, TEE_BigIntCmpS32(y, 0) == 0);
  TEE_BigIntShiftRight(y, x, 0);
  CHECK(34, TEE_BigIntCmp(x, y) == 0);
  /* A destination just big enough for the result. */
  TEE_BigIntShiftRight(one_word, x, 64);
  CHECK(35, equals_hex(one_word, "-12345678"));

  /* Bits of the magnitude. */
  CHECK(40, from_hex(x, "-8000000000000001"));
  CHECK(41, TEE_BigIntGetBitCount(x) == 64 && TEE_BigIntGetBit(x, 63) && TEE_BigIntGetBit(x, 0) &&
                !TEE_BigIntGetBit(x, 1) && !TEE_BigIntGetBit(x, 64) &&
                !TEE_BigIntGetBit(x, 0xffffffff));
  TEE_BigIntInit(y, BIG_WORDS);
  CHECK(42, TEE_BigIntGetBitCount(y) == 0);
  CHECK(43, TEE_BigIntSetBit(x, 100, true) == TEE_SUCCESS &&
                equals_hex(x, "-10000000008000000000000001"));
  CHECK(44, TEE_BigIntSetBit(x, 100, false) == TEE_SUCCESS &&
                TEE_BigIntSetBit(x, 0, false) == TEE_SUCCESS && equals_hex(x, "-8000000000000000"));
  /* Past the room: setting overflows, clearing changes nothing. */
  TEE_BigIntConvertFromS32(one_word, 5);
  CHECK(45, TEE_BigIntSetBit(one_word, 32, true) == TEE_ERROR_OVERFLOW &&
                TEE_BigIntSetBit(one_word, 32, false) == TEE_SUCCESS &&
                TEE_BigIntCmpS32(one_word, 5) == 0);
  CHECK(46, TEE_BigIntSetBit(one_word, 31, true) == TEE_SUCCESS &&
                TEE_BigIntGetBitCount(one_word) == 32);

  /* Assign and Abs answer OVERFLOW for a destination too small. */
  CHECK(50, from_hex(x, "-fedcba9876543210fedcba98"));
  CHECK(51, TEE_BigIntAssign(y, x) == TEE_SUCCESS && TEE_BigIntCmp(x, y) == 0);
  CHECK(52, TEE_BigIntAbs(y, x) == TEE_SUCCESS && equals_hex(y, "fedcba9876543210fedcba98"));
  CHECK(53, TEE_BigIntAbs(x, x) == TEE_SUCCESS && TEE_BigIntCmp(x, y) == 0);
  CHECK(54, TEE_BigIntAssign(one_word, x) == TEE_ERROR_OVERFLOW &&
                TEE_BigIntAbs(one_word, x) == TEE_ERROR_OVERFLOW);
  CHECK(55, TEE_BigIntGetBitCount(one_word) == 32 && TEE_BigIntGetBit(one_word, 2));
  return TEE_SUCCESS;
}

static TEE_Result basic_arithmetic(TEE_Param params[4]) {
  TEE_BigInt a[BIG_WORDS];
  TEE_BigInt b[BIG_WORDS];
  TEE_BigInt r[BIG_WORDS];
  TEE_BigInt s[BIG_WORDS];

  TEE_BigIntInit(a, BIG_WORDS);
  TEE_BigIntInit(b, BIG_WORDS);
  TEE_BigIntInit(r, BIG_WORDS);
  TEE_BigIntInit(s, BIG_WORDS);
  for (size_t i = 0; i < sizeof bigint_binary_vectors / sizeof bigint_binary_vectors[0]; ++i) {
    const struct bigint_binary_vector *t = &bigint_binary_vectors[i];
    CHECK(60, from_hex(a, t->a) && from_hex(b, t->b));
    TEE_BigIntAdd(r, a, b);
    CHECK(61, equals_hex(r, t->sum));
    TEE_BigIntSub(r, a, b);
    CHECK(62, equals_hex(r, t->difference));
    TEE_BigIntMul(r, a, b);
    CHECK(63, equals_hex(r, t->product));
    /* In place: the destination is an operand. */
    TEE_BigIntAssign(r, a);
    TEE_BigIntAdd(r, r, b);
    CHECK(64, equals_hex(r, t->sum));
    TEE_BigIntNeg(r, b);
    TEE_BigIntNeg(s, r);
    CHECK(65, TEE_BigIntCmp(s, b) == 0);
    TEE_BigIntAdd(s, a, r);
    CHECK(66, equals_hex(s, t->difference));
    TEE_BigIntSquare(r, a);
    TEE_BigIntMul(s, a, a);
    CHECK(67, TEE_BigIntCmp(r, s) == 0 && TEE_BigIntCmpS32(r, 0) >= 0);
  }
  for (size_t i = 0; i < sizeof bigint_div_vectors / sizeof bigint_div_vectors[0]; ++i) {
    const struct bigint_div_vector *t = &bigint_div_vectors[i];
    CHECK(70, from_hex(a, t->a) && from_hex(b, t->b));
    TEE_BigIntDiv(r, s, a, b);
    CHECK(71, equals_hex(r, t->quotient) && equals_hex(s, t->remainder));
    /* Either result may be left out. */
    TEE_BigIntDiv(NULL, s, a, b);
    CHECK(72, equals_hex(s, t->remainder));
    TEE_BigIntDiv(r, NULL, a, b);
    CHECK(73, equals_hex(r, t->quotient));
  }
  return TEE_SUCCESS;
}

static TEE_Result modular_arithmetic(TEE_Param params[4]) {
  TEE_BigInt a[BIG_WORDS];
  TEE_BigInt b[BIG_WORDS];
  TEE_BigInt n[BIG_WORDS];
  TEE_BigInt r[BIG_WORDS];
  TEE_BigInt e[BIG_WORDS];
  /* Room for the largest modulus (521 bits) and no more. */
  TEE_BigIntFMM ra[FMM_WORDS];
  TEE_BigIntFMM rb[FMM_WORDS];
  TEE_BigIntFMM rr[FMM_WORDS];
  uint32_t ctx[16];

  TEE_BigIntInit(a, BIG_WORDS);
  TEE_BigIntInit(b, BIG_WORDS);
  TEE_BigIntInit(n, BIG_WORDS);
  TEE_BigIntInit(r, BIG_WORDS);
  TEE_BigIntInit(e, BIG_WORDS);
  CHECK(79, TEE_BigIntFMMSizeInU32(521) <= FMM_WORDS);
  TEE_BigIntInitFMM(ra, TEE_BigIntFMMSizeInU32(521));
  TEE_BigIntInitFMM(rb, TEE_BigIntFMMSizeInU32(521));
  TEE_BigIntInitFMM(rr, TEE_BigIntFMMSizeInU32(521));
  for (size_t i = 0; i < sizeof bigint_mod_vectors / sizeof bigint_mod_vectors[0]; ++i) {
    const struct bigint_mod_vector *t = &bigint_mod_vectors[i];
    CHECK(80, from_hex(a, t->a) && from_hex(b, t->b) && from_hex(n, t->n));
    TEE_BigIntMod(r, a, n);
    CHECK(81, equals_hex(r, t->mod));
    /* The sums and products take operands in [0, n - 1]. */
    TEE_BigIntMod(a, a, n);
    TEE_BigIntMod(e, b, n);
    TEE_BigIntAddMod(r, a, e, n);
    CHECK(82, equals_hex(r, t->add));
    TEE_BigIntSubMod(r, a, e, n);
    CHECK(83, equals_hex(r, t->sub));
    TEE_BigIntMulMod(r, a, e, n);
    CHECK(84, equals_hex(r, t->mul));
    TEE_BigIntSquareMod(r, a, n);
    CHECK(85, equals_hex(r, t->square));
    /* ExpMod: the vector's exponent is |b|; odd and even moduli, with and
     * without a context. */
    CHECK(86, from_hex(a, t->a) && TEE_BigIntAbs(e, b) == TEE_SUCCESS);
    CHECK(87, TEE_BigIntExpMod(r, a, e, n, NULL) == TEE_SUCCESS && equals_hex(r, t->exp));
    CHECK(88, TEE_BigIntFMMContextSizeInU32(TEE_BigIntGetBitCount(n)) <= 16);
    CHECK(89, TEE_BigIntInitFMMContext1(ctx, TEE_BigIntFMMContextSizeInU32(521), n) == TEE_SUCCESS);
    CHECK(90, TEE_BigIntExpMod(r, a, e, n, ctx) == TEE_SUCCESS && equals_hex(r, t->exp));
    /* Fast modular multiplication gives MulMod's result. */
    TEE_BigIntInitFMMContext(ctx, TEE_BigIntFMMContextSizeInU32(521), n);
    TEE_BigIntConvertToFMM(ra, a, n, ctx);
    TEE_BigIntConvertToFMM(rb, b, n, ctx);
    TEE_BigIntComputeFMM(rr, ra, rb, n, ctx);
    TEE_BigIntConvertFromFMM(r, rr, n, ctx);
    CHECK(91, equals_hex(r, t->mul));
    TEE_BigIntComputeFMM(rr, ra, ra, n, ctx);
    TEE_BigIntFMMConvertToBigInt(r, rr, n, ctx);
    CHECK(92, equals_hex(r, t->square));
  }
  for (size_t i = 0; i < sizeof bigint_inv_vectors / sizeof bigint_inv_vectors[0]; ++i) {
    const struct bigint_inv_vector *t = &bigint_inv_vectors[i];
    CHECK(95, from_hex(a, t->a) && from_hex(n, t->n));
    TEE_BigIntInvMod(r, a, n);
    CHECK(96, equals_hex(r, t->inverse));
  }
  /* A modulus GP 1.2's InitFMMContext1 can report instead of panicking. */
  TEE_BigIntConvertFromS32(n, 1);
  CHECK(97, TEE_BigIntInitFMMContext1(ctx, 16, n) == TEE_ERROR_NOT_SUPPORTED);
  return TEE_SUCCESS;
}

static TEE_Result gcd_and_primes(TEE_Param params[4]) {
  TEE_BigInt a[BIG_WORDS];
  TEE_BigInt b[BIG_WORDS];
  TEE_BigInt g[BIG_WORDS];
  TEE_BigInt u[BIG_WORDS];
  TEE_BigInt v[BIG_WORDS];
  TEE_BigInt t1[BIG_WORDS];
  TEE_BigInt t2[BIG_WORDS];

  TEE_BigIntInit(a, BIG_WORDS);
  TEE_BigIntInit(b, BIG_WORDS);
  TEE_BigIntInit(g, BIG_WORDS);
  TEE_BigIntInit(u, BIG_WORDS);
  TEE_BigIntInit(v, BIG_WORDS);
  TEE_BigIntInit(t1, BIG_WORDS);
  TEE_BigIntInit(t2, BIG_WORDS);
  for (size_t i = 0; i < sizeof bigint_gcd_vectors / sizeof bigint_gcd_vectors[0]; ++i) {
    const struct bigint_gcd_vector *t = &bigint_gcd_vectors[i];
    CHECK(100, from_hex(a, t->a) && from_hex(b, t->b));
    CHECK(101, TEE_BigIntRelativePrime(a, b) == t->relatively_prime);
    TEE_BigIntComputeExtendedGcd(g, u, v, a, b);
    CHECK(102, equals_hex(g, t->gcd));
    /* Bezout: u * a + v * b = gcd. */
    TEE_BigIntMul(t1, u, a);
    TEE_BigIntMul(t2, v, b);
    TEE_BigIntAdd(t1, t1, t2);
    CHECK(103, TEE_BigIntCmp(t1, g) == 0);
    /* The coefficients may be left out. */
    TEE_BigIntInit(g, BIG_WORDS);
    TEE_BigIntComputeExtendedGcd(g, NULL, NULL, a, b);
    CHECK(104, equals_hex(g, t->gcd));
  }
  for (size_t i = 0; i < sizeof bigint_prime_vectors / sizeof bigint_prime_vectors[0]; ++i) {
    const struct bigint_prime_vector *t = &bigint_prime_vectors[i];
    CHECK(110, from_hex(a, t->v));
    CHECK(111, TEE_BigIntIsProbablePrime(a, 0) == t->verdict);
    /* A higher confidence level gives the same verdict. */
    CHECK(112, TEE_BigIntIsProbablePrime(a, 200) == t->verdict);
  }
  return TEE_SUCCESS;
}

TEE_Result bigint_known_answers(TEE_Param params[4]) {
  TEE_Result r = sizes_and_octets(params);
  if (r == TEE_SUCCESS) {
    r = s32_and_logical(params);
  }
  if (r == TEE_SUCCESS) {
    r = basic_arithmetic(params);
  }
  if (r == TEE_SUCCESS) {
    r = modular_arithmetic(params);
  }
  if (r == TEE_SUCCESS) {
    r = gcd_and_primes(params);
  }
  if (r == TEE_SUCCESS) {
    params[0].value.a = 0;
  }
  return r;
}

TEE_Result bigint_misuse(uint32_t which) {
  TEE_BigInt a[TEE_BigIntSizeInU32(256)];
  TEE_BigInt b[TEE_BigIntSizeInU32(256)];
  TEE_BigInt small[TEE_BigIntSizeInU32(64)];
  uint32_t ctx[16];
  static TEE_BigInt huge[TEE_BigIntSizeInU32(8192)];

  TEE_BigIntInit(a, TEE_BigIntSizeInU32(256));
  TEE_BigIntInit(b, TEE_BigIntSizeInU32(256));
  TEE_BigIntInit(small, TEE_BigIntSizeInU32(64));
  TEE_MemFill(ctx, 0, sizeof ctx);
  if (!from_hex(a, "123456789abcdef0123456789abcdef") || !from_hex(b, "fedcba9876543210")) {
    return TEE_ERROR_ITEM_NOT_FOUND;
  }
  switch (which) {
    case GP_BIGINT_MISUSE_INIT_TOO_LARGE:
      TEE_BigIntInit(huge, TEE_BigIntSizeInU32(8192));
      break;
    case GP_BIGINT_MISUSE_NOT_INITIALIZED: {
      TEE_BigInt raw[TEE_BigIntSizeInU32(64)];
      TEE_MemFill(raw, 0, sizeof raw);
      TEE_BigIntAdd(a, a, raw);
      break;
    }
    case GP_BIGINT_MISUSE_CORRUPT_HEADER:
      /* More words in use than the array has room for. */
      small[1] = 0xffff0002;
      (void)TEE_BigIntGetBitCount(small);
      break;
    case GP_BIGINT_MISUSE_ADD_OVERFLOW:
      TEE_BigIntAdd(small, a, b);
      break;
    case GP_BIGINT_MISUSE_MUL_OVERFLOW:
      TEE_BigIntMul(small, a, b);
      break;
    case GP_BIGINT_MISUSE_DIV_BY_ZERO:
      TEE_BigIntConvertFromS32(b, 0);
      TEE_BigIntDiv(a, small, a, b);
      break;
    case GP_BIGINT_MISUSE_MODULUS_ONE:
      TEE_BigIntConvertFromS32(b, 1);
      TEE_BigIntMod(small, a, b);
      break;
    case GP_BIGINT_MISUSE_NEGATIVE_MODULUS:
      TEE_BigIntConvertFromS32(b, -7);
      TEE_BigIntMulMod(small, a, a, b);
      break;
    case GP_BIGINT_MISUSE_NO_INVERSE:
      TEE_BigIntConvertFromS32(a, 6);
      TEE_BigIntConvertFromS32(b, 9);
      TEE_BigIntInvMod(small, a, b);
      break;
    case GP_BIGINT_MISUSE_FMM_CONTEXT_NOT_INITIALIZED:
      TEE_BigIntConvertToFMM(small, a, b, ctx);
      break;
    case GP_BIGINT_MISUSE_FMM_CONTEXT_OTHER_MODULUS:
      TEE_BigIntInitFMMContext(ctx, 16, b);
      (void)TEE_BigIntExpMod(small, a, a, a, ctx);
      break;
    case GP_BIGINT_MISUSE_S32_INTO_NO_ROOM: {
      TEE_BigInt none[TEE_BigIntSizeInU32(0)];
      TEE_BigIntInit(none, TEE_BigIntSizeInU32(0));
      TEE_BigIntConvertFromS32(none, 1);
      break;
    }
    case GP_BIGINT_MISUSE_SHORT_CONTEXT:
      TEE_BigIntInitFMMContext(ctx, 1, b);
      break;
    case GP_BIGINT_MISUSE_GCD_OVERFLOW:
      TEE_BigIntComputeExtendedGcd(small, NULL, NULL, a, a);
      break;
    default:
      break;
  }
  return TEE_ERROR_ITEM_NOT_FOUND;
}
