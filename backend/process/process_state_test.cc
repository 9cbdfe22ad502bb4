#include "backend/process/process_state.h"

#include <gtest/gtest.h>

#include <string>

#include "backend/procfs/stat.h"
#include "backend/procfs/testdata_util.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

using testing::ReadTestdata;
using Kind = ProcessState::Kind;

ProcStat Stat(const std::string& capture) {
  StatusOr<ProcStat> stat = ParseStat(ReadTestdata(capture));
  EXPECT_OK(stat);
  return stat.ok() ? *stat : ProcStat{};
}

TEST(StateFromStatTest, RealCaptures) {
  // Captured as root (ptrace access): the zombies' exit_code is the wait status and wchan reads 1.
  ProcessState exit3 = StateFromStat(Stat("stat_zombie_exit3.txt"));
  EXPECT_EQ(exit3.kind, Kind::kDead);
  EXPECT_EQ(exit3.exit_code, 3);
  EXPECT_FALSE(exit3.core_dumped);
  EXPECT_EQ(exit3.letter, 'Z');
  ProcessState killed = StateFromStat(Stat("stat_zombie_sigkill.txt"));
  EXPECT_EQ(killed.kind, Kind::kDead);
  EXPECT_EQ(killed.exit_code, -9);
  ProcessState stopped = StateFromStat(Stat("stat_stopped.txt"));
  EXPECT_EQ(stopped.kind, Kind::kAlive);  // exit_code holds the stop signal: not an exit
  EXPECT_EQ(stopped.exit_code, std::nullopt);
  EXPECT_EQ(StateFromStat(Stat("stat_cat.txt")).kind, Kind::kAlive);
}

TEST(StateFromStatTest, AZeroExitCodeIsTrustedOnlyWithAccess) {
  ProcStat zombie = Stat("stat_zombie_exit3.txt");
  zombie.exit_code = 0;
  zombie.wchan = 1;  // the reader had ptrace access: a real exit(0)
  ProcessState exit0 = StateFromStat(zombie);
  EXPECT_EQ(exit0.kind, Kind::kDead);
  EXPECT_EQ(exit0.exit_code, 0);
  zombie.wchan = 0;  // what a reader without access sees, whatever the real status was
  ProcessState hidden = StateFromStat(zombie);
  EXPECT_EQ(hidden.kind, Kind::kDead);
  EXPECT_EQ(hidden.exit_code, std::nullopt);
  EXPECT_NE(hidden.detail.find("ptrace"), std::string::npos) << hidden.detail;
  zombie.wchan = std::nullopt;  // a text cut before field 35 vouches for nothing either
  EXPECT_EQ(StateFromStat(zombie).exit_code, std::nullopt);
  EXPECT_TRUE(ZeroExitCodeNeedsAccessCheck(zombie));
  zombie.exit_code = std::nullopt;  // a kernel before 3.5
  EXPECT_EQ(StateFromStat(zombie).exit_code, std::nullopt);
}

// Before 5.16 a zombie's wchan reads 0 for every reader (Debian's 5.10.223, root's exit(0) zombie): the
// caller's access check decides, and is asked only then.
TEST(StateFromStatTest, WhereWchanCannotTellTheCallersAccessCheckDecides) {
  ProcStat zombie = Stat("stat_zombie_exit3.txt");
  zombie.exit_code = 0;
  zombie.wchan = 0;
  EXPECT_TRUE(ZeroExitCodeNeedsAccessCheck(zombie));
  EXPECT_EQ(StateFromStat(zombie, [] { return std::optional<bool>(true); }).exit_code, 0);
  EXPECT_EQ(StateFromStat(zombie, [] { return std::optional<bool>(false); }).exit_code, std::nullopt);
  EXPECT_EQ(StateFromStat(zombie, [] { return std::optional<bool>(); }).exit_code, std::nullopt);
  int asked = 0;
  zombie.wchan = 1;
  EXPECT_FALSE(ZeroExitCodeNeedsAccessCheck(zombie));
  EXPECT_EQ(StateFromStat(zombie, [&] { return ++asked, std::optional<bool>(false); }).exit_code, 0);
  zombie.exit_code = 3 << 8;
  EXPECT_FALSE(ZeroExitCodeNeedsAccessCheck(zombie));
  EXPECT_EQ(StateFromStat(zombie, [&] { return ++asked, std::optional<bool>(false); }).exit_code, 3);
  EXPECT_EQ(asked, 0);
  EXPECT_EQ(AccessFromSyscallRead(std::string("0 0x0 0x0\n")), true);
  EXPECT_EQ(AccessFromSyscallRead(Status(EACCES, "open")), false);
  EXPECT_EQ(AccessFromSyscallRead(Status(EPERM, "read")), false);
  EXPECT_EQ(AccessFromSyscallRead(Status(ENOENT, "open")), std::nullopt);
}

