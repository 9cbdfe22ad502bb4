#include "backend/process/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "backend/memory/linux_memory_backend.h"
#include "backend/procfs/auxv.h"
#include "backend/procfs/cmdline.h"
#include "backend/procfs/environ.h"
#include "backend/procfs/read_file.h"

namespace procscope {
namespace {

constexpr int kMaxMapsReads = 5;
constexpr uint64_t kMaxStackImage = 4 << 20;
constexpr char kDeletedSuffix[] = " (deleted)";

bool IsGoneErrno(int e) { return e == ENOENT || e == ESRCH; }

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// readlinkat into a string; the link text is not NUL-terminated by the kernel.
StatusOr<std::string> ReadLinkAt(int dir_fd, const std::string& name, const std::string& label) {
  std::string buffer(256, '\0');
  while (true) {
    const ssize_t n = readlinkat(dir_fd, name.c_str(), buffer.data(), buffer.size());
    if (n < 0) return ErrnoStatus("readlink " + label);
    if (static_cast<size_t>(n) < buffer.size()) {
      buffer.resize(static_cast<size_t>(n));
      return buffer;
    }
    buffer.resize(buffer.size() * 2);
  }
}

// The link's target with " (deleted)" removed when the file is really gone. A live file whose name ends in
// " (deleted)" keeps it: the kernel appends the suffix only to unlinked files, so when the full target still
// names a file with the link's device and inode (`want`), that file is live. Following the link itself
// (stat through map_files) needs CAP_SYS_ADMIN in the initial user namespace, which sandboxes lack, so the
// path is checked instead; a path from another mount namespace that does not resolve here counts as deleted.
std::string ResolveDeleted(std::string target, const struct stat* want, bool* deleted) {
  *deleted = false;
  if (!EndsWith(target, kDeletedSuffix)) return target;
  struct stat st;
  if (want != nullptr && stat(target.c_str(), &st) == 0 && st.st_ino == want->st_ino &&
      st.st_dev == want->st_dev) {
    return target;
  }
  *deleted = true;
  target.resize(target.size() - (sizeof kDeletedSuffix - 1));
  return target;
}

std::string Hex(uint64_t v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%" PRIx64, v);
  return buffer;
}

const Module* FindContaining(const std::vector<Module>& modules, uint64_t address) {
  for (const Module& m : modules)
    if (address >= m.base && address < m.end) return &m;
  return nullptr;
}

}  // namespace

StatusOr<Process> Process::Open(pid_t pid, bool use_pidfd) {
  if (pid <= 0) return Status(EINVAL, "pid " + std::to_string(pid) + " is not a process ID");
  Process p;
  p.pid_ = pid;
  p.pidfd_ = use_pidfd ? static_cast<int>(syscall(SYS_pidfd_open, pid, 0)) : -1;
  if (use_pidfd && p.pidfd_ < 0) {
    if (errno == ESRCH) return Status(ESRCH, "no process " + std::to_string(pid));
    // A thread ID that is not a thread-group leader: EINVAL before Linux 6.9, ENOENT on 6.18 (measured).
    if (errno == EINVAL || errno == ENOENT) {
      return Status(EINVAL, std::to_string(pid) + " is a thread, not a process (thread-group leader)");
    }
    p.pidfd_ = -1;  // ENOSYS (before Linux 5.3) or EPERM in a sandbox: start time alone guards
  }
  const std::string dir = "/proc/" + std::to_string(pid);
  p.dir_fd_ = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (p.dir_fd_ < 0) {
    if (IsGoneErrno(errno) && p.pidfd_ >= 0 && p.PidfdSaysAlive()) {
      return Status(EACCES, dir + " is hidden from this reader (proc mounted with hidepid)");
    }
    if (IsGoneErrno(errno)) return Status(ESRCH, "no process " + std::to_string(pid));
    return ErrnoStatus("open " + dir);
  }
  StatusOr<std::string> text = ReadFileAtToString(p.dir_fd_, "stat", p.Label("stat"));
  if (!text.ok()) {
    if (IsGoneErrno(text.status().error_number())) return Status(ESRCH, "no process " + std::to_string(pid));
    return text.status();
  }
  StatusOr<ProcStat> stat = ParseStat(*text);
  if (!stat.ok()) return Status(EINVAL, p.Label("stat") + ": " + stat.status().message());
  if (!stat->starttime) return Status(EINVAL, p.Label("stat") + " has no start time");
  p.start_time_ = *stat->starttime;
  // Without a pidfd: /proc/<tid> of a thread opens too (it is only left out of the listing); Tgid tells.
  StatusOr<std::string> status = ReadFileAtToString(p.dir_fd_, "status", p.Label("status"));
  if (status.ok()) {
    const size_t at = status->find("\nTgid:\t");
    if (at != std::string::npos && std::strtol(status->c_str() + at + 7, nullptr, 10) != pid) {
      return Status(EINVAL, std::to_string(pid) + " is a thread, not a process (thread-group leader)");
    }
  }
  // The pidfd and the directory were opened one after the other: while the pidfd's process still exists
  // its PID cannot have been reused, so both name the same process.
  if (Status alive = p.CheckIdentity(); !alive.ok())
    return Status(ESRCH, "no process " + std::to_string(pid));
  return p;
}

Process::Process(Process&& other) noexcept { *this = std::move(other); }

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    Close();
    pid_ = other.pid_;
    start_time_ = other.start_time_;
    dir_fd_ = std::exchange(other.dir_fd_, -1);
    pidfd_ = std::exchange(other.pidfd_, -1);
  }
  return *this;
}

