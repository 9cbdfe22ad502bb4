// A reader without ptrace access (uid 65534, no capabilities) looking at root-owned targets: permission
// errors and unknown exit codes, never a fake "exit 0", never a crash. The targets are started by the test
// (root); the reader is a forked child that drops its credentials (forked, not exec'd: uid 65534 cannot
// reach the Bazel runfiles under /root).
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "backend/memory/fake_memory.h"
#include "backend/memory/linux_memory_backend.h"
#include "backend/memory/strategy.h"
#include "backend/process/process.h"
#include "backend/status_matchers.h"
#include "gtest/gtest.h"
#include "tests/util/child_report.h"
#include "tests/util/fixture_process.h"
#include "tests/util/gated_child.h"
#include "tests/util/process_helpers.h"
#include "tests/util/time_limits.h"

namespace procscope {
namespace {

using testing::ChildReport;
using testing::ExpectedEnd;
using testing::FixtureProcess;
using Kind = ProcessState::Kind;

std::unique_ptr<FixtureProcess> Start(std::vector<std::string> args, ExpectedEnd end) {
  StatusOr<std::unique_ptr<FixtureProcess>> f = FixtureProcess::Start("fixtures/exiter", args, end);
  EXPECT_OK(f);
  return f.ok() ? std::move(*f) : nullptr;
}

std::string Describe(const ProcessState& s) {
  return std::string(StateKindName(s.kind)) +
         " exit_code=" + (s.exit_code ? std::to_string(*s.exit_code) : "null") + " (" + s.detail + ")";
}

TEST(UnprivilegedTest, PermissionErrorsAndUnknownExitCodes) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to start root-owned targets and drop to uid 65534";
  auto alive = Start({}, ExpectedEnd::Exit(0));
  auto exit0 = Start({"--exit", "0"}, ExpectedEnd::Exit(0));
  auto exit3 = Start({"--exit", "3"}, ExpectedEnd::Exit(3));
  ASSERT_TRUE(alive && exit0 && exit3);
  for (auto* zombie : {exit0.get(), exit3.get()}) {
    ASSERT_OK(zombie->Send("go"));
    ASSERT_TRUE(zombie->WaitUnreaped());
  }
  const pid_t alive_pid = alive->pid(), exit0_pid = exit0->pid(), exit3_pid = exit3->pid();
  // Root sees the real codes (the contrast that makes the checks below meaningful).
  ASSERT_EQ(Process::Open(exit0_pid)->State().exit_code, 0);
  ASSERT_EQ(Process::Open(exit3_pid)->State().exit_code, 3);

