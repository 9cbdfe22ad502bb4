// `procscope read` past one chunk (65,536 elements): one document, every element against the ground truth,
// and a target that dies between chunks. Not kernel-dependent, and slow under emulation: not in the guests.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "backend/hex.h"
#include "backend/status_matchers.h"
#include "fixtures/layout_child.h"
#include "tests/util/memory_target.h"
#include "tests/util/pattern_hex.h"
#include "tests/util/subprocess.h"
#include "tests/util/time_limits.h"

namespace procscope {
namespace {

using Json = nlohmann::ordered_json;
using testing::CommandResult;
using testing::PatternHex;
using testing::RunProcscope;

// More elements than one chunk (65,536): the batch goes through the engine in pieces, the document is
// one, and every element agrees with the ground truth.
TEST(CliScaleTest, BatchesLargerThanAChunkStayOneDocument) {
  StatusOr<std::unique_ptr<testing::MemoryTarget>> big =
      testing::MakeMemoryTarget("child", "rw:300,hole:2,rw:1");
  ASSERT_OK(big);
  const uint64_t base = (*big)->regions()[0].start;
  const uint64_t hole = (*big)->regions()[1].start;
  std::string list;
  const size_t n = 70000;
  for (size_t i = 0; i < n; ++i) {
    // Every 1000th element is in the hole.
    list += Hex(i % 1000 == 999 ? hole + (i % 4096) : base + 16 * i) + ":8\n";
  }
  const CommandResult r =
      RunProcscope({"read", std::to_string((*big)->pid()), "--from", "-", "--json"}, list);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_EQ(j["elements"].size(), n);
  EXPECT_GE(j["syscalls"].get<int>(), 2);  // at least one call per chunk (neighbours 16 bytes apart merge)
  for (size_t i = 0; i < n; ++i) {
    const Json& e = j["elements"][i];
    if (i % 1000 == 999) {
      ASSERT_EQ(e["error"], "EFAULT") << i;
      ASSERT_EQ(e["ok_bytes"], 0) << i;
    } else {
      ASSERT_TRUE(e["error"].is_null()) << i;
      ASSERT_EQ(e["data"], PatternHex(base + 16 * i, 8)) << i;
    }
  }
  const CommandResult table = RunProcscope({"read", std::to_string((*big)->pid()), "--from", "-"}, list);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  // Past one chunk the summary lines come after the rows.
  EXPECT_TRUE(table.out.starts_with("ADDRESS")) << table.out.substr(0, 200);
  EXPECT_NE(table.out.find("\nPID " + std::to_string((*big)->pid()) + ", strategy adaptive_coalesce, "),
            std::string::npos);
  EXPECT_EQ(std::count(table.out.begin(), table.out.end(), '\n'), static_cast<std::ptrdiff_t>(n + 3));
}

// The target dies while a batch of several chunks is being read: the elements after the death carry
// ESRCH, the document is complete, the command exits 1 with one line. (Killed at half of a full run's time;
// a kill that lands in the first chunk prints nothing, as a failed batch always did, and is tried again,
// as is one that comes after the end: trials go on until one splits, with the step time limit as the
// safety net.)
TEST(CliScaleTest, ATargetKilledAfterTheFirstChunkEndsTheDocumentWithItsError) {
  const size_t n = 300000;  // five chunks
  bool split = false;
  double delay_ms = -1;
  int trials = 0;
  const auto give_up = std::chrono::steady_clock::now() + testing::kStepTimeLimit;
  for (; !split && std::chrono::steady_clock::now() < give_up; ++trials) {
    // A LayoutChild, not a MemoryTarget: it does not expect its child to survive the test.
    StatusOr<std::unique_ptr<fixtures::LayoutChild>> target =
        fixtures::LayoutChild::Start("rw:1,zero:" + std::to_string(n) + ",rw:1");
    ASSERT_OK(target);
    const uint64_t base = (*target)->regions()[1].start;
    std::string list;
    for (size_t i = 0; i < n; ++i) list += Hex(base + 4096 * i) + ":8\n";
    const std::vector<std::string> args = {"read", std::to_string((*target)->pid()), "--from", "-", "--json"};
    if (delay_ms < 0) {  // first, how long a whole run takes here
      const auto start = std::chrono::steady_clock::now();
      ASSERT_EQ(RunProcscope(args, list).exit_code, 0);
      delay_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / 2;
    }
    const pid_t pid = (*target)->pid();
    std::thread killer([pid, delay_ms] {
      std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(delay_ms * 1000)));
      kill(pid, SIGKILL);
    });
    const CommandResult r = RunProcscope(args, list);
    killer.join();
    if (r.exit_code == 0) {  // finished first
      delay_ms *= 0.7;
      continue;
    }
    ASSERT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("ESRCH"), std::string::npos) << r.err;
    if (r.out.empty()) {  // died in the first chunk
      delay_ms *= 1.3;
      continue;
    }
    split = true;
    const Json j = Json::parse(r.out);
    ASSERT_EQ(j["elements"].size(), n);
    EXPECT_TRUE(j.contains("syscalls") && j.contains("transport") && j.contains("fallback_reason"));
    size_t first_failed = n;
    for (size_t i = 0; i < n; ++i) {
      const Json& e = j["elements"][i];
      if (first_failed == n && !e["error"].is_null()) first_failed = i;
      if (i < first_failed) {
        ASSERT_EQ(e["data"], "0000000000000000") << i;
      } else {
        ASSERT_EQ(e["error"], "ESRCH") << i;
        ASSERT_EQ(e["ok_bytes"], 0) << i;
      }
    }
    EXPECT_GT(first_failed, 0u);
    EXPECT_LT(first_failed, n);
  }
  EXPECT_TRUE(split) << "none of " << trials << " trials in " << testing::kStepTimeLimit.count()
                     << " s killed the target after its first chunk and before its last";
}

}  // namespace
}  // namespace procscope
