#include "tools/cli/process_target.h"

#include <cerrno>
#include <utility>

#include "tools/cli/args.h"
#include "tools/cli/command.h"

namespace procscope::cli {
namespace {

// What an errno from the process layer means to someone who ran procscope; empty when it needs no gloss.
std::string Meaning(int error_number) {
  switch (error_number) {
    case ESRCH:
      return "the process is gone";
    case ESTALE:
      return "the process was replaced (its PID was reused)";
    case EPERM:
    case EACCES:
      return "permission denied (needs ptrace access to the process)";
    default:
      return "";
  }
}

std::string Why(const Status& status) {
  const std::string meaning = Meaning(status.error_number());
  const std::string errno_name = " (" + ErrnoName(status.error_number()) + ")";
  if (meaning.empty()) return status.message() + errno_name;
  return meaning + errno_name + ": " + status.message();
}

}  // namespace

std::optional<Process> OpenProcessArg(const std::string& command, const std::string& pid_text,
                                      int* exit_code) {
  StatusOr<pid_t> pid = ParsePid(pid_text);
  if (!pid.ok()) {
    *exit_code = Usage(command + ": " + pid.status().message());
    return std::nullopt;
  }
  StatusOr<Process> process = Process::Open(*pid);
  if (!process.ok()) {
    const Status& s = process.status();
    *exit_code =
        Fail(kExitFailure,
             command + ": " + (s.error_number() == ESRCH ? "no process with PID " + pid_text : Why(s)));
    return std::nullopt;
  }
  return *std::move(process);
}

int FailOnProcess(const std::string& command, pid_t pid, const Status& status) {
  return Fail(kExitFailure, command + " PID " + std::to_string(pid) + ": " + Why(status));
}

}  // namespace procscope::cli
