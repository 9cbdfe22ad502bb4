// Test-only: the container case without a container. A seccomp filter that refuses process_vm_readv and
// process_vm_writev with a chosen errno, the way Docker-style profiles (EPERM) or a kernel built without
// CROSS_MEMORY_ATTACH (ENOSYS) do, while everything else, ptrace access and /proc/<pid>/mem included, stays
// allowed.
//
//   RunInChild([&](ChildReport& report) {
//     if (Status s = DenyProcessVm(EPERM); !s.ok()) return report.Skip(s.ToString());
//     ... process_vm_readv now fails with EPERM in this child and everything it execs ...
//   });
//
// Irreversible: the filter binds the calling thread and everything it forks or execs (no_new_privs is set
// too, as unprivileged filters require). Call it only in a forked child or in a process about to exec.
#ifndef PROCSCOPE_TESTS_UTIL_SECCOMP_H_
#define PROCSCOPE_TESTS_UTIL_SECCOMP_H_

#include <optional>
#include <string_view>

#include "backend/status.h"

namespace procscope::testing {

// Installs the filter; `error` is the errno the two calls return (EPERM, ENOSYS, ...).
[[nodiscard]] Status DenyProcessVm(int error);

// Makes every new process or thread fail: fork, vfork, clone and clone3 return `error` (EAGAIN is what a
// process limit gives). And kill(-1, ...), which only a caller that took a failed fork's -1 for a pid would
// make, kills the caller with SIGSYS instead of signalling every process it may signal (as root: all).
[[nodiscard]] Status DenyFork(int error);

// "EPERM" -> EPERM and "ENOSYS" -> ENOSYS: the errnos the filter is used with; nullopt for anything else.
std::optional<int> DenyErrnoFromName(std::string_view name);

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_SECCOMP_H_
