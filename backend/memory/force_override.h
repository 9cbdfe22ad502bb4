// Whether /proc/<pid>/mem forces access (FOLL_FORCE: reads PROT_NONE pages, writes read-only ones), which
// the kernel's proc_mem.force_override switch decides (6.12 and stable backports; kernels before it always
// force). Measured, not guessed:
//
//   ForceOverrideFinding f = FindForceOverride();   // "always", "ptrace", "never" or "unknown", and how
//
// Measured: a forced write into a read-only page of this process's own memory works only with "always",
// and one into a child this process traces also with "ptrace" (the measurement forks that child and kills
// it). Harmless: only this process's own pages and its own child are written. Whether the kernel has the
// switch at all is read from /proc/kallsyms (the parameter's handler, early_proc_mem_force_override): a
// kernel without it (5.10.223) always forces and ignores proc_mem.force_override= on its command line.
// Without measuring, the boot parameter is taken as it is, and a kernel without the switch reads "always".
#ifndef PROCSCOPE_BACKEND_MEMORY_FORCE_OVERRIDE_H_
#define PROCSCOPE_BACKEND_MEMORY_FORCE_OVERRIDE_H_

#include <optional>
#include <string>
#include <string_view>

#include "backend/status.h"

namespace procscope {

enum class ForceOverride { kAlways, kPtrace, kNever, kUnknown };
std::string_view ForceOverrideName(ForceOverride value);  // "always", "ptrace", "never", "unknown"

// Whether the kernel has the proc_mem.force_override switch.
enum class ForceOverrideSwitch { kPresent, kAbsent, kUnknown };

struct ForceOverrideFinding {
  ForceOverride value = ForceOverride::kUnknown;
  std::string how;  // "boot parameter", "measured", "measured; no such switch ...", or why it is unknown
  ForceOverrideSwitch has_switch = ForceOverrideSwitch::kUnknown;
  std::string switch_how;  // how has_switch was found, or why it is unknown
};

// `measure`: false skips the forced writes and the switch check (only the boot parameter is consulted:
// cheap enough for every CLI command; /proc/kallsyms alone is ~120,000 lines).
ForceOverrideFinding FindForceOverride(bool measure = true);

// Whether a forced write (/proc/PID/mem) into the read-only page `page` works in a child of this process
// that stops itself under PTRACE_TRACEME (this process is its tracer): what tells "ptrace" from "never".
// The child is killed and reaped before this returns. An error when no traced child could be made.
StatusOr<bool> ForcedWriteIntoTracedChildWorks(void* page);

// Completes finding.how with what the switch and the command line's word (`given`) say: "no such switch"
// (and the word the kernel ignores) when the kernel lacks it; the word when it differs from what was
// measured. Pure.
void ExplainSwitch(std::optional<ForceOverride> given, ForceOverrideFinding& finding);

// "present", "no such switch" or "unknown".
std::string_view ForceOverrideSwitchName(ForceOverrideSwitch value);

// Whether the symbol table text of /proc/kallsyms ("ADDRESS TYPE NAME[ \t[MODULE]]" lines) defines
// `symbol`. Pure.
bool KallsymsHasSymbol(std::string_view kallsyms, std::string_view symbol);

// The value of proc_mem.force_override= in a kernel command line (the last one given, as the kernel
// takes it); nullopt when absent or not one of the three words. Pure.
std::optional<ForceOverride> ForceOverrideFromCmdline(std::string_view cmdline);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_MEMORY_FORCE_OVERRIDE_H_
