// Process::Info: who the process is (IDs, name, executable and its architecture, argv, state).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "backend/eintr.h"
#include "backend/process/deleted_path.h"
#include "backend/process/process.h"
#include "backend/procfs/cmdline.h"
#include "backend/scoped_fd.h"

namespace procscope {

StatusOr<ProcessInfo> Process::Info() const {
  StatusOr<ProcStat> stat = Stat();
  if (!stat.ok()) return stat.status();
  ProcessInfo info;
  info.pid = pid_;
  if (stat->ppid) info.ppid = static_cast<pid_t>(*stat->ppid);
  info.name = stat->comm;
  info.state = StateOf(*stat);
  StatusOr<std::string> cmdline = ReadProcFile("cmdline");
  if (!cmdline.ok()) return cmdline.status();
  info.command_line = ParseCmdline(*cmdline);
  StatusOr<std::string> exe = ReadLinkAt(dir_fd_.get(), "exe", Label("exe"));
  if (exe.ok()) {
    struct stat st;
    const bool known = fstatat(dir_fd_.get(), "exe", &st, 0) == 0;
    info.path = ResolveDeleted(std::move(*exe),
                               known ? std::optional(FileIdentity{st.st_ino, st.st_dev}) : std::nullopt,
                               &info.path_deleted);
  } else {
    info.path_status = exe.status();
  }
  if (StatusOr<ElfIdentity> elf = ExeElf(); elf.ok()) {
    info.arch = elf->arch;
  } else {
    info.arch_status = elf.status();
  }
  // The reads above went through the directory of this very process; one last check turns a process that
  // was reaped meanwhile (cmdline of a reaped process reads as empty) into the right error.
  if (Status identity = CheckIdentity(); !identity.ok()) return identity;
  return info;
}

StatusOr<ElfIdentity> Process::ExeElf() const {
  const ScopedFd fd(RetryOnEintr([&] { return openat(dir_fd_.get(), "exe", O_RDONLY | O_CLOEXEC); }));
  if (!fd.is_valid()) return ErrnoStatus("open " + Label("exe"));
  char header[64];
  const ssize_t n = RetryOnEintr([&] { return pread(fd.get(), header, sizeof header, 0); });
  if (n < 0) return ErrnoStatus("read " + Label("exe"));
  return ParseElfArch(std::string_view(header, static_cast<size_t>(n)));
}

}  // namespace procscope
