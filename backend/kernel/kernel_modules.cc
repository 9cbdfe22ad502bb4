#include "backend/kernel/kernel_modules.h"

#include <cerrno>

#include "backend/hex.h"
#include "backend/procfs/read_file.h"

namespace procscope {

StatusOr<std::vector<KernelModule>> ListKernelModules(const std::string& path) {
  StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) {
    if (text.status().error_number() == ENOENT) return std::vector<KernelModule>{};
    return text.status();
  }
  StatusOr<std::vector<KernelModule>> modules = ParseModules(*text);
  if (!modules.ok()) return Status(EINVAL, path + ": " + modules.status().message());
  return modules;
}

StatusOr<KernelModule> FindKernelModule(uint64_t handle, const std::string& path) {
  StatusOr<std::vector<KernelModule>> modules = ListKernelModules(path);
  if (!modules.ok()) return modules.status();
  for (const KernelModule& m : *modules)
    if (m.handle == handle) return m;
  return Status(ENOENT, "no loaded kernel module has handle " + Hex(handle));
}

std::optional<uint64_t> KernelModuleAddress(const KernelModule& module) {
  if (module.address == 0) return std::nullopt;
  return module.address;
}

}  // namespace procscope
