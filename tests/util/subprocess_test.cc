// The safety net of RunCommand: a command that outlives its limit is killed and the failure names it.
#include "tests/util/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>

namespace procscope::testing {
namespace {

TEST(RunCommandTest, AHangingCommandIsKilledAndNamed) {
  const CommandResult r = RunCommand({"/bin/sleep", "30"}, "", std::chrono::milliseconds(200));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, -SIGKILL);
  EXPECT_NE(r.err.find("`/bin/sleep 30` did not finish within 0.2 s"), std::string::npos) << r.err;
}

TEST(RunCommandTest, OutputAndExitCodeOfACommandThatFinishes) {
  const CommandResult r = RunCommand({"/bin/sh", "-c", "cat; echo oops >&2; exit 3"}, "in");
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "in");
  EXPECT_EQ(r.err, "oops\n");
}

}  // namespace
}  // namespace procscope::testing
