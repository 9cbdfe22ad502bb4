// The contract of `procscope wait PID [--json] [--timeout S]` on the real binary: the exit code of a zombie
// from stat, of a non-child reaped by its own parent from the pidfd where the kernel keeps it ("unknown"
// with the pidfd's answer elsewhere), the timeout, and bad input. Which of the two the pidfd gives is
// measured first (ProbePidfdInfoExit), so the test holds on every kernel line.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backend/procfs/read_file.h"
#include "backend/procfs/stat.h"
#include "backend/scoped_child.h"
#include "backend/status_matchers.h"
#include "tests/util/gated_child.h"
#include "tests/util/process_helpers.h"
#include "tests/util/subprocess.h"
#include "tests/util/time_limits.h"
#include "tests/util/vanished_pid.h"

namespace procscope {
namespace {

using Json = nlohmann::json;
using testing::CommandResult;
using testing::GatedChild;
using testing::PidfdKeepsExitStatus;
using testing::RunProcscope;

// The procscope this test process started (from any of its threads), once it runs; nullopt after the limit.
std::optional<pid_t> StartedProcscope() {
  const auto limit = std::chrono::steady_clock::now() + testing::kStepTimeLimit;
  while (std::chrono::steady_clock::now() < limit) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename();
      if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
      StatusOr<std::string> text = ReadFileToString("/proc/" + name + "/stat");
      if (!text.ok()) continue;
      StatusOr<ProcStat> stat = ParseStat(*text);
      if (stat.ok() && stat->ppid == getpid() && stat->comm == "procscope") return std::stoi(name);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return std::nullopt;
}

// True once `pid` blocks in poll (procscope wait: the target is open and the wait has begun).
bool WaitUntilInPoll(pid_t pid) {
  const auto limit = std::chrono::steady_clock::now() + testing::kStepTimeLimit;
  while (std::chrono::steady_clock::now() < limit) {
    StatusOr<std::string> text = ReadFileToString("/proc/" + std::to_string(pid) + "/syscall");
    if (text.ok() && !text->empty() && std::isdigit(static_cast<unsigned char>((*text)[0]))) {
      const long number = std::stol(*text);
#ifdef SYS_poll
      if (number == SYS_poll) return true;
#endif
      if (number == SYS_ppoll) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

TEST(CliWaitTest, AZombieEndsWithItsCodeFromStat) {
  StatusOr<GatedChild> exits = GatedChild::Start(3);
  StatusOr<GatedChild> killed = GatedChild::Start(0, SIGKILL);
  ASSERT_OK(exits);
  ASSERT_OK(killed);
  ASSERT_OK(exits->Release());
  ASSERT_OK(killed->Release());
  // Not reaped here until the end of the test: procscope (root) reads the zombies' stat.
  const CommandResult json =
      RunProcscope({"wait", std::to_string(exits->pid()), "--json", "--timeout", "60"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const Json out = Json::parse(json.out);
  EXPECT_EQ(out["pid"], exits->pid());
  EXPECT_EQ(out["ended"], true);
  EXPECT_EQ(out["state"]["kind"], "dead");
  EXPECT_EQ(out["state"]["exit_code"], 3);
  const CommandResult text = RunProcscope({"wait", std::to_string(killed->pid())});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, "process " + std::to_string(killed->pid()) + " ended: signal 9 (SIGKILL)\n");
  EXPECT_EQ(text.err, "");
}

// procscope is stopped while it waits, the target ends and its parent (this test) reaps it, then procscope
// goes on: it must take the code from the pidfd, the zombie's stat being gone.
TEST(CliWaitTest, ANonChildReapedByItsParent) {
  StatusOr<GatedChild> target = GatedChild::Start(5);
  ASSERT_OK(target);
  CommandResult result;
  std::thread waiter([&] { result = RunProcscope({"wait", std::to_string(target->pid()), "--json"}); });
  const std::optional<pid_t> procscope = StartedProcscope();
  const bool in_poll = procscope && WaitUntilInPoll(*procscope);
  if (in_poll) kill(*procscope, SIGSTOP);
  const Status released = target->Release();
  StatusOr<int> reaped = target->child().Wait();
  if (procscope) kill(*procscope, SIGCONT);
  waiter.join();
  ASSERT_TRUE(in_poll) << "procscope wait never blocked in poll";
  ASSERT_OK(released);
  ASSERT_OK(reaped);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const Json out = Json::parse(result.out);
  EXPECT_EQ(out["ended"], true);
  EXPECT_EQ(out["state"]["kind"], "dead");
  if (PidfdKeepsExitStatus()) {
    EXPECT_EQ(out["state"]["exit_code"], 5) << result.out;
    EXPECT_EQ(out["state"]["detail"], "exit status from the pidfd (PIDFD_INFO_EXIT)");
  } else {
    EXPECT_TRUE(out["state"]["exit_code"].is_null()) << result.out;
    EXPECT_NE(out["state"]["detail"].get<std::string>().find("PIDFD_GET_INFO"), std::string::npos)
        << result.out;
  }
}

TEST(CliWaitTest, TimeoutIsExitStatusOne) {
  StatusOr<GatedChild> target = GatedChild::Start(0);
  ASSERT_OK(target);
  const std::string pid = std::to_string(target->pid());
  const CommandResult text = RunProcscope({"wait", pid, "--timeout", "0.2"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_EQ(text.out, "");
  EXPECT_EQ(text.err, "procscope: wait: process " + pid + " still runs after 200 ms\n");
  const CommandResult json = RunProcscope({"wait", pid, "--timeout", "0", "--json"});
  EXPECT_EQ(json.exit_code, 1);
  const Json out = Json::parse(json.out);
  EXPECT_EQ(out["ended"], false);
  EXPECT_EQ(out["state"]["kind"], "alive");
}

TEST(CliWaitTest, BadInputIsExitStatusTwoInOneLine) {
  StatusOr<pid_t> vanished = testing::VanishedPid();
  ASSERT_OK(vanished);
  const std::string gone = std::to_string(*vanished);
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"wait"},
                                             {"wait", "abc"},
                                             {"wait", "0"},
                                             {"wait", gone},
                                             {"wait", "1", "--timeout", "ten"},
                                             {"wait", "1", "--timeout", "-1"},
                                             {"wait", "1", "--timeout"}}) {
    const CommandResult r = RunProcscope(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(RunProcscope({"wait", gone}).err, "procscope: wait: no process with PID " + gone + "\n");
  const CommandResult help = RunProcscope({"wait", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--timeout"), std::string::npos);
}

}  // namespace
}  // namespace procscope
