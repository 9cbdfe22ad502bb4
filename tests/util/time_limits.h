// Test-only: how long a test waits for one step of a child (a command to finish, a fixture to exit, a
// killed target to die) before it gives up and says which step was slow.
//
// These are safety nets against hangs, never performance checks: sized for the slowest configuration the
// suite runs in (ASan + UBSan on a 2-vCPU machine that is also building something, or a TCG-emulated guest)
// with a wide margin, so a busy machine cannot turn a correct test red. Every test that uses them runs with
// Bazel's moderate timeout (300 s, tripled under --config=asan), above any one of them.
#ifndef PROCSCOPE_TESTS_UTIL_TIME_LIMITS_H_
#define PROCSCOPE_TESTS_UTIL_TIME_LIMITS_H_

#include <chrono>

namespace procscope::testing {

inline constexpr std::chrono::seconds kStepTimeLimit{120};

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_TIME_LIMITS_H_
