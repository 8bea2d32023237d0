// The SIGSYS handler that lets dlopen open the TA image under the seccomp
// filter (see captee/tee/apps/sandbox.hpp for why it is safe). Internal.
#pragma once

namespace captee::tee::apps::detail {

// Installs the handler for SIGSYS. From then on a trapped read-only
// open/openat of exactly `path` returns a duplicate of `image_fd`, one of
// "/proc/self/maps" a duplicate of that file opened now (the process's own
// map, which the GP runtime reads), any other trapped call -EPERM. `path` must stay valid for the
// life of the process (the handler reads it from a signal context). False if sigaction fails.
bool install_image_open_trap(int image_fd, const char *path);

// After the image is mapped: every trapped open answers EPERM, whatever
// descriptor later takes the image's number.
void disarm_image_open_trap();

}  // namespace captee::tee::apps::detail
