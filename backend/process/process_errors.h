// The errors the process layer reports about a PID, each message written once. Internal to
// //backend/process (callers branch on the errno, not the text).
#ifndef PROCSCOPE_BACKEND_PROCESS_PROCESS_ERRORS_H_
#define PROCSCOPE_BACKEND_PROCESS_PROCESS_ERRORS_H_

#include <sys/types.h>

#include <string_view>

#include "backend/status.h"

namespace procscope::process_internal {

// ESRCH "no process N": nobody has the PID (Open), or it vanished before it could be opened.
Status NoProcessError(pid_t pid);
// ESRCH "process N has exited": a process that was opened is gone and nobody has its PID.
Status ExitedError(pid_t pid);
// ESTALE "process N was replaced: ...": a process that was opened is gone and another one has its PID.
Status ReplacedError(pid_t pid, std::string_view how);
// EINVAL "N is a thread, not a process (thread-group leader)".
Status ThreadNotProcessError(pid_t pid);
// EACCES "/proc/N is hidden from this reader (proc mounted with hidepid)", then "; " and `consequence` when
// given.
Status HiddenError(pid_t pid, std::string_view consequence = "");

}  // namespace procscope::process_internal

#endif  // PROCSCOPE_BACKEND_PROCESS_PROCESS_ERRORS_H_