Process::~Process() { Close(); }

void Process::Close() {
  if (dir_fd_ >= 0) close(dir_fd_);
  if (pidfd_ >= 0) close(pidfd_);
  dir_fd_ = pidfd_ = -1;
}

std::string Process::Label(std::string_view name) const {
  return "/proc/" + std::to_string(pid_) + "/" + std::string(name);
}

bool Process::PidfdSaysAlive() const {
  return syscall(SYS_pidfd_send_signal, pidfd_, 0, nullptr, 0) == 0 || errno == EPERM;
}

Status Process::GoneStatus(bool known_gone) const {
  const std::string who = "process " + std::to_string(pid_);
  StatusOr<std::string> now = ReadFileToString(Label("stat"));
  if (now.ok()) {
    // This process is gone (its held directory or pidfd says so), so whoever has the PID now is a successor,
    // even one started in the same clock tick.
    StatusOr<ProcStat> stat = ParseStat(*now);
    const std::string start = stat.ok() && stat->starttime ? std::to_string(*stat->starttime) : "?";
    return Status(ESTALE, who + " was replaced: the PID now belongs to another process (start time " + start +
                              ", was " + std::to_string(start_time_) + ")");
  }
  // Nothing visible under /proc/<pid>. Either nobody has the PID, or /proc hides it from this reader
  // (mounted with hidepid): kill(pid, 0) tells those apart (EPERM means someone has it).
  if (kill(pid_, 0) != 0 && errno == ESRCH) return Status(ESRCH, who + " has exited");
  if (known_gone) {
    return Status(ESTALE, who + " was replaced: the PID belongs to another process, hidden from this reader");
  }
  return Status(EACCES, "/proc/" + std::to_string(pid_) +
                            " is hidden from this reader (proc mounted with hidepid); cannot tell whether " +
                            who + " still runs");
}

Status Process::LostStatus() const {
  if (pidfd_ >= 0) {
    if (PidfdSaysAlive()) {
      return Status(EACCES,
                    "/proc/" + std::to_string(pid_) +
                        " is hidden from this reader (proc mounted with hidepid); the process still runs");
    }
    return GoneStatus(/*known_gone=*/true);
  }
  return GoneStatus(/*known_gone=*/false);
}

