// The pure part of target_facts.cc: what stat's fields say of whether this reader sees the exit code.
#include <gtest/gtest.h>

#include <cerrno>
#include <optional>
#include <string>

#include "backend/access/access.h"

namespace procscope {
namespace {

ProcStat StatOf(char state, std::optional<uint64_t> startcode, std::optional<uint64_t> endcode,
                std::optional<uint64_t> wchan) {
  ProcStat stat;
  stat.state = state;
  stat.startcode = startcode;
  stat.endcode = endcode;
  stat.wchan = wchan;
  return stat;
}

TEST(ExitCodeVisibilityTest, AZombiesWchanTellsAccess) {
  const Verdict seen = ExitCodeVisibility(StatOf('Z', 0, 0, 1));
  EXPECT_EQ(seen.allowed, true);
  EXPECT_TRUE(seen.measured);
  EXPECT_EQ(seen.detail, "a zombie's stat wchan reads 1");
  const Verdict hidden = ExitCodeVisibility(StatOf('X', 0, 0, 0));
  EXPECT_EQ(hidden.allowed, false);
  EXPECT_EQ(hidden.detail, "a zombie's stat wchan reads 0");
}

TEST(ExitCodeVisibilityTest, ALiveProcessesCodeBoundsTellAccess) {
  EXPECT_EQ(ExitCodeVisibility(StatOf('S', 0x400000, 0x401000, 0)).allowed, true);
  const Verdict hidden = ExitCodeVisibility(StatOf('R', 1, 1, 0));
  EXPECT_EQ(hidden.allowed, false);
  EXPECT_TRUE(hidden.measured);
  EXPECT_EQ(hidden.detail, "stat hides the code segment bounds (1, 1) from this reader");
  // A kernel thread (no user memory: 0 and 0) says nothing either way.
  const Verdict kthread = ExitCodeVisibility(StatOf('I', 0, 0, 0));
  EXPECT_EQ(kthread.allowed, std::nullopt);
  EXPECT_FALSE(kthread.measured);
}

TEST(ExitCodeVisibilityTest, AStatThatCannotBeReadSaysWhy) {
  const Verdict v = ExitCodeVisibility(Status(ESRCH, "read /proc/42/stat"));
  EXPECT_EQ(v.allowed, std::nullopt);
  EXPECT_FALSE(v.measured);
  EXPECT_EQ(v.detail, Status(ESRCH, "read /proc/42/stat").ToString());
}

}  // namespace
}  // namespace procscope
