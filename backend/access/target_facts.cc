// GatherTargetFacts: who the target is, and what this reader may do to it (measured where harmless).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "backend/access/access.h"
#include "backend/eintr.h"
#include "backend/process/process.h"
#include "backend/procfs/read_file.h"
#include "backend/procfs/stat.h"
#include "backend/procfs/status.h"
#include "backend/scoped_fd.h"

namespace procscope {
namespace {

std::string ProcPath(pid_t pid, std::string_view name = "") {
  std::string path = "/proc/" + std::to_string(pid);
  if (!name.empty()) path += "/" + std::string(name);
  return path;
}

Verdict Measured(const Status& status, std::string what_worked) {
  if (status.ok()) return {true, true, std::move(what_worked)};
  return {false, true, status.ToString()};
}

// Walks the parent chain from `pid` up to init: is `ancestor` on it? nullopt when a link cannot be read.
std::optional<bool> IsDescendant(pid_t pid, pid_t ancestor) {
  for (int steps = 0; steps < 4096 && pid > 1; ++steps) {
    StatusOr<std::string> text = ReadFileToString(ProcPath(pid, "stat"));
    if (!text.ok()) return std::nullopt;
    StatusOr<ProcStat> stat = ParseStat(*text);
    if (!stat.ok() || !stat->ppid) return std::nullopt;
    pid = static_cast<pid_t>(*stat->ppid);
    if (pid == ancestor) return true;
  }
  return false;
}

// The maps entries worth one test byte: readable, and not the kernel's special pages that no transport
// reads ([vvar] and friends are VM_IO/VM_PFNMAP).
std::vector<uint64_t> ProbeAddresses(const std::vector<MapsEntry>& maps) {
  std::vector<uint64_t> addresses;
  for (const MapsEntry& m : maps) {
    if (!m.read || m.start == m.end || m.path_raw.starts_with("[vvar") || m.path_raw == "[vsyscall]")
      continue;
    addresses.push_back(m.start);
    if (addresses.size() == 3) break;
  }
  return addresses;
}

void MeasureMemoryRead(const Process& process, const std::vector<MapsEntry>& maps, TargetFacts& t) {
  const std::vector<uint64_t> addresses = ProbeAddresses(maps);
  if (addresses.empty()) {
    t.memory_read = {false, false, "the process has no user memory (a zombie or a kernel thread)"};
    return;
  }
  const std::unique_ptr<Strategy> strategy = MakeStrategy("default");
  Status last;
  for (const uint64_t address : addresses) {
    uint8_t byte = 0;
    const Element element{address, &byte, sizeof byte};  // the length is the buffer's, never written apart
    ElementResult result;
    TransferReport report;
    last = process.Transfer(*strategy, Direction::kRead, {&element, 1}, {&result, 1}, &report);
    if (last.ok() && result.ok()) {
      t.read_transport = report.transport;
      t.read_fallback_reason = report.fallback_reason;
      std::string how = "1 byte read through " + std::string(TransportName(report.transport));
      if (report.fallback_reason != 0)
        how += " (" + RefusedText(Direction::kRead, report.fallback_reason) + ")";
      t.memory_read = {true, true, how};
      return;
    }
    if (!last.ok()) break;  // a whole-call error: another address will not do better
    last = Status(result.error, "reading 1 byte at a readable mapping failed");
  }
  t.memory_read = last.error_number() == EFAULT
                      ? Verdict{std::nullopt, true, "no test byte could be read: " + last.ToString()}
                      : Verdict{false, true, last.ToString()};
}

}  // namespace

// stat shows some fields only to a reader that passes ptrace_may_access(PTRACE_MODE_READ): the code segment
// bounds read 1 and 1 otherwise, and a zombie's wchan reads 1 exactly with access (which is also what
// tells whether its exit_code 0 is real).
Verdict ExitCodeVisibility(const StatusOr<ProcStat>& read) {
  if (!read.ok()) return {std::nullopt, false, read.status().ToString()};
  const ProcStat& stat = *read;
  if (stat.state == 'Z' || stat.state == 'X') {
    const bool access = stat.wchan.value_or(0) == 1;
    return {access, true, std::string("a zombie's stat wchan reads ") + (access ? "1" : "0")};
  }
  if (stat.startcode && stat.endcode && (*stat.startcode != 0 || *stat.endcode != 0)) {
    const bool hidden = *stat.startcode == 1 && *stat.endcode == 1;
    return {!hidden, true,
            hidden ? "stat hides the code segment bounds (1, 1) from this reader"
                   : "stat shows the code segment bounds to this reader"};
  }
  return {std::nullopt, false, "a process without user memory shows no sign in stat"};
}

TargetFacts GatherTargetFacts(pid_t pid, const ReaderFacts& reader) {
  TargetFacts t;
  t.pid = pid;
  t.exists = pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
  struct stat dir {};
  t.visible = pid > 0 && stat(ProcPath(pid).c_str(), &dir) == 0;
  if (StatusOr<std::string> text = ReadFileToString(ProcPath(pid, "status")); text.ok()) {
    if (StatusOr<ProcStatus> status = ParseStatus(*text); status.ok()) {
      t.uids = status->uids;
      t.gids = status->gids;
      t.cap_prm = status->cap_prm;
    }
  }
  // The kernel gives a non-dumpable process's files to root; not its directory (0555 directories keep the
  // effective uid, for ps). Measured: /proc/<pid> stays the owner's, /proc/<pid>/stat turns root's.
  struct stat file {};
  if (t.visible && t.uids && (*t.uids)[1] != 0 && stat(ProcPath(pid, "stat").c_str(), &file) == 0)
    t.dumpable = file.st_uid == (*t.uids)[1];
  if (t.visible) t.descendant = IsDescendant(pid, reader.pid);

  StatusOr<Process> process = Process::Open(pid);
  if (!process.ok()) {
    const std::string why = process.status().ToString();
    t.maps = t.memory_read = t.memory_write =
        t.exit_code_visible = {false, false, "the process cannot be opened: " + why};
    return t;
  }
  const StatusOr<ProcStat> stat = process->Stat();
  if (stat.ok()) t.state = stat->state;
  t.exit_code_visible = ExitCodeVisibility(stat);
  StatusOr<std::vector<MapsEntry>> maps = process->Maps();
  t.maps = Measured(maps.status(), maps.ok() ? std::to_string(maps->size()) + " mappings read" : "");
  if (maps.ok()) {
    MeasureMemoryRead(*process, *maps, t);
  } else {
    t.memory_read = {false, false, "memory needs more access than maps, which was refused"};
  }
  // Opening /proc/<pid>/mem for writing makes the kernel's attach-mode access check without writing.
  const std::string mem = ProcPath(pid, "mem");
  const ScopedFd fd(RetryOnEintr([&] { return open(mem.c_str(), O_RDWR | O_CLOEXEC); }));
  if (maps.ok() && maps->empty()) {
    t.memory_write = t.memory_read;  // no user memory: nothing to write either
  } else if (fd.is_valid()) {
    t.memory_write = {true, false,
                      "/proc/" + std::to_string(pid) +
                          "/mem opens for writing (nothing was written; protections still apply)"};
  } else {
    t.memory_write = {false, false, ErrnoStatus("open " + mem + " for writing").ToString()};
  }
  if (Status identity = process->CheckIdentity(); !identity.ok()) {
    // The verdicts may be about another process now: say so instead of passing them off.
    for (Verdict* v : {&t.maps, &t.memory_read, &t.memory_write, &t.exit_code_visible})
      *v = {std::nullopt, false, identity.ToString()};
  }
  return t;
}

}  // namespace procscope
