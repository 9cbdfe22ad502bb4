#include "backend/process/module_map.h"

#include <algorithm>
#include <cerrno>

namespace procscope {

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::vector<Module> ModulesFromMaps(std::span<const MapsEntry> entries) {
  std::vector<Module> modules;
  bool open = false;  // the last file-backed mapping belongs to modules.back()
  for (const MapsEntry& e : entries) {
    if (e.kind != MapsKind::kFile) continue;  // anonymous mappings between a module's parts do not end it
    // No inode: anon_inode:... . Shared anonymous memory shows as a deleted /dev/zero on the internal shmem
    // mount (device 0:1); it is memory, not a loaded file.
    if (e.inode == 0 || (e.dev_major == 0 && e.deleted && e.path_raw == "/dev/zero (deleted)")) {
      open = false;
      continue;
    }
    Module* last = open ? &modules.back() : nullptr;
    if (last != nullptr && last->inode == e.inode && last->dev_major == e.dev_major &&
        last->dev_minor == e.dev_minor && e.offset != 0) {
      last->end = e.end;
      continue;
    }
    Module m;
    m.base = e.start;
    m.end = e.end;
    m.path = e.path();
    m.name = BaseName(m.path);
    m.dev_major = e.dev_major;
    m.dev_minor = e.dev_minor;
    m.inode = e.inode;
    m.deleted = e.deleted;
    modules.push_back(std::move(m));
    open = true;
  }
  return modules;
}

std::optional<PrimaryChoice> ChoosePrimaryModule(std::span<const Module> modules,
                                                 const PrimaryEvidence& evidence) {
  if (modules.empty()) return std::nullopt;
  constexpr uint64_t kAtPhdr = 3, kAtEntry = 9;
  const auto by_auxv = [&](const std::optional<std::vector<AuxvEntry>>& auxv) -> std::optional<size_t> {
    if (!auxv) return std::nullopt;
    for (uint64_t type : {kAtPhdr, kAtEntry}) {
      const std::optional<uint64_t> at = AuxvValue(*auxv, type);
      for (size_t i = 0; at && i < modules.size(); ++i) {
        if (*at >= modules[i].base && *at < modules[i].end) return i;
      }
    }
    return std::nullopt;
  };
  if (std::optional<size_t> i = by_auxv(evidence.stack_auxv)) return PrimaryChoice{*i, "stack auxv"};
  if (std::optional<size_t> i = by_auxv(evidence.procfs_auxv)) return PrimaryChoice{*i, "procfs auxv"};
  for (size_t i = 0; evidence.exe && i < modules.size(); ++i) {
    const Module& m = modules[i];
    if (m.inode == evidence.exe->inode && m.dev_major == evidence.exe->dev_major &&
        m.dev_minor == evidence.exe->dev_minor) {
      return PrimaryChoice{i, "exe"};
    }
  }
  return PrimaryChoice{0, "first mapping"};
}

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
