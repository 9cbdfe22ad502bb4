// Process: opening a process and keeping hold of its identity (see process.h for the rules). The other jobs
// of the handle live in process_info.cc, process_modules.cc, process_environment.cc, process_transfer.cc.
#include "backend/process/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "backend/eintr.h"
#include "backend/kernel_uapi.h"
#include "backend/process/process_errors.h"
#include "backend/procfs/maps_order.h"
#include "backend/procfs/read_file.h"

namespace procscope {

using process_internal::ExitedError;
using process_internal::HiddenError;
using process_internal::NoProcessError;
using process_internal::ReplacedError;
using process_internal::ThreadNotProcessError;

namespace {

constexpr int kMaxMapsReads = 5;

bool IsGoneErrno(int e) { return e == ENOENT || e == ESRCH; }

}  // namespace

StatusOr<Process> Process::Open(pid_t pid, bool use_pidfd) {
  if (pid <= 0) return Status(EINVAL, "pid " + std::to_string(pid) + " is not a process ID");
  Process p;
  p.pid_ = pid;
  if (use_pidfd) {
    p.pidfd_.reset(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    if (!p.pidfd_.is_valid()) {
      if (errno == ESRCH) return NoProcessError(pid);
      // A thread ID that is not a thread-group leader: EINVAL before Linux 6.9, ENOENT on 6.18 (measured).
      if (errno == EINVAL || errno == ENOENT) return ThreadNotProcessError(pid);
      // ENOSYS (before Linux 5.3) or EPERM in a sandbox: the start time alone guards.
    }
  }
  const std::string dir = "/proc/" + std::to_string(pid);
  p.dir_fd_.reset(RetryOnEintr([&] { return open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); }));
  if (!p.dir_fd_.is_valid()) {
    if (IsGoneErrno(errno) && p.pidfd_.is_valid() && p.PidfdSaysAlive()) return HiddenError(pid);
    if (IsGoneErrno(errno)) return NoProcessError(pid);
    return ErrnoStatus("open " + dir);
  }
  StatusOr<std::string> text = ReadFileAtToString(p.dir_fd_.get(), "stat", p.Label("stat"));
  if (!text.ok()) {
    if (IsGoneErrno(text.status().error_number())) return NoProcessError(pid);
    return text.status();
  }
  StatusOr<ProcStat> stat = ParseStat(*text);
  if (!stat.ok()) return Status(EINVAL, p.Label("stat") + ": " + stat.status().message());
  if (!stat->starttime) return Status(EINVAL, p.Label("stat") + " has no start time");
  p.start_time_ = *stat->starttime;
  // Without a pidfd: /proc/<tid> of a thread opens too (it is only left out of the listing); Tgid tells.
  StatusOr<std::string> status = ReadFileAtToString(p.dir_fd_.get(), "status", p.Label("status"));
  if (status.ok()) {
    const size_t at = status->find("\nTgid:\t");
    if (at != std::string::npos && std::strtol(status->c_str() + at + 7, nullptr, 10) != pid) {
      return ThreadNotProcessError(pid);
    }
  }
  // The pidfd and the directory were opened one after the other: while the pidfd's process still exists
  // its PID cannot have been reused, so both name the same process.
  if (Status alive = p.CheckIdentity(); !alive.ok()) return NoProcessError(pid);
  return p;
}

std::string Process::Label(std::string_view name) const {
  return "/proc/" + std::to_string(pid_) + "/" + std::string(name);
}

bool Process::PidfdSaysAlive() const {
  return syscall(SYS_pidfd_send_signal, pidfd_.get(), 0, nullptr, 0) == 0 || errno == EPERM;
}

Status Process::GoneStatus(bool known_gone) const {
  StatusOr<std::string> now = ReadFileToString(Label("stat"));
  if (now.ok()) {
    // This process is gone (its held directory or pidfd says so), so whoever has the PID now is a successor,
    // even one started in the same clock tick.
    StatusOr<ProcStat> stat = ParseStat(*now);
    const std::string start = stat.ok() && stat->starttime ? std::to_string(*stat->starttime) : "?";
    return ReplacedError(pid_, "the PID now belongs to another process (start time " + start + ", was " +
                                   std::to_string(start_time_) + ")");
  }
  // Nothing visible under /proc/<pid>. Either nobody has the PID, or /proc hides it from this reader
  // (mounted with hidepid): kill(pid, 0) tells those apart (EPERM means someone has it).
  if (kill(pid_, 0) != 0 && errno == ESRCH) return ExitedError(pid_);
  if (known_gone) return ReplacedError(pid_, "the PID belongs to another process, hidden from this reader");
  return HiddenError(pid_, "cannot tell whether process " + std::to_string(pid_) + " still runs");
}

Status Process::LostStatus() const {
  if (pidfd_.is_valid()) {
    if (PidfdSaysAlive()) return HiddenError(pid_, "the process still runs");
    return GoneStatus(/*known_gone=*/true);
  }
  return GoneStatus(/*known_gone=*/false);
}

Status Process::CheckIdentity() const {
  if (pidfd_.is_valid()) return PidfdSaysAlive() ? OkStatus() : GoneStatus(/*known_gone=*/true);
  StatusOr<std::string> text = ReadFileAtToString(dir_fd_.get(), "stat", Label("stat"));
  if (!text.ok()) return IsGoneErrno(text.status().error_number()) ? LostStatus() : text.status();
  StatusOr<ProcStat> stat = ParseStat(*text);
  if (stat.ok() && stat->starttime == start_time_) return OkStatus();
  return GoneStatus(/*known_gone=*/true);
}

StatusOr<std::string> Process::ReadProcFile(const std::string& name) const {
  StatusOr<std::string> text = ReadFileAtToString(dir_fd_.get(), name, Label(name));
  if (text.ok() || !IsGoneErrno(text.status().error_number())) return text;
  // The files that read the process's memory (environ, auxv, mem, ...) fail with ESRCH for a process that
  // exists but has no memory: a kernel thread, or one in the middle of exiting.
  if (text.status().error_number() == ESRCH && CheckIdentity().ok()) {
    return Status(ENODATA, Label(name) + ": the process has no user memory (a kernel thread, or exiting)");
  }
  return LostStatus();
}

StatusOr<bool> Process::IsKernelThread() const {
  constexpr uint64_t kPfKthread = 0x00200000;  // include/linux/sched.h
  StatusOr<ProcStat> stat = Stat();
  if (!stat.ok()) return stat.status();
  if (!stat->flags) return Status(ENODATA, Label("stat") + ": no flags field");
  return (*stat->flags & kPfKthread) != 0;
}

StatusOr<ProcStat> Process::Stat() const {
  StatusOr<std::string> text = ReadProcFile("stat");
  if (!text.ok()) return text.status();
  StatusOr<ProcStat> stat = ParseStat(*text);
  if (!stat.ok()) return Status(EINVAL, Label("stat") + ": " + stat.status().message());
  return stat;
}

StatusOr<int> Process::PidfdExitStatus() const {
  if (!pidfd_.is_valid()) return Status(EBADF, "no pidfd (pidfd_open unavailable here)");
  uapi::PidfdInfo info{};
  info.mask = uapi::kPidfdInfoExit;
  if (RetryOnEintr([&] { return ioctl(pidfd_.get(), uapi::kPidfdGetInfo, &info); }) != 0) {
    return ErrnoStatus("PIDFD_GET_INFO on the pidfd of process " + std::to_string(pid_));
  }
  if ((info.mask & uapi::kPidfdInfoExit) == 0) {
    return Status(ENODATA, "the pidfd of process " + std::to_string(pid_) + " holds no exit status");
  }
  return info.exit_code;
}

ProcessState Process::EndedState() const {
  StatusOr<int> status = PidfdExitStatus();
  if (status.ok()) return StateFromPidfdExit(*status);
  return ReapedState(status.status().ToString());
}

ProcessState Process::StateOf(const ProcStat& stat) const {
  ProcessState state = StateFromStat(stat, [this] { return AccessFromSyscallRead(ReadProcFile("syscall")); });
  // A zombie whose code stat hides: a kernel that records the exit status for the pidfd at exit would have
  // it (6.18 records it at reap; then this costs one ioctl).
  if (state.kind == ProcessState::Kind::kDead && !state.exit_code && pidfd_.is_valid()) {
    if (StatusOr<int> status = PidfdExitStatus(); status.ok()) return StateFromPidfdExit(*status);
  }
  return state;
}

ProcessState Process::State() const {
  StatusOr<ProcStat> stat = Stat();
  if (stat.ok()) return StateOf(*stat);
  const int e = stat.status().error_number();
  if (e == ESRCH || e == ESTALE) return EndedState();
  ProcessState unknown;
  unknown.detail = stat.status().ToString();
  return unknown;
}

StatusOr<std::vector<MapsEntry>> Process::Maps() const {
  return ReadOrderedMaps([this] { return ReadProcFile("maps"); }, kMaxMapsReads);
}

}  // namespace procscope
