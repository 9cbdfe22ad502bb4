// ScopedChild: sole owner of one child process, which is killed (SIGKILL) and reaped when the owner goes
// away, unless it was waited for first.
//
//   StatusOr<ScopedChild> child = ScopedChild::Fork([&] {
//     ... runs in the child only ...
//     return 0;                                      // the child's exit code
//   });
//   if (!child.ok()) return child.status();          // "fork: EAGAIN (...)": nothing was started
//   StatusOr<int> status = child->Wait();            // waitpid's status; the child is reaped
//
// A failed fork is an error, never a child: no pid of 0 or below ever reaches kill() or waitpid() from here
// (kill(-1, SIGKILL) as root signals every process on the machine). Waits retry on EINTR. Move-only; not
// thread-safe (one owner waits). The child of Fork is forked without exec: it runs `body` on a copy of the
// caller's memory with the calling thread only, then _exit()s with body's value, never returning into the
// caller's code. Descriptors are inherited as fork inherits them; the body drops what it must not keep.
#ifndef PROCSCOPE_BACKEND_SCOPED_CHILD_H_
#define PROCSCOPE_BACKEND_SCOPED_CHILD_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "backend/status.h"

namespace procscope {

class ScopedChild {
 public:
  ScopedChild() = default;
  // Adopts a child this process started another way (posix_spawn). A pid of 0 or below means "none".
  explicit ScopedChild(pid_t pid) : pid_(pid > 0 ? pid : -1) {}
  ScopedChild(ScopedChild&& other) noexcept : pid_(other.release()) {}
  ScopedChild& operator=(ScopedChild&& other) noexcept;
  ScopedChild(const ScopedChild&) = delete;
  ScopedChild& operator=(const ScopedChild&) = delete;
  // Kills and reaps a child still owned.
  ~ScopedChild() { Reset(); }

  // Forks a child that runs `body` and exits with its value. Error: "fork" with fork's errno.
  [[nodiscard]] static StatusOr<ScopedChild> Fork(const std::function<int()>& body);

  bool is_valid() const { return pid_ > 0; }
  // The child's pid, or -1 once it was reaped or released.
  pid_t pid() const { return pid_; }

  // Blocks until the child ends and reaps it: waitpid's status (decode with ExitCodeOrSignal). Afterwards
  // this object owns nothing. ECHILD when it owns no child.
  [[nodiscard]] StatusOr<int> Wait();
  // As Wait, giving up after `timeout`: nullopt while the child still runs (it stays owned).
  [[nodiscard]] StatusOr<std::optional<int>> WaitFor(std::chrono::milliseconds timeout);
  // SIGKILL, then Wait.
  [[nodiscard]] StatusOr<int> KillAndWait();
  // Sends `signal` to the child (not reaped). ECHILD when it owns no child.
  [[nodiscard]] Status Signal(int signal) const;
  // Kills and reaps the owned child, if any.
  void Reset();
  // Gives up ownership (the child is neither killed nor reaped here); returns its pid or -1.
  [[nodiscard]] pid_t release() {
    const pid_t pid = pid_;
    pid_ = -1;
    return pid;
  }

 private:
  pid_t pid_ = -1;
};

// A wait status as one number: the exit code when the child exited, -N when signal N killed it.
int ExitCodeOrSignal(int wait_status);
// A wait status in words: "exited with status 3", "killed by SIGKILL".
std::string DescribeWaitStatus(int wait_status);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_SCOPED_CHILD_H_
