// Test-only: run a program to completion with given stdin, capturing stdout, stderr and how it ended.
#ifndef PROCSCOPE_TESTS_UTIL_SUBPROCESS_H_
#define PROCSCOPE_TESTS_UTIL_SUBPROCESS_H_

#include <chrono>
#include <string>
#include <vector>

#include "tests/util/time_limits.h"

namespace procscope::testing {

struct CommandResult {
  // The exit status when it exited; -N when killed by signal N (also after the timeout: -SIGKILL).
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs argv[0] (a path; no PATH search) with `input` on its stdin. The child is killed after `timeout` (a
// safety net, see time_limits.h), so a hanging program fails the test instead of the whole run, and a line
// naming the command and the limit is appended to `err`; it is always reaped before returning.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input = "",
                         std::chrono::milliseconds timeout = kStepTimeLimit);

// Path of a file in the runfiles tree of this workspace (tests run from the runfiles root); an absolute path
// is returned as it is.
std::string RunfilesPath(const std::string& workspace_relative);

// Runs the procscope CLI (//tools:procscope, which the test must list in `data`) with `args`.
CommandResult RunProcscope(std::vector<std::string> args, const std::string& input = "");

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_SUBPROCESS_H_
