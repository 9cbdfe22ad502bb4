#include "backend/procfs/maps_order.h"

#include <cerrno>

namespace procscope {

Status CheckMapsOrder(std::span<const MapsEntry> entries) {
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].start < entries[i - 1].end) {
      return Status(EAGAIN, "maps line " + std::to_string(i + 1) + " starts at " +
                                std::to_string(entries[i].start) + ", before the end of the line above");
    }
  }
  return OkStatus();
}

StatusOr<std::vector<MapsEntry>> ReadOrderedMaps(const std::function<StatusOr<std::string>()>& read,
                                                 int max_reads, int* reads) {
  Status last = Status(EAGAIN, "maps was never read");
  for (int i = 1; i <= max_reads; ++i) {
    if (reads != nullptr) *reads = i;
    StatusOr<std::string> text = read();
    if (!text.ok()) return text.status();
    StatusOr<std::vector<MapsEntry>> entries = ParseMaps(*text);
    if (!entries.ok()) return entries.status();
    last = CheckMapsOrder(*entries);
    if (last.ok()) return entries;
  }
  return Status(EAGAIN, "maps did not settle in " + std::to_string(max_reads) + " reads: " + last.message());
}

}  // namespace procscope
