// Whether /proc/<pid>/mem forces access (FOLL_FORCE: reads PROT_NONE pages, writes read-only ones), which
// the kernel's proc_mem.force_override switch decides (6.12 and stable backports; kernels before it always
// force). Measured, not guessed:
//
//   ForceOverrideFinding f = FindForceOverride();   // "always", "ptrace", "never" or "unknown", and how
//
// The boot parameter, when given, is taken as it is; otherwise a forced write into a read-only page of this
// process's own memory works only with "always", and one into a child this process traces also with
// "ptrace" (the measurement forks that child and kills it). Harmless: only this process's own pages and its
// own child are written.
#ifndef PROCSCOPE_BACKEND_MEMORY_FORCE_OVERRIDE_H_
#define PROCSCOPE_BACKEND_MEMORY_FORCE_OVERRIDE_H_

#include <optional>
#include <string>
#include <string_view>

namespace procscope {

enum class ForceOverride { kAlways, kPtrace, kNever, kUnknown };
std::string_view ForceOverrideName(ForceOverride value);  // "always", "ptrace", "never", "unknown"

struct ForceOverrideFinding {
  ForceOverride value = ForceOverride::kUnknown;
  std::string how;  // "boot parameter", "measured", or why it is unknown
};

// `measure`: false skips the forced writes (only the boot parameter is consulted).
ForceOverrideFinding FindForceOverride(bool measure = true);

// The value of proc_mem.force_override= in a kernel command line (the last one given, as the kernel
// takes it); nullopt when absent or not one of the three words. Pure.
std::optional<ForceOverride> ForceOverrideFromCmdline(std::string_view cmdline);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_MEMORY_FORCE_OVERRIDE_H_
