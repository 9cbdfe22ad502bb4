#include "backend/process/mapped_ranges.h"

#include <algorithm>

namespace procscope {

std::vector<AddressRange> MappedRanges(std::span<const MapsEntry> entries, uint64_t start, uint64_t end,
                                       uint64_t max_gap) {
  std::vector<AddressRange> ranges;
  if (start >= end) return ranges;
  for (const MapsEntry& e : entries) {
    // An empty mapping (start == end; the parser accepts it) covers nothing.
    if (!e.read || e.start >= e.end || e.end <= start || e.start >= end) continue;
    const AddressRange r{std::max(e.start, start), std::min(e.end, end)};
    if (!ranges.empty() && r.start >= ranges.back().end && r.start - ranges.back().end <= max_gap) {
      ranges.back().end = r.end;
    } else {
      ranges.push_back(r);
    }
  }
  return ranges;
}

}  // namespace procscope
