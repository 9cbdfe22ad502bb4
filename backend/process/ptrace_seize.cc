#include "backend/process/ptrace_seize.h"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "backend/eintr.h"
#include "backend/procfs/read_file.h"
#include "backend/procfs/status.h"

namespace procscope {

StatusOr<PtraceSeize> PtraceSeize::Seize(pid_t pid) {
  if (pid <= 0) return Status(EINVAL, "PTRACE_SEIZE: no process " + std::to_string(pid));
  if (ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) != 0) {
    const int error = errno;
    const std::string why = error == EPERM ? TracerReason(pid) : "";
    return Status(error, "PTRACE_SEIZE of PID " + std::to_string(pid) + " refused with " + ErrnoName(error) +
                             (why.empty() ? "" : ": " + why));
  }
  return PtraceSeize(pid);
}

PtraceSeize& PtraceSeize::operator=(PtraceSeize&& other) noexcept {
  if (this != &other) {
    (void)Release();
    pid_ = other.pid_;
    other.pid_ = -1;
  }
  return *this;
}

Status PtraceSeize::Release() {
  if (pid_ <= 0) return OkStatus();
  const pid_t pid = pid_;
  pid_ = -1;
  if (ptrace(PTRACE_INTERRUPT, pid, nullptr, nullptr) != 0) {
    if (errno == ESRCH) return OkStatus();  // gone (or no longer ours)
    return ErrnoStatus("PTRACE_INTERRUPT of PID " + std::to_string(pid));
  }
  // Wait for the stop; a signal that stops it first is handed back with the detach.
  for (;;) {
    int status = 0;
    const pid_t got = RetryOnEintr([&] { return waitpid(pid, &status, __WALL); });
    if (got < 0) {
      if (errno == ECHILD) return OkStatus();  // it ended and was reaped by its parent
      return ErrnoStatus("waitpid for PID " + std::to_string(pid));
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) return OkStatus();
    if (!WIFSTOPPED(status)) continue;
    const bool event_stop = (status >> 16) == PTRACE_EVENT_STOP;
    // A signal-delivery-stop: give the signal back with the detach. The event stop of the interrupt (and a
    // group-stop, also reported as PTRACE_EVENT_STOP to a seizing tracer) carries none to give.
    const int give = event_stop ? 0 : WSTOPSIG(status);
    if (ptrace(PTRACE_DETACH, pid, nullptr, reinterpret_cast<void*>(static_cast<intptr_t>(give))) != 0) {
      if (errno == ESRCH) return OkStatus();
      return ErrnoStatus("PTRACE_DETACH of PID " + std::to_string(pid));
    }
    return OkStatus();
  }
}

std::string TracerReason(pid_t pid) {
  StatusOr<std::string> text = ReadFileToString("/proc/" + std::to_string(pid) + "/status");
  if (!text.ok()) return "";
  StatusOr<ProcStatus> status = ParseStatus(*text);
  if (!status.ok() || !status->tracer_pid || *status->tracer_pid <= 0) return "";
  return "the process is already traced by PID " + std::to_string(*status->tracer_pid);
}

}  // namespace procscope
