#include "backend/memory/linux_memory_backend.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "backend/eintr.h"
#include "backend/kernel_uapi.h"
#include "backend/procfs/read_file.h"

namespace procscope {
namespace {

// MemoryBackend's convention: the result, or -errno when the call failed (EINTR retried).
template <typename Call>
ssize_t ResultOrMinusErrno(Call call) {
  const ssize_t n = RetryOnEintr(call);
  return n < 0 ? -errno : n;
}

}  // namespace

ssize_t LinuxMemoryBackend::VmReadv(std::span<const iovec> local, std::span<const iovec> remote) {
  CountSyscall();
  return ResultOrMinusErrno(
      [&] { return process_vm_readv(pid_, local.data(), local.size(), remote.data(), remote.size(), 0); });
}

ssize_t LinuxMemoryBackend::VmWritev(std::span<const iovec> local, std::span<const iovec> remote) {
  CountSyscall();
  return ResultOrMinusErrno(
      [&] { return process_vm_writev(pid_, local.data(), local.size(), remote.data(), remote.size(), 0); });
}

int LinuxMemoryBackend::MemFd(bool writable) {
  if (mem_fd_.is_valid() && (mem_fd_writable_ || !writable)) return mem_fd_.get();
  const int fd = OpenProcFile("mem", writable ? O_RDWR : O_RDONLY);
  if (fd < 0) return fd;
  mem_fd_.reset(fd);
  mem_fd_writable_ = writable;
  return fd;
}

ssize_t LinuxMemoryBackend::MemPread(void* buffer, size_t length, uint64_t address) {
  const int fd = MemFd(false);
  if (fd < 0) return fd;
  CountSyscall();
  return ResultOrMinusErrno([&] { return pread(fd, buffer, length, static_cast<off_t>(address)); });
}

ssize_t LinuxMemoryBackend::MemPwrite(const void* buffer, size_t length, uint64_t address) {
  const int fd = MemFd(true);
  if (fd < 0) return fd;
  CountSyscall();
  return ResultOrMinusErrno([&] { return pwrite(fd, buffer, length, static_cast<off_t>(address)); });
}

StatusOr<std::string_view> LinuxMemoryBackend::ReadMapsText() {
  CountSyscall();
  return ReadFileAtIntoBuffer(proc_dir_fd_ >= 0 ? proc_dir_fd_ : AT_FDCWD, ProcPath("maps"),
                              "/proc/" + std::to_string(pid_) + "/maps", maps_buffer_);
}

int LinuxMemoryBackend::QueryVma(uint64_t address, VmaInfo& vma) {
  if (query_unsupported_) return -ENOTTY;
  if (const int fd = OpenOnce(maps_fd_, "maps"); fd < 0) return fd;
  CountSyscall();
  uapi::ProcmapQuery query{};
  query.size = sizeof query;
  query.query_flags = uapi::kProcmapCoveringOrNextVma;
  query.query_addr = address;
  if (RetryOnEintr([&] { return ioctl(maps_fd_.get(), uapi::kProcmapQuery, &query); }) != 0) {
    const int error = errno;
    if (error == ENOTTY) query_unsupported_ = true;
    return -error;
  }
  vma = {query.vma_start, query.vma_end, (query.vma_flags & uapi::kProcmapVmaReadable) != 0,
         (query.vma_flags & uapi::kProcmapVmaWritable) != 0};
  return 0;
}

ssize_t LinuxMemoryBackend::PagemapRead(uint64_t first_page, std::span<uint64_t> entries) {
  if (const int fd = OpenOnce(pagemap_fd_, "pagemap"); fd < 0) return fd;
  CountSyscall();
  uint64_t offset;
  if (__builtin_mul_overflow(first_page, sizeof(uint64_t), &offset) ||
      offset > static_cast<uint64_t>(INT64_MAX))
    return -EINVAL;
  return ResultOrMinusErrno([&] {
    return pread(pagemap_fd_.get(), entries.data(), entries.size_bytes(), static_cast<off_t>(offset));
  });
}

int LinuxMemoryBackend::OpenProcFile(const char* name, int flags) const {
  const int dir = proc_dir_fd_ >= 0 ? proc_dir_fd_ : AT_FDCWD;
  const std::string path = ProcPath(name);
  const int fd = RetryOnEintr([&] { return openat(dir, path.c_str(), flags | O_CLOEXEC); });
  return fd < 0 ? -errno : fd;
}

int LinuxMemoryBackend::OpenOnce(ScopedFd& fd, const char* name) {
  if (fd.is_valid()) return fd.get();
  const int opened = OpenProcFile(name, O_RDONLY);
  if (opened >= 0) fd.reset(opened);
  return opened;
}

std::string LinuxMemoryBackend::ProcPath(const char* name) const {
  if (proc_dir_fd_ >= 0) return name;
  return "/proc/" + std::to_string(pid_) + "/" + name;
}

}  // namespace procscope
