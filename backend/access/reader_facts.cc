// GatherReaderFacts: what this process is allowed, read from procfs and measured on itself.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>

#include "backend/access/access.h"
#include "backend/eintr.h"
#include "backend/procfs/mounts.h"
#include "backend/procfs/read_file.h"
#include "backend/procfs/status.h"
#include "backend/scoped_fd.h"

namespace procscope {
namespace {

// A call that worked or the errno it failed with.
CallOutcome Outcome(ssize_t result) {
  if (result >= 0) return {true, 0};
  return {false, errno};
}

// The value of proc_mem.force_override= on the kernel command line, if it is given there.
std::optional<ForceOverride> ForceOverrideFromCmdline() {
  StatusOr<std::string> cmdline = ReadFileToString("/proc/cmdline");
  if (!cmdline.ok()) return std::nullopt;
  std::optional<ForceOverride> found;
  std::string_view rest = *cmdline;
  while (!rest.empty()) {
    const size_t end = rest.find_first_of(" \n");
    const std::string_view word = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    constexpr std::string_view kKey = "proc_mem.force_override=";
    if (!word.starts_with(kKey)) continue;
    const std::string_view value = word.substr(kKey.size());
    for (ForceOverride v : {ForceOverride::kAlways, ForceOverride::kPtrace, ForceOverride::kNever}) {
      if (value == ForceOverrideName(v)) found = v;  // the last one given wins, as in the kernel
    }
  }
  return found;
}

// Writes one byte into the read-only page `page` of process `pid` through its /proc/<pid>/mem.
bool ForcedWriteWorks(pid_t pid, void* page) {
  const std::string path = "/proc/" + std::to_string(pid) + "/mem";
  const ScopedFd mem(RetryOnEintr([&] { return open(path.c_str(), O_RDWR | O_CLOEXEC); }));
  if (!mem.is_valid()) return false;
  const char byte = 1;
  return RetryOnEintr([&] { return pwrite(mem.get(), &byte, 1, reinterpret_cast<off_t>(page)); }) == 1;
}

// Measures FOLL_FORCE: a forced write to this process's own read-only page works only with "always"; one
// into a child this process traces works with "ptrace" too.
void MeasureForceOverride(ReaderFacts& facts) {
  const long page_size = sysconf(_SC_PAGESIZE);
  void* page = mmap(nullptr, static_cast<size_t>(page_size), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    facts.force_override_how = "unknown: mmap failed";
    return;
  }
  if (ForcedWriteWorks(getpid(), page)) {
    facts.force_override = ForceOverride::kAlways;
    facts.force_override_how = "measured";
  } else {
    const pid_t child = fork();
    if (child == 0) {
      if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) _exit(1);
      raise(SIGSTOP);
      _exit(0);
    }
    int status = 0;
    if (child > 0 && RetryOnEintr([&] { return waitpid(child, &status, 0); }) == child &&
        WIFSTOPPED(status)) {
      facts.force_override = ForcedWriteWorks(child, page) ? ForceOverride::kPtrace : ForceOverride::kNever;
      facts.force_override_how = "measured";
    } else {
      facts.force_override_how =
          "unknown: a forced write into this process failed, and no traced child "
          "could be made to tell \"ptrace\" from \"never\"";
    }
    if (child > 0) {
      kill(child, SIGKILL);
      RetryOnEintr([&] { return waitpid(child, &status, 0); });
    }
  }
  munmap(page, static_cast<size_t>(page_size));
}

}  // namespace

std::string_view ForceOverrideName(ForceOverride value) {
  switch (value) {
    case ForceOverride::kAlways:
      return "always";
    case ForceOverride::kPtrace:
      return "ptrace";
    case ForceOverride::kNever:
      return "never";
    case ForceOverride::kUnknown:
      break;
  }
  return "unknown";
}

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
  if (std::optional<ForceOverride> given = ForceOverrideFromCmdline()) {
    facts.force_override = *given;
    facts.force_override_how = "boot parameter";
  } else if (measure_force_override) {
    MeasureForceOverride(facts);
  } else {
    facts.force_override_how = "not measured";
  }
  return facts;
}

}  // namespace procscope
