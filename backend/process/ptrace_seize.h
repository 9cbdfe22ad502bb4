// PtraceSeize: this thread attached to a process as its tracer with PTRACE_SEIZE (no stop, no signal), and
// detached again when it goes away. What a reader needs to force /proc/<pid>/mem access on kernels booted
// with proc_mem.force_override=ptrace (Debian's 7.x cloud kernels by default): there the kernel forces only
// for the target's tracer, and the tracer is the thread that seized (task->parent == current).
//
//   StatusOr<PtraceSeize> seized = PtraceSeize::Seize(pid);
//   if (!seized.ok()) ...   // EPERM with why: "already traced by PID 812", "ptrace_scope is 3", ...
//   ... pread/pwrite /proc/<pid>/mem from this same thread ...
//   Status released = seized->Release();   // or let the destructor do it
//
// Release: a seized tracee must be in a ptrace-stop to be detached, so it is interrupted (PTRACE_INTERRUPT),
// waited for (waitpid __WALL: its PTRACE_EVENT_STOP; a signal that arrived meanwhile stops it first and is
// handed back with the detach, so the target loses nothing), then detached and left running. A target that
// ended in the meantime needs nothing. Not thread-safe: seize, transfer and release from one thread.
// Move-only.
#ifndef PROCSCOPE_BACKEND_PROCESS_PTRACE_SEIZE_H_
#define PROCSCOPE_BACKEND_PROCESS_PTRACE_SEIZE_H_

#include <sys/types.h>

#include <string>

#include "backend/status.h"

namespace procscope {

class PtraceSeize {
 public:
  // EPERM when the kernel refuses (already traced: the message names the tracer; Yama's ptrace_scope; no
  // CAP_SYS_PTRACE over another user's process), ESRCH when the process is gone.
  [[nodiscard]] static StatusOr<PtraceSeize> Seize(pid_t pid);

  PtraceSeize(PtraceSeize&& other) noexcept : pid_(other.pid_) { other.pid_ = -1; }
  PtraceSeize& operator=(PtraceSeize&& other) noexcept;
  PtraceSeize(const PtraceSeize&) = delete;
  PtraceSeize& operator=(const PtraceSeize&) = delete;
  ~PtraceSeize() { (void)Release(); }

  // Interrupts, waits and detaches (see above); OK when the target ended meanwhile. Idempotent.
  Status Release();
  pid_t pid() const { return pid_; }

 private:
  explicit PtraceSeize(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
};

// After a refused PTRACE_SEIZE: "the process is already traced by PID N" when /proc/<pid>/status names a
// tracer, else "" (the other reasons, Yama and credentials, are backend/access's DenialReasons).
std::string TracerReason(pid_t pid);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCESS_PTRACE_SEIZE_H_
