#include "backend/process/process_errors.h"

#include <cerrno>
#include <string>

namespace procscope::process_internal {

Status NoProcessError(pid_t pid) { return Status(ESRCH, "no process " + std::to_string(pid)); }

Status ExitedError(pid_t pid) { return Status(ESRCH, "process " + std::to_string(pid) + " has exited"); }

Status ReplacedError(pid_t pid, std::string_view how) {
  return Status(ESTALE, "process " + std::to_string(pid) + " was replaced: " + std::string(how));
}

Status ThreadNotProcessError(pid_t pid) {
  return Status(EINVAL, std::to_string(pid) + " is a thread, not a process (thread-group leader)");
}

Status HiddenError(pid_t pid, std::string_view consequence) {
  std::string message =
      "/proc/" + std::to_string(pid) + " is hidden from this reader (proc mounted with hidepid)";
  if (!consequence.empty()) message += "; " + std::string(consequence);
  return Status(EACCES, std::move(message));
}

}  // namespace procscope::process_internal
