// FakeMemory: a MemoryBackend served from a page table in this process, for unit tests, differential tests
// and fuzz targets of the transfer strategies (test-only: no shipped binary links it).
//
//   FakeMemory memory;
//   memory.Map(0x10000, 4, kProtRead | kProtWrite);   // four pages, filled with PatternByte(address)
//   memory.Map(0x16000, 1, kProtNone);
//   ssize_t n = memory.VmReadv(local, remote);
//
// It imitates what Linux 6.18 measurably does (backend/KERNEL_FACTS.md), not what the man pages say:
// process_vm_readv/writev split elements, stop at the first failing byte, return -EFAULT only when nothing
// moved, skip zero-length remote elements without looking at them, reject more than kIovMax elements per
// side and cap a call at kMaxRwCount bytes; PROT_NONE is like unmapped, read-only pages fail writes.
// /proc/<pid>/mem reads and writes ignore protections, stop at unmapped pages and give -EIO when the first
// byte is unmapped. SetDead() turns the target into an exited process (ESRCH; EOF on /proc/<pid>/mem);
// SetDenied() into one we may not ptrace (EPERM; EACCES for /proc/<pid>/mem). QueryVma answers as
// PROCMAP_QUERY does from the same mappings ReadMapsText lists; SetProcmapQuery(false) makes it a kernel
// before 6.11 (-ENOTTY, counted once, as LinuxMemoryBackend remembers it).
#ifndef PROCSCOPE_BACKEND_MEMORY_FAKE_MEMORY_H_
#define PROCSCOPE_BACKEND_MEMORY_FAKE_MEMORY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backend/memory/memory_backend.h"
#include "fixtures/pattern.h"

namespace procscope {

inline constexpr uint64_t kFakePageSize = 4096;
inline constexpr int kProtNone = 0;
inline constexpr int kProtRead = 1;
inline constexpr int kProtWrite = 2;

class FakeMemory final : public MemoryBackend {
 public:
  // Maps `pages` pages at page-aligned `address` with protection `prot` (replacing what was there), filled
  // with PatternByte.
  void Map(uint64_t address, uint64_t pages, int prot);
  void Unmap(uint64_t address, uint64_t pages);
  void Protect(uint64_t address, uint64_t pages, int prot);
  // Makes mapped pages guard pages (MADV_GUARD_INSTALL, 6.13): they keep their protection, so the maps and
  // QueryVma show them inside their neighbours' mapping, but every access fails, forced /proc/<pid>/mem
  // ones too (-EFAULT / -EIO, as for a hole). Unmapped pages are left alone.
  void InstallGuard(uint64_t address, uint64_t pages);
  bool IsGuard(uint64_t address) const;
  void SetDead(bool dead) { dead_ = dead; }
  void SetDenied(bool denied) { denied_ = denied; }
  // Whether MemPread/MemPwrite force access (default true, as the kernel does unless
  // proc_mem.force_override forbids it): false makes them stop at a page without the needed protection
  // as they stop at a hole.
  void SetForces(bool forces) { forces_ = forces; }
  // ReadMapsText returns `text` instead of the pages' maps (a kernel whose maps the parser cannot read);
  // nullopt goes back to the pages'.
  void SetMapsText(std::optional<std::string> text) { maps_override_ = std::move(text); }
  void SetProcmapQuery(bool supported) { query_supported_ = supported; }
  // Whether PagemapRead marks guard pages (bit 58, as 6.15+ does; default true): false imitates 6.13-6.14,
  // whose guard pages read as plain pages there.
  void SetPagemapGuardBit(bool shown) { pagemap_guard_bit_ = shown; }
  // How many QueryVma calls reached the (imitated) kernel.
  uint64_t queries() const { return queries_; }

  // How many remote ranges the VmReadv/VmWritev calls so far carried (a merged span is one).
  uint64_t remote_ranges() const { return remote_ranges_; }

  // The byte at `address` ignoring protection; nullopt when unmapped.
  std::optional<uint8_t> Peek(uint64_t address) const;
  // The bytes of the page holding `address`, ignoring protection; empty when unmapped.
  std::span<const uint8_t> PageBytes(uint64_t address) const;
  // Protection of the page holding `address`; nullopt when unmapped.
  std::optional<int> ProtectionAt(uint64_t address) const;

  ssize_t VmReadv(std::span<const iovec> local, std::span<const iovec> remote) override;
  ssize_t VmWritev(std::span<const iovec> local, std::span<const iovec> remote) override;
  ssize_t MemPread(void* buffer, size_t length, uint64_t address) override;
  ssize_t MemPwrite(const void* buffer, size_t length, uint64_t address) override;
  // Contiguous pages of equal protection as one anonymous private mapping each, in /proc maps format.
  StatusOr<std::string_view> ReadMapsText() override;
  int QueryVma(uint64_t address, VmaInfo& vma) override;
  // Entries with bit 63 (present) for mapped pages and bit 58 for guard pages; 0 for unmapped ones.
  ssize_t PagemapRead(uint64_t first_page, std::span<uint64_t> entries) override;

 private:
  struct Page {
    int prot = kProtNone;
    bool guard = false;
    std::vector<uint8_t> bytes;
  };
  ssize_t VmTransfer(std::span<const iovec> local, std::span<const iovec> remote, bool write);
  ssize_t MemTransfer(uint8_t* buffer, size_t length, uint64_t address, bool write);

  std::map<uint64_t, Page> pages_;  // keyed by page number (address / kFakePageSize)
  bool dead_ = false;
  bool denied_ = false;
  bool forces_ = true;
  bool query_supported_ = true;
  bool pagemap_guard_bit_ = true;
  bool query_refused_ = false;  // -ENOTTY was answered once
  uint64_t queries_ = 0;
  std::string maps_text_;  // what ReadMapsText returned last
  std::optional<std::string> maps_override_;
  uint64_t remote_ranges_ = 0;
};

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_MEMORY_FAKE_MEMORY_H_
