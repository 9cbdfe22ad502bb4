#include "backend/kernel/kernel_modules.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "backend/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace procscope {
namespace {

using testing::WriteTempFile;

TEST(KernelModulesTest, AMissingFileIsAKernelWithoutModules) {
  StatusOr<std::vector<KernelModule>> none = ListKernelModules("/nonexistent/procscope/modules");
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

// Only a missing file means "no modules": any other read error is passed on.
TEST(KernelModulesTest, AnUnreadableFileIsAnError) {
  EXPECT_THAT(ListKernelModules(testing::NewTempDir("modules_dir")), StatusIs(EISDIR));
  EXPECT_THAT(FindKernelModule(0x1000, testing::NewTempDir("modules_dir")), StatusIs(EISDIR));
}

TEST(KernelModulesTest, TheRealFileParsesOrIsAbsent) {
  StatusOr<std::vector<KernelModule>> real = ListKernelModules();
  ASSERT_OK(real);
  if (access(kProcModulesPath, F_OK) != 0) EXPECT_TRUE(real->empty());
}

TEST(KernelModulesTest, HandlesSurviveLoadOrderAndOtherModules) {
  const std::string before = WriteTempFile("modules_before",
                                           "ext4 1003520 1 - Live 0xffffffffc0a00000\n"
                                           "mbcache 16384 1 ext4, Live 0xffffffffc09f0000\n"
                                           "crc16 12288 1 ext4, Live 0xffffffffc09e0000\n");
  StatusOr<std::vector<KernelModule>> mods = ListKernelModules(before);
  ASSERT_OK(mods);
  ASSERT_EQ(mods->size(), 3u);
  const uint64_t mbcache = (*mods)[1].handle;
  EXPECT_EQ(mbcache, Fnv1a64("mbcache"));
  // Another module loaded first and one unloaded: positions shift, the handle does not.
  const std::string after = WriteTempFile("modules_after",
                                          "zram 40960 0 - Live 0xffffffffc0b00000\n"
                                          "mbcache 16384 1 ext4, Live 0xffffffffc09f0000\n"
                                          "ext4 1003520 1 - Live 0xffffffffc0a00000\n");
  StatusOr<KernelModule> found = FindKernelModule(mbcache, after);
  ASSERT_OK(found);
  EXPECT_EQ(found->name, "mbcache");
  StatusOr<KernelModule> gone = FindKernelModule(Fnv1a64("crc16"), after);
  ASSERT_THAT(gone, ::testing::Not(IsOk()));
  EXPECT_THAT(gone, StatusIs(ENOENT));
}

TEST(KernelModulesTest, HiddenAddressesAreUnknown) {
  const std::string hidden = WriteTempFile("modules_hidden", "ext4 1003520 1 - Live 0x0000000000000000\n");
  StatusOr<std::vector<KernelModule>> mods = ListKernelModules(hidden);
  ASSERT_OK(mods);
  EXPECT_EQ(KernelModuleAddress(mods->front()), std::nullopt);
  KernelModule shown = mods->front();
  shown.address = 0xffffffffc0a00000;
  EXPECT_EQ(KernelModuleAddress(shown), 0xffffffffc0a00000u);
}

TEST(KernelModulesTest, AMalformedFileIsAnErrorNamingIt) {
  const std::string bad = WriteTempFile("modules_bad", "ext4 notanumber 1 - Live 0x0\n");
  StatusOr<std::vector<KernelModule>> mods = ListKernelModules(bad);
  ASSERT_THAT(mods, ::testing::Not(IsOk()));
  EXPECT_THAT(mods, StatusIs(EINVAL));
  EXPECT_NE(mods.status().message().find(bad), std::string::npos);
}

}  // namespace
}  // namespace procscope
