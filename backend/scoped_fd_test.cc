#include "backend/scoped_fd.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "backend/eintr.h"

namespace procscope {
namespace {

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

int OpenDevNull() { return open("/dev/null", O_RDONLY | O_CLOEXEC); }

TEST(ScopedFdTest, ClosesWhenDestroyed) {
  int raw;
  {
    ScopedFd fd(OpenDevNull());
    raw = fd.get();
    ASSERT_TRUE(fd.is_valid());
    EXPECT_TRUE(IsOpen(raw));
  }
  EXPECT_FALSE(IsOpen(raw));
}

TEST(ScopedFdTest, NegativeMeansNone) {
  ScopedFd fd(-5);
  EXPECT_FALSE(fd.is_valid());
  EXPECT_EQ(fd.get(), -1);
}

TEST(ScopedFdTest, MoveTransfersOwnershipAndClosesTheOldTarget) {
  ScopedFd a(OpenDevNull());
  ScopedFd b(OpenDevNull());
  const int a_raw = a.get(), b_raw = b.get();
  b = std::move(a);
  EXPECT_FALSE(IsOpen(b_raw));  // b's own descriptor was closed by the assignment
  EXPECT_EQ(b.get(), a_raw);
  EXPECT_FALSE(a.is_valid());  // NOLINT(bugprone-use-after-move): checking the moved-from state on purpose
  ScopedFd c(std::move(b));
  EXPECT_EQ(c.get(), a_raw);
  EXPECT_TRUE(IsOpen(a_raw));
}

TEST(ScopedFdTest, ReleaseGivesUpOwnership) {
  int raw;
  {
    ScopedFd fd(OpenDevNull());
    raw = fd.release();
    EXPECT_FALSE(fd.is_valid());
  }
  EXPECT_TRUE(IsOpen(raw));
  close(raw);
}

TEST(ScopedFdTest, ResetClosesAndTakesTheNewOne) {
  ScopedFd fd(OpenDevNull());
  const int first = fd.get();
  fd.reset(OpenDevNull());
  EXPECT_TRUE(fd.is_valid());
  fd.reset();
  EXPECT_FALSE(fd.is_valid());
  EXPECT_FALSE(IsOpen(first));
}

TEST(RetryOnEintrTest, RetriesOnlyEintr) {
  int calls = 0;
  const int result = RetryOnEintr([&] {
    ++calls;
    if (calls < 3) {
      errno = EINTR;
      return -1;
    }
    return 7;
  });
  EXPECT_EQ(result, 7);
  EXPECT_EQ(calls, 3);

  calls = 0;
  const long failed = RetryOnEintr([&] {
    ++calls;
    errno = EAGAIN;
    return -1L;
  });
  EXPECT_EQ(failed, -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace procscope
