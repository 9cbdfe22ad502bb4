// DyingMemory: a MemoryBackend that forwards to another one and lets the target die after a given number of
// calls, for testing what a strategy keeps when the process dies in the middle of a batch (test-only).
//
//   FakeMemory fake = ...;
//   DyingMemory memory(fake, /*calls_before_death=*/3);
//   Status s = TransferBatch(*strategy, memory, Direction::kRead, elements, results);
//   // s is ESRCH if the batch needed a 4th call; memory.moved() says which bytes the first 3 moved.
//
// Once dead it answers as the kernel does for a zombie (backend/KERNEL_FACTS.md): process_vm_readv/writev
// -ESRCH, /proc/<pid>/mem 0 (EOF), an empty maps, and PROCMAP_QUERY -ESRCH (the
// kernel finds no live mm); /proc/<pid>/pagemap 0 (EOF:
// the kernel's pagemap_read finds no live mm). Before that every call is the inner backend's, and
// what it moved is recorded, so a test can tell which elements were finished before the death and must keep
// their results. The inner backend is borrowed and must outlive this one.
#ifndef PROCSCOPE_BACKEND_MEMORY_DYING_MEMORY_H_
#define PROCSCOPE_BACKEND_MEMORY_DYING_MEMORY_H_

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "backend/memory/memory_backend.h"

namespace procscope {

class DyingMemory final : public MemoryBackend {
 public:
  DyingMemory(MemoryBackend& inner, uint64_t calls_before_death)
      : inner_(inner), calls_before_death_(calls_before_death) {}

  ssize_t VmReadv(std::span<const iovec> local, std::span<const iovec> remote) override;
  ssize_t VmWritev(std::span<const iovec> local, std::span<const iovec> remote) override;
  ssize_t MemPread(void* buffer, size_t length, uint64_t address) override;
  ssize_t MemPwrite(const void* buffer, size_t length, uint64_t address) override;
  StatusOr<std::string_view> ReadMapsText() override;
  int QueryVma(uint64_t address, VmaInfo& vma) override;
  ssize_t PagemapRead(uint64_t first_page, std::span<uint64_t> entries) override;

  // Whether some call found the target dead (the batch needed more calls than it was allowed).
  bool died() const { return died_; }
  // True when [start, end) was moved entirely by calls made before the death.
  bool Moved(uint64_t start, uint64_t end) const;
  // Addresses where a call before the death reported that it could not go on (the first byte a short or
  // failed process_vm call did not move; an address /proc/<pid>/mem answered EIO for).
  const std::set<uint64_t>& faults() const { return faults_; }
  // Whether the maps were read or queried before the death.
  bool read_maps() const { return read_maps_; }

 private:
  // Counts the call; true when the target is dead for it.
  bool Dead();
  ssize_t Vm(std::span<const iovec> local, std::span<const iovec> remote, bool write);
  void RecordMoved(uint64_t start, uint64_t length);

  MemoryBackend& inner_;
  uint64_t calls_before_death_;
  uint64_t calls_ = 0;
  bool died_ = false;
  bool read_maps_ = false;
  std::vector<std::pair<uint64_t, uint64_t>> moved_;           // [start, end) as recorded
  mutable std::vector<std::pair<uint64_t, uint64_t>> merged_;  // moved_ sorted and merged, built by Moved
  mutable bool merged_valid_ = false;
  std::set<uint64_t> faults_;
};

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_MEMORY_DYING_MEMORY_H_
