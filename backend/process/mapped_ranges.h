// Which parts of an address range are mapped readable, from a /proc/<pid>/maps snapshot. Pure, no I/O.
//
//   std::vector<AddressRange> ranges = MappedRanges(entries, 0x400000, 0x800000, /*max_gap=*/4096);
#ifndef PROCSCOPE_BACKEND_PROCESS_MAPPED_RANGES_H_
#define PROCSCOPE_BACKEND_PROCESS_MAPPED_RANGES_H_

#include <cstdint>
#include <span>
#include <vector>

#include "backend/procfs/maps.h"

namespace procscope {

struct AddressRange {
  uint64_t start = 0;
  uint64_t end = 0;  // exclusive
  friend bool operator==(const AddressRange&, const AddressRange&) = default;
};

// The readable parts of [start, end): every readable mapping clipped to the bounds (at both ends), with
// neighbours merged when the gap between them is at most `max_gap` bytes (0 merges only touching ranges).
// `entries` must be in ascending order (see CheckMapsOrder in backend/procfs/maps_order.h). Empty when
// start >= end.
std::vector<AddressRange> MappedRanges(std::span<const MapsEntry> entries, uint64_t start, uint64_t end,
                                       uint64_t max_gap);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCESS_MAPPED_RANGES_H_
