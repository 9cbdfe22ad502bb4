#include "backend/procfs/mounts.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "backend/procfs/testdata_util.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

using testing::ReadTestdata;
using testing::RejectedNaming;

TEST(ParseMountsTest, CaptureWithEscapesAndAStackedHidepidProc) {
  ASSERT_OK_AND_ASSIGN(std::vector<MountEntry> mounts, ParseMounts(ReadTestdata("mounts_hidepid.txt")));
  std::vector<const MountEntry*> procs;
  const MountEntry* odd = nullptr;
  for (const MountEntry& m : mounts) {
    if (m.target == "/proc") procs.push_back(&m);
    if (m.target == "/tmp/with space") odd = &m;
  }
  ASSERT_EQ(procs.size(), 2u);  // the host's, and the one mounted over it (the last is on top)
  EXPECT_EQ(MountOption(procs[0]->options, "hidepid"), std::nullopt);
  EXPECT_EQ(MountOption(procs[1]->options, "hidepid"), "invisible");
  EXPECT_EQ(procs[1]->fstype, "proc");
  ASSERT_NE(odd, nullptr);
  EXPECT_EQ(odd->source, "odd\\src");
  EXPECT_EQ(odd->fstype, "tmpfs");
}

TEST(MountOptionTest, KeysValuesAndFlags) {
  EXPECT_EQ(MountOption("rw,relatime,hidepid=2,gid=5", "hidepid"), "2");
  EXPECT_EQ(MountOption("rw,relatime,hidepid=2,gid=5", "gid"), "5");
  EXPECT_EQ(MountOption("rw,relatime", "relatime"), "");
  EXPECT_EQ(MountOption("rw,relatime", "rel"), std::nullopt);
  EXPECT_EQ(MountOption("rw,hidepidx=1", "hidepid"), std::nullopt);
  EXPECT_EQ(MountOption("", "rw"), std::nullopt);
}

TEST(ParseMountsTest, RejectsMalformedLines) {
  for (const auto& [text, part] : std::vector<std::pair<std::string, std::string>>{
           {"proc /proc proc rw 0\n", "expected 6"},
           {"proc /proc proc rw 0 0 0\n", "expected 6"},
           {"a\\04 /x t rw 0 0\n", "field 'source'"},
           {"a /x\\999 t rw 0 0\n", "field 'target'"},
           {"a /x t rw 1 0\n", "field 'dump'"},
           {"a /x t rw\t 0 0\n", "field 'options'"},
           {"a /x t rw 0 0\n\n", "line 2"},
       }) {
    EXPECT_TRUE(RejectedNaming(ParseMounts(text), text, part));
  }
}

TEST(ParseMountsTest, FormatRoundTrips) {
  const MountEntry odd{"a b\\c", "/mnt/new\nline\ttab", "fuse.x", "rw,lowerdir=/a\\040b"};
  ASSERT_OK_AND_ASSIGN(std::vector<MountEntry> back, ParseMounts(FormatMountEntry(odd)));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], odd);
}

}  // namespace
}  // namespace procscope
