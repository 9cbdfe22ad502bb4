#include "backend/scoped_child.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "backend/pipe.h"
#include "backend/status_matchers.h"
#include "tests/util/open_fds.h"

namespace procscope {
namespace {

using ::procscope::testing::OpenFds;

// True while `pid` names a process (a zombie counts) that this process may signal.
bool Exists(pid_t pid) { return kill(pid, 0) == 0; }

TEST(ScopedChildTest, ForkRunsTheBodyAndWaitReturnsItsExitCode) {
  ASSERT_OK_AND_ASSIGN(ScopedChild child, ScopedChild::Fork([] { return 7; }));
  EXPECT_GT(child.pid(), 0);
  ASSERT_OK_AND_ASSIGN(const int status, child.Wait());
  EXPECT_EQ(ExitCodeOrSignal(status), 7);
  EXPECT_EQ(DescribeWaitStatus(status), "exited with status 7");
  EXPECT_FALSE(child.is_valid()) << "a reaped child is no longer owned";
  EXPECT_THAT(child.Wait(), StatusIs(ECHILD));
}

TEST(ScopedChildTest, DestructionKillsAndReapsARunningChild) {
  pid_t pid = -1;
  {
    ASSERT_OK_AND_ASSIGN(ScopedChild child, ScopedChild::Fork([] {
                           pause();
                           return 0;
                         }));
    pid = child.pid();
    ASSERT_TRUE(Exists(pid));
  }
  // Reaped: the pid names nothing of ours any more (waitpid says ECHILD; the pid is not reused this fast).
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(ScopedChildTest, WaitForGivesUpWhileTheChildRunsAndKeepsIt) {
  ASSERT_OK_AND_ASSIGN(ScopedChild child, ScopedChild::Fork([] {
                         pause();
                         return 0;
                       }));
  ASSERT_OK_AND_ASSIGN(const std::optional<int> early, child.WaitFor(std::chrono::milliseconds(20)));
  EXPECT_FALSE(early.has_value());
  EXPECT_TRUE(child.is_valid());
  ASSERT_OK_AND_ASSIGN(const int status, child.KillAndWait());
  EXPECT_EQ(ExitCodeOrSignal(status), -SIGKILL);
  EXPECT_EQ(DescribeWaitStatus(status), "killed by SIGKILL");
}

TEST(ScopedChildTest, AnEmptyOwnerSignalsNothing) {
  ScopedChild none;
  EXPECT_FALSE(none.is_valid());
  EXPECT_THAT(none.Signal(SIGKILL), StatusIs(ECHILD));
  EXPECT_THAT(none.KillAndWait(), StatusIs(ECHILD));
  ScopedChild adopted_failure(-1);  // what a failed posix_spawn or fork would hand over
  EXPECT_FALSE(adopted_failure.is_valid());
  EXPECT_EQ(ScopedChild(0).pid(), -1) << "0 would mean 'my process group' to kill()";
}

TEST(ScopedChildTest, MoveTransfersOwnership) {
  ASSERT_OK_AND_ASSIGN(ScopedChild first, ScopedChild::Fork([] { return 3; }));
  const pid_t pid = first.pid();
  ScopedChild second = std::move(first);
  EXPECT_FALSE(first.is_valid());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  EXPECT_EQ(second.pid(), pid);
  ASSERT_OK_AND_ASSIGN(const int status, second.Wait());
  EXPECT_EQ(ExitCodeOrSignal(status), 3);
}

TEST(PipeTest, EndsAreOwnedAndCloseOnExec) {
  const int before = OpenFds();
  {
    ASSERT_OK_AND_ASSIGN(Pipe pipe, MakePipe());
    EXPECT_EQ(OpenFds(), before + 2);
    EXPECT_NE(fcntl(pipe.read_end.get(), F_GETFD) & FD_CLOEXEC, 0);
    EXPECT_NE(fcntl(pipe.write_end.get(), F_GETFD) & FD_CLOEXEC, 0);
    ASSERT_EQ(write(pipe.write_end.get(), "x", 1), 1);
    char byte = 0;
    ASSERT_EQ(read(pipe.read_end.get(), &byte, 1), 1);
    EXPECT_EQ(byte, 'x');
  }
  EXPECT_EQ(OpenFds(), before);
}

TEST(PipeTest, AChildSeesEndOfFileOnceTheOnlyWriterCloses) {
  ASSERT_OK_AND_ASSIGN(Pipe pipe, MakePipe());
  ASSERT_OK_AND_ASSIGN(ScopedChild child, ScopedChild::Fork([&] {
                         pipe.write_end.reset();
                         char byte;
                         return read(pipe.read_end.get(), &byte, 1) == 0 ? 0 : 1;
                       }));
  pipe.write_end.reset();
  ASSERT_OK_AND_ASSIGN(const int status, child.Wait());
  EXPECT_EQ(ExitCodeOrSignal(status), 0);
}

}  // namespace
}  // namespace procscope
