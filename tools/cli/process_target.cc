#include "tools/cli/process_target.h"

#include <cerrno>
#include <utility>

#include "backend/access/access.h"
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

// The reasons backend/access finds for a permission error about `pid`, joined; "" when it finds none.
std::string DenialText(pid_t pid) {
  const ReaderFacts reader = GatherReaderFacts(/*measure_force_override=*/false);
  std::string text;
  for (const std::string& reason : DenialReasons(reader, GatherTargetFacts(pid, reader)))
    text += (text.empty() ? "" : "; ") + reason;
  return text;
}

std::string Why(pid_t pid, const Status& status) {
  const int error = status.error_number();
  const std::string errno_name = " (" + ErrnoName(error) + ")";
  if (error == EPERM || error == EACCES) {
    // Name the real cause (uid, Yama, dumpable, hidepid, seccomp) rather than a generic "permission denied".
    if (const std::string reasons = DenialText(pid); !reasons.empty()) {
      return "permission denied" + errno_name + ": " + reasons + " [" + status.message() + "]";
    }
  }
  const std::string meaning = Meaning(error);
  if (meaning.empty()) return status.message() + errno_name;
  return meaning + errno_name + ": " + status.message();
}

}  // namespace

std::optional<Process> OpenProcessArg(const std::string& command, const std::string& pid_text, int* exit_code,
                                      int open_failure) {
  StatusOr<pid_t> pid = ParsePid(pid_text);
  if (!pid.ok()) {
    *exit_code = Usage(command + ": " + pid.status().message());
    return std::nullopt;
  }
  StatusOr<Process> process = Process::Open(*pid);
  if (!process.ok()) {
    const Status& s = process.status();
    *exit_code =
        Fail(open_failure,
             command + ": " + (s.error_number() == ESRCH ? "no process with PID " + pid_text : Why(*pid, s)));
    return std::nullopt;
  }
  return *std::move(process);
}

int FailOnProcess(const std::string& command, pid_t pid, const Status& status) {
  return Fail(kExitFailure, command + " PID " + std::to_string(pid) + ": " + Why(pid, status));
}

}  // namespace procscope::cli