TEST(StateFromStatTest, CoreDumpsAndOtherStatuses) {
  ProcStat zombie = Stat("stat_zombie_exit3.txt");
  zombie.exit_code = 6 | 0x80;  // SIGABRT with a core dump
  ProcessState abort = StateFromStat(zombie);
  EXPECT_EQ(abort.exit_code, -6);
  EXPECT_TRUE(abort.core_dumped);
  zombie.exit_code = 0x137f;  // a stop status on a zombie is not an exit
  EXPECT_EQ(StateFromStat(zombie).exit_code, std::nullopt);
  zombie.state = 'X';
  zombie.exit_code = 0x100;
  EXPECT_EQ(StateFromStat(zombie).exit_code, 1);
}

TEST(StateFromStatTest, AZombieLeaderWithLiveThreadsIsAlive) {
  ProcStat leader = Stat("stat_zombie_exit3.txt");
  leader.num_threads = 3;
  ProcessState state = StateFromStat(leader);
  EXPECT_EQ(state.kind, Kind::kAlive);
  EXPECT_EQ(state.exit_code, std::nullopt);
}

TEST(StateFromStatTest, ReapedProcessesAreDeadWithoutExitCode) {
  EXPECT_EQ(ReapedState().kind, Kind::kDead);
  EXPECT_EQ(ReapedState().exit_code, std::nullopt);
  EXPECT_EQ(ReapedState().detail, "the process no longer exists (reaped); its exit code is gone");
  EXPECT_EQ(ReapedState("PIDFD_GET_INFO: ENOTTY").detail,
            "the process no longer exists (reaped); its exit code is gone (PIDFD_GET_INFO: ENOTTY)");
  EXPECT_EQ(StateKindName(Kind::kUnknown), "unknown");
}

// The pidfd's PIDFD_INFO_EXIT status is a raw wait status, decoded as stat's exit_code is.
TEST(StateFromPidfdExitTest, DecodesTheWaitStatus) {
  const ProcessState exited = StateFromPidfdExit(3 << 8);
  EXPECT_EQ(exited.kind, Kind::kDead);
  EXPECT_EQ(exited.exit_code, 3);
  EXPECT_FALSE(exited.core_dumped);
  EXPECT_EQ(exited.detail, "exit status from the pidfd (PIDFD_INFO_EXIT)");
  EXPECT_EQ(exited.letter, 0);
  EXPECT_EQ(StateFromPidfdExit(0).exit_code, 0);
  EXPECT_EQ(StateFromPidfdExit(9).exit_code, -9);
  const ProcessState dumped = StateFromPidfdExit(0x80 | 11);  // SIGSEGV, core dumped
  EXPECT_EQ(dumped.exit_code, -11);
  EXPECT_TRUE(dumped.core_dumped);
  const ProcessState stopped = StateFromPidfdExit(0x137f);  // a stop status is no termination
  EXPECT_EQ(stopped.kind, Kind::kDead);
  EXPECT_EQ(stopped.exit_code, std::nullopt);
  EXPECT_EQ(stopped.detail, "the pidfd's exit status is not a termination status");
}

}  // namespace
}  // namespace procscope