Status Process::CheckIdentity() const {
  if (pidfd_ >= 0) return PidfdSaysAlive() ? OkStatus() : GoneStatus(/*known_gone=*/true);
  StatusOr<std::string> text = ReadFileAtToString(dir_fd_, "stat", Label("stat"));
  if (!text.ok()) return IsGoneErrno(text.status().error_number()) ? LostStatus() : text.status();
  StatusOr<ProcStat> stat = ParseStat(*text);
  if (stat.ok() && stat->starttime == start_time_) return OkStatus();
  return GoneStatus(/*known_gone=*/true);
}

StatusOr<std::string> Process::ReadProcFile(const std::string& name) const {
  StatusOr<std::string> text = ReadFileAtToString(dir_fd_, name, Label(name));
  if (text.ok() || !IsGoneErrno(text.status().error_number())) return text;
  // The files that read the process's memory (environ, auxv, mem, ...) fail with ESRCH for a process that
  // exists but has no memory: a kernel thread, or one in the middle of exiting.
  if (text.status().error_number() == ESRCH && CheckIdentity().ok()) {
    return Status(ENODATA, Label(name) + ": the process has no user memory (a kernel thread, or exiting)");
  }
  return LostStatus();
}

bool Process::IsKernelThread() const {
  constexpr uint64_t kPfKthread = 0x00200000;  // include/linux/sched.h
  StatusOr<ProcStat> stat = Stat();
  return stat.ok() && (stat->flags.value_or(0) & kPfKthread) != 0;
}

StatusOr<ProcStat> Process::Stat() const {
  StatusOr<std::string> text = ReadProcFile("stat");
  if (!text.ok()) return text.status();
  StatusOr<ProcStat> stat = ParseStat(*text);
  if (!stat.ok()) return Status(EINVAL, Label("stat") + ": " + stat.status().message());
  return stat;
}

ProcessState Process::State() const {
  StatusOr<ProcStat> stat = Stat();
  if (stat.ok()) return StateFromStat(*stat);
  const int e = stat.status().error_number();
  if (e == ESRCH || e == ESTALE) return ReapedState();
  ProcessState unknown;
  unknown.detail = stat.status().ToString();
  return unknown;
}

StatusOr<ProcessInfo> Process::Info() const {
  StatusOr<ProcStat> stat = Stat();
  if (!stat.ok()) return stat.status();
  ProcessInfo info;
  info.pid = pid_;
  if (stat->ppid) info.ppid = static_cast<pid_t>(*stat->ppid);
  info.name = stat->comm;
  info.state = StateFromStat(*stat);
  StatusOr<std::string> cmdline = ReadProcFile("cmdline");
  if (!cmdline.ok()) return cmdline.status();
  info.command_line = ParseCmdline(*cmdline);
  StatusOr<std::string> exe = ReadLinkAt(dir_fd_, "exe", Label("exe"));
  if (exe.ok()) {
    struct stat st;
    const bool known = fstatat(dir_fd_, "exe", &st, 0) == 0;
    info.path = ResolveDeleted(std::move(*exe), known ? &st : nullptr, &info.path_deleted);
  } else {
    info.path_status = exe.status();
  }
  const int fd = openat(dir_fd_, "exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    info.arch_status = ErrnoStatus("open " + Label("exe"));
  } else {
    char header[64];
    const ssize_t n = pread(fd, header, sizeof header, 0);
    const int read_errno = errno;
    close(fd);
    if (n < 0) {
      info.arch_status = Status(read_errno, "read " + Label("exe"));
    } else if (StatusOr<ElfIdentity> elf = ParseElfArch(std::string_view(header, static_cast<size_t>(n)));
               elf.ok()) {
      info.arch = elf->arch;
    } else {
      info.arch_status = elf.status();
    }
  }
  // The reads above went through the directory of this very process; one last check turns a process that
  // was reaped meanwhile (cmdline of a reaped process reads as empty) into the right error.
  if (Status identity = CheckIdentity(); !identity.ok()) return identity;
  return info;
}

StatusOr<std::vector<MapsEntry>> Process::Maps() const {
  return ReadOrderedMaps([this] { return ReadProcFile("maps"); }, kMaxMapsReads);
}

