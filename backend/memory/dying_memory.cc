#include "backend/memory/dying_memory.h"

#include <algorithm>
#include <cerrno>

namespace procscope {

bool DyingMemory::Dead() {
  CountSyscall();
  if (++calls_ > calls_before_death_) died_ = true;
  return died_;
}

void DyingMemory::RecordMoved(uint64_t start, uint64_t length) {
  if (length == 0) return;
  moved_.emplace_back(start, start + length);
  merged_valid_ = false;
}

bool DyingMemory::Moved(uint64_t start, uint64_t end) const {
  if (start >= end) return true;
  if (!merged_valid_) {
    merged_ = moved_;
    std::sort(merged_.begin(), merged_.end());
    size_t out = 0;
    for (const auto& range : merged_) {
      if (out > 0 && range.first <= merged_[out - 1].second) {
        merged_[out - 1].second = std::max(merged_[out - 1].second, range.second);
      } else {
        merged_[out++] = range;
      }
    }
    merged_.resize(out);
    merged_valid_ = true;
  }
  // The merged range that starts at or before `start` must reach `end`.
  auto after = std::upper_bound(merged_.begin(), merged_.end(), std::make_pair(start, UINT64_MAX));
  return after != merged_.begin() && std::prev(after)->second >= end;
}

ssize_t DyingMemory::Vm(std::span<const iovec> local, std::span<const iovec> remote, bool write) {
  if (Dead()) return -ESRCH;
  const ssize_t n = write ? inner_.VmWritev(local, remote) : inner_.VmReadv(local, remote);
  uint64_t left = n > 0 ? static_cast<uint64_t>(n) : 0;
  if (n < 0 && n != -EFAULT) return n;
  for (const iovec& r : remote) {
    const uint64_t address = reinterpret_cast<uintptr_t>(r.iov_base);
    const uint64_t moved = std::min<uint64_t>(left, r.iov_len);
    RecordMoved(address, moved);
    left -= moved;
    if (moved < r.iov_len) {
      faults_.insert(address + moved);  // the kernel stopped here (calls never ask for more than it moves)
      break;
    }
  }
  return n;
}

ssize_t DyingMemory::VmReadv(std::span<const iovec> local, std::span<const iovec> remote) {
  return Vm(local, remote, false);
}

ssize_t DyingMemory::VmWritev(std::span<const iovec> local, std::span<const iovec> remote) {
  return Vm(local, remote, true);
}

ssize_t DyingMemory::MemPread(void* buffer, size_t length, uint64_t address) {
  if (Dead()) return 0;
  const ssize_t n = inner_.MemPread(buffer, length, address);
  if (n > 0) RecordMoved(address, static_cast<uint64_t>(n));
  if (n == -EIO) faults_.insert(address);
  return n;
}

ssize_t DyingMemory::MemPwrite(const void* buffer, size_t length, uint64_t address) {
  if (Dead()) return 0;
  const ssize_t n = inner_.MemPwrite(buffer, length, address);
  if (n > 0) RecordMoved(address, static_cast<uint64_t>(n));
  if (n == -EIO) faults_.insert(address);
  return n;
}

StatusOr<std::string_view> DyingMemory::ReadMapsText() {
  if (Dead()) return std::string_view();  // a zombie's maps is empty
  read_maps_ = true;
  return inner_.ReadMapsText();
}

int DyingMemory::QueryVma(uint64_t address, VmaInfo& vma) {
  if (Dead()) return -ESRCH;
  read_maps_ = true;
  return inner_.QueryVma(address, vma);
}

ssize_t DyingMemory::PagemapRead(uint64_t first_page, std::span<uint64_t> entries) {
  if (Dead()) return 0;
  read_maps_ = true;
  return inner_.PagemapRead(first_page, entries);
}

}  // namespace procscope
