// When fork fails (a process limit; a loaded machine), every place that forks ends in an error naming fork
// and its errno: nothing is signalled that the code did not start (kill(-1, SIGKILL) as root reaches every
// process on the machine) and no descriptor is left open. The failure is real: a seccomp filter
// (tests/util/seccomp.h DenyFork) makes fork, vfork, clone and clone3 return EAGAIN in a child of the test,
// and kills that child with SIGSYS should anything call kill(-1, ...), so such a bug fails the test instead
// of harming the machine.
#include <grp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "backend/memory/kernel_probe.h"
#include "backend/scoped_child.h"
#include "backend/status.h"
#include "backend/status_matchers.h"
#include "fixtures/layout_child.h"
#include "tests/util/child_report.h"
#include "tests/util/open_fds.h"
#include "tests/util/seccomp.h"
#include "tests/util/subprocess.h"
#include "tools/conform/conform.h"
#include "tools/conform/worker.h"

namespace procscope {
namespace {

using testing::ChildOutcome;
using testing::ChildReport;

// True when `status` is EAGAIN from fork (what DenyFork makes every fork return).
bool IsForkEagain(const Status& status) {
  return status.error_number() == EAGAIN && status.message().find("fork") != std::string::npos;
}

// Runs `body` in a child whose forks fail. A sibling started before the filter must still be alive
// afterwards (nothing signalled it), and no descriptor may be left behind by `body`.
ChildOutcome WithForkDenied(const std::function<void(ChildReport&)>& body) {
  return testing::RunInChild([&](ChildReport& report) {
    // It holds no copy of the report pipe (the parent would wait for its EOF) and dies with this child, so
    // a bug that kills this child (SIGSYS) fails the test at once and leaves nothing behind.
    StatusOr<ScopedChild> sibling = ScopedChild::Fork([] {
      close_range(3, ~0U, 0);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      pause();
      return 0;
    });
    if (!sibling.ok()) return report.Check("sibling started", false, sibling.status().ToString());
    if (Status denied = testing::DenyFork(EAGAIN); !denied.ok()) return report.Skip(denied.ToString());
    const int fds_before = testing::OpenFds();
    body(report);
    report.Check("no descriptor left open", testing::OpenFds() == fds_before,
                 std::to_string(testing::OpenFds()) + " open, " + std::to_string(fds_before) + " before");
    int status = 0;
    report.Check("sibling untouched", waitpid(sibling->pid(), &status, WNOHANG) == 0,
                 "it ended: " + DescribeWaitStatus(status));
  });
}

void ExpectClean(const ChildOutcome& outcome, std::vector<std::string> checks) {
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  checks.push_back("no descriptor left open");
  checks.push_back("sibling untouched");
  testing::ExpectAllChecksPassed(outcome, checks);
}

TEST(ForkFailureTest, TheFilterReallyMakesForkFail) {
  ExpectClean(WithForkDenied([](ChildReport& report) {
                StatusOr<ScopedChild> child = ScopedChild::Fork([] { return 0; });
                report.Check("fork refused with EAGAIN", !child.ok() && IsForkEagain(child.status()),
                             child.status().ToString());
              }),
              {"fork refused with EAGAIN"});
}

TEST(ForkFailureTest, RunInChildReportsAFailedStartAndSignalsNothing) {
  ExpectClean(
      WithForkDenied([](ChildReport& report) {
        bool ran = false;
        const ChildOutcome inner = testing::RunInChild([&](ChildReport&) { ran = true; });
        const auto started = inner.checks.find(testing::kStartedCheck);
        report.Check("a failed 'child started' check", started != inner.checks.end());
        if (started == inner.checks.end()) return;
        report.Check("it names fork and EAGAIN", started->second.find("EAGAIN: fork") == 0, started->second);
        report.Check("no exit status invented", inner.exit_status == -1, std::to_string(inner.exit_status));
        report.Check("not a skip", !testing::SkipRequested(inner), inner.skip);
        report.Check("the body never ran", !ran);
      }),
      {"a failed 'child started' check", "it names fork and EAGAIN", "no exit status invented", "not a skip",
       "the body never ran"});
}

TEST(ForkFailureTest, TheConformWorkerFailsToStartWithFork) {
  ExpectClean(WithForkDenied([](ChildReport& report) {
                StatusOr<std::unique_ptr<conform::PluginWorker>> worker =
                    conform::PluginWorker::Start("/nonexistent/plugin.so", std::chrono::seconds(5));
                report.Check("worker refused with fork's EAGAIN",
                             !worker.ok() && IsForkEagain(worker.status()),
                             worker.ok() ? "it started" : worker.status().ToString());
              }),
              {"worker refused with fork's EAGAIN"});
}

// A worker that crashed is started again for the next batch; when that fork fails, the batch says so (and
// why) instead of running nowhere.
TEST(ForkFailureTest, TheConformWorkerThatCannotRestartSaysSo) {
  const std::string plugin = testing::RunfilesPath("tests/plugins/libmisbehaving_crash.so");
  const ChildOutcome outcome = testing::RunInChild([&](ChildReport& report) {
    StatusOr<std::unique_ptr<conform::PluginWorker>> worker =
        conform::PluginWorker::Start(plugin, std::chrono::seconds(30));
    if (!worker.ok()) return report.Check("worker started", false, worker.status().ToString());
    static uint8_t memory[64];
    const uint64_t at = reinterpret_cast<uintptr_t>(memory);
    const std::vector<conform::Span> three = {{at, 8}, {at + 8, 8}, {at + 16, 8}};  // it crashes on three
    const conform::BatchOutcome crashed = (*worker)->Run(Direction::kRead, getpid(), three);
    report.Check("the first batch crashed", crashed.how == conform::BatchOutcome::How::kCrashed,
                 crashed.detail);
    if (Status denied = testing::DenyFork(EAGAIN); !denied.ok()) return report.Skip(denied.ToString());
    const conform::BatchOutcome again = (*worker)->Run(Direction::kRead, getpid(), three);
    report.Check("the next batch says the worker could not restart",
                 again.how == conform::BatchOutcome::How::kCrashed &&
                     again.detail.starts_with("could not restart the worker: ") &&
                     again.detail.find("EAGAIN") != std::string::npos,
                 again.detail);
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(
      outcome, {"the first batch crashed", "the next batch says the worker could not restart"});
}

// A dead-target case needs a zombie, forked when the case comes: when that fork fails (here the third fork of
// a user allowed three processes: the run, the worker and the layout child), the run ends with fork's error
// instead of handing the plugin a process that does not exist.
TEST(ForkFailureTest, ConformWithoutAZombieEndsWithForksError) {
  // The plugin must be readable after the drop to an unprivileged uid: a copy outside the runfiles.
  const std::string dir = "/tmp/procscope-fork-failure-" + std::to_string(getpid());
  const std::string plugin = dir + "/libprocscope.so";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(testing::RunfilesPath("backend/c_api/libprocscope.so"), plugin,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(dir, std::filesystem::perms(0755));
  std::filesystem::permissions(plugin, std::filesystem::perms(0755));
  const ChildOutcome outcome = testing::RunInChild([&](ChildReport& report) {
    // A uid no other process uses, so RLIMIT_NPROC counts this run's processes only.
    constexpr uid_t kUid = 43210;
    if (setgroups(0, nullptr) != 0) return report.Skip("cannot drop: " + ErrnoStatus("setgroups").ToString());
    if (setresgid(kUid, kUid, kUid) != 0)
      return report.Skip("cannot drop: " + ErrnoStatus("setresgid").ToString());
    if (setresuid(kUid, kUid, kUid) != 0)
      return report.Skip("cannot drop: " + ErrnoStatus("setresuid").ToString());
    const struct rlimit three = {3, 3};
    if (setrlimit(RLIMIT_NPROC, &three) != 0) return report.Skip("cannot set RLIMIT_NPROC");
    conform::ConformOptions options;
    options.backend = plugin;
    options.only = conform::Case{"replay", "rw:1", Direction::kRead, /*dead_target=*/true, {{0, 0, 8}}};
    const StatusOr<conform::ConformReport> run = conform::RunConformance(options);
    report.Check("the run fails with fork's EAGAIN", !run.ok() && IsForkEagain(run.status()),
                 run.ok() ? "it ran" : run.status().ToString());
  });
  std::filesystem::remove_all(dir);
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(outcome, {"the run fails with fork's EAGAIN"});
}

TEST(ForkFailureTest, TheLayoutChildFailsToStartWithFork) {
  ExpectClean(WithForkDenied([](ChildReport& report) {
                StatusOr<std::unique_ptr<fixtures::LayoutChild>> child = fixtures::LayoutChild::Start("rw:1");
                report.Check("layout child refused with fork's EAGAIN",
                             !child.ok() && IsForkEagain(child.status()),
                             child.ok() ? "it started" : child.status().ToString());
              }),
              {"layout child refused with fork's EAGAIN"});
}

TEST(ForkFailureTest, TheProbeSaysWhatItCouldNotMeasure) {
  ExpectClean(WithForkDenied([](ChildReport& report) {
                StatusOr<KernelProbe> probe = ProbeKernel({.measure_max_rw_count = false});
                report.Check("probe ran", probe.ok(), probe.status().ToString());
                if (!probe.ok()) return;
                report.Check("procmem_eof_after_exit unmeasured (fork EAGAIN)",
                             !probe->procmem_eof_after_exit.ok() &&
                                 IsForkEagain(probe->procmem_eof_after_exit.status()),
                             probe->procmem_eof_after_exit.status().ToString());
                // What needs no child is still measured.
                report.Check("prot_none_readable_procmem measured", probe->prot_none_readable_procmem.ok(),
                             probe->prot_none_readable_procmem.status().ToString());
              }),
              {"probe ran", "procmem_eof_after_exit unmeasured (fork EAGAIN)",
               "prot_none_readable_procmem measured"});
}

}  // namespace
}  // namespace procscope
