// Forced PID reuse: in a new PID namespace, where nothing else forks, a process exits and is reaped, and
// /proc/sys/kernel/ns_last_pid makes the next child get its PID. A Process handle to the first must refuse
// to act on the second (ESTALE), with a pidfd and with the start-time guard alone, while a new handle works.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backend/memory/memory_backend.h"
#include "backend/memory/strategy.h"
#include "backend/process/process.h"
#include "backend/scoped_child.h"
#include "gtest/gtest.h"
#include "tests/util/child_report.h"
#include "tests/util/process_helpers.h"

namespace procscope {
namespace {

using testing::ChildReport;

volatile uint64_t g_marker = 0x5eed5eed5eed5eedULL;

std::string ErrnoText(const std::string& what) { return what + ": " + std::strerror(errno); }

// A child that waits to be killed: killed and reaped when the returned owner goes away.
StatusOr<ScopedChild> SpawnSleeper() {
  return ScopedChild::Fork([] {
    while (true) pause();
    return 0;
  });
}

bool SetNextPid(pid_t next) {
  const int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const std::string text = std::to_string(next - 1);
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

// `code`: the exit code State() must give for the old process (its own, from the pidfd where the kernel
// keeps it), never anything of the successor's.
void CheckReplaced(ChildReport& report, const std::string& tag, const Process& old_handle,
                   std::optional<int> code) {
  const auto stale = [&](const std::string& what, const Status& status) {
    report.Check(tag + " " + what + " is ESTALE", status.error_number() == ESTALE, status.ToString());
  };
  stale("CheckIdentity", old_handle.CheckIdentity());
  stale("Info", old_handle.Info().status());
  stale("Stat", old_handle.Stat().status());
  stale("Maps", old_handle.Maps().status());
  stale("Modules", old_handle.Modules().status());
  stale("Env", old_handle.Env().status());
  stale("MappedMemory", old_handle.MappedMemory(0, UINT64_MAX, 0).status());
  // The successor is a fork of this process: g_marker is mapped at the same address in it, so a read that
  // reached it would succeed. It must not come back as data.
  uint64_t word = 0;
  const Element element{reinterpret_cast<uintptr_t>(&g_marker), &word, sizeof word};
  ElementResult result{8, 0};
  stale("Transfer",
        old_handle.Transfer(*MakeStrategy("default"), Direction::kRead, {&element, 1}, {&result, 1}));
  report.Check(tag + " Transfer element failed", !result.ok() && result.transferred == 0 && word == 0,
               "transferred " + std::to_string(result.transferred) + ", word " + std::to_string(word));
  const ProcessState state = old_handle.State();
  report.Check(tag + " State is dead with the old process's code or none",
               state.kind == ProcessState::Kind::kDead && state.exit_code == code,
               (state.exit_code ? std::to_string(*state.exit_code) : "null") + ": " + state.detail);
}

// A strategy that, once Process::Transfer has checked identity and handed it the memory, lets the target
// die, makes a successor take its PID and only then reads: the reap and the reuse land between the check
// before the syscall and the syscall itself, the window that only the check after it can catch.
class ReplaceThenRead final : public Strategy {
 public:
  explicit ReplaceThenRead(ScopedChild& target) : target_(target) {}
  std::string_view name() const override { return "replace_then_read"; }
  Transport transport() const override { return Transport::kProcessVm; }
  Status Transfer(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                  std::span<const size_t> pending, std::span<ElementResult> results,
                  TransferReport& transfer_report) const override {
    const pid_t pid = target_.pid();
    if (StatusOr<int> ended = target_.KillAndWait(); !ended.ok()) return ended.status();
    if (!SetNextPid(pid)) return Status(EPERM, ErrnoText("ns_last_pid"));
    StatusOr<ScopedChild> successor = SpawnSleeper();
    if (!successor.ok()) return successor.status();
    successor_ = *std::move(successor);
    return MakeStrategy("retry")->Transfer(memory, direction, elements, pending, results, transfer_report);
  }
  pid_t successor() const { return successor_.pid(); }

 private:
  ScopedChild& target_;
  mutable ScopedChild successor_;  // killed and reaped with the strategy
};

void CheckReplacedDuringTransfer(ChildReport& report, const std::string& tag, bool use_pidfd) {
  StatusOr<ScopedChild> sleeper = SpawnSleeper();
  report.Check(tag + " sleeper started", sleeper.ok(), sleeper.status().ToString());
  if (!sleeper.ok()) return;
  const pid_t target = sleeper->pid();
  StatusOr<Process> handle = Process::Open(target, use_pidfd);
  report.Check(tag + " open", handle.ok(), handle.status().ToString());
  if (!handle.ok()) return;
  ReplaceThenRead strategy(*sleeper);
  uint64_t word = 0;
  const Element element{reinterpret_cast<uintptr_t>(&g_marker), &word, sizeof word};
  ElementResult result;
  const Status status = handle->Transfer(strategy, Direction::kRead, {&element, 1}, {&result, 1});
  report.Check(tag + " replaced mid-transfer, PID reused", strategy.successor() == target,
               std::to_string(strategy.successor()) + " != " + std::to_string(target));
  // The successor's bytes may be in the buffer (the syscall read them), but nothing reports them as read.
  report.Check(tag + " replaced mid-transfer, ESTALE", status.error_number() == ESTALE, status.ToString());
  report.Check(tag + " replaced mid-transfer, element failed", result == (ElementResult{0, ESTALE}),
               "transferred " + std::to_string(result.transferred) + ", error " + ErrnoName(result.error));
}

// Runs as PID 1 of the new namespace, with its own /proc.
void InsideNamespace(ChildReport& report, bool pidfd_keeps_exit_status) {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
      mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    return report.Skip(ErrnoText("cannot mount a /proc for the new PID namespace"));
  }
  StatusOr<ScopedChild> first_child = SpawnSleeper();
  report.Check("first sleeper started", first_child.ok(), first_child.status().ToString());
  if (!first_child.ok()) return;
  const pid_t first = first_child->pid();
  StatusOr<Process> with_pidfd = Process::Open(first);
  StatusOr<Process> without_pidfd = Process::Open(first, /*use_pidfd=*/false);
  report.Check("open first", with_pidfd.ok() && without_pidfd.ok(),
               with_pidfd.status().ToString() + " / " + without_pidfd.status().ToString());
  if (!with_pidfd.ok() || !without_pidfd.ok()) return;
  report.Check("pidfd in use", with_pidfd->has_pidfd() && !without_pidfd->has_pidfd());
  first_child->Reset();
  // Gone, nobody has the PID yet: ESRCH, not ESTALE.
  report.Check("exited is ESRCH", with_pidfd->CheckIdentity().error_number() == ESRCH,
               with_pidfd->CheckIdentity().ToString());
  report.Check("exited is ESRCH without pidfd", without_pidfd->CheckIdentity().error_number() == ESRCH,
               without_pidfd->CheckIdentity().ToString());
  if (!SetNextPid(first)) return report.Skip(ErrnoText("cannot write /proc/sys/kernel/ns_last_pid"));
  StatusOr<ScopedChild> second_child = SpawnSleeper();
  const pid_t second = second_child.ok() ? second_child->pid() : -1;
  report.Check("PID reused", second == first, std::to_string(second) + " != " + std::to_string(first));
  if (second == first) {
    // The first sleeper was killed (SIGKILL) and reaped; the successor sleeps on.
    CheckReplaced(report, "pidfd", *with_pidfd,
                  pidfd_keeps_exit_status ? std::optional<int>(-SIGKILL) : std::nullopt);
    CheckReplaced(report, "starttime", *without_pidfd, std::nullopt);
    StatusOr<Process> fresh = Process::Open(second);
    StatusOr<ProcessInfo> info = fresh.ok() ? fresh->Info() : StatusOr<ProcessInfo>(fresh.status());
    report.Check("new handle works", info.ok() && info->ppid == getpid(), info.status().ToString());
  }
  if (second_child.ok()) second_child->Reset();
  CheckReplacedDuringTransfer(report, "pidfd", /*use_pidfd=*/true);
  CheckReplacedDuringTransfer(report, "starttime", /*use_pidfd=*/false);
}

TEST(PidReuseTest, AHandleRefusesTheProcessThatGotItsPid) {
  const bool kept = testing::PidfdKeepsExitStatus();  // measured out here: the probe forks
  const testing::ChildOutcome outcome = testing::RunInChild([kept](ChildReport& report) {
    if (unshare(CLONE_NEWPID | CLONE_NEWNS) != 0) {
      return report.Skip(ErrnoText("unshare(CLONE_NEWPID | CLONE_NEWNS) is not allowed here"));
    }
    StatusOr<ScopedChild> init = ScopedChild::Fork([&] {  // PID 1 of the new namespace
      InsideNamespace(report, kept);
      return 0;
    });
    StatusOr<int> status = init.ok() ? init->Wait() : StatusOr<int>(init.status());
    report.Check("namespace init ended normally", status.ok() && ExitCodeOrSignal(*status) == 0,
                 status.ok() ? DescribeWaitStatus(*status) : status.status().ToString());
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  std::vector<std::string> expected = {"open first", "pidfd in use",     "exited is ESRCH",
                                       "PID reused", "new handle works", "namespace init ended normally"};
  for (const char* tag : {"pidfd", "starttime"}) {
    for (const char* what : {"CheckIdentity", "Info", "Maps", "Env", "Transfer"}) {
      expected.push_back(std::string(tag) + " " + what + " is ESTALE");
    }
    expected.push_back(std::string(tag) + " State is dead with the old process's code or none");
    expected.push_back(std::string(tag) + " Transfer element failed");
    for (const char* what : {"open", "replaced mid-transfer, PID reused", "replaced mid-transfer, ESTALE",
                             "replaced mid-transfer, element failed"}) {
      expected.push_back(std::string(tag) + " " + what);
    }
  }
  testing::ExpectAllChecksPassed(outcome, expected);
}

}  // namespace
}  // namespace procscope
