#include "tools/conform/target_check.h"

#include <signal.h>

#include <thread>

#include "backend/procfs/read_file.h"
#include "backend/procfs/stat.h"
#include "backend/procfs/status.h"

namespace procscope::conform {

std::string LeftBehindProblem(char state, std::optional<int64_t> tracer_pid) {
  if (tracer_pid.value_or(0) != 0) {
    return "the plugin left the target traced (TracerPid " + std::to_string(*tracer_pid) + ")";
  }
  if (state == 'T' || state == 't')
    return std::string("the plugin left the target stopped (state ") + state + ")";
  return "";
}

std::string TargetLeftBehind(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/";
  StatusOr<std::string> stat_text = ReadFileToString(dir + "stat");
  StatusOr<std::string> status_text = ReadFileToString(dir + "status");
  if (!stat_text.ok() || !status_text.ok()) return "";
  StatusOr<ProcStat> stat = ParseStat(*stat_text);
  StatusOr<ProcStatus> status = ParseStatus(*status_text);
  return LeftBehindProblem(stat.ok() ? stat->state : 0, status.ok() ? status->tracer_pid : std::nullopt);
}

bool ResumeTarget(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    // Again each round: a tracer that is still dying may leave the target stopped after the first one.
    (void)kill(pid, SIGCONT);
    if (TargetLeftBehind(pid).empty()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace procscope::conform
