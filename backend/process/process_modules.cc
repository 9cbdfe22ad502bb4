// Process: the files a process has mapped (modules), the main program among them, and which address ranges
// are mapped. The derivations are pure functions (module_map.h, mapped_ranges.h); this adds the reads and
// the exact paths from /proc/<pid>/map_files.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>

#include "backend/hex.h"
#include "backend/process/deleted_path.h"
#include "backend/process/process.h"
#include "backend/procfs/auxv.h"

namespace procscope {
namespace {

// How much of the initial stack is read to find the auxv glibc's loader left there.
constexpr uint64_t kMaxStackImage = 4 << 20;

}  // namespace

StatusOr<std::vector<Module>> Process::Modules() const {
  StatusOr<std::vector<MapsEntry>> maps = Maps();
  if (!maps.ok()) return maps.status();
  return ExactModules(*maps);
}

std::vector<Module> Process::ExactModules(const std::vector<MapsEntry>& maps) const {
  std::vector<Module> modules = ModulesFromMaps(maps);
  for (Module& m : modules) {
    auto first = std::lower_bound(maps.begin(), maps.end(), m.base,
                                  [](const MapsEntry& e, uint64_t base) { return e.start < base; });
    if (first == maps.end() || first->start != m.base) continue;
    const bool ambiguous = first->deleted || first->path_raw.find("\\012") != std::string::npos;
    if (!ambiguous) continue;
    const std::string link = "map_files/" + HexDigits(first->start) + "-" + HexDigits(first->end);
    StatusOr<std::string> target = ReadLinkAt(dir_fd_.get(), link, Label(link));
    if (!target.ok()) continue;  // no access to map_files: keep what maps says
    // Inode only: maps's device is not stat()'s on overlayfs and btrfs (see FileIdentity).
    m.path = ResolveDeleted(std::move(*target), FileIdentity{m.inode, std::nullopt}, &m.deleted);
    m.name = BaseName(m.path);
  }
  return modules;
}

StatusOr<Module> Process::ModuleByHandle(uint64_t handle) const {
  StatusOr<std::vector<Module>> modules = Modules();
  if (!modules.ok()) return modules.status();
  for (const Module& m : *modules)
    if (m.base == handle) return m;
  return Status(ENOENT, "no module with handle " + Hex(handle) + " in process " + std::to_string(pid_));
}

StatusOr<Module> Process::ModuleByAddress(uint64_t address) const {
  StatusOr<std::vector<Module>> modules = Modules();
  if (!modules.ok()) return modules.status();
  if (const Module* m = FindModuleContaining(*modules, address)) return *m;
  return Status(ENOENT, "no module contains " + Hex(address) + " in process " + std::to_string(pid_));
}

StatusOr<Module> Process::ModuleByName(std::string_view name_or_path) const {
  StatusOr<std::vector<Module>> modules = Modules();
  if (!modules.ok()) return modules.status();
  for (const Module& m : *modules)
    if (m.name == name_or_path || m.path == name_or_path) return m;
  return Status(ENOENT,
                "no module named '" + std::string(name_or_path) + "' in process " + std::to_string(pid_));
}

StatusOr<PrimaryModule> Process::Primary() const {
  StatusOr<std::vector<MapsEntry>> maps = Maps();
  if (!maps.ok()) return maps.status();
  const std::vector<Module> modules = ExactModules(*maps);
  PrimaryEvidence evidence;
  // A 32-bit program (i386 on x86_64) has 4-byte words on its stack and in its auxv; unknown: this build's.
  StatusOr<ElfIdentity> elf = ExeElf();
  const WordSize word = (elf.ok() ? elf->is_64bit : sizeof(void*) == 8) ? WordSize::k64 : WordSize::k32;
  // The initial stack's auxv: what the loader says the program is.
  StatusOr<ProcStat> stat = Stat();
  const uint64_t sp = stat.ok() ? stat->startstack.value_or(0) : 0;
  for (const MapsEntry& e : *maps) {
    if (sp == 0 || sp < e.start || sp >= e.end) continue;
    std::string image(std::min(e.end - sp, kMaxStackImage), '\0');
    const Element element{sp, image.data(), image.size()};
    ElementResult result;
    if (Transfer(*MakeStrategy("default"), Direction::kRead, {&element, 1}, {&result, 1}).ok()) {
      if (StatusOr<std::vector<AuxvEntry>> auxv = ParseInitialStack(image, word); auxv.ok()) {
        evidence.stack_auxv = *std::move(auxv);
      }
    }
    break;
  }
  if (StatusOr<std::string> text = ReadProcFile("auxv"); text.ok()) {
    if (StatusOr<std::vector<AuxvEntry>> auxv = ParseAuxv(*text, word); auxv.ok())
      evidence.procfs_auxv = *std::move(auxv);
  }
  struct stat exe;
  if (fstatat(dir_fd_.get(), "exe", &exe, 0) == 0) {
    evidence.exe = PrimaryEvidence::FileId{major(exe.st_dev), minor(exe.st_dev), exe.st_ino, ""};
    if (StatusOr<std::string> link = ReadLinkAt(dir_fd_.get(), "exe", Label("exe")); link.ok()) {
      bool deleted;
      evidence.exe->path = ResolveDeleted(*std::move(link), FileIdentity{exe.st_ino, exe.st_dev}, &deleted);
    }
  }
  const std::optional<PrimaryChoice> choice = ChoosePrimaryModule(modules, evidence);
  if (!choice) return Status(ENOENT, "process " + std::to_string(pid_) + " maps no file");
  return PrimaryModule{modules[choice->index], choice->source};
}

StatusOr<std::vector<AddressRange>> Process::MappedMemory(uint64_t start, uint64_t end,
                                                          uint64_t max_gap) const {
  StatusOr<std::vector<MapsEntry>> maps = Maps();
  if (!maps.ok()) return maps.status();
  return MappedRanges(*maps, start, end, max_gap);
}

}  // namespace procscope
