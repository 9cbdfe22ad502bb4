// /proc/<pid>/maps is not a snapshot: the kernel produces it a page at a time while the process may change
// its mappings, so one read can hold entries that overlap or go backwards. This checks for that and reads
// again. Pure apart from the `read` callback (which does the I/O).
//
//   StatusOr<std::vector<MapsEntry>> maps = ReadOrderedMaps([&] { return ReadFileToString(path); }, 5);
#ifndef PROCSCOPE_BACKEND_PROCFS_MAPS_ORDER_H_
#define PROCSCOPE_BACKEND_PROCFS_MAPS_ORDER_H_

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "backend/procfs/maps.h"
#include "backend/status.h"

namespace procscope {

// OK when every entry starts at or after the end of the one before; EAGAIN naming the first line (1-based)
// that overlaps or goes backwards otherwise.
Status CheckMapsOrder(std::span<const MapsEntry> entries);

// Parses maps text from `read` and checks its order, reading again up to `max_reads` times in all while the
// text overlaps or goes backwards. Parse errors and read errors are returned at once; EAGAIN when no read
// gave an ordered text. `reads` (if not null) gets the number of reads made.
[[nodiscard]] StatusOr<std::vector<MapsEntry>> ReadOrderedMaps(
    const std::function<StatusOr<std::string>()>& read, int max_reads, int* reads = nullptr);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCFS_MAPS_ORDER_H_