StatusOr<std::vector<Module>> Process::Modules() const {
  StatusOr<std::vector<MapsEntry>> maps = Maps();
  if (!maps.ok()) return maps.status();
  return ExactModules(*maps);
}

std::vector<Module> Process::ExactModules(const std::vector<MapsEntry>& maps) const {
  std::vector<Module> modules = ModulesFromMaps(maps);
  for (Module& m : modules) {
    auto first = std::lower_bound(maps.begin(), maps.end(), m.base,
                                  [](const MapsEntry& e, uint64_t base) { return e.start < base; });
    if (first == maps.end() || first->start != m.base) continue;
    const bool ambiguous = first->deleted || first->path_raw.find("\\012") != std::string::npos;
    if (!ambiguous) continue;
    const std::string link = "map_files/" + Hex(first->start) + "-" + Hex(first->end);
    StatusOr<std::string> target = ReadLinkAt(dir_fd_, link, Label(link));
    if (!target.ok()) continue;  // no access to map_files: keep what maps says
    struct stat want {};
    want.st_ino = m.inode;
    want.st_dev = makedev(m.dev_major, m.dev_minor);
    m.path = ResolveDeleted(std::move(*target), &want, &m.deleted);
    m.name = BaseName(m.path);
  }
  return modules;
}

StatusOr<Module> Process::ModuleByHandle(uint64_t handle) const {
  StatusOr<std::vector<Module>> modules = Modules();
  if (!modules.ok()) return modules.status();
  for (const Module& m : *modules)
    if (m.base == handle) return m;
  return Status(ENOENT, "no module with handle 0x" + Hex(handle) + " in process " + std::to_string(pid_));
}

StatusOr<Module> Process::ModuleByAddress(uint64_t address) const {
  StatusOr<std::vector<Module>> modules = Modules();
  if (!modules.ok()) return modules.status();
  if (const Module* m = FindContaining(*modules, address)) return *m;
  return Status(ENOENT, "no module contains 0x" + Hex(address) + " in process " + std::to_string(pid_));
}

StatusOr<Module> Process::ModuleByName(std::string_view name_or_path) const {
  StatusOr<std::vector<Module>> modules = Modules();
  if (!modules.ok()) return modules.status();
  for (const Module& m : *modules)
    if (m.name == name_or_path || m.path == name_or_path) return m;
  return Status(ENOENT,
                "no module named '" + std::string(name_or_path) + "' in process " + std::to_string(pid_));
}

StatusOr<PrimaryModule> Process::Primary() const {
  StatusOr<std::vector<MapsEntry>> maps = Maps();
  if (!maps.ok()) return maps.status();
  const std::vector<Module> modules = ExactModules(*maps);
  PrimaryEvidence evidence;
  // The initial stack's auxv: what the loader says the program is.
  StatusOr<ProcStat> stat = Stat();
  const uint64_t sp = stat.ok() ? stat->startstack.value_or(0) : 0;
  for (const MapsEntry& e : *maps) {
    if (sp == 0 || sp < e.start || sp >= e.end) continue;
    std::string image(std::min(e.end - sp, kMaxStackImage), '\0');
    const Element element{sp, image.data(), image.size()};
    ElementResult result;
    if (Transfer(*MakeStrategy("default"), Direction::kRead, {&element, 1}, {&result, 1}).ok()) {
      if (StatusOr<std::vector<AuxvEntry>> auxv = ParseInitialStack(image); auxv.ok()) {
        evidence.stack_auxv = *std::move(auxv);
      }
    }
    break;
  }
  if (StatusOr<std::string> text = ReadProcFile("auxv"); text.ok()) {
    if (StatusOr<std::vector<AuxvEntry>> auxv = ParseAuxv(*text); auxv.ok())
      evidence.procfs_auxv = *std::move(auxv);
  }
  struct stat exe;
  if (fstatat(dir_fd_, "exe", &exe, 0) == 0) {
    evidence.exe = PrimaryEvidence::FileId{major(exe.st_dev), minor(exe.st_dev), exe.st_ino};
  }
  const std::optional<PrimaryChoice> choice = ChoosePrimaryModule(modules, evidence);
  if (!choice) return Status(ENOENT, "process " + std::to_string(pid_) + " maps no file");
  return PrimaryModule{modules[choice->index], choice->source};
}

