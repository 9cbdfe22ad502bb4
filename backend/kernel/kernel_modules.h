// Loaded kernel modules, from /proc/modules.
//
//   StatusOr<std::vector<KernelModule>> mods = ListKernelModules();
//   StatusOr<KernelModule> ext4 = FindKernelModule(Fnv1a64("ext4"));   // resolved against a fresh read
//
// A handle is the FNV-1a 64 hash of the module's name (KernelModule::handle), so it does not depend on load
// order or on the other modules: it names the same module in every snapshot while that module is loaded.
// A kernel built without module support has no /proc/modules: that is an empty list, not an error. An
// address of 0 means the kernel hides it from this reader (kptr_restrict / no CAP_SYSLOG): see
// KernelModuleAddress.
#ifndef PROCSCOPE_BACKEND_KERNEL_KERNEL_MODULES_H_
#define PROCSCOPE_BACKEND_KERNEL_KERNEL_MODULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backend/procfs/modules.h"
#include "backend/status.h"

namespace procscope {

inline constexpr char kProcModulesPath[] = "/proc/modules";

// `path` is for tests; the default is the real file.
[[nodiscard]] StatusOr<std::vector<KernelModule>> ListKernelModules(
    const std::string& path = kProcModulesPath);
// ENOENT when no loaded module has that handle now.
[[nodiscard]] StatusOr<KernelModule> FindKernelModule(uint64_t handle,
                                                      const std::string& path = kProcModulesPath);
// The load address, nullopt when the kernel hid it (printed as 0).
std::optional<uint64_t> KernelModuleAddress(const KernelModule& module);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_KERNEL_KERNEL_MODULES_H_
