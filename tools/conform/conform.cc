#include "tools/conform/conform.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <memory>
#include <set>

#include "backend/eintr.h"
#include "backend/memory/feature_probe.h"
#include "backend/memory/linux_memory_backend.h"
#include "backend/memory/strategy.h"
#include "backend/scoped_child.h"
#include "fixtures/layout_child.h"
#include "fixtures/pattern.h"
#include "tools/conform/judge.h"
#include "tools/conform/shrink.h"
#include "tools/conform/target_check.h"

namespace procscope::conform {
namespace {

using Clock = std::chrono::steady_clock;

// How long a target left stopped or traced gets to run again once the worker is dead.
constexpr std::chrono::milliseconds kResumeLimit{2000};

// The live processes the cases run against: the canonical layout for the whole run, the latest random
// layout, and a zombie for the dead-target cases.
class Targets {
 public:
  StatusOr<const fixtures::LayoutChild*> Layout(const std::string& spec) {
    const bool canonical = spec == kCanonicalLayout;
    std::unique_ptr<fixtures::LayoutChild>& slot = canonical ? canonical_ : random_;
    if (slot == nullptr || (!canonical && random_spec_ != spec)) {
      slot.reset();
      StatusOr<std::unique_ptr<fixtures::LayoutChild>> child = fixtures::LayoutChild::Start(spec);
      if (!child.ok()) {
        return Status(child.status().error_number(), "layout " + spec + ": " + child.status().message());
      }
      slot = std::move(*child);
      if (!canonical) random_spec_ = spec;
    }
    return slot.get();
  }

  // Ends the layout child `pid` (one the plugin left held that would not resume): the next Layout of its
  // spec starts a fresh one.
  void Replace(pid_t pid) {
    for (std::unique_ptr<fixtures::LayoutChild>* slot : {&canonical_, &random_}) {
      if (*slot != nullptr && (*slot)->pid() == pid) slot->reset();
    }
  }

  // A child that has exited and is not reaped: its PID names a zombie for the rest of the run.
  StatusOr<pid_t> Zombie() {
    if (zombie_.is_valid()) return zombie_.pid();
    StatusOr<ScopedChild> child = ScopedChild::Fork([] { return 0; });
    if (!child.ok()) return child.status();
    siginfo_t info{};
    RetryOnEintr([&] { return waitid(P_PID, static_cast<id_t>(child->pid()), &info, WEXITED | WNOWAIT); });
    zombie_ = *std::move(child);
    return zombie_.pid();
  }

 private:
  std::unique_ptr<fixtures::LayoutChild> canonical_, random_;
  std::string random_spec_;
  ScopedChild zombie_;  // reaped when the run ends
};

// The target's mapped regions read back through /proc/PID/mem (forced, so read-only and PROT_NONE pages
// show what a misbehaving plugin wrote); regions that cannot be read are left out.
std::vector<TargetBytes> ReadBack(pid_t pid, const std::vector<fixtures::Region>& regions) {
  std::vector<TargetBytes> out;
  std::vector<Element> elements;
  for (const fixtures::Region& r : regions) {
    // Zero regions (up to 2 GiB) are read-only, like the ro pages the canonical layout checks.
    // Guard pages fault even forced reads: there is nothing to read back.
    if (r.kind == fixtures::RegionKind::kHole || r.kind == fixtures::RegionKind::kZero ||
        r.kind == fixtures::RegionKind::kGuard) {
      continue;
    }
    out.push_back({r.start, std::string(r.end - r.start, '\0')});
  }
  for (TargetBytes& t : out) elements.push_back({t.address, t.bytes.data(), t.bytes.size()});
  std::vector<ElementResult> results(elements.size());
  LinuxMemoryBackend memory(pid);
  (void)TransferBatch(*MakeStrategy("procmem_force"), memory, Direction::kRead, elements, results);
  for (size_t i = out.size(); i-- > 0;) {
    if (results[i].transferred < out[i].bytes.size()) out[i].bytes.resize(results[i].transferred);
  }
  return out;
}

// Puts the pattern back into every mapped region after a write batch.
void Restore(pid_t pid, const std::vector<fixtures::Region>& regions) {
  std::vector<std::string> data;
  std::vector<Element> elements;
  for (const fixtures::Region& r : regions) {
    if (r.kind == fixtures::RegionKind::kHole || r.kind == fixtures::RegionKind::kZero ||
        r.kind == fixtures::RegionKind::kGuard) {
      continue;
    }
    std::string bytes(r.end - r.start, '\0');
    FillPattern(bytes.data(), r.start, r.end - r.start);
    data.push_back(std::move(bytes));
    elements.push_back({r.start, data.back().data(), r.end - r.start});
  }
  std::vector<ElementResult> results(elements.size());
  LinuxMemoryBackend memory(pid);
  (void)TransferBatch(*MakeStrategy("procmem_force"), memory, Direction::kWrite, elements, results);
}

// "" when this kernel has guard regions, else why not ("needs guard_regions (madvise answered EINVAL)").
std::string GuardRegionsWhy() {
  const GuardRegionAnswer answer = ProbeGuardRegions();
  return answer.madvise == "ok" ? "" : "needs guard_regions (madvise answered " + answer.madvise + ")";
}

class Runner {
 public:
  Runner(PluginWorker& worker, Targets& targets) : worker_(worker), targets_(targets) {}

