#include "backend/status.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

namespace procscope {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.error_number(), 0);
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesErrnoAndMessage) {
  Status s(EFAULT, "remote read");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error_number(), EFAULT);
  EXPECT_EQ(s.ToString(), "EFAULT: remote read");
}

TEST(StatusTest, ZeroErrnoIsNeverOk) {
  Status s(0, "oops");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error_number(), EINVAL);
}

TEST(StatusTest, ErrnoStatusUsesCurrentErrno) {
  errno = ESRCH;
  Status s = ErrnoStatus("kill");
  EXPECT_EQ(s.error_number(), ESRCH);
  EXPECT_EQ(s.message().rfind("kill: ", 0), 0u) << s.message();
}

TEST(StatusTest, ErrnoNames) {
  EXPECT_EQ(ErrnoName(EFAULT), "EFAULT");
  EXPECT_EQ(ErrnoName(ESRCH), "ESRCH");
  EXPECT_EQ(ErrnoName(EPERM), "EPERM");
  EXPECT_EQ(ErrnoName(98765), "E98765");
}

TEST(StatusOrTest, HoldsValue) {
  StatusOr<std::string> v = std::string("abc");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v.status().ok());
  EXPECT_EQ(*v, "abc");
  EXPECT_EQ(v->size(), 3u);
  std::string moved = *std::move(v);
  EXPECT_EQ(moved, "abc");
}

TEST(StatusOrTest, HoldsError) {
  StatusOr<int> v = Status(ENOENT, "missing");
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.status().error_number(), ENOENT);
}

TEST(StatusOrDeathTest, ValueOfErrorAborts) {
  StatusOr<int> v = Status(ENOENT, "missing");
  EXPECT_DEATH((void)v.value(), "");
}

TEST(StatusOrDeathTest, OkStatusWithoutValueAborts) { EXPECT_DEATH((void)StatusOr<int>(OkStatus()), ""); }

}  // namespace
}  // namespace procscope
