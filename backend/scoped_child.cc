#include "backend/scoped_child.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "backend/eintr.h"

namespace procscope {

ScopedChild& ScopedChild::operator=(ScopedChild&& other) noexcept {
  if (this != &other) {
    Reset();
    pid_ = other.release();
  }
  return *this;
}

StatusOr<ScopedChild> ScopedChild::Fork(const std::function<int()>& body) {
  const pid_t pid = fork();
  if (pid < 0) return ErrnoStatus("fork");
  if (pid == 0) _exit(body());
  return ScopedChild(pid);
}

StatusOr<int> ScopedChild::Wait() {
  if (!is_valid()) return Status(ECHILD, "wait: no child is owned");
  int status = 0;
  if (RetryOnEintr([&] { return waitpid(pid_, &status, 0); }) != pid_) {
    Status failed = ErrnoStatus("waitpid " + std::to_string(pid_));
    pid_ = -1;  // nothing left to reap (ECHILD): someone else reaped it
    return failed;
  }
  pid_ = -1;
  return status;
}

StatusOr<std::optional<int>> ScopedChild::WaitFor(std::chrono::milliseconds timeout) {
  if (!is_valid()) return Status(ECHILD, "wait: no child is owned");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = RetryOnEintr([&] { return waitpid(pid_, &status, WNOHANG); });
    if (r == pid_) {
      pid_ = -1;
      return std::optional<int>(status);
    }
    if (r < 0) {
      Status failed = ErrnoStatus("waitpid " + std::to_string(pid_));
      pid_ = -1;
      return failed;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::optional<int>();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

StatusOr<int> ScopedChild::KillAndWait() {
  if (Status sent = Signal(SIGKILL); !sent.ok()) return sent;
  return Wait();
}

Status ScopedChild::Signal(int signal) const {
  if (!is_valid()) return Status(ECHILD, "kill: no child is owned");
  if (kill(pid_, signal) != 0) return ErrnoStatus("kill " + std::to_string(pid_));
  return OkStatus();
}

void ScopedChild::Reset() {
  if (!is_valid()) return;
  kill(pid_, SIGKILL);
  (void)Wait();
}

int ExitCodeOrSignal(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return -WTERMSIG(wait_status);
  return -1;
}

std::string DescribeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    const char* abbrev = sigabbrev_np(WTERMSIG(wait_status));
    return abbrev != nullptr ? std::string("killed by SIG") + abbrev
                             : "killed by signal " + std::to_string(WTERMSIG(wait_status));
  }
  return "wait status " + std::to_string(wait_status);
}

}  // namespace procscope
