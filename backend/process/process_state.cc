#include "backend/process/process_state.h"

namespace procscope {

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

ProcessState StateFromStat(const ProcStat& stat) {
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
  if (*stat.exit_code == 0 && stat.wchan.value_or(0) != 1) {
    state.detail = "exit code hidden (no ptrace access to the process)";
    return state;
  }
  const WaitStatus wait = DecodeWaitStatus(*stat.exit_code);
  state.exit_code = ExitCodeFromWaitStatus(*stat.exit_code);
  state.core_dumped = wait.kind == WaitStatus::Kind::kSignaled && wait.core_dumped;
  if (!state.exit_code) state.detail = "exit_code field is not a termination status";
  return state;
}

ProcessState ReapedState() {
  ProcessState state;
  state.kind = ProcessState::Kind::kDead;
  state.detail = "the process no longer exists (reaped); its exit code is gone";
  return state;
}

}  // namespace procscope
