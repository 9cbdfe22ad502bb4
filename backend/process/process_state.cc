#include "backend/process/process_state.h"

#include <cerrno>

namespace procscope {
namespace {

// The exit code and core flag of a dead process from its wait status; `not_termination` becomes the detail
// when the status is not one of a process that ended.
void SetTermination(int64_t wait_status, std::string_view not_termination, ProcessState& state) {
  const WaitStatus wait = DecodeWaitStatus(wait_status);
  state.exit_code = ExitCodeFromWaitStatus(wait_status);
  state.core_dumped = wait.kind == WaitStatus::Kind::kSignaled && wait.core_dumped;
  if (!state.exit_code) state.detail = not_termination;
}

}  // namespace

std::string_view StateKindName(ProcessState::Kind kind) {
  switch (kind) {
    case ProcessState::Kind::kAlive:
      return "alive";
    case ProcessState::Kind::kDead:
      return "dead";
    case ProcessState::Kind::kUnknown:
      break;
  }
  return "unknown";
}

std::optional<bool> AccessFromSyscallRead(const StatusOr<std::string>& syscall) {
  if (syscall.ok()) return true;
  const int e = syscall.status().error_number();
  if (e == EACCES || e == EPERM) return false;
  return std::nullopt;
}

bool ZeroExitCodeNeedsAccessCheck(const ProcStat& stat) {
  return (stat.state == 'Z' || stat.state == 'X') && stat.exit_code == 0 && stat.wchan.value_or(0) != 1;
}

ProcessState StateFromStat(const ProcStat& stat,
                           const std::function<std::optional<bool>()>& reader_has_access) {
  ProcessState state;
  state.letter = stat.state;
  const bool dead_letter = stat.state == 'Z' || stat.state == 'X';
  if (!dead_letter || (stat.num_threads && *stat.num_threads > 1)) {
    state.kind = ProcessState::Kind::kAlive;
    if (dead_letter) state.detail = "the main thread exited; other threads still run";
    return state;
  }
  state.kind = ProcessState::Kind::kDead;
  if (!stat.exit_code) {
    state.detail = "this kernel's stat has no exit_code field";
    return state;
  }
  if (*stat.exit_code == 0 && stat.wchan.value_or(0) != 1 &&
      !(reader_has_access && reader_has_access().value_or(false))) {
    state.detail = "exit code hidden (no ptrace access to the process)";
    return state;
  }
  SetTermination(*stat.exit_code, "exit_code field is not a termination status", state);
  return state;
}

ProcessState ReapedState(std::string_view why_unknown) {
  ProcessState state;
  state.kind = ProcessState::Kind::kDead;
  state.detail = "the process no longer exists (reaped); its exit code is gone";
  if (!why_unknown.empty()) state.detail += " (" + std::string(why_unknown) + ")";
  return state;
}

ProcessState StateFromPidfdExit(int wait_status) {
  ProcessState state;
  state.kind = ProcessState::Kind::kDead;
  state.detail = "exit status from the pidfd (PIDFD_INFO_EXIT)";
  SetTermination(wait_status, "the pidfd's exit status is not a termination status", state);
  return state;
}

}  // namespace procscope
