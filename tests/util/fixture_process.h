// Test-only: start a fixture program from the runfiles tree, talk to it line by line, stop and reap it.
//
//   auto holes = FixtureProcess::Start("fixtures/holes", {"--layout", "rw:1,hole:1,rw:1"});
//   ASSERT_TRUE(holes.ok()) << holes.status().ToString();
//   pid_t pid = (*holes)->pid();
//   std::string manifest = (*holes)->first_line();
//   std::string reply = (*holes)->Command("dump 7f0000000000 8").value();
//   EXPECT_TRUE((*holes)->Stop());            // closes its stdin; it must end the way Start was told
//
// The fixture's first stdout line (its manifest) is read by Start. How the child must end is stated up front
// (exit status or signal) and checked by Stop. The destructor never leaves a child behind: it closes the
// pipes first (a fixture blocked on stdin then exits), waits briefly, then SIGKILLs and reaps, so a failed
// ASSERT in the middle of a test cannot hang the run or leak a process.
#ifndef PROCSCOPE_TESTS_UTIL_FIXTURE_PROCESS_H_
#define PROCSCOPE_TESTS_UTIL_FIXTURE_PROCESS_H_

#include <gtest/gtest.h>
#include <sys/types.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/scoped_child.h"
#include "backend/scoped_fd.h"
#include "backend/status.h"

namespace procscope::testing {

struct ExpectedEnd {
  static ExpectedEnd Exit(int code) { return {false, code}; }
  static ExpectedEnd Signal(int signal) { return {true, signal}; }
  bool by_signal = false;
  int value = 0;
};

struct FixtureOptions {
  std::vector<std::string> args;
  ExpectedEnd expected = ExpectedEnd::Exit(0);
  // The environment to exec with (entries are passed as they are: no '=', empty, any bytes); nullopt
  // inherits the test's.
  std::optional<std::vector<std::string>> env;
  // Run the fixture through this program, e.g. the dynamic loader: LAUNCHER FIXTURE ARGS...
  std::string launcher;
};

// FixtureOptions in one call: Opts({"--exit", "3"}, ExpectedEnd::Exit(3)).
inline FixtureOptions Opts(std::vector<std::string> args, ExpectedEnd expected = ExpectedEnd::Exit(0),
                           std::optional<std::vector<std::string>> env = std::nullopt,
                           std::string launcher = "") {
  return FixtureOptions{std::move(args), expected, std::move(env), std::move(launcher)};
}

class FixtureProcess {
 public:
  [[nodiscard]] static StatusOr<std::unique_ptr<FixtureProcess>> Start(const std::string& program,
                                                                       const FixtureOptions& options);
  // `program` is relative to the workspace root (e.g. "fixtures/holes"); looked up in the runfiles.
  [[nodiscard]] static StatusOr<std::unique_ptr<FixtureProcess>> Start(
      const std::string& program, const std::vector<std::string>& args,
      ExpectedEnd expected = ExpectedEnd::Exit(0));
  ~FixtureProcess();
  FixtureProcess(const FixtureProcess&) = delete;
  FixtureProcess& operator=(const FixtureProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& first_line() const { return first_line_; }
  // Sends `line` and returns the next line of output (without '\n'); EPIPE/EIO when the fixture is gone.
  StatusOr<std::string> Command(const std::string& line);
  // Closes the fixture's stdin and waits (up to kStepTimeLimit) for it to end; success when it ended as
  // expected.
  ::testing::AssertionResult Stop();
  // Sends a line without waiting for a reply (e.g. the "go" of fixtures/exiter).
  Status Send(const std::string& line);
  // Waits (up to kStepTimeLimit) until the fixture has exited or was killed, WITHOUT reaping it: it stays a
  // zombie until Stop(). With `stopped`, waits until it has stopped instead.
  ::testing::AssertionResult WaitUnreaped(bool stopped = false);

 private:
  FixtureProcess() = default;
  StatusOr<std::string> ReadLine();
  void ClosePipes();

  pid_t pid_ = -1;              // kept after the reap, for messages
  ScopedChild child_;           // owns the fixture until Stop() reaps it (killed and reaped otherwise)
  ScopedFd to_child_;           // its stdin
  FILE* from_child_ = nullptr;  // its stdout (owned: fclose)
  std::string first_line_;
  ExpectedEnd expected_;
};

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_FIXTURE_PROCESS_H_
