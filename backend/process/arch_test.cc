#include "backend/process/arch.h"

#include <gtest/gtest.h>

#include <string>

#include "backend/procfs/testdata_util.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

using testing::ReadTestdata;

TEST(ParseElfArchTest, RealHeaders) {
  // /bin/true of this machine, and objects compiled by clang 14 for each target (testdata/README.md).
  const struct {
    const char* file;
    Arch arch;
    bool is_64bit;
    uint16_t machine;
  } kCases[] = {
      {"elf_header_true.bin", Arch::kX86_64, true, 62},      {"elf_header_x86.bin", Arch::kX86, false, 3},
      {"elf_header_aarch64.bin", Arch::kAarch64, true, 183}, {"elf_header_arm.bin", Arch::kArm, false, 40},
      {"elf_header_x32.bin", Arch::kX32, false, 62},
  };
  for (const auto& c : kCases) {
    StatusOr<ElfIdentity> id = ParseElfArch(ReadTestdata(c.file));
    ASSERT_OK(id) << c.file;
    EXPECT_EQ(*id, (ElfIdentity{c.arch, c.is_64bit, c.machine})) << c.file;
  }
}

TEST(ParseElfArchTest, UnknownMachinesAndBigEndianHeaders) {
  std::string header = ReadTestdata("elf_header_true.bin");
  header[18] = 0x08;  // EM_MIPS
  header[19] = 0x00;
  StatusOr<ElfIdentity> mips = ParseElfArch(header);
  ASSERT_OK(mips);
  EXPECT_EQ(mips->arch, Arch::kUnknown);
  EXPECT_EQ(mips->machine, 8);
  header[5] = 2;  // big-endian: e_machine bytes are read the other way round
  header[18] = 0x00;
  header[19] = 0xb7;
  StatusOr<ElfIdentity> be = ParseElfArch(header);
  ASSERT_OK(be);
  EXPECT_EQ(be->arch, Arch::kAarch64);
}

TEST(ParseElfArchTest, RejectsWhatIsNotAnElfHeader) {
  const std::string good = ReadTestdata("elf_header_true.bin");
  EXPECT_TRUE(testing::RejectedNaming(ParseElfArch(good.substr(0, 19)), "19 bytes", "need 20"));
  EXPECT_TRUE(testing::RejectedNaming(ParseElfArch("#!/bin/sh\nexec true\n"), "script", "magic"));
  std::string bad_class = good;
  bad_class[4] = 3;
  EXPECT_TRUE(testing::RejectedNaming(ParseElfArch(bad_class), "class 3", "class"));
  std::string bad_data = good;
  bad_data[5] = 0;
  EXPECT_TRUE(testing::RejectedNaming(ParseElfArch(bad_data), "data 0", "data encoding"));
}

TEST(ArchTest, HostArchIsTheCompileTarget) {
#if defined(__x86_64__) && !defined(__ILP32__)
  EXPECT_EQ(HostArch(), Arch::kX86_64);
#elif defined(__aarch64__)
  EXPECT_EQ(HostArch(), Arch::kAarch64);
#endif
  EXPECT_EQ(ArchName(Arch::kX86), "x86");
  EXPECT_EQ(ArchName(Arch::kUnknown), "unknown");
}

}  // namespace
}  // namespace procscope
