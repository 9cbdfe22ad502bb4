// Parser for /proc/modules (loaded kernel modules).
//
//   StatusOr<std::vector<KernelModule>> mods = ParseModules(text);
//
// Line format (kernel/module/procfs.c): "name size refcount used_by state address[ (taint)]".
// - refcount is "-" on kernels without CONFIG_MODULE_UNLOAD (then used_by is "-" too): refcount is nullopt.
// - used_by names the modules that depend on this one (the kernel's source_list; the same names as
//   /sys/module/NAME/holders/), not the ones it depends on: with macvtap loaded, macvlan's line says
//   "macvtap," and macvtap's says "-". A comma-separated list with a trailing comma ("a,b,"), or "-" for
//   none; "[permanent]" may appear (a module loaded without an exit function).
// - address is "0x" + hex; it is 0 when the reader lacks CAP_SYSLOG (kptr_restrict): hidden, not "at 0".
// - The file does not exist on kernels without module support; that is the caller's business (no I/O here).
// Pure functions; every input gives modules or an EINVAL Status naming the line and field.
#ifndef PROCSCOPE_BACKEND_PROCFS_MODULES_H_
#define PROCSCOPE_BACKEND_PROCFS_MODULES_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "backend/status.h"

namespace procscope {

enum class ModuleState { kLive, kLoading, kUnloading };
std::string_view ModuleStateName(ModuleState state);  // "Live", "Loading", "Unloading"

struct KernelModule {
  std::string name;
  uint64_t size = 0;
  std::optional<int64_t> refcount;   // nullopt for "-"
  std::vector<std::string> used_by;  // modules that depend on this one (see above)
  ModuleState state = ModuleState::kLive;
  uint64_t address = 0;              // 0 = hidden
  std::optional<std::string> taint;  // the flags inside the parentheses, e.g. "OE"; nullopt when absent
  // Stable across snapshots and module load order: FNV-1a 64 of the name (names are unique while loaded).
  uint64_t handle = 0;

  std::string ToString() const;  // the line as the kernel prints it, without '\n'
  friend bool operator==(const KernelModule&, const KernelModule&) = default;
};
// gtest prints entries in their /proc form.
inline void PrintTo(const KernelModule& v, std::ostream* os) { *os << v.ToString(); }

// 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
uint64_t Fnv1a64(std::string_view bytes);

[[nodiscard]] StatusOr<KernelModule> ParseModulesLine(std::string_view line);
// Lines separated by '\n', final newline optional; an empty text is an empty list; an empty line is an error.
[[nodiscard]] StatusOr<std::vector<KernelModule>> ParseModules(std::string_view text);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCFS_MODULES_H_
