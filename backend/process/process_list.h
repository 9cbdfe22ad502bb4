// The processes under /proc: a snapshot for listing, not handles (open one with Process::Open).
//
//   StatusOr<std::vector<ProcessSummary>> all = ListProcesses();
#ifndef PROCSCOPE_BACKEND_PROCESS_PROCESS_LIST_H_
#define PROCSCOPE_BACKEND_PROCESS_PROCESS_LIST_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "backend/process/process_state.h"
#include "backend/status.h"

namespace procscope {

struct ProcessSummary {
  pid_t pid = 0;
  std::optional<pid_t> ppid;
  std::string name;
  ProcessState state;
};

// Every process (thread-group leader) under /proc, in ascending PID order. Processes that vanish during the
// walk are skipped; a stat that cannot be read for another reason gives state unknown. Fails only when /proc
// itself cannot be read.
[[nodiscard]] StatusOr<std::vector<ProcessSummary>> ListProcesses();

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCESS_PROCESS_LIST_H_
