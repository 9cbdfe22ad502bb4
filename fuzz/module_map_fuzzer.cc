// Fuzz target for ModulesFromMaps, MappedRanges and CheckMapsOrder over any maps text the parser accepts.
// The first 17 bytes choose the MappedRanges bounds and gap; the rest is the maps text. Invariants: every
// module starts at a file mapping and is non-empty; for an ordered text modules are ascending by base, and
// FindModuleContaining answers with a module that holds the address and no other holding one starts later;
// mapped ranges lie inside the bounds, are non-empty, ascending, and separated by more than the gap, and
// every byte they cover is in a readable mapping.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "backend/process/mapped_ranges.h"
#include "backend/process/module_map.h"
#include "backend/procfs/maps.h"
#include "backend/procfs/maps_order.h"
#include "fuzz/fuzz_check.h"

namespace {

bool Readable(const std::vector<procscope::MapsEntry>& maps, uint64_t address) {
  for (const procscope::MapsEntry& e : maps)
    if (e.read && address >= e.start && address < e.end) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 17) return 0;
  uint64_t start, end;
  std::memcpy(&start, data, 8);
  std::memcpy(&end, data + 8, 8);
  const uint64_t gap = uint64_t{1} << (data[16] % 20);
  const std::string_view text(reinterpret_cast<const char*>(data + 17), size - 17);
  procscope::StatusOr<std::vector<procscope::MapsEntry>> maps = procscope::ParseMaps(text);
  if (!maps.ok()) return 0;
  const bool ordered = procscope::CheckMapsOrder(*maps).ok();
  const std::vector<procscope::Module> modules = procscope::ModulesFromMaps(*maps);
  for (size_t i = 0; i < modules.size(); ++i) {
    const procscope::Module& m = modules[i];
    bool starts_a_file_mapping = false;
    for (const procscope::MapsEntry& e : *maps)
      starts_a_file_mapping |=
          e.start == m.base && e.inode == m.inode && e.kind == procscope::MapsKind::kFile;
    FUZZ_CHECK(starts_a_file_mapping);
    FUZZ_CHECK(m.name == procscope::BaseName(m.path));
    if (ordered) {
      FUZZ_CHECK(m.base < m.end);  // non-empty
      if (i > 0) FUZZ_CHECK(modules[i - 1].base < m.base);
      for (uint64_t address : {m.base, m.end - 1}) {
        const procscope::Module* found = procscope::FindModuleContaining(modules, address);
        FUZZ_CHECK(found != nullptr && found->base <= address && address < found->end);
        FUZZ_CHECK(found->base >= m.base || address >= m.end);
      }
    }
  }
  if (!ordered) return 0;
  const std::vector<procscope::AddressRange> ranges = procscope::MappedRanges(*maps, start, end, gap);
  for (size_t i = 0; i < ranges.size(); ++i) {
    const procscope::AddressRange& r = ranges[i];
    FUZZ_CHECK(r.start < r.end && r.start >= start && r.end <= end);
    if (i > 0) FUZZ_CHECK(r.start > ranges[i - 1].end && r.start - ranges[i - 1].end > gap);
    FUZZ_CHECK(Readable(*maps, r.start) && Readable(*maps, r.end - 1));
  }
  return 0;
}
