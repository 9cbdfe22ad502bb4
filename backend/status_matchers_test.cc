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

TEST(StatusMatchersTest, StatusIsWithAMessageMatcher) {
  using ::testing::HasSubstr;
  EXPECT_TRUE(::testing::Matches(StatusIs(EAGAIN, HasSubstr("fork")))(Status(EAGAIN, "fork")));
  EXPECT_TRUE(::testing::Matches(StatusIs(EAGAIN, "fork"))(Status(EAGAIN, "fork")));
  EXPECT_FALSE(::testing::Matches(StatusIs(EAGAIN, HasSubstr("fork")))(Status(EAGAIN, "pipe2")));
  EXPECT_FALSE(::testing::Matches(StatusIs(EAGAIN, HasSubstr("fork")))(Status(ENOMEM, "fork")));
  EXPECT_FALSE(::testing::Matches(StatusIs(EAGAIN, HasSubstr("")))(StatusOr<int>(1)));
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(Status(EAGAIN, "pipe2"), StatusIs(EAGAIN, HasSubstr("fork"))),
                          "whose message has substring \"fork\"");
}

TEST(StatusMatchersTest, IsOkAndHoldsMatchesTheValue) {
  EXPECT_TRUE(::testing::Matches(IsOkAndHolds(3))(StatusOr<int>(3)));
  EXPECT_FALSE(::testing::Matches(IsOkAndHolds(3))(StatusOr<int>(4)));
  EXPECT_FALSE(::testing::Matches(IsOkAndHolds(false))(StatusOr<bool>(Status(ESRCH, "gone"))));
  EXPECT_TRUE(
      ::testing::Matches(IsOkAndHolds(::testing::SizeIs(2)))(StatusOr<std::string>(std::string("ab"))));
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(StatusOr<bool>(Status(ESRCH, "gone")), IsOkAndHolds(false)),
                          "ESRCH: gone");
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