  struct Run {
    std::vector<fixtures::Region> regions;
    std::vector<Span> spans;
    BatchOutcome outcome;
    Verdict verdict;
  };

  StatusOr<Run> Execute(const Case& c) {
    StatusOr<const fixtures::LayoutChild*> layout = targets_.Layout(c.layout);
    if (!layout.ok()) return layout.status();
    Run run;
    run.regions = (*layout)->regions();
    StatusOr<std::vector<Span>> spans = Resolve(c.elements, run.regions);
    if (!spans.ok()) return spans.status();
    run.spans = *spans;
    pid_t pid = (*layout)->pid();
    if (c.dead_target) {
      StatusOr<pid_t> zombie = targets_.Zombie();
      if (!zombie.ok()) return zombie.status();
      pid = *zombie;
    }
    run.outcome = worker_.Run(c.direction, pid, run.spans);
    // A ptrace-based plugin may leave the target traced or stopped: the batch fails for it, the worker dies
    // (which detaches its tracees) and the target goes on, or is replaced when it cannot.
    const std::string left = c.dead_target ? "" : TargetLeftBehind(pid);
    bool replaced = false;
    if (!left.empty()) {
      worker_.Kill();
      replaced = !ResumeTarget(pid, kResumeLimit);
      if (replaced) targets_.Replace(pid);
    }
    std::vector<TargetBytes> after;
    if (c.direction == Direction::kWrite && !c.dead_target && !replaced) {
      after = ReadBack(pid, run.regions);
      Restore(pid, run.regions);
    }
    run.verdict = Judge(run.regions, c.dead_target, c.direction, run.spans, run.outcome, after);
    if (!left.empty()) {
      run.verdict.passed = false;
      run.verdict.problem = run.verdict.problem.empty() ? left : run.verdict.problem + "; " + left;
    }
    return run;
  }

