// Process::State() and WaitForEnd() of a process that ended: its exit code from stat while it is a zombie,
// from its pidfd once it was reaped (PIDFD_INFO_EXIT, 6.15), and the reason when neither has it. What this
// kernel's pidfd answers is measured first (ProbePidfdInfoExit), so the same test holds on every line: the
// code where the probe says "supported", "unknown" naming the pidfd's answer elsewhere.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include "backend/process/process.h"
#include "backend/scoped_child.h"
#include "backend/status_matchers.h"
#include "gtest/gtest.h"
#include "tests/util/gated_child.h"
#include "tests/util/process_helpers.h"
#include "tests/util/time_limits.h"

namespace procscope {
namespace {

using Kind = ProcessState::Kind;
using std::chrono::milliseconds;
using testing::GatedChild;
using testing::PidfdKeepsExitStatus;

constexpr milliseconds kGrace{1000};

std::string Describe(const ProcessState& s) {
  return std::string(StateKindName(s.kind)) +
         " exit_code=" + (s.exit_code ? std::to_string(*s.exit_code) : "null") + " (" + s.detail + ")";
}

// The pidfd's answer is named in the detail where the kernel keeps no exit status.
void ExpectCodeOrWhyNot(const ProcessState& state, int code) {
  EXPECT_EQ(state.kind, Kind::kDead) << Describe(state);
  if (PidfdKeepsExitStatus()) {
    EXPECT_EQ(state.exit_code, code) << Describe(state);
    EXPECT_EQ(state.detail, "exit status from the pidfd (PIDFD_INFO_EXIT)");
  } else {
    EXPECT_EQ(state.exit_code, std::nullopt) << Describe(state);
    EXPECT_NE(state.detail.find("PIDFD_GET_INFO"), std::string::npos) << Describe(state);
  }
}

TEST(ProcessWaitTest, AReapedProcessKeepsItsExitCodeInThePidfd) {
  StatusOr<GatedChild> target = GatedChild::Start(3);
  ASSERT_OK(target);
  StatusOr<Process> p = Process::Open(target->pid());
  ASSERT_OK(p);
  ASSERT_TRUE(p->has_pidfd()) << "pidfd_open is in every kernel line (5.3)";
  ASSERT_OK(target->Release());
  StatusOr<int> status = target->child().Wait();
  ASSERT_OK(status);
  ASSERT_EQ(ExitCodeOrSignal(*status), 3);
  ExpectCodeOrWhyNot(p->State(), 3);
  StatusOr<ProcessState> waited = p->WaitForEnd(std::nullopt, kGrace);
  ASSERT_OK(waited);
  ExpectCodeOrWhyNot(*waited, 3);
}

TEST(ProcessWaitTest, KilledBySignalAfterTheReap) {
  StatusOr<GatedChild> target = GatedChild::Start(0, SIGKILL);
  ASSERT_OK(target);
  StatusOr<Process> p = Process::Open(target->pid());
  ASSERT_OK(p);
  ASSERT_OK(target->Release());
  ASSERT_OK(target->child().Wait());
  ExpectCodeOrWhyNot(p->State(), -SIGKILL);
}

TEST(ProcessWaitTest, AZombieGivesItsCodeFromStatAtOnce) {
  for (const bool use_pidfd : {true, false}) {
    SCOPED_TRACE(use_pidfd ? "with a pidfd" : "without a pidfd (stat read every 10 ms)");
    StatusOr<GatedChild> target = GatedChild::Start(7);
    ASSERT_OK(target);
    StatusOr<Process> p = Process::Open(target->pid(), use_pidfd);
    ASSERT_OK(p);
    ASSERT_OK(target->Release());
    // Nobody reaps it: the code comes from the zombie's stat (root has ptrace access), without the grace.
    const auto start = std::chrono::steady_clock::now();
    StatusOr<ProcessState> waited = p->WaitForEnd(testing::kStepTimeLimit, testing::kStepTimeLimit);
    ASSERT_OK(waited);
    EXPECT_EQ(waited->kind, Kind::kDead) << Describe(*waited);
    EXPECT_EQ(waited->exit_code, 7) << Describe(*waited);
    EXPECT_LT(std::chrono::steady_clock::now() - start, testing::kStepTimeLimit);
    EXPECT_EQ(p->State().letter, 'Z');
  }
}

TEST(ProcessWaitTest, TheParentReapsAtOnceWhileAnotherProcessWaits) {
  StatusOr<GatedChild> target = GatedChild::Start(5);
  ASSERT_OK(target);
  StatusOr<Process> p = Process::Open(target->pid());
  ASSERT_OK(p);
  StatusOr<int> reaped = Status(ECHILD, "not yet");
  const pid_t pid = target->pid();
  std::thread parent([&] { reaped = target->child().Wait(); });  // blocks in waitpid: reaps at the exit
  const Status released = target->Release();
  if (!released.ok()) kill(pid, SIGKILL);  // still owned: the thread's Wait reaps it
  StatusOr<ProcessState> waited = p->WaitForEnd(testing::kStepTimeLimit, kGrace);
  parent.join();
  ASSERT_OK(released);
  ASSERT_OK(reaped);
  ASSERT_OK(waited);
  EXPECT_EQ(waited->kind, Kind::kDead) << Describe(*waited);
  // Read from the zombie's stat or from the pidfd after the reap, whichever came first: the code either way
  // where the pidfd keeps it; elsewhere the stat read may lose the race to the reap.
  if (PidfdKeepsExitStatus() || waited->exit_code) {
    EXPECT_EQ(waited->exit_code, 5) << Describe(*waited);
  } else {
    ExpectCodeOrWhyNot(*waited, 5);
  }
}

TEST(ProcessWaitTest, ARunningProcessTimesOut) {
  for (const bool use_pidfd : {true, false}) {
    SCOPED_TRACE(use_pidfd ? "with a pidfd" : "without a pidfd");
    StatusOr<GatedChild> target = GatedChild::Start(0);
    ASSERT_OK(target);
    StatusOr<Process> p = Process::Open(target->pid(), use_pidfd);
    ASSERT_OK(p);
    const auto start = std::chrono::steady_clock::now();
    StatusOr<ProcessState> waited = p->WaitForEnd(milliseconds(50), kGrace);
    EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(50));
    EXPECT_THAT(waited, StatusIs(ETIMEDOUT));
    EXPECT_EQ(waited.status().message(),
              "process " + std::to_string(target->pid()) + " still runs after 50 ms");
    EXPECT_EQ(p->State().kind, Kind::kAlive);
    EXPECT_THAT(p->WaitForEnd(milliseconds(0), kGrace), StatusIs(ETIMEDOUT));
  }
}

}  // namespace
}  // namespace procscope
