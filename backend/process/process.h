// Process: a handle to one process, opened by PID, that refuses to act on a different process that later
// gets the same PID.
//
//   StatusOr<Process> p = Process::Open(1234);
//   if (!p.ok()) return p.status();                       // ESRCH: no such process
//   StatusOr<ProcessInfo> info = p->Info();               // ESTALE: "process was replaced"
//   ProcessState state = p->State();                      // never fails: alive / dead (+exit code) / unknown
//
// Identity. Open records the process's start time (stat field 22), holds its /proc/<pid> directory open
// and, where the kernel has pidfd_open (Linux 5.3), a pidfd. Every procfs read goes through the held
// directory, which stays bound to the original process: once that process is reaped the reads fail instead
// of returning a successor's files. Such a failure, and any check of identity, is reported as
//   ESRCH  "process N has exited"                 the process is gone and no other process has its PID, or
//   ESTALE "process N was replaced: ..."          the PID now belongs to another process.
// process_vm_readv/writev name the PID, not the directory; Transfer checks identity before and after them
// (see there for what that does and does not cover).
//
// When /proc is mounted with hidepid and the process belongs to another user, its entries vanish for this
// reader: that is EACCES ("hidden"), and State() says unknown, never dead.
//
// A Process is move-only and owns its file descriptors. Methods are const and safe to call from one thread
// at a time; threads that work on the same process concurrently open one Process each (any number of them
// may name the same PID; tests/concurrency_test.cc runs eight under ThreadSanitizer). Every method reads the
// live state of the process anew (no caching): handles are stable, lists are snapshots.
//
// The implementation is one file per job: process.cc (opening and identity), process_info.cc,
// process_modules.cc, process_environment.cc, process_transfer.cc and process_wait.cc. ListProcesses is in
// process_list.h.
#ifndef PROCSCOPE_BACKEND_PROCESS_PROCESS_H_
#define PROCSCOPE_BACKEND_PROCESS_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backend/memory/batch.h"
#include "backend/memory/strategy.h"
#include "backend/process/arch.h"
#include "backend/process/mapped_ranges.h"
#include "backend/process/module_map.h"
#include "backend/process/process_state.h"
#include "backend/procfs/maps.h"
#include "backend/procfs/stat.h"
#include "backend/scoped_fd.h"
#include "backend/status.h"

namespace procscope {

struct ProcessInfo {
  pid_t pid = 0;
  std::optional<pid_t> ppid;
  std::string name;  // comm, bytes
  // /proc/<pid>/exe resolved; nullopt when it cannot be read (zombie, kernel thread, no permission:
  // path_status says which). A deleted executable has `path` without the " (deleted)" suffix and
  // path_deleted set; a file really named "x (deleted)" keeps its name (decided by the file's link count).
  std::optional<std::string> path;
  bool path_deleted = false;
  Status path_status;
  std::vector<std::string> command_line;  // argv from /proc/<pid>/cmdline; empty for zombies/kernel threads
  // From the executable's ELF header; nullopt when it cannot be read (arch_status says why). Never guessed
  // from the host.
  std::optional<Arch> arch;
  Status arch_status;
  ProcessState state;
};

struct EnvironmentVariable {
  std::optional<std::string> name;  // nullopt for an entry without '=' (value is then the whole entry)
  std::string value;
  uint64_t address = 0;  // of the entry's first byte in the process: env_start + offset
  uint64_t length = 0;   // bytes, without the NUL
};

struct Environment {
  // env_start (stat field 50): where the block is in the process. nullopt when the process has no memory
  // any more (zombie) or the kernel hides it.
  std::optional<uint64_t> block_address;
  uint64_t block_size = 0;
  bool terminated = true;  // see Environ::terminated
  std::vector<EnvironmentVariable> entries;
  ProcessState state;  // a zombie's environment is empty; this says why
};

struct PrimaryModule {
  Module module;
  // How it was found: "stack auxv" (AT_PHDR in the auxv on the initial stack, which glibc's loader updates
  // for `ld.so ./prog`), "procfs auxv" (/proc/<pid>/auxv, the kernel's exec-time copy), "exe" (device and
  // inode of /proc/<pid>/exe) or "first mapping".
  std::string source;
};

class Process {
 public:
  // EINVAL for pid <= 0 or a thread that is not a thread-group leader; ESRCH when there is no such process.
  // use_pidfd = false guards with the held directory and the start time only, as on kernels before 5.3
  // (tests use it to cover that path).
  [[nodiscard]] static StatusOr<Process> Open(pid_t pid, bool use_pidfd = true);

  Process(Process&& other) noexcept = default;
  Process& operator=(Process&& other) noexcept = default;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  uint64_t start_time() const { return start_time_; }  // clock ticks since boot (stat field 22)
  bool has_pidfd() const { return pidfd_.is_valid(); }

  // OK while the process exists (running, stopped or zombie); ESRCH / ESTALE as described above.
  Status CheckIdentity() const;

  StatusOr<ProcessInfo> Info() const;
  // alive; dead with a decoded exit code when the kernel shows it: stat's exit_code for a zombie (with ptrace
  // access), else the pidfd's exit status (PIDFD_INFO_EXIT, 6.15: once the process was reaped, also by
  // another parent, also to a reader without ptrace access, also after its PID was reused); dead with no
  // exit code and the reason when neither has it; unknown when stat cannot be read for another reason.
  ProcessState State() const;