 private:
  PluginWorker& worker_;
  Targets& targets_;
};

}  // namespace

bool MoreRandomCases(const ConformOptions& options, size_t done,
                     std::chrono::steady_clock::duration elapsed) {
  if (options.random_cases) return done < *options.random_cases;
  return done == 0 || elapsed < std::chrono::duration<double>(options.budget_seconds);
}

StatusOr<ConformReport> RunConformance(const ConformOptions& options) {
  StatusOr<std::unique_ptr<PluginWorker>> worker = PluginWorker::Start(options.backend, options.limit);
  if (!worker.ok()) return worker.status();
  ConformReport report;
  report.plugin = (*worker)->info();
  Targets targets;
  Runner runner(**worker, targets);
  std::set<std::string> reported;  // minimal batches already described

  auto check = [&](const Case& c) -> Status {
    StatusOr<Runner::Run> run = runner.Execute(c);
    if (!run.ok()) return run.status();
    ++report.cases;
    if (run->outcome.how == BatchOutcome::How::kHung) ++report.hangs;
    if (run->outcome.how == BatchOutcome::How::kCrashed) ++report.crashes;
    if (run->verdict.passed) return OkStatus();
    ++report.failed;
    if (report.failures.size() >= options.max_reported) return OkStatus();
    Case shrunk = c;
    shrunk.elements = Shrink(c.elements, [&](const std::vector<CaseElement>& subset) {
      Case smaller = c;
      smaller.elements = subset;
      StatusOr<Runner::Run> again = runner.Execute(smaller);
      return again.ok() && !again->verdict.passed;
    });
    const std::string key = c.layout + (c.direction == Direction::kRead ? " r " : " w ") +
                            (c.dead_target ? "dead " : "") + FormatElements(shrunk.elements);
    if (!reported.insert(key).second) return OkStatus();
    StatusOr<Runner::Run> minimal = runner.Execute(shrunk);
    if (!minimal.ok()) return minimal.status();
    Failure f{shrunk,
              c.elements.size(),
              c.name,
              minimal->spans,
              minimal->verdict.expected,
              minimal->outcome.results,
              minimal->verdict.problem};
    if (minimal->verdict.passed) {  // flaky: it failed, then passed when run alone; describe the original
      f = Failure{c,
                  c.elements.size(),
                  c.name,
                  run->spans,
                  run->verdict.expected,
                  run->outcome.results,
                  run->verdict.problem + " (did not fail again when rerun: flaky)"};
    }
    report.failures.push_back(std::move(f));
    return OkStatus();
  };

  if (options.only) {
    Status status = check(*options.only);
    if (!status.ok()) return status;
    return report;
  }
  const std::vector<Case> canonical = CanonicalCases(report.plugin.has_write);
  const bool guards = GuardRegionsWhy().empty();
  for (size_t i = 0; i < canonical.size(); ++i) {
    // Every further case could cost the whole time limit, or a new worker.
    if (report.hangs >= options.max_hangs || report.crashes >= options.max_crashes) {
      report.not_run = canonical.size() - i;
      return report;
    }
    Status status = check(canonical[i]);
    if (!status.ok()) return status;
  }
  const Clock::time_point start = Clock::now();
  for (uint64_t i = 0; report.hangs < options.max_hangs && report.crashes < options.max_crashes &&
                       MoreRandomCases(options, report.random_cases, Clock::now() - start);
       ++i) {
    Status status = check(RandomCase(options.seed * 1000003 + i, report.plugin.has_write, guards));
    if (!status.ok()) return status;
    ++report.random_cases;
  }
  return report;
}

StatusOr<ClassReport> RunClasses(const ConformOptions& options) {
  StatusOr<std::unique_ptr<PluginWorker>> worker = PluginWorker::Start(options.backend, options.limit);
  if (!worker.ok()) return worker.status();
  ClassReport report;
  report.plugin = (*worker)->info();
  Targets targets;
  Runner runner(**worker, targets);
  const std::string no_guards = GuardRegionsWhy();
  for (CaseClass& cls : CaseClasses()) {
    ClassVerdict v;
    v.cls = std::move(cls);
    if (v.cls.c.layout == kGuardLayout && !no_guards.empty()) {
      v.run = false;
      v.problem = "not run: " + no_guards;
      report.classes.push_back(std::move(v));
      continue;
    }
    if (v.cls.c.direction == Direction::kWrite && !report.plugin.has_write) {
      v.run = false;
      v.problem = "not run: the plugin exports no procscope_backend_write";
      report.classes.push_back(std::move(v));
      continue;
    }
    StatusOr<Runner::Run> run = runner.Execute(v.cls.c);
    if (!run.ok()) return run.status();
    v.passed = run->verdict.passed;
    v.how = run->outcome.how;
    v.problem = run->verdict.problem;
    v.spans = run->spans;
    v.expected = run->verdict.expected;
    v.got = run->outcome.results;
    report.classes.push_back(std::move(v));
  }
  return report;
}

}  // namespace procscope::conform
