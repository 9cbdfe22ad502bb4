// Test-only: a PID that names no process, for the "no such process" paths.
#ifndef PROCSCOPE_TESTS_UTIL_VANISHED_PID_H_
#define PROCSCOPE_TESTS_UTIL_VANISHED_PID_H_

#include <sys/types.h>

#include "backend/scoped_child.h"
#include "backend/status.h"

namespace procscope::testing {

// The PID of a child that was started and reaped: no process has it until the kernel hands it out again
// (it does so only after cycling through the PID space, far longer than a test takes). An error when the
// fork failed.
inline StatusOr<pid_t> VanishedPid() {
  StatusOr<ScopedChild> child = ScopedChild::Fork([] { return 0; });
  if (!child.ok()) return child.status();
  const pid_t pid = child->pid();
  if (StatusOr<int> ended = child->Wait(); !ended.ok()) return ended.status();
  return pid;
}

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_VANISHED_PID_H_
