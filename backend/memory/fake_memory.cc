#include "backend/memory/fake_memory.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace procscope {

void FakeMemory::Map(uint64_t address, uint64_t pages, int prot) {
  const uint64_t first = address / kFakePageSize;
  for (uint64_t p = first; p < first + pages; ++p) {
    Page& page = pages_[p];
    page.prot = prot;
    page.guard = false;
    page.bytes.resize(kFakePageSize);
    FillPattern(page.bytes.data(), p * kFakePageSize, kFakePageSize);
  }
}

void FakeMemory::Unmap(uint64_t address, uint64_t pages) {
  const uint64_t first = address / kFakePageSize;
  for (uint64_t p = first; p < first + pages; ++p) pages_.erase(p);
}

void FakeMemory::Protect(uint64_t address, uint64_t pages, int prot) {
  const uint64_t first = address / kFakePageSize;
  for (uint64_t p = first; p < first + pages; ++p) {
    if (auto it = pages_.find(p); it != pages_.end()) it->second.prot = prot;
  }
}

void FakeMemory::InstallGuard(uint64_t address, uint64_t pages) {
  const uint64_t first = address / kFakePageSize;
  for (uint64_t p = first; p < first + pages; ++p) {
    if (auto it = pages_.find(p); it != pages_.end()) it->second.guard = true;
  }
}

bool FakeMemory::IsGuard(uint64_t address) const {
  auto it = pages_.find(address / kFakePageSize);
  return it != pages_.end() && it->second.guard;
}

std::optional<uint8_t> FakeMemory::Peek(uint64_t address) const {
  auto it = pages_.find(address / kFakePageSize);
  if (it == pages_.end()) return std::nullopt;
  return it->second.bytes[address % kFakePageSize];
}

std::span<const uint8_t> FakeMemory::PageBytes(uint64_t address) const {
  auto it = pages_.find(address / kFakePageSize);
  if (it == pages_.end()) return {};
  return it->second.bytes;
}

std::optional<int> FakeMemory::ProtectionAt(uint64_t address) const {
  auto it = pages_.find(address / kFakePageSize);
  if (it == pages_.end()) return std::nullopt;
  return it->second.prot;
}

ssize_t FakeMemory::VmReadv(std::span<const iovec> local, std::span<const iovec> remote) {
  return VmTransfer(local, remote, /*write=*/false);
}

ssize_t FakeMemory::VmWritev(std::span<const iovec> local, std::span<const iovec> remote) {
  return VmTransfer(local, remote, /*write=*/true);
}

ssize_t FakeMemory::VmTransfer(std::span<const iovec> local, std::span<const iovec> remote, bool write) {
  CountSyscall();
  remote_ranges_ += remote.size();
  if (local.size() > kIovMax || remote.size() > kIovMax) return -EINVAL;
  uint64_t local_total = 0;
  for (const iovec& v : local) local_total += v.iov_len;
  if (local_total == 0) return 0;  // the kernel returns before it looks at the pid
  if (dead_) return -ESRCH;
  if (denied_) return -EPERM;

  // The local side is a plain byte stream, independent of the remote element boundaries. Bytes move in
  // chunks that stay within one remote page and one local iovec.
  size_t local_index = 0, local_offset = 0;
  uint64_t done = 0;
  const int needed = write ? kProtWrite : kProtRead;
  for (const iovec& r : remote) {
    const uint64_t base = reinterpret_cast<uintptr_t>(r.iov_base);
    for (uint64_t i = 0; i < r.iov_len;) {  // zero-length elements never enter this loop
      if (done == kMaxRwCount) return static_cast<ssize_t>(done);
      while (local_index < local.size() && local_offset == local[local_index].iov_len) {
        ++local_index;
        local_offset = 0;
      }
      if (local_index == local.size()) return static_cast<ssize_t>(done);
      const uint64_t at = base + i;
      auto it = pages_.find(at / kFakePageSize);
      if (at < base || it == pages_.end() || it->second.guard || (it->second.prot & needed) == 0) {
        return done > 0 ? static_cast<ssize_t>(done) : -EFAULT;
      }
      const uint64_t chunk = std::min({r.iov_len - i, kFakePageSize - at % kFakePageSize,
                                       local[local_index].iov_len - local_offset, kMaxRwCount - done});
      uint8_t* remote_bytes = it->second.bytes.data() + at % kFakePageSize;
      uint8_t* local_bytes = static_cast<uint8_t*>(local[local_index].iov_base) + local_offset;
      std::memmove(write ? remote_bytes : local_bytes, write ? local_bytes : remote_bytes, chunk);
      local_offset += chunk;
      done += chunk;
      i += chunk;
    }
  }
  return static_cast<ssize_t>(done);
}

