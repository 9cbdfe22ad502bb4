#include "backend/process/deleted_path.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "backend/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace procscope {
namespace {

TEST(ReadLinkAtTest, ReadsTargetsLongerThanTheFirstBuffer) {
  const std::string dir = testing::NewTempDir("links");
  const std::string target = "/" + std::string(1000, 'x') + "/y";
  ASSERT_EQ(symlink(target.c_str(), (dir + "/long").c_str()), 0);
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dir_fd, 0);
  ASSERT_OK_AND_ASSIGN(std::string read, ReadLinkAt(dir_fd, "long", "long"));
  EXPECT_EQ(read, target);
  EXPECT_THAT(ReadLinkAt(dir_fd, "missing", "missing"), StatusIs(ENOENT));
  close(dir_fd);
}

TEST(ResolveDeletedTest, StripsTheSuffixOnlyFromFilesThatAreGone) {
  const std::string dir = testing::NewTempDir("deleted");
  // A live file really named "... (deleted)": its device and inode match, so the name stays.
  const std::string live = testing::WriteTempFile("deleted/x (deleted)", "live");
  struct stat live_stat;
  ASSERT_EQ(stat(live.c_str(), &live_stat), 0);
  bool deleted = true;
  const FileIdentity identity{live_stat.st_ino, live_stat.st_dev};
  EXPECT_EQ(ResolveDeleted(live, identity, &deleted), live);
  EXPECT_FALSE(deleted);
  // An identity from maps has no comparable device (overlayfs, btrfs): the inode decides.
  EXPECT_EQ(ResolveDeleted(live, FileIdentity{live_stat.st_ino, std::nullopt}, &deleted), live);
  EXPECT_FALSE(deleted);
  // A device that disagrees counts when it came from stat() too.
  EXPECT_EQ(ResolveDeleted(live, FileIdentity{live_stat.st_ino, live_stat.st_dev + 1}, &deleted), dir + "/x");
  EXPECT_TRUE(deleted);
  // The same name with another file's identity (the original was unlinked and the name reused): gone.
  EXPECT_EQ(ResolveDeleted(live, FileIdentity{live_stat.st_ino + 1, std::nullopt}, &deleted), dir + "/x");
  EXPECT_TRUE(deleted);
  // Nothing at that path any more, or nothing known to compare with: gone.
  EXPECT_EQ(ResolveDeleted(dir + "/y (deleted)", identity, &deleted), dir + "/y");
  EXPECT_TRUE(deleted);
  EXPECT_EQ(ResolveDeleted(live, std::nullopt, &deleted), dir + "/x");
  EXPECT_TRUE(deleted);
  // No suffix: untouched.
  EXPECT_EQ(ResolveDeleted(dir + "/z", std::nullopt, &deleted), dir + "/z");
  EXPECT_FALSE(deleted);
}

}  // namespace
}  // namespace procscope
