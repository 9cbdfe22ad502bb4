// RunInChild and its verdicts: checks come back by name, a skip never hides a failed check.
#include "tests/util/child_report.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace procscope::testing {
namespace {

TEST(ChildReportTest, ChecksComeBackByName) {
  const ChildOutcome outcome = RunInChild([](ChildReport& report) {
    report.Check("one", true);
    report.Check("two", false, "because");
  });
  EXPECT_EQ(outcome.exit_status, 0);
  EXPECT_EQ(outcome.order, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(outcome.checks.at("one"), "");
  EXPECT_EQ(outcome.checks.at("two"), "because");
  EXPECT_NONFATAL_FAILURE(ExpectAllChecksPassed(outcome, {"one", "two"}), "two: because");
  EXPECT_NONFATAL_FAILURE(ExpectAllChecksPassed(RunInChild([](ChildReport&) {}), {"one"}), "one");
}

TEST(ChildReportTest, AFailedCheckWithoutDetailStillFails) {
  const ChildOutcome outcome = RunInChild([](ChildReport& report) { report.Check("silent", false); });
  EXPECT_EQ(outcome.checks.at("silent"), "failed");
  EXPECT_NONFATAL_FAILURE(ExpectAllChecksPassed(outcome, {"silent"}), "silent: failed");
}

TEST(ChildReportTest, ASkipAfterAFailedCheckDoesNotHideIt) {
  const ChildOutcome failed_then_skipped = RunInChild([](ChildReport& report) {
    report.Check("before", false, "broken");
    report.Skip("no namespaces here");
  });
  EXPECT_FALSE(SkipRequested(failed_then_skipped));
  const ChildOutcome passed_then_skipped = RunInChild([](ChildReport& report) {
    report.Check("before", true);
    report.Skip("no namespaces here");
  });
  EXPECT_TRUE(SkipRequested(passed_then_skipped));
  EXPECT_EQ(passed_then_skipped.skip, "no namespaces here");
}

TEST(ChildReportTest, AHangingChildIsKilledAndSaysSo) {
  const ChildOutcome outcome = RunInChild([](ChildReport&) { pause(); }, std::chrono::milliseconds(100));
  EXPECT_EQ(outcome.exit_status, -9);
  ASSERT_EQ(outcome.checks.count("finished in time"), 1u);
  EXPECT_NE(outcome.checks.at("finished in time"), "");
}

}  // namespace
}  // namespace procscope::testing
