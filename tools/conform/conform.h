// The conformance run behind `procscope conform`: a plugin (worker.h) against live layouts
// (fixtures/layout_child.h) and their ground truth (judge.h), case by case (cases.h), each failure shrunk
// to a minimal batch (shrink.h).
#ifndef PROCSCOPE_TOOLS_CONFORM_CONFORM_H_
#define PROCSCOPE_TOOLS_CONFORM_CONFORM_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backend/memory/batch.h"
#include "backend/status.h"
#include "tools/conform/cases.h"
#include "tools/conform/worker.h"

namespace procscope::conform {

struct ConformOptions {
  std::string backend;  // the plugin's path
  uint64_t seed = 1;
  // After the canonical cases, random cases start until this many seconds have passed (at least one runs)...
  double budget_seconds = 10;
  // ... or, when set, exactly this many run, however long they take (what tests use: what a run catches
  // must not depend on the machine's speed).
  std::optional<size_t> random_cases;
  std::chrono::milliseconds limit{10000};  // per batch: a plugin slower than this is reported as hung
  size_t max_reported = 5;                 // failures shrunk and described; the rest are counted
  size_t max_hangs = 3;                    // after this many hung batches no new case starts
  size_t max_crashes = 25;                 // nor after this many crashed ones (each costs a new worker)
  std::optional<Case> only;                // replay this one case instead of the whole run
};

struct Failure {
  Case shrunk;                   // the minimal batch (its layout, direction, elements)
  size_t original_elements = 0;  // how many the failing case had
  std::string original_name;
  std::vector<Span> spans;                   // the shrunk elements' addresses in the run
  std::vector<ElementResult> expected, got;  // got is empty when the plugin crashed or hung
  std::string problem;
};

struct ConformReport {
  PluginInfo plugin;
  size_t cases = 0, random_cases = 0, failed = 0;
  size_t hangs = 0, crashes = 0;
  size_t not_run = 0;             // canonical cases skipped after max_hangs hangs or max_crashes crashes
  std::vector<Failure> failures;  // at most max_reported, distinct minimal batches
};

// One class of CaseClasses() run on its own.
struct ClassVerdict {
  CaseClass cls;
  bool run = true;  // false: a write class and the plugin exports no procscope_backend_write
  bool passed = false;
  BatchOutcome::How how = BatchOutcome::How::kReturned;  // kHung / kCrashed: the plugin hung or crashed
  std::string problem;                                   // empty when passed
  std::vector<Span> spans;
  std::vector<ElementResult> expected, got;  // got is empty when the plugin crashed or hung
};
struct ClassReport {
  PluginInfo plugin;
  std::vector<ClassVerdict> classes;
};

// Every class of CaseClasses() against the plugin, one batch each, in one worker (a new one after a crash,
// a hang or a held target); a class failing never stops the next. Errors as RunConformance's. Uses
// options.backend and options.limit only.
[[nodiscard]] StatusOr<ClassReport> RunClasses(const ConformOptions& options);

// Whether another random case starts, after `done` of them in `elapsed`: exactly options.random_cases when
// set, else until the budget has passed, at least one.
bool MoreRandomCases(const ConformOptions& options, size_t done, std::chrono::steady_clock::duration elapsed);

// EINVAL: the plugin cannot be loaded (the loader's one-line reason); ECHILD: it died or hung while loading;
// other errors: a target layout could not be started.
[[nodiscard]] StatusOr<ConformReport> RunConformance(const ConformOptions& options);

}  // namespace procscope::conform

#endif  // PROCSCOPE_TOOLS_CONFORM_CONFORM_H_