  const testing::ChildOutcome outcome = testing::RunInChild([&](ChildReport& report) {
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
      return report.Skip("cannot drop to uid/gid 65534");
    }
    report.Check("dropped", getuid() == 65534 && geteuid() == 65534);
    for (const auto& [name, pid] : {std::pair{"exit0", exit0_pid}, std::pair{"exit3", exit3_pid}}) {
      StatusOr<Process> p = Process::Open(pid);
      report.Check(std::string(name) + " opens", p.ok(), p.status().ToString());
      if (!p.ok()) continue;
      const ProcessState state = p->State();
      report.Check(std::string(name) + " is dead with unknown exit code",
                   state.kind == Kind::kDead && !state.exit_code, Describe(state));
      StatusOr<ProcessInfo> info = p->Info();
      report.Check(std::string(name) + " info has the same state",
                   info.ok() && info->state.kind == Kind::kDead && !info->state.exit_code,
                   info.ok() ? Describe(info->state) : info.status().ToString());
    }
    StatusOr<Process> p = Process::Open(alive_pid);
    report.Check("alive opens", p.ok(), p.status().ToString());
    if (!p.ok()) return;
    report.Check("alive is alive", p->State().kind == Kind::kAlive, Describe(p->State()));
    StatusOr<ProcessInfo> info = p->Info();
    report.Check("info works", info.ok(), info.status().ToString());
    if (info.ok()) {
      report.Check("path hidden with EACCES", !info->path && info->path_status.error_number() == EACCES,
                   info->path_status.ToString());
      report.Check("arch unknown, not guessed", !info->arch, info->arch_status.ToString());
      report.Check("command line readable", !info->command_line.empty());
    }
    const auto denied = [&](const std::string& what, const Status& status) {
      report.Check(what + " is EACCES", status.error_number() == EACCES, status.ToString());
    };
    denied("maps", p->Maps().status());
    denied("modules", p->Modules().status());
    denied("env", p->Env().status());
    denied("primary", p->Primary().status());
    uint64_t word = 0;
    const Element element{0x1000, &word, sizeof word};
    ElementResult result;
    const Status read = p->Transfer(*MakeStrategy("default"), Direction::kRead, {&element, 1}, {&result, 1});
    report.Check("memory read is EPERM", read.error_number() == EPERM && result.error == EPERM,
                 read.ToString());
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(
      outcome, {"dropped", "exit0 is dead with unknown exit code", "exit3 is dead with unknown exit code",
                "exit0 info has the same state", "alive is alive", "info works", "path hidden with EACCES",
                "arch unknown, not guessed", "command line readable", "maps is EACCES", "modules is EACCES",
                "env is EACCES", "primary is EACCES", "memory read is EPERM"});
  ASSERT_OK(alive->Send("go"));
  EXPECT_TRUE(alive->Stop());
  EXPECT_TRUE(exit0->Stop());
  EXPECT_TRUE(exit3->Stop());
}

// A target this reader may not ptrace: the fake's SetDenied and the kernel answer every strategy alike
// (FakeVersusKernelTest in memory_engine_test.cc covers readable, written and dead targets).
TEST(UnprivilegedTest, FakeAndKernelAgreeOnADeniedTarget) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to start a root-owned target and drop to uid 65534";
  auto alive = Start({}, ExpectedEnd::Exit(0));
  ASSERT_TRUE(alive);
  const pid_t pid = alive->pid();
  const testing::ChildOutcome outcome = testing::RunInChild([&](ChildReport& report) {
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
      return report.Skip("cannot drop to uid/gid 65534");
    }
    FakeMemory fake;
    fake.Map(0x10000, 1, kProtRead | kProtWrite);
    fake.SetDenied(true);
    std::vector<uint8_t> buffer(8);
    for (const std::string& name : StrategyNames()) {
      for (Direction direction : {Direction::kRead, Direction::kWrite}) {
        LinuxMemoryBackend real(pid);
        std::vector<ElementResult> fake_results(2), real_results(2);
        // Any address: the permission check comes before the address is looked at.
        const std::vector<Element> elements = {{0x10000, buffer.data(), 8}, {0x10008, buffer.data(), 8}};
        const Status f = TransferBatch(*MakeStrategy(name), fake, direction, elements, fake_results);
        const Status r = TransferBatch(*MakeStrategy(name), real, direction, elements, real_results);
        const std::string what = name + (direction == Direction::kRead ? " read" : " write");
        report.Check(what + " status", f.error_number() == r.error_number() && r.error_number() == EPERM,
                     "fake " + f.ToString() + ", kernel " + r.ToString());
        report.Check(what + " results", fake_results == real_results,
                     "fake error " + ErrnoName(fake_results[0].error) + ", kernel error " +
                         ErrnoName(real_results[0].error));
      }
    }
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  std::vector<std::string> expected;
  for (const std::string& name : StrategyNames()) {
    for (const char* what : {" read status", " read results", " write status", " write results"}) {
      expected.push_back(name + what);
    }
  }
  testing::ExpectAllChecksPassed(outcome, expected);
  ASSERT_TRUE(alive->Stop());
}

// Root's process, reaped by its parent (this test) the moment it exits, waited for by uid 65534: stat hides
// the zombie's code from that reader, the pidfd (6.15) gives it after the reap without a ptrace check. On
// kernels whose pidfd keeps no exit status the state is dead, code unknown, with the reason.
TEST(UnprivilegedTest, WaitGivesRootsReapedCodeWhereThePidfdKeepsIt) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to start a root-owned target and drop to uid 65534";
  const bool kept = testing::PidfdKeepsExitStatus();
  StatusOr<testing::GatedChild> target = testing::GatedChild::Start(3);
  ASSERT_OK(target);
  const pid_t pid = target->pid();
  StatusOr<int> reaped = Status(ECHILD, "not yet");
  std::thread parent([&] { reaped = target->child().Wait(); });  // blocks in waitpid: reaps at the exit
  const testing::ChildOutcome outcome = testing::RunInChild([&](ChildReport& report) {
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
      (void)target->Release();  // the parent thread waits for it
      return report.Skip("cannot drop to uid/gid 65534");
    }
    StatusOr<Process> p = Process::Open(pid);
    const Status released = target->Release();
    report.Check("opens and releases", p.ok() && released.ok(), p.status().ToString() + released.ToString());
    if (!p.ok()) return;
    StatusOr<ProcessState> state = p->WaitForEnd(testing::kStepTimeLimit, std::chrono::seconds(1));
    report.Check("ended", state.ok() && state->kind == Kind::kDead,
                 state.ok() ? Describe(*state) : state.status().ToString());
    if (!state.ok()) return;
    if (kept) {
      report.Check("exit code from the pidfd", state->exit_code == 3, Describe(*state));
    } else {
      report.Check("exit code unknown, with the reason", !state->exit_code && !state->detail.empty(),
                   Describe(*state));
    }
  });
  parent.join();
  ASSERT_OK(reaped);
  EXPECT_EQ(ExitCodeOrSignal(*reaped), 3);
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(outcome,
                                 {"opens and releases", "ended",
                                  kept ? "exit code from the pidfd" : "exit code unknown, with the reason"});
}

