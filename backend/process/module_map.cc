#include "backend/process/module_map.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <ostream>
#include <tuple>

#include "backend/hex.h"

namespace procscope {

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::vector<Module> ModulesFromMaps(std::span<const MapsEntry> entries) {
  std::vector<Module> modules;
  bool open = false;  // the last file-backed mapping belongs to modules.back()
  // The latest load of each file (device, inode): its index in `modules`.
  std::map<std::tuple<uint32_t, uint32_t, uint64_t>, size_t> latest;
  for (const MapsEntry& e : entries) {
    if (e.kind != MapsKind::kFile) continue;  // anonymous mappings between a module's parts do not end it
    if (e.start >= e.end) continue;  // maps nothing (the kernel never prints one; the parser accepts it)
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
    const auto file = std::make_tuple(e.dev_major, e.dev_minor, e.inode);
    if (const auto it = latest.find(file); it != latest.end() && e.offset != 0) {
      Module& load = modules[it->second];  // other files' mappings came between: a gap-filling mmap?
      if (e.start >= load.end && e.start - load.end <= kMaxSegmentGap) {
        load.end = e.end;
        open = false;  // modules.back() is another file's
        continue;
      }
    }
    latest[file] = modules.size();
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

const Module* FindModuleContaining(std::span<const Module> modules, uint64_t address) {
  const Module* found = nullptr;
  for (const Module& m : modules) {
    if (address >= m.base && address < m.end && (found == nullptr || m.base > found->base)) found = &m;
  }
  return found;
}

std::optional<PrimaryChoice> ChoosePrimaryModule(std::span<const Module> modules,
                                                 const PrimaryEvidence& evidence) {
  if (modules.empty()) return std::nullopt;
  constexpr uint64_t kAtPhdr = 3, kAtEntry = 9;
  const auto by_auxv = [&](const std::optional<std::vector<AuxvEntry>>& auxv) -> std::optional<size_t> {
    if (!auxv) return std::nullopt;
    for (uint64_t type : {kAtPhdr, kAtEntry}) {
      const std::optional<uint64_t> at = AuxvValue(*auxv, type);
      if (!at) continue;
      if (const Module* m = FindModuleContaining(modules, *at))
        return static_cast<size_t>(m - modules.data());
    }
    return std::nullopt;
  };
  if (std::optional<size_t> i = by_auxv(evidence.stack_auxv)) return PrimaryChoice{*i, "stack auxv"};
  if (std::optional<size_t> i = by_auxv(evidence.procfs_auxv)) return PrimaryChoice{*i, "procfs auxv"};
  for (size_t i = 0; evidence.exe && i < modules.size(); ++i) {
    const Module& m = modules[i];
    const bool same_device = m.dev_major == evidence.exe->dev_major && m.dev_minor == evidence.exe->dev_minor;
    if (m.inode == evidence.exe->inode && (same_device || m.path == evidence.exe->path)) {
      return PrimaryChoice{i, "exe"};
    }
  }
  return PrimaryChoice{0, "first mapping"};
}

void PrintTo(const Module& module, std::ostream* os) {
  char device[24];
  std::snprintf(device, sizeof device, "%02x:%02x", module.dev_major, module.dev_minor);
  *os << "Module{" << Hex(module.base) << "-" << Hex(module.end) << " " << module.name
      << " path=" << module.path << " dev=" << device << " inode=" << module.inode
      << (module.deleted ? " deleted}" : "}");
}

}  // namespace procscope
