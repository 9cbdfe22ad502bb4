// Test-only: whether this kernel lets /proc/<pid>/mem force access (proc_mem.force_override, measured once
// per test binary), so that expectations for procmem_force and --force hold on a boot with "never" too.
#ifndef PROCSCOPE_TESTS_UTIL_FORCE_H_
#define PROCSCOPE_TESTS_UTIL_FORCE_H_

#include "backend/memory/force_override.h"

namespace procscope::testing {

// True when procmem_force really reads PROT_NONE pages and writes read-only ones for this (untraced) reader.
inline bool ProcMemForces() {
  static const bool forces = FindForceOverride().value == ForceOverride::kAlways;
  return forces;
}

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_FORCE_H_
