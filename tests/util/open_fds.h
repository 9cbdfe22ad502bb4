// Test-only: how many descriptors this process has open, to prove that a code path leaks none.
#ifndef PROCSCOPE_TESTS_UTIL_OPEN_FDS_H_
#define PROCSCOPE_TESTS_UTIL_OPEN_FDS_H_

#include <filesystem>

namespace procscope::testing {

// The entries of /proc/self/fd, not counting the one the directory walk itself holds.
inline int OpenFds() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n - 1;
}

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_OPEN_FDS_H_
