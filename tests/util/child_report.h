// Test-only: run test code in a forked child (to change its credentials or namespaces without touching the
// test process) and bring its findings back as lines.
//
//   ChildOutcome out = RunInChild([](ChildReport& report) {
//     if (setuid(65534) != 0) return report.Skip("setuid failed");
//     report.Check("state unknown", state.kind == Kind::kUnknown, "got " + name);
//   });
//   ExpectAllChecksPassed(out, {"state unknown"});
//
// The child must not use gtest assertions (they would fail a copy of the test that nobody reads); it calls
// Check for each finding. The child is forked without exec, so it keeps the test's memory and code but not
// its threads. It is killed if it runs longer than `timeout`, and always reaped. When no child can be
// started (pipe2 or fork fails), the outcome holds one failed check, kStartedCheck, whose detail names the
// call and its errno; nothing is signalled.
#ifndef PROCSCOPE_TESTS_UTIL_CHILD_REPORT_H_
#define PROCSCOPE_TESTS_UTIL_CHILD_REPORT_H_

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tests/util/time_limits.h"

namespace procscope::testing {

class ChildReport {
 public:
  explicit ChildReport(int fd) : fd_(fd) {}
  // One finding: "ok NAME" or "FAIL NAME: DETAIL".
  void Check(const std::string& name, bool passed, const std::string& detail = "");
  // The whole test cannot run here (no namespaces, ...): the parent skips with `why`.
  void Skip(const std::string& why);

 private:
  void Line(const std::string& line);
  int fd_;
};

// The check RunInChild fails when it cannot start the child at all.
inline constexpr char kStartedCheck[] = "child started";

struct ChildOutcome {
  std::map<std::string, std::string> checks;  // name -> "" when passed, else the detail
  std::vector<std::string> order;             // names in the order reported
  std::string skip;                           // non-empty when the child asked to skip
  int exit_status = -1;                       // as RunCommand: exit code, or -signal
};

// `timeout` is a safety net (time_limits.h); a child killed by it reports a failed check "finished in time".
ChildOutcome RunInChild(const std::function<void(ChildReport&)>& body,
                        std::chrono::milliseconds timeout = kStepTimeLimit);

// True when the child asked to skip and no check it reported before that failed: a failure is never hidden
// behind a skip. Use as `if (SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;`.
bool SkipRequested(const ChildOutcome& outcome);

// Fails the test for every failed check and for every name in `expected` that was never reported (so a
// child that died early cannot pass by saying nothing).
void ExpectAllChecksPassed(const ChildOutcome& outcome, const std::vector<std::string>& expected);

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_CHILD_REPORT_H_
