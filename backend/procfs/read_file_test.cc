#include "backend/procfs/read_file.h"

#include <fcntl.h>
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

// The reader the memory engine uses for the maps: one buffer kept across reads, grown when a file outgrows
// it, never shrunk; each call returns exactly the file.
TEST(ReadFileAtIntoBufferTest, ReadsWholeFilesIntoOneKeptBuffer) {
  const std::string big(300000, 'q');  // grows the buffer from 64 KiB twice
  const std::string big_path = testing::WriteTempFile("big", big);
  const std::string small_path = testing::WriteTempFile("small", "abc");
  std::string buffer;
  StatusOr<std::string_view> first = ReadFileAtIntoBuffer(AT_FDCWD, big_path, big_path, buffer);
  ASSERT_OK(first);
  EXPECT_EQ(*first, big);
  EXPECT_GE(buffer.size(), big.size());
  const size_t grown = buffer.size();
  StatusOr<std::string_view> second = ReadFileAtIntoBuffer(AT_FDCWD, small_path, small_path, buffer);
  ASSERT_OK(second);
  EXPECT_EQ(*second, "abc");
  EXPECT_EQ(second->data(), buffer.data());
  EXPECT_EQ(buffer.size(), grown);  // kept for the next large read
  StatusOr<std::string_view> maps = ReadFileAtIntoBuffer(AT_FDCWD, "/proc/self/maps", "maps", buffer);
  ASSERT_OK(maps);
  EXPECT_NE(maps->find("[stack]"), std::string_view::npos);
  EXPECT_EQ(maps->back(), '\n');
}

TEST(ReadFileAtIntoBufferTest, ErrorsCarryErrnoAndLabel) {
  std::string buffer;
  StatusOr<std::string_view> missing =
      ReadFileAtIntoBuffer(AT_FDCWD, "/proc/999999999/maps", "the label", buffer);
  ASSERT_THAT(missing, ::testing::Not(IsOk()));
  EXPECT_THAT(missing, StatusIs(ENOENT));
  EXPECT_NE(missing.status().message().find("open the label"), std::string::npos);
  StatusOr<std::string_view> dir = ReadFileAtIntoBuffer(AT_FDCWD, "/proc/self", "a directory", buffer);
  ASSERT_THAT(dir, ::testing::Not(IsOk()));
  EXPECT_THAT(dir, StatusIs(EISDIR));
  EXPECT_NE(dir.status().message().find("read a directory"), std::string::npos);
}

TEST(ReadFileToStringTest, ErrorsCarryErrnoAndPath) {
  StatusOr<std::string> missing = ReadFileToString("/proc/999999999/stat");
  ASSERT_THAT(missing, ::testing::Not(IsOk()));
  EXPECT_THAT(missing, StatusIs(ENOENT));
  EXPECT_NE(missing.status().message().find("/proc/999999999/stat"), std::string::npos);
  StatusOr<std::string> dir = ReadFileToString("/proc/self");
  ASSERT_THAT(dir, ::testing::Not(IsOk()));
  EXPECT_THAT(dir, StatusIs(EISDIR));
}

}  // namespace
}  // namespace procscope
