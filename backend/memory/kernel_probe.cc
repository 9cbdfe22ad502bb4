#include "backend/memory/kernel_probe.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "backend/eintr.h"
#include "backend/memory/feature_probe.h"
#include "backend/memory/force_override.h"
#include "backend/pipe.h"
#include "backend/scoped_child.h"
#include "backend/scoped_fd.h"

namespace procscope {
namespace {

constexpr size_t kPage = 4096;

iovec Iov(void* address, size_t length) { return {address, length}; }
iovec Iov(uint64_t address, size_t length) { return {reinterpret_cast<void*>(address), length}; }

// Five pages: rw, hole, rw, PROT_NONE, read-only. Unmapped on destruction.
class ProbePages {
 public:
  ProbePages() {
    base_ = static_cast<char*>(
        mmap(nullptr, 5 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (base_ == MAP_FAILED) {
      base_ = nullptr;
      return;
    }
    std::memset(base_, 0x5a, 5 * kPage);
    ok_ = munmap(base_ + kPage, kPage) == 0 && mprotect(base_ + 3 * kPage, kPage, PROT_NONE) == 0 &&
          mprotect(base_ + 4 * kPage, kPage, PROT_READ) == 0;
  }
  ~ProbePages() {
    if (base_ == nullptr) return;
    munmap(base_, kPage);
    munmap(base_ + 2 * kPage, 3 * kPage);
  }
  bool ok() const { return base_ != nullptr && ok_; }
  char* page(int i) const { return base_ + i * kPage; }

 private:
  char* base_ = nullptr;
  bool ok_ = false;
};

ssize_t ReadSelf(std::span<const iovec> remote, void* local, size_t local_length) {
  iovec l = Iov(local, local_length);
  return process_vm_readv(getpid(), &l, 1, remote.data(), remote.size(), 0);
}

// One pread or pwrite of /proc/self/mem: its result (-1 with errno when the kernel refused it), or an error
// when the file could not be opened, which says nothing about the kernel's rules.
StatusOr<ssize_t> ProcMem(bool write, void* buffer, size_t length, const void* address) {
  const ScopedFd fd(
      RetryOnEintr([&] { return open("/proc/self/mem", (write ? O_RDWR : O_RDONLY) | O_CLOEXEC); }));
  if (!fd.is_valid()) return ErrnoStatus("open /proc/self/mem");
  const off_t offset = static_cast<off_t>(reinterpret_cast<uintptr_t>(address));
  return RetryOnEintr([&] {
    return write ? pwrite(fd.get(), buffer, length, offset) : pread(fd.get(), buffer, length, offset);
  });
}

// Whether a ProcMem call moved all `length` bytes: the kernel refuses a protected page with EIO, as a hole;
// any other failure is not an answer about protections.
StatusOr<bool> ProcMemMovedAll(bool write, void* buffer, size_t length, const void* address) {
  const int saved = errno;
  errno = 0;
  StatusOr<ssize_t> n = ProcMem(write, buffer, length, address);
  if (!n.ok()) return n.status();
  if (*n < 0 && errno != EIO) return ErrnoStatus(write ? "pwrite /proc/self/mem" : "pread /proc/self/mem");
  errno = saved;
  return *n == static_cast<ssize_t>(length);
}

uint64_t MeasureIovMax(char* valid) {
  // The largest count accepted, by bisection over [1, 65536]; every element is one readable byte.
  uint64_t lo = 1, hi = 65536;
  std::vector<iovec> remote(hi, Iov(valid, 1));
  std::vector<char> local(hi);
  while (lo < hi) {
    const uint64_t mid = (lo + hi + 1) / 2;
    if (ReadSelf(std::span(remote).first(mid), local.data(), mid) >= 0) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

// Where the kernel cuts one call, without 2 GiB of memory: 1024 local and 1024 remote elements of 2 MiB each
// (2 GiB on both sides, more than MAX_RW_COUNT), all local ones over the same 2 MiB buffer and all remote
// ones over the same never-written read-only mapping (the shared zero page). The local elements are a byte
// stream, so overlapping them is allowed. Costs 4 MiB and one ~2 GiB copy out of the zero page (~0.25 s).
StatusOr<uint64_t> MeasureMaxRwCount() {
  constexpr size_t kChunk = 2 << 20;
  constexpr size_t kElements = 1024;
  void* source = mmap(nullptr, kChunk, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (source == MAP_FAILED) return ErrnoStatus("mmap of the 2 MiB source");
  void* target = mmap(nullptr, kChunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (target == MAP_FAILED) {
    Status failed = ErrnoStatus("mmap of the 2 MiB target");
    munmap(source, kChunk);
    return failed;
  }
  std::vector<iovec> local(kElements, Iov(target, kChunk)), remote(kElements, Iov(source, kChunk));
  const ssize_t n = RetryOnEintr(
      [&] { return process_vm_readv(getpid(), local.data(), kElements, remote.data(), kElements, 0); });
  Status failed = n < 0 ? ErrnoStatus("process_vm_readv of 2 GiB") : OkStatus();
  munmap(source, kChunk);
  munmap(target, kChunk);
  if (!failed.ok()) return failed;
  return static_cast<uint64_t>(n);
}

StatusOr<bool> ProcMemEofAfterExit() {
  StatusOr<Pipe> hold = MakePipe();
  if (!hold.ok()) return hold.status();
  StatusOr<ScopedChild> child = ScopedChild::Fork([&] {
    hold->write_end.reset();
    char byte;
    RetryOnEintr([&] { return read(hold->read_end.get(), &byte, 1); });  // until the parent lets go
    return 0;
  });
  if (!child.ok()) return child.status();
  hold->read_end.reset();
  const std::string path = "/proc/" + std::to_string(child->pid()) + "/mem";
  const ScopedFd fd(RetryOnEintr([&] { return open(path.c_str(), O_RDONLY | O_CLOEXEC); }));
  if (!fd.is_valid()) return ErrnoStatus("open " + path);
  hold->write_end.reset();  // the child exits
  if (StatusOr<int> ended = child->Wait(); !ended.ok()) return ended.status();
  char buffer[8];
  // Any address: after the exit the kernel answers before looking at it.
  const ssize_t n = RetryOnEintr([&] {
    return pread(fd.get(), buffer, sizeof buffer, static_cast<off_t>(reinterpret_cast<uintptr_t>(&buffer)));
  });
  return n == 0;
}

}  // namespace

// How a read of `length` bytes at `address` with the tag 0x5a in its top byte ended (KernelProbe's
// tagged_address_* keys); `read` makes the read and returns its result, errno set on failure.
template <typename Read>
std::string TaggedRead(const char* address, size_t length, Read read) {
  constexpr uint64_t kTag = 0x5aULL << 56;
  std::vector<char> got(length);
  errno = 0;
  const ssize_t n = read(got.data(), reinterpret_cast<uintptr_t>(address) | kTag);
  if (n < 0) return std::string(ErrnoName(errno));
  if (static_cast<size_t>(n) != length || std::memcmp(got.data(), address, length) != 0) return "wrong bytes";
  return "untagged";
}

StatusOr<KernelProbe> ProbeKernel(const ProbeOptions& options) {
  KernelProbe probe;
  utsname names;
  if (uname(&names) == 0) probe.kernel_release = names.release;
  ProbePages pages;
  if (!pages.ok()) return ErrnoStatus("probe: cannot build its pages");
  std::vector<char> buffer(3 * kPage);
  // Every answer below reads a short or failed call as a kernel property: a refused call (a seccomp filter,
  // a kernel without CROSS_MEMORY_ATTACH) would turn into false facts, so it ends the probe instead.
  iovec first = Iov(pages.page(0), 1);
  if (ReadSelf({&first, 1}, buffer.data(), 1) != 1) {
    return ErrnoStatus(
        "process_vm_readv fails on this process's own memory, so its semantics cannot be "
        "measured here (see `procscope doctor`)");
  }

  iovec spanning = Iov(pages.page(0), 3 * kPage);
  probe.splits_elements = ReadSelf({&spanning, 1}, buffer.data(), 3 * kPage) == static_cast<ssize_t>(kPage);

  iovec three[3] = {Iov(pages.page(0), 8), Iov(pages.page(1), 8), Iov(pages.page(2), 8)};
  probe.stops_at_first_failure = ReadSelf(three, buffer.data(), 24) == 8;

  iovec zero[3] = {Iov(pages.page(0), 8), Iov(uint64_t{0}, 0), Iov(pages.page(2), 8)};
  probe.zero_length_skipped = ReadSelf(zero, buffer.data(), 16) == 16;

  iovec none = Iov(pages.page(3), 8);
  probe.prot_none_readable_vm = ReadSelf({&none, 1}, buffer.data(), 8) == 8;
  probe.prot_none_readable_procmem = ProcMemMovedAll(false, buffer.data(), 8, pages.page(3));

  iovec local = Iov(buffer.data(), 8), readonly = Iov(pages.page(4), 8);
  probe.readonly_writable_vm = process_vm_writev(getpid(), &local, 1, &readonly, 1, 0) == 8;
  probe.readonly_writable_procmem = ProcMemMovedAll(true, buffer.data(), 8, pages.page(4));

  probe.iov_max = MeasureIovMax(pages.page(0));

  if (!options.measure_max_rw_count) {
    probe.max_rw_count_skipped = "not requested";
  } else if (StatusOr<uint64_t> max_rw_count = MeasureMaxRwCount(); max_rw_count.ok()) {
    probe.max_rw_count = *max_rw_count;
  } else {
    probe.max_rw_count_skipped = max_rw_count.status().message();
  }
  probe.procmem_eof_after_exit = ProcMemEofAfterExit();
  const ForceOverrideFinding force = FindForceOverride();
  if (force.value == ForceOverride::kUnknown) {
    probe.procmem_force_override = Status(ENODATA, force.how);
  } else {
    probe.procmem_force_override = std::string(ForceOverrideName(force.value));
  }
  if (force.has_switch == ForceOverrideSwitch::kUnknown) {
    probe.procmem_force_override_switch = Status(ENODATA, force.switch_how);
  } else {
    probe.procmem_force_override_switch = std::string(ForceOverrideSwitchName(force.has_switch));
  }

  std::memcpy(pages.page(0), "tagged!", 8);
  probe.tagged_address_vm = TaggedRead(pages.page(0), 8, [](char* into, uint64_t tagged) {
    iovec remote = Iov(tagged, 8);
    return ReadSelf({&remote, 1}, into, 8);
  });
  // The open is tried first on its own: a failed open must not read as the kernel's answer (an errno name).
  if (StatusOr<ssize_t> open = ProcMem(false, buffer.data(), 0, pages.page(0)); !open.ok()) {
    probe.tagged_address_procmem = open.status();
  } else {
    probe.tagged_address_procmem = TaggedRead(pages.page(0), 8, [](char* into, uint64_t tagged) {
      StatusOr<ssize_t> n =
          ProcMem(false, into, 8, reinterpret_cast<const void*>(static_cast<uintptr_t>(tagged)));
      return n.ok() ? *n : ssize_t{-1};
    });
  }
  probe.procmap_query = ProbeProcmapQuery();
  const GuardRegionAnswer guard = ProbeGuardRegions();
  probe.guard_regions = guard.Summary();
  probe.pagemap_guard_bit = guard.pagemap_bit;
  probe.pidfd_info_exit = ProbePidfdInfoExit();
  return probe;
}

}  // namespace procscope
