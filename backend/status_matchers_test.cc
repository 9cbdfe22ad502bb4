#include "backend/status_matchers.h"

#include <gtest/gtest-spi.h>

#include <cerrno>
#include <string>

namespace procscope {
namespace {

using ::testing::Not;

TEST(StatusMatchersTest, IsOkTellsOkFromError) {
  EXPECT_TRUE(::testing::Matches(IsOk())(OkStatus()));
  EXPECT_FALSE(::testing::Matches(IsOk())(Status(EFAULT, "x")));
  EXPECT_TRUE(::testing::Matches(IsOk())(StatusOr<int>(3)));
  EXPECT_FALSE(::testing::Matches(IsOk())(StatusOr<int>(Status(ESRCH, "gone"))));
}

TEST(StatusMatchersTest, StatusIsComparesTheErrno) {
  EXPECT_TRUE(::testing::Matches(StatusIs(EFAULT))(Status(EFAULT, "x")));
  EXPECT_FALSE(::testing::Matches(StatusIs(EFAULT))(Status(ESRCH, "x")));
  EXPECT_FALSE(::testing::Matches(StatusIs(EFAULT))(OkStatus()));
  EXPECT_TRUE(::testing::Matches(StatusIs(ENOENT))(StatusOr<std::string>(Status(ENOENT, "missing"))));
  EXPECT_FALSE(::testing::Matches(StatusIs(ENOENT))(StatusOr<std::string>(std::string("here"))));
}

TEST(StatusMatchersTest, FailuresPrintTheStatus) {
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(Status(EFAULT, "remote read")), "EFAULT: remote read");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(Status(ESRCH, "gone"), StatusIs(EPERM)), "is an error EPERM");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(OkStatus(), Not(IsOk())), "is an error");
}

TEST(StatusMatchersTest, AssertOkAndAssignMovesTheValue) {
  ASSERT_OK_AND_ASSIGN(std::string value, StatusOr<std::string>(std::string("abc")));
  EXPECT_EQ(value, "abc");
  int existing = 0;
  ASSERT_OK_AND_ASSIGN(existing, StatusOr<int>(5));
  EXPECT_EQ(existing, 5);
}

void AssignFromError() {
  ASSERT_OK_AND_ASSIGN(int unused, StatusOr<int>(Status(EACCES, "hidden")));
  (void)unused;
}

TEST(StatusMatchersTest, AssertOkAndAssignFailsOnError) {
  EXPECT_FATAL_FAILURE(AssignFromError(), "EACCES: hidden");
}

}  // namespace
}  // namespace procscope
