#include "backend/memory/feature_probe.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "backend/eintr.h"
#include "backend/kernel_uapi.h"
#include "backend/scoped_child.h"
#include "backend/scoped_fd.h"

namespace procscope {
namespace {

// `pages` private anonymous rw pages, unmapped on destruction.
class Pages {
 public:
  explicit Pages(size_t pages) : length_(pages * static_cast<size_t>(sysconf(_SC_PAGESIZE))) {
    void* p = mmap(nullptr, length_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
      base_ = static_cast<char*>(p);
      std::memset(base_, 0x5a, length_);
    }
  }
  ~Pages() {
    if (base_ != nullptr) munmap(base_, length_);
  }
  Pages(const Pages&) = delete;
  Pages& operator=(const Pages&) = delete;
  char* base() const { return base_; }
  size_t length() const { return length_; }

 private:
  size_t length_;
  char* base_ = nullptr;
};

std::string Moved(ssize_t n) {
  if (n < 0) return ErrnoName(errno);
  return "read " + std::to_string(n) + " bytes";
}

}  // namespace

StatusOr<std::string> ProbeProcmapQuery() {
  Pages page(1);
  if (page.base() == nullptr) return ErrnoStatus("mmap");
  const ScopedFd maps(RetryOnEintr([] { return open("/proc/self/maps", O_RDONLY | O_CLOEXEC); }));
  if (!maps.is_valid()) return ErrnoStatus("open /proc/self/maps");
  uapi::ProcmapQuery query{};
  query.size = sizeof(query);
  query.query_flags = uapi::kProcmapCoveringOrNextVma;
  const auto address = reinterpret_cast<uintptr_t>(page.base());
  query.query_addr = address;
  if (RetryOnEintr([&] { return ioctl(maps.get(), uapi::kProcmapQuery, &query); }) != 0)
    return std::string(ErrnoName(errno));
  if (query.vma_start > address || query.vma_end < address + page.length())
    return std::string("wrong answer");
  return std::string("supported");
}

std::string GuardRegionAnswer::Summary() const {
  if (madvise != "ok") return madvise;
  return "madvise ok, process_vm_readv " + vm + " (3 pages: " + std::to_string(vm_over_three_pages) +
         " bytes), /proc/PID/mem " + procmem;
}

GuardRegionAnswer ProbeGuardRegions() {
  GuardRegionAnswer answer;
  Pages pages(3);
  const size_t page = pages.length() / 3;
  if (pages.base() == nullptr) {
    answer.madvise = "not measured: " + ErrnoStatus("mmap").ToString();
    answer.pagemap_bit = Status(ENODATA, answer.madvise);
    return answer;
  }
  char* guard = pages.base() + page;
  if (madvise(guard, page, uapi::kMadvGuardInstall) != 0) {
    answer.madvise = ErrnoName(errno);
    answer.pagemap_bit =
        Status(ENODATA, "no guard regions (madvise(MADV_GUARD_INSTALL) " + answer.madvise + ")");
    return answer;
  }
  answer.madvise = "ok";
  std::vector<char> buffer(pages.length());
  iovec local{buffer.data(), buffer.size()};
  iovec all{pages.base(), pages.length()};
  answer.vm_over_three_pages = process_vm_readv(getpid(), &local, 1, &all, 1, 0);
  iovec one{guard, page};
  local.iov_len = page;
  answer.vm = Moved(process_vm_readv(getpid(), &local, 1, &one, 1, 0));
  if (const ScopedFd mem(RetryOnEintr([] { return open("/proc/self/mem", O_RDONLY | O_CLOEXEC); }));
      !mem.is_valid()) {
    answer.procmem = "not measured: " + ErrnoStatus("open /proc/self/mem").ToString();
  } else {
    answer.procmem = Moved(RetryOnEintr([&] {
      return pread(mem.get(), buffer.data(), page, static_cast<off_t>(reinterpret_cast<uintptr_t>(guard)));
    }));
  }
  const ScopedFd pagemap(RetryOnEintr([] { return open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC); }));
  uint64_t entry = 0;
  const off_t offset = static_cast<off_t>(reinterpret_cast<uintptr_t>(guard) / page * sizeof(entry));
  if (!pagemap.is_valid()) {
    answer.pagemap_bit = ErrnoStatus("open /proc/self/pagemap");
  } else if (RetryOnEintr([&] { return pread(pagemap.get(), &entry, sizeof(entry), offset); }) !=
             static_cast<ssize_t>(sizeof(entry))) {
    answer.pagemap_bit = ErrnoStatus("pread /proc/self/pagemap");
  } else {
    answer.pagemap_bit = (entry >> uapi::kPagemapGuardBit & 1) != 0;
  }
  return answer;
}

StatusOr<std::string> ProbePidfdInfoExit() {
  StatusOr<ScopedChild> child = ScopedChild::Fork([] { return 3; });
  if (!child.ok()) return child.status();
  // Opened while the child runs or is a zombie: either way before it is reaped.
  const ScopedFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, child->pid(), 0)));
  if (!pidfd.is_valid()) return ErrnoStatus("pidfd_open");
  if (StatusOr<int> status = child->Wait(); !status.ok()) return status.status();
  uapi::PidfdInfo info{};
  info.mask = uapi::kPidfdInfoExit;
  if (RetryOnEintr([&] { return ioctl(pidfd.get(), uapi::kPidfdGetInfo, &info); }) != 0)
    return std::string(ErrnoName(errno));
  if ((info.mask & uapi::kPidfdInfoExit) == 0) return std::string("no exit info");
  if (info.exit_code != 3 << 8) return "wrong exit status " + std::to_string(info.exit_code);
  return std::string("supported");
}

}  // namespace procscope
