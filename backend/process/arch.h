// Architectures: the host's (from the compile target) and a process's (from its executable's ELF header).
//
//   StatusOr<Arch> arch = ParseElfArch(first_64_bytes_of_exe);   // a 32-bit x86 program says kX86
//
// ParseElfArch is a pure function over the first bytes of an ELF file (at least the 20 bytes up to
// e_machine); it reads e_ident[EI_CLASS], e_ident[EI_DATA] and e_machine. EINVAL for something that is not
// an ELF header. An ELF machine procscope does not name is kUnknown with its number kept by the caller.
#ifndef PROCSCOPE_BACKEND_PROCESS_ARCH_H_
#define PROCSCOPE_BACKEND_PROCESS_ARCH_H_

#include <cstdint>
#include <string_view>

#include "backend/status.h"

namespace procscope {

enum class Arch { kX86_64, kX86, kAarch64, kArm, kX32, kUnknown };

// "x86_64", "x86", "aarch64", "arm", "x32", "unknown".
std::string_view ArchName(Arch arch);

// The architecture procscope was compiled for.
Arch HostArch();

struct ElfIdentity {
  Arch arch = Arch::kUnknown;
  bool is_64bit = false;
  uint16_t machine = 0;  // e_machine as stored
  friend bool operator==(const ElfIdentity&, const ElfIdentity&) = default;
};
[[nodiscard]] StatusOr<ElfIdentity> ParseElfArch(std::string_view header);

}  // namespace procscope

#endif  // PROCSCOPE_BACKEND_PROCESS_ARCH_H_
