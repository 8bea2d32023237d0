// power_cut_probe: a program that power_cut_preload_test runs under the
// interposer (LD_PRELOAD) to see what the interposer does in a process.
//
//   power_cut_probe sandboxed FILE
//     Opens FILE, then installs a seccomp filter that kills the process on
//     any system call but the ones the program itself makes (write, pwrite64,
//     ftruncate, fsync, fdatasync, close, exit_group), as a TA host's
//     sandbox leaves little room, then changes and syncs FILE. Exits 0 only
//     if the interposer made no system call of its own meanwhile.
//   power_cut_probe change FILE [sync]
//     Writes "new!" at offset 2 and cuts FILE to 4 bytes; with `sync`,
//     then fdatasyncs it.
#include <fcntl.h>
#include <seccomp.h>
#include <unistd.h>

#include <cstring>
#include <initializer_list>

int main(int argc, char **argv) {
  if (argc < 3) {
    return 2;
  }
  const bool sandboxed = std::strcmp(argv[1], "sandboxed") == 0;
  const int fd = ::open(argv[2], O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return 3;
  }
  if (sandboxed) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    bool ok = ctx != nullptr;
    for (int nr : {SCMP_SYS(write), SCMP_SYS(pwrite64), SCMP_SYS(ftruncate), SCMP_SYS(fsync),
                   SCMP_SYS(fdatasync), SCMP_SYS(close), SCMP_SYS(exit_group)}) {
      ok = ok && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) == 0;
    }
    if (!ok || seccomp_load(ctx) != 0) {
      return 4;
    }
  }
  bool ok = ::pwrite(fd, "new!", 4, 2) == 4 && ::write(fd, "x", 1) == 1 && ::ftruncate(fd, 4) == 0;
  if (sandboxed || (argc > 3 && std::strcmp(argv[3], "sync") == 0)) {
    ok = ok && ::fdatasync(fd) == 0 && ::fsync(fd) == 0;
  }
  ok = ::close(fd) == 0 && ok;
  ::_exit(ok ? 0 : 5);
}
