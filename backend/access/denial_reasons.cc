// DenialReasons and ReaderNotes: the kernel's access rules applied to the gathered facts, in words a
// person can act on. Pure: no I/O.
//
// The rules (kernel/ptrace.c __ptrace_may_access, security/yama, fs/proc/base.c):
// - maps, stat's hidden fields, environ, auxv: PTRACE_MODE_READ; memory (process_vm_*, /proc/<pid>/mem):
//   PTRACE_MODE_ATTACH. Both need the reader's uid to equal the target's real, effective and saved uid (and
//   the same for gids), or CAP_SYS_PTRACE; a non-dumpable target needs CAP_SYS_PTRACE; the target's
//   permitted capabilities must be a subset of the reader's unless it has CAP_SYS_PTRACE.
// - Yama restricts ATTACH only: scope 1 to descendants (or a ptracer the target named), 2 to CAP_SYS_PTRACE,
//   3 to nobody.
// - hidepid hides /proc/<pid> from readers that fail the READ check.
#include <string>

#include "backend/access/access.h"
#include "backend/hex.h"

namespace procscope {
namespace {

bool SameIds(const std::optional<std::array<uint32_t, 4>>& reader,
             const std::optional<std::array<uint32_t, 4>>& target) {
  if (!reader || !target) return true;  // unknown: do not accuse
  const uint32_t mine = (*reader)[3];   // the filesystem id, which procfs checks
  return (*target)[0] == mine && (*target)[1] == mine && (*target)[2] == mine;
}

std::string Ids(const std::array<uint32_t, 4>& ids) {
  if (ids[0] == ids[1] && ids[1] == ids[2]) return std::to_string(ids[0]);
  return std::to_string(ids[0]) + " (real), " + std::to_string(ids[1]) + " (effective), " +
         std::to_string(ids[2]) + " (saved)";
}

}  // namespace

std::vector<std::string> DenialReasons(const ReaderFacts& reader, const TargetFacts& target) {
  std::vector<std::string> reasons;
  const std::string pid = std::to_string(target.pid);
  if (!target.exists) {
    reasons.push_back("no process " + pid);
    return reasons;
  }
  if (!target.visible) {
    reasons.push_back(
        "/proc/" + pid +
        " is hidden from this reader (/proc is mounted with hidepid=" + reader.hidepid.value_or("?") +
        "): only readers allowed to ptrace it see it; run as its user or as root, or mount /proc "
        "without hidepid (or with gid= naming a group of this reader)");
  }
  const bool privileged = reader.cap_sys_ptrace;
  if (!privileged && !SameIds(reader.uids, target.uids)) {
    reasons.push_back(
        "the target runs as uid " + Ids(*target.uids) + ", this reader as uid " +
        std::to_string((*reader.uids)[3]) + " without CAP_SYS_PTRACE: run as uid " +
        std::to_string((*target.uids)[1]) +
        " or as root, or grant CAP_SYS_PTRACE (setcap cap_sys_ptrace+ep, or docker run --cap-add "
        "SYS_PTRACE)");
  } else if (!privileged && !SameIds(reader.gids, target.gids)) {
    reasons.push_back("the target runs with gid " + Ids(*target.gids) + ", this reader with gid " +
                      std::to_string((*reader.gids)[3]) +
                      " without CAP_SYS_PTRACE (a setgid program): run as root or grant CAP_SYS_PTRACE");
  }
  if (!privileged && target.dumpable == false) {
    reasons.push_back(
        "the target is not dumpable (a setuid, setgid or file-capability program, or it called "
        "prctl(PR_SET_DUMPABLE, 0)): only a reader with CAP_SYS_PTRACE may inspect it");
  }
  if (!privileged && reader.cap_prm && target.cap_prm && (*target.cap_prm & ~*reader.cap_prm) != 0) {
    reasons.push_back("the target holds capabilities this reader lacks (permitted " + Hex(*target.cap_prm) +
                      " vs " + Hex(*reader.cap_prm) + "): run as root or grant CAP_SYS_PTRACE");
  }
  // Yama guards memory only; a read that was measured to work shows it did not stand in the way (a target
  // may have named this reader with PR_SET_PTRACER, which procfs does not show).
  if (reader.ptrace_scope && target.memory_read.allowed != true) {
    const int scope = *reader.ptrace_scope;
    const std::string prefix = "ptrace_scope=" + std::to_string(scope) + ": ";
    if (scope == 1 && !privileged && target.descendant != true) {
      reasons.push_back(
          prefix +
          "only descendants may be read (memory; maps stay readable); run as root, or have the target "
          "call prctl(PR_SET_PTRACER, <this reader's pid or PR_SET_PTRACER_ANY>)");
    } else if (scope == 2 && !privileged) {
      reasons.push_back(prefix +
                        "only a reader with CAP_SYS_PTRACE may read memory; run as root or grant "
                        "CAP_SYS_PTRACE");
    } else if (scope >= 3) {
      reasons.push_back(prefix +
                        "no process may read another's memory, not even root; the setting holds until "
                        "reboot");
    }
  }
  if (!reader.process_vm_readv.available && target.memory_read.allowed != true) {
    for (const std::string& note : ReaderNotes(reader)) reasons.push_back(note);
  }
  return reasons;
}

std::vector<std::string> ReaderNotes(const ReaderFacts& reader) {
  std::vector<std::string> notes;
  const CallOutcome& vm = reader.process_vm_readv;
  if (!vm.available) {
    const std::string refused = RefusedText(Direction::kRead, vm.error);
    if (reader.seccomp_mode == 2) {
      notes.push_back(refused +
                      " by this reader's seccomp filter (a container profile?): the default strategy "
                      "reads through /proc/PID/mem instead, the process_vm strategies fail; allow "
                      "process_vm_readv/process_vm_writev in the profile to use them");
    } else if (vm.error == ENOSYS) {
      notes.push_back(refused +
                      ": this kernel has no process_vm_readv (built without CROSS_MEMORY_ATTACH); the "
                      "default strategy reads through /proc/PID/mem instead");
    } else {
      notes.push_back(refused +
                      " even for this process's own memory; the default strategy reads through "
                      "/proc/PID/mem instead");
    }
  }
  if (reader.force_override == ForceOverride::kNever) {
    notes.push_back(
        "proc_mem.force_override=never: --force cannot read PROT_NONE pages or write read-only "
        "pages; nothing can");
  } else if (reader.force_override == ForceOverride::kPtrace) {
    notes.push_back(
        "proc_mem.force_override=ptrace: --force works only on a process this reader is "
        "ptrace-attached to (as a debugger is), so procscope's --force fails");
  }
  return notes;
}

}  // namespace procscope
