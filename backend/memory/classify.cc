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

}  // namespace procscope::memory_internal
