/* Small helpers of OP-TEE's TA dev kit (its libutils util.h): sizes, MIN /
 * MAX, rounding, bit masks and overflow-checked arithmetic, with OP-TEE's
 * names and meanings so TA sources that use them build unchanged.
 *
 * MIN, MAX, CMP_TRILEAN, ROUNDUP_OVERFLOW, ROUNDUP_DIV, UDIV_ROUND_NEAREST and
 * container_of evaluate each argument once (GNU statement expressions);
 * MIN_UNSAFE / MAX_UNSAFE evaluate one twice and work in constant
 * expressions. ROUNDUP / ROUNDDOWN need a power-of-two size. */
#ifndef UTIL_H
#define UTIL_H

#include <compiler.h>
#include <inttypes.h>
#include <stddef.h>

/* OP-TEE's libc has UINTPTR_C; glibc does not. A TA host is LP64 or ILP32
 * Linux, where unsigned long is exactly as wide as a pointer. */
#ifndef UINTPTR_C
#define UINTPTR_C(c) c##UL
#endif

#define SIZE_4K UINTPTR_C(0x1000)
#define SIZE_1M UINTPTR_C(0x100000)
#define SIZE_2M UINTPTR_C(0x200000)
#define SIZE_4M UINTPTR_C(0x400000)
#define SIZE_8M UINTPTR_C(0x800000)
#define SIZE_2G UINTPTR_C(0x80000000)

/* <sys/param.h> may have defined them already, with the same meaning. */
#ifndef MAX
#define MAX(a, b)                          \
  (__extension__({                         \
    __typeof__(a) __max_a = (a);           \
    __typeof__(b) __max_b = (b);           \
    __max_a > __max_b ? __max_a : __max_b; \
  }))
#define MIN(a, b)                          \
  (__extension__({                         \
    __typeof__(a) __min_a = (a);           \
    __typeof__(b) __min_b = (b);           \
    __min_a < __min_b ? __min_a : __min_b; \
  }))
#endif

#define MAX_UNSAFE(a, b) (((a) > (b)) ? (a) : (b))
#define MIN_UNSAFE(a, b) (((a) < (b)) ? (a) : (b))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

#define ROUNDUP(v, size) (((v) + ((__typeof__(v))(size)-1)) & ~((__typeof__(v))(size)-1))
#define ROUNDDOWN(v, size) ((v) & ~((__typeof__(v))(size)-1))

/* 1 (and *res untouched) if rounding v up to size overflows *res's type. */
#define ROUNDUP_OVERFLOW(v, size, res)                 \
  (__extension__({                                     \
    __typeof__(*(res)) __ru_sum = 0;                   \
    __typeof__(v) __ru_mask = (__typeof__(v))(size)-1; \
    ADD_OVERFLOW((v), __ru_mask, &__ru_sum)            \
    ? 1 : ((void)(*(res) = __ru_sum & ~__ru_mask), 0); \
  }))

/* x / y rounded up, without computing x + y - 1 (so it cannot overflow). */
#define ROUNDUP_DIV(x, y)                            \
  (__extension__({                                   \
    __typeof__(x) __rd_x = (x);                      \
    __typeof__(y) __rd_mask = (__typeof__(x))(y)-1;  \
    (__rd_x / (y)) + ((__rd_x & __rd_mask) ? 1 : 0); \
  }))

#define UDIV_ROUND_NEAREST(x, y)      \
  (__extension__({                    \
    __typeof__(x) __ud_x = (x);       \
    __typeof__(y) __ud_y = (y);       \
    (__ud_x + (__ud_y / 2)) / __ud_y; \
  }))

/* x must be unsigned. */
#define IS_POWER_OF_TWO(x) (((x) != 0) && (((x) & (~(x) + 1)) == (x)))

#define ALIGNMENT_IS_OK(p, type) (((uintptr_t)(p) & (__alignof__(type) - 1)) == 0)

#define TO_STR(x) _TO_STR(x)
#define _TO_STR(x) #x

#define CONCAT(x, y) _CONCAT(x, y)
#define _CONCAT(x, y) x##y

#define container_of(ptr, type, member)                      \
  (__extension__({                                           \
    const __typeof__(((type *)0)->member) *__co_ptr = (ptr); \
    (type *)((uintptr_t)(__co_ptr)-offsetof(type, member));  \
  }))

#define MEMBER_SIZE(type, member) sizeof(((type *)0)->member)

#define BIT32(nr) (UINT32_C(1) << (nr))
#define BIT64(nr) (UINT64_C(1) << (nr))
#define SHIFT_U32(v, shift) ((uint32_t)(v) << (shift))
#define SHIFT_U64(v, shift) ((uint64_t)(v) << (shift))
#define BIT(nr) BIT32(nr)

/* Bits l..h (inclusive) set, e.g. GENMASK_32(7, 4) == 0xf0. */
#define GENMASK_32(h, l) (((~UINT32_C(0)) << (l)) & (~UINT32_C(0) >> (32 - 1 - (h))))
#define GENMASK_64(h, l) (((~UINT64_C(0)) << (l)) & (~UINT64_C(0) >> (64 - 1 - (h))))

/* Each is true when the exact result does not fit *res (then *res is
 * unspecified). */
#define ADD_OVERFLOW(a, b, res) __compiler_add_overflow((a), (b), (res))
#define SUB_OVERFLOW(a, b, res) __compiler_sub_overflow((a), (b), (res))
#define MUL_OVERFLOW(a, b, res) __compiler_mul_overflow((a), (b), (res))

/* 1, 0 or -1 as a > b, a == b, a < b. */
#define CMP_TRILEAN(a, b)                           \
  (__extension__({                                  \
    __typeof__(a) __ct_a = (a);                     \
    __typeof__(b) __ct_b = (b);                     \
    __ct_a > __ct_b ? 1 : __ct_a < __ct_b ? -1 : 0; \
  }))

static inline uint64_t reg_pair_to_64(uint32_t reg0, uint32_t reg1) {
  return (uint64_t)reg0 << 32 | reg1;
}

static inline void reg_pair_from_64(uint64_t val, uint32_t *reg0, uint32_t *reg1) {
  *reg0 = (uint32_t)(val >> 32);
  *reg1 = (uint32_t)val;
}

#endif /* UTIL_H */
