// Modules (loaded files) and the main program, derived from a /proc/<pid>/maps snapshot. Pure functions,
// no I/O.
//
//   std::vector<Module> modules = ModulesFromMaps(*ParseMaps(text));
//
// A module is one load of one file: a run of file-backed mappings of the same file (same device and inode);
// a mapping of the file's offset 0 starts a new load (so one file mapped twice is two modules; offsets
// inside one load need not rise: the RELRO part of a glibc-loaded library maps an earlier offset after a
// later one). Anonymous mappings between them (a library's .bss) do not end the run. Other files' mappings
// between them do not either when the later part starts within kMaxSegmentGap of the load's end: the
// kernel maps an ELF it loads itself (the program, the dynamic loader) segment by segment and leaves the
// alignment padding between segments unmapped (64 KiB on arm64), where a later mmap may land. Such a load
// then spans other modules: ranges nest, and FindModuleContaining picks the innermost. The module's
// handle is its base, the start of its first
// mapping: a handle stays valid for as long as that load stays mapped, whatever else the process maps or
// unmaps, and names nothing once it is gone (until something else is mapped at that address: compare the
// path, device and inode when that matters). Mappings without an inode (anon_inode:...) and shared anonymous
// memory (a deleted /dev/zero on device 0:x) are not modules; memfd mappings are (code can be loaded from
// them).
#ifndef PROCSCOPE_BACKEND_PROCESS_MODULE_MAP_H_
#define PROCSCOPE_BACKEND_PROCESS_MODULE_MAP_H_

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backend/procfs/auxv.h"
#include "backend/procfs/maps.h"
#include "backend/status.h"

namespace procscope {

struct Module {
  uint64_t base = 0;  // the handle
  uint64_t end = 0;   // end of the last mapping of the run (trailing anonymous .bss not included)
  std::string path;   // as MapsEntry::path(); Process::Modules replaces it by the exact name when it can
  std::string name;   // the last component of path
  uint32_t dev_major = 0, dev_minor = 0;
  uint64_t inode = 0;
  bool deleted = false;  // the maps line said " (deleted)"
  uint64_t size() const { return end - base; }
  friend bool operator==(const Module&, const Module&) = default;
};

// For test failures: "Module{0x7f..-0x7f.. libc.so.6 path=/usr/lib/... dev=08:01 inode=123 deleted}".
void PrintTo(const Module& module, std::ostream* os);

// The last path component ("/usr/lib/libc.so.6" -> "libc.so.6"; "/memfd:x (deleted)" -> "memfd:x (deleted)").
std::string BaseName(const std::string& path);

// The largest unmapped padding between two segments of one load that another file's mapping may fill:
// 2 MiB, the largest segment alignment in use (x86-64 binaries aligned for huge pages; arm64 uses 64 KiB).
inline constexpr uint64_t kMaxSegmentGap = 2 << 20;

// `entries` in the kernel's order (ascending addresses). The modules come out by ascending base.
std::vector<Module> ModulesFromMaps(std::span<const MapsEntry> entries);

// The module whose range holds `address`, the innermost one (largest base) when loads nest; null if none.
const Module* FindModuleContaining(std::span<const Module> modules, uint64_t address);

// What is known about a process's main program, each part optional (it could not be read).
struct PrimaryEvidence {
  std::optional<std::vector<AuxvEntry>> stack_auxv;   // the auxv on the initial stack (ParseInitialStack)
  std::optional<std::vector<AuxvEntry>> procfs_auxv;  // /proc/<pid>/auxv (ParseAuxv)
  struct FileId {
    uint32_t dev_major = 0, dev_minor = 0;  // from stat(): on overlayfs and btrfs not what maps prints
    uint64_t inode = 0;
    std::string path;  // the link's target, " (deleted)" resolved
  };
  std::optional<FileId> exe;  // what /proc/<pid>/exe points at
};
struct PrimaryChoice {
  size_t index = 0;    // into the modules
  const char* source;  // "stack auxv", "procfs auxv", "exe" or "first mapping"
};
// The main program among `modules`, from the best evidence that names one: the module containing AT_PHDR
// (else AT_ENTRY) of the stack's auxv, then of the procfs auxv, then the module of the executable's file
// (same inode, and same device or same path: maps and stat() disagree on devices on overlayfs and btrfs),
// then the first module. nullopt when there are no modules.
std::optional<PrimaryChoice> ChoosePrimaryModule(std::span<const Module> modules,
                                                 const PrimaryEvidence& evidence);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCESS_MODULE_MAP_H_
