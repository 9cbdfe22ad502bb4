#include "backend/memory/classify.h"

#include <algorithm>

namespace procscope::memory_internal {

bool QueryCursor::Learn(uint64_t tagged_address) {
  const uint64_t address = UntaggedAddress(tagged_address);
  VmaInfo vma;
  const int rc = memory_.QueryVma(address, vma);
  if (rc != 0 && rc != -ENOENT) {
    known_ = false;
    error_ = -rc;
    return false;
  }
  known_ = true;
  from_ = address;
  none_above_ = rc == -ENOENT;
  vma_ = vma;
  return true;
}

AccessiblePrefix QueryCursor::Prefix(uint64_t tagged_address, uint64_t length) {
  const uint64_t address = UntaggedAddress(tagged_address);
  if (!Knows(address) && !Learn(address)) return {length, -1};
  if (none_above_ || address < vma_.start || !Allowed()) return {0, -1};
  const int64_t range = static_cast<int64_t>(vma_.start);
  uint64_t prefix = std::min(length, vma_.end - address);
  // Runs on into the next mapping when that one starts where this one ends and allows the access too.
  while (prefix < length) {
    const uint64_t next = vma_.end;
    if (!Learn(next)) return {length, -1};
    if (none_above_ || vma_.start != next || !Allowed()) break;
    prefix = std::min(length, vma_.end - address);
  }
  return {prefix, range};
}

bool GuardCursor::Load(uint64_t page) {
  first_ = page - page % kGuardWindow;
  loaded_ = false;
  const ssize_t n = memory_.PagemapRead(first_, std::span<uint64_t>(entries_, kGuardWindow));
  if (n != static_cast<ssize_t>(sizeof entries_)) return false;
  uint16_t next = kGuardWindow;
  for (size_t i = kGuardWindow; i-- > 0;) {
    if ((entries_[i] >> kPagemapGuardBit) & 1) {
      next = static_cast<uint16_t>(i);
      found_guard_ = true;
    }
    next_guard_[i] = next;
  }
  loaded_ = true;
  return true;
}

AccessiblePrefix GuardCursor::Prefix(uint64_t tagged_address, uint64_t length) {
  const uint64_t address = UntaggedAddress(tagged_address);
  const uint64_t first_page = address / kPagemapPageSize;
  const uint64_t last_page = (address + (length - 1)) / kPagemapPageSize;  // elements never wrap
  int64_t run = kUnknown;
  for (uint64_t page = first_page; page <= last_page;) {
    if (!loaded_ || page < first_ || page - first_ >= kGuardWindow) {
      if (!Load(page)) return {length, run == kUnknown ? kUnknown : run};
    }
    const uint64_t guard = first_ + next_guard_[page - first_];  // first guard page at or after `page`
    if (run == kUnknown) run = static_cast<int64_t>(guard);      // the guard-free run it starts in
    if (guard <= last_page && guard < first_ + kGuardWindow) {
      const uint64_t prefix = guard * kPagemapPageSize > address ? guard * kPagemapPageSize - address : 0;
      return {prefix, prefix == 0 ? -1 : run};
    }
    page = first_ + kGuardWindow;  // no guard up to the window's end: on to the next window
  }
  return {length, run};
}

}  // namespace procscope::memory_internal
