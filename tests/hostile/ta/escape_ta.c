/* A hostile TA: its load-time code (an IFUNC resolver, a constructor and an
 * .init_array entry) tries to reach outside the sandbox before the host
 * ever calls it: a socket, a file created outside, a fork and an execve.
 * Each attempt uses the raw system call (an IFUNC resolver runs before the
 * image's own relocations are done, so not even libc's PLT can be trusted)
 * and records what the kernel answered. The app object reports it. */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "IEscapeReport.h"
#include "IEscapeReport_invoke.h"
#include "captee/ta_sdk.h"

CAPTEE_TA_MANIFEST(CAPTEE_TA_UUID(0x5eca9e00, 0x7a00, 0x4b1d, 0x8e, 0x5c, 0, 0, 0, 0, 0, 0x01),
                   "captee_escape_ta", CAPTEE_TA_FLAG_MULTI_SESSION, 16u << 20, 2000);

#define STAGES IEscapeReport_STAGES
#define TRIES IEscapeReport_TRIES

static int64_t g_results[STAGES][TRIES];
static int g_ran[STAGES];

#if defined(__x86_64__)
static long raw_syscall(long n, long a, long b, long c, long d) {
  long ret;
  register long r10 __asm__("r10") = d;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
                   : "rcx", "r11", "memory");
  return ret;
}
#define RAW_FORK() raw_syscall(SYS_clone, SIGCHLD, 0, 0, 0)
#elif defined(__aarch64__)
static long raw_syscall(long n, long a, long b, long c, long d) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
  return x0;
}
#define RAW_FORK() raw_syscall(SYS_clone, SIGCHLD, 0, 0, 0)
#else
#error "the escape TA knows x86_64 and aarch64 only"
#endif

/* Marker files the test looks for: one per stage, created outside the TA. */
static const char *const kMarkers[STAGES] = {
    "/tmp/captee-escape-ifunc", "/tmp/captee-escape-constructor", "/tmp/captee-escape-init-array"};
static const char kNoSuchProgram[] = "/nonexistent/captee-escape-helper";

static void attempt(unsigned stage) {
  long r = raw_syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0, 0);
  g_results[stage][IEscapeReport_TRY_SOCKET] = r;
  if (r >= 0) {
    raw_syscall(SYS_close, r, 0, 0, 0);
  }
  r = raw_syscall(SYS_openat, AT_FDCWD, (long)kMarkers[stage], O_CREAT | O_WRONLY | O_CLOEXEC,
                  0644);
  g_results[stage][IEscapeReport_TRY_OPEN] = r;
  if (r >= 0) {
    raw_syscall(SYS_close, r, 0, 0, 0);
  }
  r = RAW_FORK();
  if (r == 0) {
    raw_syscall(SYS_exit_group, 0, 0, 0, 0); /* the child: gone at once */
  }
  g_results[stage][IEscapeReport_TRY_FORK] = r;
  if (r > 0) {
    raw_syscall(SYS_wait4, r, 0, 0, 0);
  }
  /* A program that does not exist: without the filter the kernel answers
   * ENOENT, under it EPERM; nothing is replaced either way. */
  static char *const argv[] = {(char *)kNoSuchProgram, 0};
  r = raw_syscall(SYS_execve, (long)kNoSuchProgram, (long)argv, 0, 0);
  g_results[stage][IEscapeReport_TRY_EXECVE] = r;
  g_ran[stage] = 1;
}

/* IFUNC: the resolver runs while the image is relocated. The pointer below
 * makes the relocation one dlopen must resolve at load time. */
static void probe_impl(void) {}
static void (*resolve_probe(void))(void) {
  attempt(IEscapeReport_STAGE_IFUNC);
  return probe_impl;
}
void escape_probe(void) __attribute__((ifunc("resolve_probe")));
void (*volatile g_probe)(void) = escape_probe;

__attribute__((constructor)) static void at_construction(void) {
  attempt(IEscapeReport_STAGE_CONSTRUCTOR);
}

static void at_init_array(void) {
  attempt(IEscapeReport_STAGE_INIT_ARRAY);
}
__attribute__((section(".init_array"), used)) static void (*g_init_entry)(void) = at_init_array;

/* ---- the app object (static, never freed) ---- */

typedef struct {
  int unused;
} CReport;

static CReport report;

static int32_t CReport_retain(CReport *me) {
  (void)me;
  return Object_OK;
}

static int32_t CReport_release(CReport *me) {
  (void)me;
  return Object_OK;
}

static int32_t CReport_results(CReport *me, void *out, size_t out_len, size_t *out_lenout) {
  (void)me;
  int64_t all[STAGES][TRIES];
  for (unsigned s = 0; s < STAGES; ++s) {
    for (unsigned t = 0; t < TRIES; ++t) {
      all[s][t] = g_ran[s] ? g_results[s][t] : IEscapeReport_NOT_RUN;
    }
  }
  if (out_len < sizeof all) {
    return Object_ERROR_SIZE_OUT;
  }
  memcpy(out, all, sizeof all);
  *out_lenout = sizeof all;
  return Object_OK;
}

static int32_t CReport_uid(CReport *me, uint32_t *uid) {
  (void)me;
  *uid = (uint32_t)getuid();
  return Object_OK;
}

static IEscapeReport_DEFINE_INVOKE(CReport_invoke, CReport_, CReport *)

    int32_t captee_ta_get_app_object(Object *out) {
  *out = (Object){CReport_invoke, &report};
  return Object_OK;
}
