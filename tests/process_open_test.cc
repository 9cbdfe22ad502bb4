// Process::Open, identity and State against live fixtures: state and exit codes (fixtures/exiter), what
// is not a process (0, a thread), and whether a process is a kernel thread. Implementation:
// backend/process/process.cc.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "backend/process/process.h"
#include "backend/procfs/read_file.h"
#include "backend/status_matchers.h"
#include "tests/util/fixture_process.h"
#include "tests/util/holes_fixture.h"
#include "tests/util/process_helpers.h"
#include "tests/util/temp_dir.h"

namespace procscope {
namespace {

using testing::ExpectedEnd;
using testing::Opts;
using Kind = ProcessState::Kind;
using testing::OpenOrDie;
using testing::ParkedThread;
using testing::StartFixture;

// ---- state and exit codes --------------------------------------------------------------------------------

struct EndCase {
  const char* name;
  std::vector<std::string> args;
  ExpectedEnd end;
  int exit_code;
};

class ExitStateTest : public ::testing::TestWithParam<EndCase> {};

TEST_P(ExitStateTest, AliveThenZombieWithDecodedCodeThenReapedWithThePidfdsCode) {
  const EndCase& c = GetParam();
  auto fixture = StartFixture("fixtures/exiter", Opts(c.args, c.end));
  ASSERT_NE(fixture, nullptr);
  Process p = OpenOrDie(fixture->pid());
  EXPECT_EQ(p.State().kind, Kind::kAlive);
  ASSERT_OK(fixture->Send("go"));
  ASSERT_TRUE(fixture->WaitUnreaped());

  const ProcessState zombie = p.State();
  EXPECT_EQ(zombie.kind, Kind::kDead) << zombie.detail;
  EXPECT_EQ(zombie.letter, 'Z');
  EXPECT_EQ(zombie.exit_code, c.exit_code) << zombie.detail;
  EXPECT_FALSE(zombie.core_dumped);
  EXPECT_OK(p.CheckIdentity());  // a zombie still exists
  StatusOr<ProcessInfo> info = p.Info();
  ASSERT_OK(info);
  EXPECT_EQ(info->state, zombie);
  EXPECT_TRUE(info->command_line.empty());
  EXPECT_EQ(info->path, std::nullopt);  // a zombie has no executable any more
  EXPECT_EQ(info->arch, std::nullopt);
  StatusOr<Environment> env = p.Env();
  ASSERT_OK(env);
  EXPECT_TRUE(env->entries.empty());
  EXPECT_EQ(env->block_address, std::nullopt);
  EXPECT_EQ(env->block_size, 0u);
  EXPECT_EQ(env->state.exit_code, c.exit_code);

  ASSERT_TRUE(fixture->Stop());  // reaps it
  const ProcessState reaped = p.State();
  EXPECT_EQ(reaped.kind, Kind::kDead);
  // From the pidfd where the kernel keeps it (6.15); else gone, never 0.
  EXPECT_EQ(reaped.exit_code,
            testing::PidfdKeepsExitStatus() ? std::optional<int>(c.exit_code) : std::nullopt)
      << reaped.detail;
  EXPECT_THAT(p.CheckIdentity(), StatusIs(ESRCH));
  EXPECT_THAT(p.Info(), StatusIs(ESRCH));
  EXPECT_THAT(p.Maps(), StatusIs(ESRCH));
  EXPECT_THAT(p.Env(), StatusIs(ESRCH));
}

INSTANTIATE_TEST_SUITE_P(
    Ends, ExitStateTest,
    ::testing::Values(EndCase{"exit3", {"--exit", "3"}, ExpectedEnd::Exit(3), 3},
                      EndCase{"exit0", {"--exit", "0"}, ExpectedEnd::Exit(0), 0},
                      EndCase{"exit255", {"--exit", "255"}, ExpectedEnd::Exit(255), 255},
                      EndCase{"sigkill", {"--signal", "9"}, ExpectedEnd::Signal(9), -9},
                      EndCase{"sigterm", {"--signal", "15"}, ExpectedEnd::Signal(15), -15},
                      EndCase{"sigabrt_no_core", {"--signal", "6"}, ExpectedEnd::Signal(6), -6}),
    [](const ::testing::TestParamInfo<EndCase>& info) { return std::string(info.param.name); });

TEST(ExitStateTest, CoreDumpIsReported) {
  const std::string pattern = ReadFileToString("/proc/sys/kernel/core_pattern").value_or("");
  if (pattern.empty() || pattern[0] == '|') {
    GTEST_SKIP() << "core_pattern pipes cores to a program ('" << pattern
                 << "'): whether the core flag is set "
                 << "depends on that program";
  }
  const std::string dir = testing::NewTempDir("cores");
  auto fixture =
      StartFixture("fixtures/exiter", Opts({"--signal", "6", "--core", dir}, ExpectedEnd::Signal(6)));
  ASSERT_NE(fixture, nullptr);
  Process p = OpenOrDie(fixture->pid());
  ASSERT_OK(fixture->Send("go"));
  ASSERT_TRUE(fixture->WaitUnreaped());
  const ProcessState state = p.State();
  EXPECT_EQ(state.exit_code, -6);
  EXPECT_TRUE(state.core_dumped) << "core_pattern '" << pattern << "'";
  ASSERT_TRUE(fixture->Stop());
}

TEST(ExitStateTest, StoppedIsAliveAndHasNoExitCode) {
  auto fixture = StartFixture("fixtures/exiter", Opts({"--stop"}, ExpectedEnd::Exit(0)));
  ASSERT_NE(fixture, nullptr);
  Process p = OpenOrDie(fixture->pid());
  ASSERT_OK(fixture->Send("go"));
  ASSERT_TRUE(fixture->WaitUnreaped(/*stopped=*/true));
  const ProcessState stopped = p.State();
  EXPECT_EQ(stopped.kind, Kind::kAlive);
  EXPECT_EQ(stopped.letter, 'T');
  EXPECT_EQ(stopped.exit_code, std::nullopt);  // stat's exit_code holds SIGSTOP (19) here
  ASSERT_EQ(kill(fixture->pid(), SIGCONT), 0);
  ASSERT_TRUE(fixture->Stop());
}

TEST(OpenTest, RejectsWhatIsNotAProcess) {
  EXPECT_THAT(Process::Open(0), StatusIs(EINVAL));
  EXPECT_THAT(Process::Open(-1), StatusIs(EINVAL));
  ParkedThread parked;
  const pid_t tid = parked.tid();
  StatusOr<Process> thread_handle = Process::Open(tid);
  errno = 0;
  const long pidfd = syscall(SYS_pidfd_open, static_cast<pid_t>(tid), 0);
  const int pidfd_errno = errno;
  if (pidfd >= 0) close(static_cast<int>(pidfd));
  EXPECT_TRUE(pidfd < 0 && (pidfd_errno == ENOENT || pidfd_errno == EINVAL))
      << "pidfd_open(thread) = " << pidfd << ", errno " << pidfd_errno;
  EXPECT_EQ(access(("/proc/" + std::to_string(tid)).c_str(), F_OK), 0) << "/proc/TID opens";
  ASSERT_THAT(thread_handle, ::testing::Not(IsOk()));
  EXPECT_THAT(thread_handle, StatusIs(EINVAL));
  // A PID above pid_max cannot exist.
  const long pid_max =
      std::strtol(ReadFileToString("/proc/sys/kernel/pid_max").value_or("0").c_str(), nullptr, 10);
  ASSERT_GT(pid_max, 0);
  EXPECT_EQ(Process::Open(static_cast<pid_t>(std::min<long>(pid_max + 1, INT_MAX))).status().error_number(),
            ESRCH);
}

// ---- info ------------------------------------------------------------------------------------------------

// A user process is no kernel thread; once it is gone that cannot be told, and the answer says so instead
// of "false" (the CLI's "a kernel thread has no user memory" must never rest on a guess).
TEST(KernelThreadTest, AUserProcessIsNotOneAndAGoneOneCannotBeTold) {
  Process self = OpenOrDie(getpid());
  EXPECT_THAT(self.IsKernelThread(), IsOkAndHolds(false));
  ASSERT_OK_AND_ASSIGN(testing::HolesFixture holes, testing::StartHoles("rw:1"));
  Process p = OpenOrDie(holes.process->pid());
  EXPECT_THAT(p.IsKernelThread(), IsOkAndHolds(false));
  ASSERT_TRUE(holes.process->Stop());
  EXPECT_THAT(p.IsKernelThread(), StatusIs(ESRCH));
}

// A thread's TID names a /proc entry too (only the listing leaves it out): opening one is refused with the
// reason, whether the kernel has pidfd_open (which refuses non-leaders itself) or not (Tgid decides).
TEST(OpenTest, AThreadIsNotAProcessWithOrWithoutPidfd) {
  ParkedThread parked;
  for (const bool use_pidfd : {true, false}) {
    StatusOr<Process> p = Process::Open(parked.tid(), use_pidfd);
    EXPECT_THAT(p.status(), StatusIs(EINVAL)) << "use_pidfd " << use_pidfd;
    EXPECT_EQ(p.status().message(),
              std::to_string(parked.tid()) + " is a thread, not a process (thread-group leader)")
        << "use_pidfd " << use_pidfd;
  }
}

}  // namespace
}  // namespace procscope