StatusOr<std::vector<AddressRange>> Process::MappedMemory(uint64_t start, uint64_t end,
                                                          uint64_t max_gap) const {
  StatusOr<std::vector<MapsEntry>> maps = Maps();
  if (!maps.ok()) return maps.status();
  return MappedRanges(*maps, start, end, max_gap);
}

StatusOr<Environment> Process::Env() const {
  StatusOr<ProcStat> stat = Stat();
  if (!stat.ok()) return stat.status();
  Environment env;
  env.state = StateFromStat(*stat);
  if (env.state.kind == ProcessState::Kind::kDead) return env;
  StatusOr<std::string> block = ReadProcFile("environ");
  if (!block.ok() && block.status().error_number() == ENODATA) return env;  // a kernel thread: no environment
  if (!block.ok()) return block.status();
  const uint64_t start = stat->env_start.value_or(0);
  if (start == 0 && !block->empty()) {
    return Status(EACCES, Label("stat") + " hides env_start although environ is readable");
  }
  if (start != 0) env.block_address = start;
  const Environ parsed = ParseEnviron(*block);
  env.block_size = parsed.size;
  env.terminated = parsed.terminated;
  env.entries.reserve(parsed.entries.size());
  for (const EnvironEntry& e : parsed.entries) {
    uint64_t address;
    if (__builtin_add_overflow(start, e.offset, &address)) {
      return Status(EOVERFLOW, Label("environ") + ": env_start + offset wraps");
    }
    env.entries.push_back({e.name, e.value, address, e.length});
  }
  // environ was read through this process's directory; a reaped process reads as empty.
  if (Status identity = CheckIdentity(); !identity.ok()) return identity;
  return env;
}

Status Process::Transfer(const Strategy& strategy, Direction direction, std::span<const Element> elements,
                         std::span<ElementResult> results, uint64_t* syscalls) const {
  const auto fail_all = [&](const Status& status) {
    for (ElementResult& r : results) r = ElementResult{0, status.error_number()};
    return status;
  };
  if (Status before = CheckIdentity(); !before.ok()) return fail_all(before);
  LinuxMemoryBackend memory(pid_, dir_fd_);
  Status status = TransferBatch(strategy, memory, direction, elements, results);
  if (syscalls != nullptr) *syscalls = memory.syscalls();
  Status after = CheckIdentity();
  if (!after.ok() && after.error_number() == ESTALE) return fail_all(after);
  if (!after.ok() && status.ok()) return after;
  return status;
}

StatusOr<std::vector<ProcessSummary>> ListProcesses() {
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return ErrnoStatus("opendir /proc");
  std::vector<pid_t> pids;
  while (const dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (end != entry->d_name && *end == '\0' && pid > 0) pids.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  std::sort(pids.begin(), pids.end());
  std::vector<ProcessSummary> list;
  list.reserve(pids.size());
  for (pid_t pid : pids) {
    ProcessSummary summary;
    summary.pid = pid;
    StatusOr<std::string> text = ReadFileToString("/proc/" + std::to_string(pid) + "/stat");
    if (!text.ok() && IsGoneErrno(text.status().error_number())) continue;  // vanished during the walk
    StatusOr<ProcStat> stat = text.ok() ? ParseStat(*text) : StatusOr<ProcStat>(text.status());
    if (stat.ok()) {
      summary.name = stat->comm;
      if (stat->ppid) summary.ppid = static_cast<pid_t>(*stat->ppid);
      summary.state = StateFromStat(*stat);
    } else {
      summary.state.detail = stat.status().ToString();
    }
    list.push_back(std::move(summary));
  }
  return list;
}

}  // namespace procscope
