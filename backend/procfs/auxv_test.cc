#include "backend/procfs/auxv.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "backend/procfs/testdata_util.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

using ::testing::Not;

using testing::ReadTestdata;

constexpr uint64_t kAtPhdr = 3, kAtBase = 7, kAtEntry = 9, kAtPagesz = 6;

std::string Words(const std::vector<uint64_t>& words) {
  std::string bytes(words.size() * 8, '\0');
  std::memcpy(bytes.data(), words.data(), bytes.size());
  return bytes;
}

std::string Words32(const std::vector<uint32_t>& words) {
  std::string bytes(words.size() * 4, '\0');
  std::memcpy(bytes.data(), words.data(), bytes.size());
  return bytes;
}

TEST(ParseAuxvTest, RealCaptureOfAnLdSoLaunch) {
  // `ld-linux-x86-64.so.2 /bin/sleep 100`: the kernel's copy describes the loader, which the kernel ran.
  StatusOr<std::vector<AuxvEntry>> aux = ParseAuxv(ReadTestdata("auxv_ldso_sleep.bin"));
  ASSERT_OK(aux);
  EXPECT_EQ(aux->size(), 22u);  // 368 bytes = 23 pairs, the last is AT_NULL
  EXPECT_EQ(AuxvValue(*aux, kAtPagesz), 4096u);
  EXPECT_EQ(AuxvValue(*aux, kAtPhdr), 0x7f17a18ac040u);  // inside ld-linux-x86-64.so.2's first mapping
  EXPECT_EQ(AuxvValue(*aux, kAtBase), 0u);               // no interpreter: the loader is the program
  EXPECT_EQ(AuxvValue(*aux, 12345), std::nullopt);
}

TEST(ParseAuxvTest, RejectsPartialPairsAndAMissingTerminator) {
  EXPECT_TRUE(testing::RejectedNaming(ParseAuxv(std::string(15, '\0')), "15 bytes", "whole number"));
  EXPECT_TRUE(testing::RejectedNaming(ParseAuxv(Words({6, 4096})), "no AT_NULL", "AT_NULL"));
  EXPECT_TRUE(testing::RejectedNaming(ParseAuxv(""), "empty", "AT_NULL"));
  StatusOr<std::vector<AuxvEntry>> only_null = ParseAuxv(Words({0, 0}));
  ASSERT_OK(only_null);
  EXPECT_TRUE(only_null->empty());
  // Pairs after AT_NULL are not entries.
  StatusOr<std::vector<AuxvEntry>> after = ParseAuxv(Words({6, 4096, 0, 0, 9, 1}));
  ASSERT_OK(after);
  EXPECT_EQ(*after, (std::vector<AuxvEntry>{{6, 4096}}));
}

TEST(ParseInitialStackTest, RealStackOfAnLdSoLaunchNamesTheProgram) {
  // The same process as above, read from startstack: glibc's loader rewrote AT_PHDR and AT_ENTRY to the
  // program it loaded (/usr/bin/sleep at 0x7f17a1899000), unlike the kernel's copy.
  StatusOr<std::vector<AuxvEntry>> aux = ParseInitialStack(ReadTestdata("stack_ldso_sleep.bin"));
  ASSERT_OK(aux);
  EXPECT_EQ(AuxvValue(*aux, kAtPhdr), 0x7f17a1899040u);
  EXPECT_EQ(AuxvValue(*aux, kAtEntry), 0x7f17a189b600u);
  EXPECT_EQ(AuxvValue(*aux, kAtPagesz), 4096u);
}

TEST(ParseInitialStackTest, WalksArgvAndEnvp) {
  // argc 2, argv {a, b}, NULL, envp {e}, NULL, auxv {AT_PAGESZ 4096}, AT_NULL.
  StatusOr<std::vector<AuxvEntry>> aux = ParseInitialStack(Words({2, 0x10, 0x20, 0, 0x30, 0, 6, 4096, 0, 0}));
  ASSERT_OK(aux);
  EXPECT_EQ(*aux, (std::vector<AuxvEntry>{{6, 4096}}));
  // No environment at all.
  aux = ParseInitialStack(Words({0, 0, 0, 9, 7, 0, 0}));
  ASSERT_OK(aux);
  EXPECT_EQ(*aux, (std::vector<AuxvEntry>{{9, 7}}));
}

TEST(ParseInitialStackTest, TruncatedImagesAskForMoreBytes) {
  const std::string full = Words({1, 0x10, 0, 0x30, 0, 6, 4096, 0, 0});
  for (size_t cut = 0; cut < full.size(); cut += 8) {
    StatusOr<std::vector<AuxvEntry>> aux = ParseInitialStack(full.substr(0, cut));
    ASSERT_THAT(aux, Not(IsOk())) << cut;
    EXPECT_THAT(aux, StatusIs(ENODATA)) << cut << ": ";
  }
  EXPECT_OK(ParseInitialStack(full));
}

TEST(ParseInitialStackTest, RejectsImagesThatAreNotAStack) {
  EXPECT_TRUE(testing::RejectedNaming(ParseInitialStack(Words({uint64_t{1} << 40, 0})), "argc", "argc"));
  EXPECT_TRUE(testing::RejectedNaming(ParseInitialStack(Words({1, 0x10, 0x20, 0, 0})), "argv", "argv[argc]"));
}

// An i386 process on x86_64: the same layouts in 4-byte words.
TEST(WordSize32Test, AuxvAndInitialStack) {
  StatusOr<std::vector<AuxvEntry>> aux = ParseAuxv(Words32({6, 4096, 3, 0x8048034, 0, 0}), WordSize::k32);
  ASSERT_OK(aux);
  EXPECT_EQ(*aux, (std::vector<AuxvEntry>{{6, 4096}, {3, 0x8048034}}));
  EXPECT_TRUE(
      testing::RejectedNaming(ParseAuxv(std::string(12, '\0'), WordSize::k32), "12 bytes", "8-byte pairs"));
  // The same bytes read as 64-bit words are one pair (6 | 4096 << 32, 3 | ...) and no AT_NULL before the end.
  EXPECT_THAT(ParseAuxv(Words32({6, 4096, 3, 0x8048034}), WordSize::k64), ::testing::Not(IsOk()));
  // argc 1, argv {a}, NULL, envp {e, f}, NULL, auxv {AT_PHDR, AT_ENTRY}, AT_NULL.
  StatusOr<std::vector<AuxvEntry>> stack = ParseInitialStack(
      Words32({1, 0xffffd000, 0, 0xffffd010, 0xffffd020, 0, 3, 0x56555034, 9, 0x56556000, 0, 0}),
      WordSize::k32);
  ASSERT_OK(stack);
  EXPECT_EQ(AuxvValue(*stack, kAtPhdr), 0x56555034u);
  EXPECT_EQ(AuxvValue(*stack, kAtEntry), 0x56556000u);
  const std::string full = Words32({1, 0x10, 0, 0x30, 0, 6, 4096, 0, 0});
  for (size_t cut = 0; cut < full.size(); cut += 4) {
    EXPECT_THAT(ParseInitialStack(full.substr(0, cut), WordSize::k32), StatusIs(ENODATA)) << cut;
  }
}

}  // namespace
}  // namespace procscope
