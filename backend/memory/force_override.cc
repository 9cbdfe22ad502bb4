#include "backend/memory/force_override.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "backend/eintr.h"
#include "backend/procfs/read_file.h"
#include "backend/scoped_fd.h"

namespace procscope {
namespace {

// Writes one byte into the read-only page `page` of process `pid` through its /proc/<pid>/mem.
bool ForcedWriteWorks(pid_t pid, void* page) {
  const std::string path = "/proc/" + std::to_string(pid) + "/mem";
  const ScopedFd mem(RetryOnEintr([&] { return open(path.c_str(), O_RDWR | O_CLOEXEC); }));
  if (!mem.is_valid()) return false;
  const char byte = 1;
  return RetryOnEintr([&] { return pwrite(mem.get(), &byte, 1, reinterpret_cast<off_t>(page)); }) == 1;
}

ForceOverrideFinding Measure() {
  const long page_size = sysconf(_SC_PAGESIZE);
  void* page = mmap(nullptr, static_cast<size_t>(page_size), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return {ForceOverride::kUnknown, "unknown: mmap failed"};
  ForceOverrideFinding finding;
  if (ForcedWriteWorks(getpid(), page)) {
    finding = {ForceOverride::kAlways, "measured"};
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
      finding = {ForcedWriteWorks(child, page) ? ForceOverride::kPtrace : ForceOverride::kNever, "measured"};
    } else {
      finding = {
          ForceOverride::kUnknown,
          "unknown: a forced write into this process failed, and no traced child could be made to tell "
          "\"ptrace\" from \"never\""};
    }
    if (child > 0) {
      kill(child, SIGKILL);
      RetryOnEintr([&] { return waitpid(child, &status, 0); });
    }
  }
  munmap(page, static_cast<size_t>(page_size));
  return finding;
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

std::optional<ForceOverride> ForceOverrideFromCmdline(std::string_view cmdline) {
  std::optional<ForceOverride> found;
  while (!cmdline.empty()) {
    const size_t end = cmdline.find_first_of(" \n");
    const std::string_view word = cmdline.substr(0, end);
    cmdline = end == std::string_view::npos ? std::string_view() : cmdline.substr(end + 1);
    constexpr std::string_view kKey = "proc_mem.force_override=";
    if (!word.starts_with(kKey)) continue;
    const std::string_view value = word.substr(kKey.size());
    for (ForceOverride v : {ForceOverride::kAlways, ForceOverride::kPtrace, ForceOverride::kNever}) {
      if (value == ForceOverrideName(v)) found = v;  // the last one given wins, as in the kernel
    }
  }
  return found;
}

ForceOverrideFinding FindForceOverride(bool measure) {
  if (StatusOr<std::string> cmdline = ReadFileToString("/proc/cmdline"); cmdline.ok()) {
    if (std::optional<ForceOverride> given = ForceOverrideFromCmdline(*cmdline))
      return {*given, "boot parameter"};
  }
  if (!measure) return {ForceOverride::kUnknown, "not measured"};
  return Measure();
}

}  // namespace procscope
