// How long the rpmsg tests give the sample firmware to announce its channel
// after boot: the 1 s in the plain build, where the figure is
// measured; more under the sanitizers, which slow the emulated core and the
// host several times over without changing what is checked.
#pragma once

#include <chrono>

namespace captee::rproc::testing {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr std::chrono::milliseconds kWithinBoot{5000};
#else
inline constexpr std::chrono::milliseconds kWithinBoot{1000};
#endif

}  // namespace captee::rproc::testing
