// What this reader may do to a process, and why not: the facts behind `procscope doctor` and behind the
// reasons the other commands give when the kernel says EPERM or EACCES.
//
//   const ReaderFacts reader = GatherReaderFacts();
//   const TargetFacts target = GatherTargetFacts(pid, reader);
//   for (const std::string& reason : DenialReasons(reader, target)) std::cout << reason << '\n';
//
// The kernel's rules (ptrace_may_access, Yama, the proc_mem.force_override switch) are applied to facts
// read from procfs; where a check is harmless (reading maps, reading one byte, opening /proc/<pid>/mem for
// writing without writing) it is made for real, and every verdict says whether it was measured or derived.
// Gathering opens and closes what it needs; nothing is held. A fact that cannot be read stays nullopt.
#ifndef PROCSCOPE_BACKEND_ACCESS_ACCESS_H_
#define PROCSCOPE_BACKEND_ACCESS_ACCESS_H_

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/memory/force_override.h"
#include "backend/memory/strategy.h"
#include "backend/procfs/stat.h"
#include "backend/status.h"

namespace procscope {

// The outcome of one real call: error 0 when it worked.
struct CallOutcome {
  bool available = false;
  int error = 0;
};

inline constexpr int kCapSysPtrace = 19;

struct ReaderFacts {
  pid_t pid = 0;
  std::string kernel_release;
  std::optional<int> ptrace_scope;  // /proc/sys/kernel/yama/ptrace_scope; nullopt without Yama
  ForceOverride force_override = ForceOverride::kUnknown;
  std::string force_override_how;  // "boot parameter", "measured" or why it is unknown
  // Whether the kernel has the switch at all (5.10.223 has not: it forces whatever its command line says).
  ForceOverrideSwitch force_override_switch = ForceOverrideSwitch::kUnknown;
  std::optional<int> seccomp_mode;  // this process's (status "Seccomp:"): 0 none, 1 strict, 2 filter
  std::optional<std::array<uint32_t, 4>> uids, gids;  // real, effective, saved, filesystem
  std::optional<uint64_t> cap_prm, cap_eff;
  bool cap_sys_ptrace = false;  // effective
  // Measured on this process's own memory: a seccomp filter or a kernel without CROSS_MEMORY_ATTACH shows.
  CallOutcome process_vm_readv, process_vm_writev;
  // The hidepid= option of the proc mounted on /proc ("invisible", "2", ...); nullopt when not set.
  std::optional<std::string> hidepid;
};

// One verdict on an operation against the target.
struct Verdict {
  std::optional<bool> allowed;  // nullopt: cannot be told
  bool measured = false;        // the operation itself was tried (else derived from the facts)
  std::string detail;           // the error met, or what the verdict rests on
};

struct TargetFacts {
  pid_t pid = 0;
  bool exists = false;   // the PID is in use (kill(pid, 0) is not ESRCH)
  bool visible = false;  // /proc/<pid> can be seen by this reader
  char state = 0;        // stat's state letter; 0 when unknown
  std::optional<std::array<uint32_t, 4>> uids, gids;
  std::optional<uint64_t> cap_prm;
  // False when /proc/<pid>/stat is owned by root while the target's effective uid is not (the kernel's sign
  // of a non-dumpable process); nullopt when that cannot be told (a root target).
  std::optional<bool> dumpable;
  std::optional<bool> descendant;  // of this reader (what ptrace_scope=1 allows)
  Verdict maps, memory_read, memory_write, exit_code_visible;
  std::optional<Transport> read_transport;  // the transport that served the measured read
  int read_fallback_reason = 0;
};

// Probes: `measure_force_override` forks a traced child to tell "ptrace" from "never" (skip it where only
// the reasons for an error are wanted).
ReaderFacts GatherReaderFacts(bool measure_force_override = true);
TargetFacts GatherTargetFacts(pid_t pid, const ReaderFacts& reader);

// Whether stat shows this reader the target's exit code (a zombie's wchan, the code segment bounds; measured
// from the fields the kernel hides without access), or why that cannot be told (stat could not be read).
// Pure.
Verdict ExitCodeVisibility(const StatusOr<ProcStat>& stat);
// Why `reader` may not inspect `target`, most fundamental first, each a sentence that says what to do;
// empty when nothing in the facts stands in the way. Pure.
std::vector<std::string> DenialReasons(const ReaderFacts& reader, const TargetFacts& target);
// What a user should know about this reader whatever the target (a refused process_vm_readv, a kernel that
// forbids --force). Pure.
std::vector<std::string> ReaderNotes(const ReaderFacts& reader);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_ACCESS_ACCESS_H_