ssize_t FakeMemory::MemPread(void* buffer, size_t length, uint64_t address) {
  return MemTransfer(static_cast<uint8_t*>(buffer), length, address, /*write=*/false);
}

ssize_t FakeMemory::MemPwrite(const void* buffer, size_t length, uint64_t address) {
  return MemTransfer(static_cast<uint8_t*>(const_cast<void*>(buffer)), length, address, /*write=*/true);
}

ssize_t FakeMemory::MemTransfer(uint8_t* buffer, size_t length, uint64_t address, bool write) {
  CountSyscall();
  if (denied_) return -EACCES;
  if (dead_) return 0;  // an open /proc/<pid>/mem reads EOF once the process is gone
  if (address > static_cast<uint64_t>(INT64_MAX)) return -EINVAL;  // negative off_t
  uint64_t done = 0;
  while (done < length && done < kMaxRwCount) {
    const uint64_t at = address + done;
    auto it = at < address ? pages_.end() : pages_.find(at / kFakePageSize);
    const bool allowed = it != pages_.end() && !it->second.guard &&
                         (forces_ || (it->second.prot & (write ? kProtWrite : kProtRead)) != 0);
    if (!allowed) return done > 0 ? static_cast<ssize_t>(done) : -EIO;
    const uint64_t chunk = std::min({length - done, kFakePageSize - at % kFakePageSize, kMaxRwCount - done});
    uint8_t* page_bytes = it->second.bytes.data() + at % kFakePageSize;
    std::memmove(write ? page_bytes : buffer + done, write ? buffer + done : page_bytes, chunk);
    done += chunk;
  }
  return static_cast<ssize_t>(done);
}

StatusOr<std::string_view> FakeMemory::ReadMapsText() {
  CountSyscall();
  if (dead_) return Status(ENOENT, "open /proc/<fake>/maps: the process is gone");
  if (maps_override_) return std::string_view(*maps_override_);
  std::string& text = maps_text_;
  text.clear();
  for (auto it = pages_.begin(); it != pages_.end();) {
    const uint64_t first = it->first;
    const int prot = it->second.prot;
    uint64_t last = first;
    auto next = std::next(it);
    while (next != pages_.end() && next->first == last + 1 && next->second.prot == prot) {
      last = next->first;
      ++next;
    }
    char line[128];
    std::snprintf(line, sizeof line, "%08" PRIx64 "-%08" PRIx64 " %c%c-p 00000000 00:00 0\n",
                  first * kFakePageSize, (last + 1) * kFakePageSize, (prot & kProtRead) ? 'r' : '-',
                  (prot & kProtWrite) ? 'w' : '-');
    text += line;
    it = next;
  }
  return std::string_view(text);
}

int FakeMemory::QueryVma(uint64_t address, VmaInfo& vma) {
  if (!query_supported_ && query_refused_) return -ENOTTY;
  CountSyscall();
  ++queries_;
  if (!query_supported_) {
    query_refused_ = true;
    return -ENOTTY;
  }
  if (dead_) return -ESRCH;
  if (denied_) return -EPERM;
  // The run of contiguous pages of one protection (one line of ReadMapsText) that holds the address's
  // page, else the first one above it.
  auto it = pages_.lower_bound(address / kFakePageSize);
  if (it == pages_.end()) return -ENOENT;
  const int prot = it->second.prot;
  uint64_t first = it->first, last = it->first;
  if (it != pages_.begin()) {
    for (auto before = std::prev(it); before->first + 1 == first && before->second.prot == prot; --before) {
      first = before->first;
      if (before == pages_.begin()) break;
    }
  }
  for (auto next = std::next(it);
       next != pages_.end() && next->first == last + 1 && next->second.prot == prot; ++next) {
    last = next->first;
  }
  vma = {first * kFakePageSize, (last + 1) * kFakePageSize, (prot & kProtRead) != 0,
         (prot & kProtWrite) != 0};
  return 0;
}

ssize_t FakeMemory::PagemapRead(uint64_t first_page, std::span<uint64_t> entries) {
  CountSyscall();
  if (denied_) return -EPERM;
  if (dead_) return 0;  // pagemap_read finds no live mm: EOF
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto it = pages_.find(first_page + i);
    entries[i] = it == pages_.end()
                     ? 0
                     : (uint64_t{1} << 63) |
                           (it->second.guard && pagemap_guard_bit_ ? uint64_t{1} << kPagemapGuardBit : 0);
  }
  return static_cast<ssize_t>(entries.size_bytes());
}

}  // namespace procscope
