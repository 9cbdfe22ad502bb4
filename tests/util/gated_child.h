// Test-only: a target whose end the test controls. A forked child blocks until Release(), then exits with
// the code it was given or kills itself with the signal; the test owns it (ScopedChild) and reaps it when
// it chooses, e.g. at once from another thread while something else waits for the end.
//
//   StatusOr<GatedChild> target = GatedChild::Start(/*exit_code=*/3);
//   StatusOr<Process> p = Process::Open(target->pid());
//   ASSERT_OK(target->Release());
//   StatusOr<int> status = target->child().Wait();   // reaped
//
// Release writes one byte into a pipe: a process forked from the test after Start (a reader that dropped its
// credentials) may call it too. The child closes its copy of the write end, so a test that dies closes the
// last one and the child ends (exit_code) instead of blocking forever.
#ifndef PROCSCOPE_TESTS_UTIL_GATED_CHILD_H_
#define PROCSCOPE_TESTS_UTIL_GATED_CHILD_H_

#include <sys/types.h>

#include "backend/scoped_child.h"
#include "backend/scoped_fd.h"
#include "backend/status.h"

namespace procscope::testing {

class GatedChild {
 public:
  // `signal` 0: exit(exit_code); else the signal's default action is restored and the signal raised.
  [[nodiscard]] static StatusOr<GatedChild> Start(int exit_code, int signal = 0);

  pid_t pid() const { return child_.pid(); }
  ScopedChild& child() { return child_; }
  // Lets the child end. "write" with its errno when the byte cannot be written.
  [[nodiscard]] Status Release() const;

 private:
  ScopedChild child_;
  ScopedFd go_;  // the pipe's write end
};

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_GATED_CHILD_H_