  // Blocks until the process has ended (exited or killed: a zombie has ended) or `timeout` passes (nullopt:
  // no limit), then returns State(). Ended with its exit code still unknown (a zombie whose code stat hides
  // from this reader), it waits up to `reap_grace` more, within the timeout, for the parent to reap it: the
  // pidfd gets the exit status then, on kernels that record it. Errors: ETIMEDOUT when the process still
  // runs at the timeout; EACCES when this reader cannot tell whether it runs (hidden, and no pidfd). With a
  // pidfd it sleeps in poll (POLLIN: the process ended); without one (before 5.3) it reads stat every 10 ms.
  StatusOr<ProcessState> WaitForEnd(std::optional<std::chrono::milliseconds> timeout,
                                    std::chrono::milliseconds reap_grace) const;
  StatusOr<ProcStat> Stat() const;

  // /proc/<pid>/maps, read again (up to 5 times) while the text overlaps or goes backwards; EAGAIN if it
  // never settles. EACCES without ptrace read access.
  StatusOr<std::vector<MapsEntry>> Maps() const;

  // Modules from a fresh maps read (module_map.h), with the exact path from /proc/<pid>/map_files where
  // the maps text is ambiguous (a "\012" or " (deleted)" in it) and that link can be read.
  StatusOr<std::vector<Module>> Modules() const;
  // Look-ups against a fresh maps read; ENOENT when nothing matches now.
  StatusOr<Module> ModuleByHandle(uint64_t handle) const;
  StatusOr<Module> ModuleByAddress(uint64_t address) const;
  StatusOr<Module> ModuleByName(std::string_view name_or_path) const;  // first match, by name or full path
  // The main program; ENOENT when the process maps no file at all (kernel thread, zombie).
  StatusOr<PrimaryModule> Primary() const;

  // Readable ranges inside [start, end) from a fresh maps read (see mapped_ranges.h).
  StatusOr<std::vector<AddressRange>> MappedMemory(uint64_t start, uint64_t end, uint64_t max_gap) const;

  // Empty (block_address nullopt) for a zombie or a kernel thread, with their state.
  StatusOr<Environment> Env() const;

  // True for kernel threads (PF_KTHREAD in stat's flags): they have no user memory, maps or environment.
  // An error (stat's, or ENODATA when stat has no flags field) when that cannot be told: never a guess.
  StatusOr<bool> IsKernelThread() const;

  // Moves a batch through `strategy` (see TransferBatch). Identity is checked before and after: if the
  // process is gone before, no syscall is made and every element carries the error; if it was replaced by
  // the end, every element is failed with ESTALE (the caller's read buffers may hold the successor's bytes,
  // but no element reports them as read) and ESTALE is returned. If it merely exited, elements finished
  // before its death keep their results. Not covered: a write that lands in a successor that took the PID
  // between the first check and the syscall (the process must be reaped and its PID recycled in that
  // window); a read in that window is caught by the second check.
  // `report` (if not null) says which transport served the batch, whether it fell back from process_vm
  // (see MakeStrategy("default")) and how many memory syscalls the strategy made (identity checks excluded).
  Status Transfer(const Strategy& strategy, Direction direction, std::span<const Element> elements,
                  std::span<ElementResult> results, TransferReport* report = nullptr) const;

 private:
  Process() = default;
  // `name` inside /proc/<pid> through the held directory; ENOENT/ESRCH become LostStatus(), except ESRCH
  // from a process that still exists, which is ENODATA (no user memory).
  StatusOr<std::string> ReadProcFile(const std::string& name) const;
  // StateFromStat, asking /proc/<pid>/syscall (readable only with ptrace access) when stat alone cannot
  // tell an exit code 0 from a hidden one (process_state.h).
  ProcessState StateOf(const ProcStat& stat) const;
  bool PidfdSaysAlive() const;
  // The wait status the pidfd holds (PIDFD_GET_INFO with PIDFD_INFO_EXIT). ENODATA when the kernel answered
  // without it (not reaped yet, or a kernel that records none); the ioctl's errno when it failed (ENOTTY
  // before 6.13); EBADF without a pidfd.
  StatusOr<int> PidfdExitStatus() const;
  // State() for a process whose /proc entry is gone: the pidfd's exit status, else ReapedState with why.
  ProcessState EndedState() const;
  // ModulesFromMaps with the exact paths from map_files (see Modules).
  std::vector<Module> ExactModules(const std::vector<MapsEntry>& maps) const;
  // The ELF identity of /proc/<pid>/exe (class, machine).
  StatusOr<ElfIdentity> ExeElf() const;
  // A read through the held directory found nothing: EACCES when the process still runs but /proc hides it
  // (hidepid), else GoneStatus.
  Status LostStatus() const;
  // ESRCH or ESTALE, looking at who has the PID now; EACCES when that cannot be told (hidden, and no pidfd
  // to say whether this process still exists). `known_gone`: this process is known to no longer exist.
  Status GoneStatus(bool known_gone) const;
  // "/proc/<pid>/<name>", for messages.
  std::string Label(std::string_view name) const;

  pid_t pid_ = 0;
  uint64_t start_time_ = 0;
  ScopedFd dir_fd_;  // /proc/<pid>, held open
  ScopedFd pidfd_;   // not valid without pidfd_open
};

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCESS_PROCESS_H_
