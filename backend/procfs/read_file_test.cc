#include "backend/procfs/read_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "backend/procfs/testdata_util.h"
#include "backend/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace procscope {
namespace {

TEST(ReadFileToStringTest, ReadsProcFilesThatReportSizeZero) {
  StatusOr<std::string> stat = ReadFileToString("/proc/self/stat");
  ASSERT_OK(stat);
  EXPECT_EQ(stat->rfind(std::to_string(getpid()) + " (", 0), 0u) << *stat;
  EXPECT_EQ(stat->back(), '\n');
}

TEST(ReadFileToStringTest, ReadsFilesLargerThanOneChunk) {
  StatusOr<std::string> maps = ReadFileToString("/proc/self/maps");
  ASSERT_OK(maps);
  EXPECT_NE(maps->find("[stack]"), std::string::npos);
  // A regular file of a known size, larger than the 64 KiB chunk.
  const std::string content(200000, 'q');
  const std::string path = testing::WriteTempFile("big", content);
  StatusOr<std::string> big = ReadFileToString(path);
  ASSERT_OK(big);
  EXPECT_EQ(*big, content);
}

TEST(ReadFileToStringTest, ErrorsCarryErrnoAndPath) {
  StatusOr<std::string> missing = ReadFileToString("/proc/999999999/stat");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing, StatusIs(ENOENT));
  EXPECT_NE(missing.status().message().find("/proc/999999999/stat"), std::string::npos);
  StatusOr<std::string> dir = ReadFileToString("/proc/self");
  ASSERT_FALSE(dir.ok());
  EXPECT_THAT(dir, StatusIs(EISDIR));
}

}  // namespace
}  // namespace procscope
