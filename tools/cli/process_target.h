// The process a subcommand acts on: opening it from the PID argument, and the one-line messages when that or
// a later operation on it fails. Shared by every per-process subcommand so each failure reads the same.
#ifndef PROCSCOPE_TOOLS_CLI_PROCESS_TARGET_H_
#define PROCSCOPE_TOOLS_CLI_PROCESS_TARGET_H_

#include <sys/types.h>

#include <optional>
#include <string>

#include "backend/process/process.h"
#include "backend/status.h"
#include "tools/cli/command.h"

namespace procscope::cli {

// Parses `pid_text` and opens that process. On failure prints one line ("COMMAND: bad PID ..." exit 2,
// "COMMAND: no process with PID N" or why it cannot be opened, exit `open_failure`), stores the exit code in
// *exit_code and returns nullopt.
std::optional<Process> OpenProcessArg(const std::string& command, const std::string& pid_text, int* exit_code,
                                      int open_failure = kExitFailure);

// Prints "COMMAND PID N: WHY" for an operation that failed on an open process and returns kExitFailure. WHY
// starts with what the errno means for the user (gone, replaced, permission denied) and ends with the
// backend's message.
int FailOnProcess(const std::string& command, pid_t pid, const Status& status);

}  // namespace procscope::cli

#endif  // PROCSCOPE_TOOLS_CLI_PROCESS_TARGET_H_
