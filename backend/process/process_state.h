// What state a process is in, decided from its /proc/<pid>/stat. Pure; no I/O.
//
//   ProcessState state = StateFromStat(*ParseStat(text));
//   if (state.kind == ProcessState::Kind::kDead && state.exit_code) Report(*state.exit_code);
//
// Exit codes follow procscope's convention: exit(3) -> 3, killed by signal N -> -N; nullopt when unknown.
// The rules, measured on Linux 6.18 (tests/process_open_test.cc and tests/unprivileged_test.cc pin them):
// - 'Z' (zombie) and 'X' (dead) are dead, unless the zombie is a thread-group leader whose other threads
//   still run (num_threads > 1): that process is alive.
// - Field 52 (exit_code) holds the wait status only for readers with ptrace read access; everyone else reads
//   0, which must not be taken for exit(0). For a zombie, field 35 (wchan) is 1 exactly when the reader has
//   that access and 0 otherwise, so a 0 exit_code is trusted only when wchan is 1. Before 5.16 (measured on
//   Debian's 5.10.223) a zombie's wchan reads 0 for every reader: then the caller's own check of access
//   decides (StateFromStat's `reader_has_access`; the process layer reads /proc/PID/syscall, which only a
//   reader with ptrace access can). A nonzero exit_code is always the real status.
// - Every other state letter (R S D T t I W P ...) is alive.
#ifndef PROCSCOPE_BACKEND_PROCESS_PROCESS_STATE_H_
#define PROCSCOPE_BACKEND_PROCESS_PROCESS_STATE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "backend/procfs/stat.h"
#include "backend/status.h"

namespace procscope {

struct ProcessState {
  enum class Kind { kAlive, kDead, kUnknown };
  Kind kind = Kind::kUnknown;
  std::optional<int> exit_code;  // kDead only; nullopt when the kernel did not say
  bool core_dumped = false;      // kDead, killed by a signal that dumped core
  char letter = 0;               // the stat state letter, 0 when stat could not be read
  // For humans: why the exit code or the state is unknown ("no ptrace access", "process was reaped", ...).
  std::string detail;
  friend bool operator==(const ProcessState&, const ProcessState&) = default;
};

// "alive", "dead", "unknown".
std::string_view StateKindName(ProcessState::Kind kind);

// `reader_has_access`: asked only when stat alone cannot tell exit(0) from a hidden code
// (ZeroExitCodeNeedsAccessCheck); it returns true when the reader is known to have ptrace access to the
// process, false or nullopt otherwise (then the code is reported hidden).
ProcessState StateFromStat(const ProcStat& stat,
                           const std::function<std::optional<bool>()>& reader_has_access = nullptr);

// What a read of /proc/PID/syscall says about the reader's ptrace access: read → true, EACCES/EPERM →
// false, anything else (the file is missing, the process is gone) → nullopt.
std::optional<bool> AccessFromSyscallRead(const StatusOr<std::string>& syscall);

// A zombie whose exit_code reads 0 while its wchan does not vouch for the reader's access.
bool ZeroExitCodeNeedsAccessCheck(const ProcStat& stat);

// The state of a process that no longer exists (its /proc entry is gone): dead, exit code unknown.
// `why_unknown` (if not empty) says why no other source had the code, e.g. what the pidfd answered.
ProcessState ReapedState(std::string_view why_unknown = "");

// A process whose pidfd answered PIDFD_GET_INFO with PIDFD_INFO_EXIT (6.15): dead, `wait_status` decoded
// as StateFromStat decodes stat's exit_code. The kernel records that status when the process is reaped
// (measured on 6.18: a zombie's pidfd has none yet), for every holder of a pidfd opened before, with no
// ptrace check.
ProcessState StateFromPidfdExit(int wait_status);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCESS_PROCESS_STATE_H_
