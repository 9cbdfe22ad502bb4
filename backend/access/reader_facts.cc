// GatherReaderFacts: what this process is allowed, read from procfs and measured on itself.
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>

#include "backend/access/access.h"
#include "backend/procfs/mounts.h"
#include "backend/procfs/read_file.h"
#include "backend/procfs/status.h"

namespace procscope {
namespace {

// A call that worked or the errno it failed with.
CallOutcome Outcome(ssize_t result) {
  if (result >= 0) return {true, 0};
  return {false, errno};
}

}  // namespace

ReaderFacts GatherReaderFacts(bool measure_force_override) {
  ReaderFacts facts;
  facts.pid = getpid();
  if (utsname u; uname(&u) == 0) facts.kernel_release = u.release;
  if (StatusOr<std::string> scope = ReadFileToString("/proc/sys/kernel/yama/ptrace_scope"); scope.ok()) {
    int value = 0;
    const auto [end, error] = std::from_chars(scope->data(), scope->data() + scope->size(), value);
    if (error == std::errc() && end != scope->data()) facts.ptrace_scope = value;
  }
  if (StatusOr<std::string> text = ReadFileToString("/proc/self/status"); text.ok()) {
    if (StatusOr<ProcStatus> status = ParseStatus(*text); status.ok()) {
      facts.seccomp_mode = status->seccomp;
      facts.uids = status->uids;
      facts.gids = status->gids;
      facts.cap_prm = status->cap_prm;
      facts.cap_eff = status->cap_eff;
      facts.cap_sys_ptrace = status->cap_eff && (*status->cap_eff >> kCapSysPtrace & 1) != 0;
    }
  }
  char source = 7, target = 0;
  iovec local{&target, 1}, remote{&source, 1};
  facts.process_vm_readv = Outcome(process_vm_readv(getpid(), &local, 1, &remote, 1, 0));
  iovec from{&source, 1}, to{&target, 1};
  facts.process_vm_writev = Outcome(process_vm_writev(getpid(), &from, 1, &to, 1, 0));
  if (StatusOr<std::string> text = ReadFileToString("/proc/self/mounts"); text.ok()) {
    if (StatusOr<std::vector<MountEntry>> mounts = ParseMounts(*text); mounts.ok()) {
      for (const MountEntry& m : *mounts) {  // the last proc on /proc is the one on top
        if (m.target == "/proc" && m.fstype == "proc") facts.hidepid = MountOption(m.options, "hidepid");
      }
    }
  }
  const ForceOverrideFinding force = FindForceOverride(measure_force_override);
  facts.force_override = force.value;
  facts.force_override_how = force.how;
  facts.force_override_switch = force.has_switch;
  return facts;
}

}  // namespace procscope
