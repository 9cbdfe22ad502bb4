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

namespace procscope {

class LinuxMemoryBackend final : public MemoryBackend {
 public:
  explicit LinuxMemoryBackend(pid_t pid) : pid_(pid) {}
  ~LinuxMemoryBackend() override;
  LinuxMemoryBackend(const LinuxMemoryBackend&) = delete;
  LinuxMemoryBackend& operator=(const LinuxMemoryBackend&) = delete;

  ssize_t VmReadv(std::span<const iovec> local, std::span<const iovec> remote) override;
  ssize_t VmWritev(std::span<const iovec> local, std::span<const iovec> remote) override;
  ssize_t MemPread(void* buffer, size_t length, uint64_t address) override;
  ssize_t MemPwrite(const void* buffer, size_t length, uint64_t address) override;
  StatusOr<std::string> ReadMapsText() override;

  pid_t pid() const { return pid_; }

 private:
  // Opens /proc/<pid>/mem if needed; returns the fd or a negated errno.
  int MemFd(bool writable);

  pid_t pid_;
  int mem_fd_ = -1;
  bool mem_fd_writable_ = false;
};

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_MEMORY_LINUX_MEMORY_BACKEND_H_
