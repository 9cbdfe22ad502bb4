// PtraceSeize against children of this test: seized without a stop, released running and untraced, a signal
// that arrives while seized delivered after the release, a second tracer refused with the first one named,
// a target that dies while seized.
#include "backend/process/ptrace_seize.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include "backend/pipe.h"
#include "backend/procfs/read_file.h"
#include "backend/procfs/status.h"
#include "backend/scoped_child.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

int g_signal_pipe = -1;

// A child that waits for signals; SIGUSR1 makes it write one byte to the pipe.
ScopedChild SignalledChild(const Pipe& pipe) {
  g_signal_pipe = pipe.write_end.get();
  StatusOr<ScopedChild> child = ScopedChild::Fork([] {
    signal(SIGUSR1, [](int) { (void)!write(g_signal_pipe, "u", 1); });
    for (;;) pause();
    return 0;
  });
  EXPECT_OK(child.status());
  return child.ok() ? std::move(*child) : ScopedChild();
}

int64_t TracerOf(pid_t pid) {
  StatusOr<std::string> text = ReadFileToString("/proc/" + std::to_string(pid) + "/status");
  if (!text.ok()) return -1;
  StatusOr<ProcStatus> status = ParseStatus(*text);
  return status.ok() && status->tracer_pid ? *status->tracer_pid : -1;
}

char StateOf(pid_t pid) {
  StatusOr<std::string> stat = ReadFileToString("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.ok()) return '?';
  const size_t paren = stat->rfind(')');
  return paren == std::string::npos || paren + 2 >= stat->size() ? '?' : (*stat)[paren + 2];
}

// Waits until the child sleeps in pause() (its state S), so that a stop would show.
void AwaitSleeping(pid_t pid) {
  for (int i = 0; i < 200 && StateOf(pid) != 'S'; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

TEST(PtraceSeizeTest, SeizesWithoutAStopAndReleasesRunningAndUntraced) {
  ASSERT_OK_AND_ASSIGN(Pipe pipe, MakePipe());
  ScopedChild child = SignalledChild(pipe);
  ASSERT_TRUE(child.is_valid());
  AwaitSleeping(child.pid());
  ASSERT_OK_AND_ASSIGN(PtraceSeize seized, PtraceSeize::Seize(child.pid()));
  EXPECT_EQ(TracerOf(child.pid()), getpid());
  EXPECT_EQ(StateOf(child.pid()), 'S') << "PTRACE_SEIZE must not stop the target";
  // A signal while seized stops the target for its tracer; the release hands it back.
  ASSERT_EQ(kill(child.pid(), SIGUSR1), 0);
  for (int i = 0; i < 200 && StateOf(child.pid()) != 't'; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(StateOf(child.pid()), 't') << "the signal stops a tracee for its tracer";
  ASSERT_OK(seized.Release());
  char byte = 0;
  EXPECT_EQ(read(pipe.read_end.get(), &byte, 1), 1) << "the signal was lost in the release";
  EXPECT_EQ(byte, 'u');
  EXPECT_EQ(TracerOf(child.pid()), 0);
  AwaitSleeping(child.pid());
  EXPECT_EQ(StateOf(child.pid()), 'S');
  ASSERT_OK(seized.Release());  // idempotent
}

TEST(PtraceSeizeTest, ASecondTracerIsRefusedAndTheFirstNamed) {
  ASSERT_OK_AND_ASSIGN(Pipe pipe, MakePipe());
  ScopedChild child = SignalledChild(pipe);
  ASSERT_TRUE(child.is_valid());
  ASSERT_OK_AND_ASSIGN(PtraceSeize first, PtraceSeize::Seize(child.pid()));
  StatusOr<PtraceSeize> second = PtraceSeize::Seize(child.pid());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().error_number(), EPERM);
  EXPECT_NE(second.status().message().find("already traced by PID " + std::to_string(getpid())),
            std::string::npos)
      << second.status().message();
  ASSERT_OK(first.Release());
  EXPECT_EQ(TracerOf(child.pid()), 0);
}

TEST(PtraceSeizeTest, ATargetThatDiesWhileSeizedNeedsNoRelease) {
  ASSERT_OK_AND_ASSIGN(Pipe pipe, MakePipe());
  ScopedChild child = SignalledChild(pipe);
  ASSERT_TRUE(child.is_valid());
  ASSERT_OK_AND_ASSIGN(PtraceSeize seized, PtraceSeize::Seize(child.pid()));
  ASSERT_EQ(kill(child.pid(), SIGKILL), 0);
  EXPECT_OK(seized.Release());        // waits for it: as its parent too, this reaps it
  const pid_t pid = child.release();  // reaped: nothing left to kill
  errno = 0;
  EXPECT_EQ(kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

// Reaped before the release (here by its parent, this test): PTRACE_INTERRUPT finds no tracee (ESRCH), and
// there is nothing to release.
TEST(PtraceSeizeTest, ATargetReapedBeforeTheReleaseNeedsNothing) {
  ASSERT_OK_AND_ASSIGN(Pipe pipe, MakePipe());
  ScopedChild child = SignalledChild(pipe);
  ASSERT_TRUE(child.is_valid());
  ASSERT_OK_AND_ASSIGN(PtraceSeize seized, PtraceSeize::Seize(child.pid()));
  ASSERT_OK_AND_ASSIGN(int status, child.KillAndWait());
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_OK(seized.Release());
}

TEST(PtraceSeizeTest, NoSuchProcess) {
  EXPECT_THAT(PtraceSeize::Seize(0).status(), StatusIs(EINVAL));
  ASSERT_OK_AND_ASSIGN(Pipe pipe, MakePipe());
  ScopedChild child = SignalledChild(pipe);
  ASSERT_TRUE(child.is_valid());
  const pid_t pid = child.pid();
  ASSERT_OK(child.KillAndWait().status());
  EXPECT_THAT(PtraceSeize::Seize(pid).status(), StatusIs(ESRCH));
}

}  // namespace
}  // namespace procscope
