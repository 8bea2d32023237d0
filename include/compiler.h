/* Attribute shorthands of OP-TEE's TA dev kit (its libutils compiler.h), so
 * TA sources written for OP-TEE (`TEE_Param __unused params[4]`,
 * `__maybe_unused`, `__packed`, `__aligned(8)`, ...) build unchanged.
 * tee_internal_api.h and tee_api_types.h include it, as OP-TEE's do.
 *
 * The names are the compiler's reserved namespace, and some of them are also
 * used as identifiers inside the C++ standard library (`__aligned`, `__data`,
 * `__section`), the C library (`__used` in <spawn.h>) or are ordinary C++
 * words (`fallthrough`, `barrier`). In a C++ translation unit those few are
 * left undefined, so captee's own C++ sources and C++ TAs may include this
 * header before <memory>, <string>, <barrier> or <spawn.h>; C sources, which
 * is what OP-TEE TAs are, get every macro, as with OP-TEE (and, as with
 * OP-TEE, a C source must then include <spawn.h> before it). */
#ifndef COMPILER_H
#define COMPILER_H

/* Each macro that other environments (a libc's sys/cdefs.h, OP-TEE's
 * normal-world test programs) may also define is guarded with #ifndef: the
 * meaning is the same, the first definition wins. */
#define __deprecated __attribute__((deprecated))
#ifndef __packed
#define __packed __attribute__((packed))
#endif
#define __weak __attribute__((weak))
#define __alias(x) __attribute__((alias(x)))
#ifndef __noreturn
#define __noreturn __attribute__((__noreturn__))
#endif
#define __pure __attribute__((pure))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __noinline __attribute__((noinline))
#define __attr_const __attribute__((__const__))
#ifndef __unused
#define __unused __attribute__((unused))
#endif
#define __maybe_unused __attribute__((unused))
#define __must_check __attribute__((warn_unused_result))
#define __cold __attribute__((__cold__))
#define __noprof __attribute__((no_instrument_function))
#define __nostackcheck __attribute__((no_instrument_function))

#ifndef __cplusplus
#ifndef __used
#define __used __attribute__((__used__))
#endif
#define __aligned(x) __attribute__((aligned(x)))
#define __section(x) __attribute__((section(x)))
#define __data __section(".data")
#define __bss __section(".bss")
#define __rodata __section(".rodata")
#define barrier() __asm__ volatile("" : : : "memory")
#ifndef __has_attribute
#define __has_attribute(x) 0
#endif
#if __has_attribute(__fallthrough__)
#define fallthrough __attribute__((__fallthrough__))
#else
#define fallthrough \
  do {              \
  } while (0)
#endif
#endif /* !__cplusplus */

#define __compiler_bswap64(x) __builtin_bswap64((x))
#define __compiler_bswap32(x) __builtin_bswap32((x))
#define __compiler_bswap16(x) __builtin_bswap16((x))

/* GCC 5 and every clang captee builds with have the checked-arithmetic
 * builtins, so OP-TEE's portable fallback is not needed. Each evaluates to
 * true when the exact result does not fit *res. */
#define __HAVE_BUILTIN_OVERFLOW 1
#define __compiler_add_overflow(a, b, res) __builtin_add_overflow((a), (b), (res))
#define __compiler_sub_overflow(a, b, res) __builtin_sub_overflow((a), (b), (res))
#define __compiler_mul_overflow(a, b, res) __builtin_mul_overflow((a), (b), (res))

#define __compiler_compare_and_swap(p, oval, nval) \
  __atomic_compare_exchange_n((p), (oval), (nval), 1, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)
#define __compiler_atomic_load(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define __compiler_atomic_store(p, val) __atomic_store_n((p), (val), __ATOMIC_RELAXED)

#endif /* COMPILER_H */
