// Test-only: whether this kernel lets /proc/<pid>/mem force access (proc_mem.force_override, measured once
// per test binary), so that expectations for procmem_force and --force hold on a boot with "never" too.
#ifndef PROCSCOPE_TESTS_UTIL_FORCE_H_
#define PROCSCOPE_TESTS_UTIL_FORCE_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "backend/memory/force_override.h"
#include "backend/procfs/read_file.h"
#include "backend/procfs/status.h"

namespace procscope::testing {

// True when procmem_force really reads PROT_NONE pages and writes read-only ones for this (untraced) reader.
// This kernel's proc_mem.force_override, measured once per test binary.
inline ForceOverride ForceOverrideHere() {
  static const ForceOverride value = FindForceOverride().value;
  return value;
}

inline bool ProcMemForces() { return ForceOverrideHere() == ForceOverride::kAlways; }

// True when `procscope read/write --force` forces access: the kernel forces for any reader, or only for a
// tracer and the CLI seizes the target (the tests run as root, which may seize what it starts).
inline bool CliForces() {
  return ForceOverrideHere() == ForceOverride::kAlways || ForceOverrideHere() == ForceOverride::kPtrace;
}

// The "forced_via" `--force --json` reports on this kernel.
inline const char* CliForcedVia() {
  switch (ForceOverrideHere()) {
    case ForceOverride::kAlways:
      return "proc_mem";
    case ForceOverride::kPtrace:
      return "ptrace_seize";
    case ForceOverride::kNever:
      return "unforced";
    case ForceOverride::kUnknown:
      break;
  }
  return "unknown";
}

// The TracerPid of /proc/<pid>/status (0: not traced), -1 when it cannot be read.
inline int64_t TracerPidOf(pid_t pid) {
  StatusOr<std::string> text = ReadFileToString("/proc/" + std::to_string(pid) + "/status");
  if (!text.ok()) return -1;
  StatusOr<ProcStatus> status = ParseStatus(*text);
  return status.ok() && status->tracer_pid ? *status->tracer_pid : -1;
}

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_FORCE_H_
