#include "backend/process/arch.h"

#include <cerrno>
#include <string>

namespace procscope {
namespace {

// ELF constants (elf(5)); spelled out so the parser does not depend on <elf.h> of the build host.
constexpr unsigned char kElfClass32 = 1, kElfClass64 = 2;
constexpr unsigned char kElfData2Lsb = 1, kElfData2Msb = 2;
constexpr uint16_t kEm386 = 3, kEmArm = 40, kEmX86_64 = 62, kEmAarch64 = 183;

}  // namespace

std::string_view ArchName(Arch arch) {
  switch (arch) {
    case Arch::kX86_64:
      return "x86_64";
    case Arch::kX86:
      return "x86";
    case Arch::kAarch64:
      return "aarch64";
    case Arch::kArm:
      return "arm";
    case Arch::kX32:
      return "x32";
    case Arch::kUnknown:
      break;
  }
  return "unknown";
}

Arch HostArch() {
#if defined(__x86_64__) && defined(__ILP32__)
  return Arch::kX32;
#elif defined(__x86_64__)
  return Arch::kX86_64;
#elif defined(__i386__)
  return Arch::kX86;
#elif defined(__aarch64__)
  return Arch::kAarch64;
#elif defined(__arm__)
  return Arch::kArm;
#else
  return Arch::kUnknown;
#endif
}

StatusOr<ElfIdentity> ParseElfArch(std::string_view header) {
  if (header.size() < 20) {
    return Status(EINVAL, "ELF header: " + std::to_string(header.size()) + " bytes, need 20");
  }
  if (header.substr(0, 4) !=
      "\x7f"
      "ELF")
    return Status(EINVAL, "ELF header: no \\x7fELF magic");
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(header[i]); };
  ElfIdentity id;
  if (byte(4) == kElfClass64) {
    id.is_64bit = true;
  } else if (byte(4) != kElfClass32) {
    return Status(EINVAL, "ELF header: class " + std::to_string(byte(4)));
  }
  if (byte(5) == kElfData2Lsb) {
    id.machine = static_cast<uint16_t>(byte(18) | (byte(19) << 8));
  } else if (byte(5) == kElfData2Msb) {
    id.machine = static_cast<uint16_t>((byte(18) << 8) | byte(19));
  } else {
    return Status(EINVAL, "ELF header: data encoding " + std::to_string(byte(5)));
  }
  switch (id.machine) {
    case kEmX86_64:
      id.arch = id.is_64bit ? Arch::kX86_64 : Arch::kX32;
      break;
    case kEm386:
      id.arch = Arch::kX86;
      break;
    case kEmAarch64:
      id.arch = Arch::kAarch64;
      break;
    case kEmArm:
      id.arch = Arch::kArm;
      break;
    default:
      id.arch = Arch::kUnknown;
  }
  return id;
}

}  // namespace procscope
