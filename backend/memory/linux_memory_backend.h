// LinuxMemoryBackend: MemoryBackend for a live process, through process_vm_readv/writev and
// /proc/<pid>/mem.
//
//   LinuxMemoryBackend memory(pid);
//   ssize_t n = memory.VmReadv(local, remote);
//
// /proc/<pid>/mem is opened on first use (read-write when the first use is a write, reopened read-write if a
// write follows reads) and closed by the destructor. Not thread-safe: one backend per thread.
#ifndef PROCSCOPE_BACKEND_MEMORY_LINUX_MEMORY_BACKEND_H_
#define PROCSCOPE_BACKEND_MEMORY_LINUX_MEMORY_BACKEND_H_

#include <sys/types.h>

#include "backend/memory/memory_backend.h"
#include "backend/scoped_fd.h"

namespace procscope {

class LinuxMemoryBackend final : public MemoryBackend {
 public:
  explicit LinuxMemoryBackend(pid_t pid) : pid_(pid) {}
  // Opens mem and maps relative to `proc_dir_fd`, an open /proc/<pid> directory (borrowed: it must outlive
  // the backend), so that they belong to the process that directory was opened for even after PID reuse.
  // process_vm_readv/writev still name the PID: see Process::Transfer for the identity check around them.
  LinuxMemoryBackend(pid_t pid, int proc_dir_fd) : pid_(pid), proc_dir_fd_(proc_dir_fd) {}
  LinuxMemoryBackend(const LinuxMemoryBackend&) = delete;
  LinuxMemoryBackend& operator=(const LinuxMemoryBackend&) = delete;

  ssize_t VmReadv(std::span<const iovec> local, std::span<const iovec> remote) override;
  ssize_t VmWritev(std::span<const iovec> local, std::span<const iovec> remote) override;
  ssize_t MemPread(void* buffer, size_t length, uint64_t address) override;
  ssize_t MemPwrite(const void* buffer, size_t length, uint64_t address) override;
  StatusOr<std::string_view> ReadMapsText() override;
  // The maps are opened on the first query and kept open for the next ones (closed by the destructor); a
  // kernel's -ENOTTY is remembered, so later queries answer it without a call.
  int QueryVma(uint64_t address, VmaInfo& vma) override;
  // /proc/<pid>/pagemap is opened on first use and kept open.
  ssize_t PagemapRead(uint64_t first_page, std::span<uint64_t> entries) override;

  pid_t pid() const { return pid_; }

 private:
  // Opens /proc/<pid>/mem if needed; returns the fd or a negated errno.
  int MemFd(bool writable);

  // Opens /proc/<pid>/<name> (relative to proc_dir_fd_ when there is one) with `flags` | O_CLOEXEC: the
  // descriptor, or a negated errno.
  int OpenProcFile(const char* name, int flags) const;
  // `fd` if open, else opens `name` read-only into it: the descriptor, or a negated errno.
  int OpenOnce(ScopedFd& fd, const char* name);
  // The path to open for a file of the process: /proc/<pid>/<name>, or <name> relative to proc_dir_fd_.
  std::string ProcPath(const char* name) const;
  pid_t pid_;
  int proc_dir_fd_ = -1;
  ScopedFd mem_fd_;
  bool mem_fd_writable_ = false;
  ScopedFd maps_fd_;     // QueryVma's
  ScopedFd pagemap_fd_;  // PagemapRead's
  bool query_unsupported_ = false;
  std::string maps_buffer_;  // ReadMapsText's text: kept, so that a batch reads the maps with one read()
};

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_MEMORY_LINUX_MEMORY_BACKEND_H_
