// What a plugin may leave a conform target in: traced by the plugin's worker (a ptrace-based backend that
// attached and never detached) or stopped (SIGSTOP, or a tracer that died while the target was in tracing
// stop). Either would stall the run: a stopped target never reads the command that ends it, and a traced
// one's exit is reported to its tracer first.
//
//   const std::string left = TargetLeftBehind(pid);           // "" when the target is running free
//   if (!left.empty()) { worker.Kill(); ResumeTarget(pid, limit); }
#ifndef PROCSCOPE_TOOLS_CONFORM_TARGET_CHECK_H_
#define PROCSCOPE_TOOLS_CONFORM_TARGET_CHECK_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace procscope::conform {

// The problem, one line, for a target whose stat state is `state` and whose status TracerPid is
// `tracer_pid` (nullopt: unknown); "" when neither says it is held. Pure.
std::string LeftBehindProblem(char state, std::optional<int64_t> tracer_pid);

// LeftBehindProblem of the live process `pid`, read from /proc/pid/stat and /proc/pid/status; "" when they
// cannot be read (the process is gone: another check reports that).
std::string TargetLeftBehind(pid_t pid);

// Sends SIGCONT and waits, at most `limit`, until the target is neither traced nor stopped. The caller has
// already killed the tracer (the kernel detaches a dead tracer's tracees). False when the target is still
// held after `limit`: it must be replaced.
bool ResumeTarget(pid_t pid, std::chrono::milliseconds limit);

}  // namespace procscope::conform

#endif  // PROCSCOPE_TOOLS_CONFORM_TARGET_CHECK_H_