TEST(UnprivilegedTest, StatThatCannotBeReadIsUnknownState) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to mount a private /proc";
  auto alive = Start({}, ExpectedEnd::Exit(0));
  ASSERT_NE(alive, nullptr);
  const pid_t pid = alive->pid();
  const testing::ChildOutcome outcome = testing::RunInChild([&](ChildReport& report) {
    // A /proc of our own with hidepid=invisible: once we are uid 65534, other users' /proc/PID entries
    // refuse access, even through a directory opened before.
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible") != 0) {
      return report.Skip("cannot mount a private /proc with hidepid=invisible");
    }
    // With a pidfd (which says the process still runs) and without one (kernels before 5.3: only the held
    // directory and the start time, so nothing tells hidden from replaced; never say replaced).
    StatusOr<Process> with_pidfd = Process::Open(pid);
    StatusOr<Process> without_pidfd = Process::Open(pid, /*use_pidfd=*/false);
    report.Check("opens as root", with_pidfd.ok() && without_pidfd.ok(),
                 with_pidfd.status().ToString() + without_pidfd.status().ToString());
    if (!with_pidfd.ok() || !without_pidfd.ok()) return;
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
      return report.Skip("cannot drop to uid/gid 65534");
    }
    for (const auto& [tag, p] : {std::pair{"pidfd", &*with_pidfd}, std::pair{"no pidfd", &*without_pidfd}}) {
      const std::string t = std::string(tag) + ", ";
      const ProcessState state = p->State();
      report.Check(t + "state is unknown", state.kind == Kind::kUnknown && !state.exit_code, Describe(state));
      report.Check(
          t + "detail names the permission error",
          state.detail.find("EACCES") != std::string::npos || state.detail.find("EPERM") != std::string::npos,
          state.detail);
      const Status info = p->Info().status();
      report.Check(t + "info fails with a permission error",
                   info.error_number() == EACCES || info.error_number() == EPERM, info.ToString());
    }
    const Status reopen = Process::Open(pid).status();
    report.Check("open of a hidden process is EACCES, not ESRCH", reopen.error_number() == EACCES,
                 reopen.ToString());
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(
      outcome, {"opens as root", "pidfd, state is unknown", "pidfd, detail names the permission error",
                "pidfd, info fails with a permission error", "no pidfd, state is unknown",
                "no pidfd, detail names the permission error", "no pidfd, info fails with a permission error",
                "open of a hidden process is EACCES, not ESRCH"});
  ASSERT_OK(alive->Send("go"));
  EXPECT_TRUE(alive->Stop());
}

}  // namespace
}  // namespace procscope
