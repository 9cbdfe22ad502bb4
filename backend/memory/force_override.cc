#include "backend/memory/force_override.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "backend/eintr.h"
#include "backend/procfs/read_file.h"
#include "backend/scoped_child.h"
#include "backend/scoped_fd.h"

namespace procscope {
namespace {

// Writes one byte into the read-only page `page` of process `pid` through its /proc/<pid>/mem: true when
// it went in, false when the kernel refused it (EIO, as at a hole), an error when it could not be tried (the
// open failed) or failed some other way: that says nothing about forcing.
StatusOr<bool> ForcedWriteWorks(pid_t pid, void* page) {
  const std::string path = "/proc/" + std::to_string(pid) + "/mem";
  const ScopedFd mem(RetryOnEintr([&] { return open(path.c_str(), O_RDWR | O_CLOEXEC); }));
  if (!mem.is_valid()) return ErrnoStatus("open " + path);
  const char byte = 1;
  const ssize_t n = RetryOnEintr([&] { return pwrite(mem.get(), &byte, 1, reinterpret_cast<off_t>(page)); });
  if (n == 1) return true;
  if (n < 0 && errno != EIO) return ErrnoStatus("pwrite " + path);
  return false;
}

StatusOr<bool> KallsymsFileHasSymbol(std::string_view symbol) {
  const ScopedFd fd(RetryOnEintr([] { return open("/proc/kallsyms", O_RDONLY | O_CLOEXEC); }));
  if (!fd.is_valid()) return ErrnoStatus("open /proc/kallsyms");
  std::array<char, 16384> buffer;
  size_t have = 0;
  bool any = false;
  for (;;) {
    const ssize_t n =
        RetryOnEintr([&] { return read(fd.get(), buffer.data() + have, buffer.size() - have); });
    if (n < 0) return ErrnoStatus("read /proc/kallsyms");
    if (n == 0) break;
    any = true;
    have += static_cast<size_t>(n);
    const std::string_view text(buffer.data(), have);
    const size_t last = text.rfind('\n');
    if (last == std::string_view::npos) {
      if (have == buffer.size()) have = 0;  // a line longer than the buffer names no symbol of ours
      continue;
    }
    if (KallsymsHasSymbol(text.substr(0, last + 1), symbol)) return true;
    std::memmove(buffer.data(), buffer.data() + last + 1, have - last - 1);
    have -= last + 1;
  }
  if (!any) return Status(ENODATA, "/proc/kallsyms is empty");
  return KallsymsHasSymbol(std::string_view(buffer.data(), have), symbol);
}

ForceOverrideFinding Finding(ForceOverride value, std::string how) {
  ForceOverrideFinding finding;
  finding.value = value;
  finding.how = std::move(how);
  return finding;
}

ForceOverrideFinding Measure() {
  const long page_size = sysconf(_SC_PAGESIZE);
  void* page = mmap(nullptr, static_cast<size_t>(page_size), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED)
    return Finding(ForceOverride::kUnknown, "unknown: " + ErrnoStatus("mmap").ToString());
  ForceOverrideFinding finding;
  if (StatusOr<bool> self = ForcedWriteWorks(getpid(), page); !self.ok()) {
    finding =
        Finding(ForceOverride::kUnknown, "unknown: a forced write into this process could not be tried (" +
                                             self.status().ToString() + ")");
  } else if (*self) {
    finding = Finding(ForceOverride::kAlways, "measured");
  } else if (StatusOr<bool> traced = ForcedWriteIntoTracedChildWorks(page); traced.ok()) {
    finding = Finding(*traced ? ForceOverride::kPtrace : ForceOverride::kNever, "measured");
  } else {
    finding =
        Finding(ForceOverride::kUnknown,
                "unknown: a forced write into this process failed, and no traced child could tell \"ptrace\" "
                "from \"never\" (" +
                    traced.status().ToString() + ")");
  }
  munmap(page, static_cast<size_t>(page_size));
  return finding;
}

}  // namespace

StatusOr<bool> ForcedWriteIntoTracedChildWorks(void* page) {
  StatusOr<ScopedChild> child = ScopedChild::Fork([] {
    if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) return 1;
    raise(SIGSTOP);
    return 0;
  });
  if (!child.ok()) return child.status();
  int status = 0;
  // A stop, not an end: the child stays owned (killed and reaped when `child` goes away).
  if (RetryOnEintr([&] { return waitpid(child->pid(), &status, 0); }) != child->pid())
    return ErrnoStatus("waitpid");
  if (!WIFSTOPPED(status)) return Status(ECHILD, "the traced child " + DescribeWaitStatus(status));
  return ForcedWriteWorks(child->pid(), page);
}

// Whether /proc/kallsyms lists `symbol`, read in pieces through a fixed buffer (the file is ~120,000 lines,
// and the probe must work where memory is short). ENODATA when the file is empty.

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

std::string_view ForceOverrideSwitchName(ForceOverrideSwitch value) {
  switch (value) {
    case ForceOverrideSwitch::kPresent:
      return "present";
    case ForceOverrideSwitch::kAbsent:
      return "no such switch";
    case ForceOverrideSwitch::kUnknown:
      break;
  }
  return "unknown";
}

bool KallsymsHasSymbol(std::string_view kallsyms, std::string_view symbol) {
  while (!kallsyms.empty()) {
    const size_t end = kallsyms.find('\n');
    std::string_view line = kallsyms.substr(0, end);
    kallsyms = end == std::string_view::npos ? std::string_view() : kallsyms.substr(end + 1);
    // The name is the third field: after the address and the type letter.
    for (int field = 0; field < 2; ++field) {
      const size_t space = line.find(' ');
      line = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    }
    if (line.substr(0, line.find_first_of(" \t")) == symbol) return true;
  }
  return false;
}

void ExplainSwitch(std::optional<ForceOverride> given, ForceOverrideFinding& finding) {
  if (finding.has_switch == ForceOverrideSwitch::kAbsent) {
    finding.how += given ? "; no such switch: this kernel ignores proc_mem.force_override=" +
                               std::string(ForceOverrideName(*given)) + " on its command line"
                         : "; no such switch in this kernel";
  } else if (given && finding.value != ForceOverride::kUnknown && finding.value != *given) {
    finding.how +=
        "; the command line says proc_mem.force_override=" + std::string(ForceOverrideName(*given));
  }
}

ForceOverrideFinding FindForceOverride(bool measure) {
  std::optional<ForceOverride> given;
  if (StatusOr<std::string> cmdline = ReadFileToString("/proc/cmdline"); cmdline.ok())
    given = ForceOverrideFromCmdline(*cmdline);
  if (!measure) {
    if (given) return Finding(*given, "boot parameter");
    return Finding(ForceOverride::kUnknown, "not measured");
  }
  ForceOverrideFinding finding = Measure();
  // The parameter's handler is an init function: listed in /proc/kallsyms whenever the kernel has the
  // switch (names are shown to every reader; only addresses are hidden).
  constexpr std::string_view kHandler = "early_proc_mem_force_override";
  if (StatusOr<bool> listed = KallsymsFileHasSymbol(kHandler); !listed.ok()) {
    finding.switch_how = "unknown: " + listed.status().ToString();
  } else if (*listed) {
    finding.has_switch = ForceOverrideSwitch::kPresent;
    finding.switch_how = std::string(kHandler) + " in /proc/kallsyms";
  } else {
    finding.has_switch = ForceOverrideSwitch::kAbsent;
    finding.switch_how = "no " + std::string(kHandler) + " in /proc/kallsyms";
  }
  ExplainSwitch(given, finding);
  return finding;
}

}  // namespace procscope
