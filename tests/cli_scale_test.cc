// `procscope read` past one chunk (65,536 elements): one document, every element against the ground truth,
// and a target that dies between chunks. Not kernel-dependent, and slow under emulation: not in the guests.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "backend/hex.h"
#include "backend/status_matchers.h"
#include "fixtures/layout_child.h"
#include "fixtures/pattern.h"
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

// Past one chunk, what the command writes and sums: --out puts every chunk's bytes at their places (the
// buffers are reused chunk after chunk, so a failed element's bytes must be zeroed, not left from the chunk
// before), the syscall count is the whole batch's, and a write of more elements than a chunk writes them all.
TEST(CliScaleTest, OutSyscallsAndWritesAddUpOverChunks) {
  StatusOr<std::unique_ptr<testing::MemoryTarget>> big =
      testing::MakeMemoryTarget("child", "rw:300,hole:2,rw:1");
  ASSERT_OK(big);
  const std::string pid = std::to_string((*big)->pid());
  const uint64_t base = (*big)->regions()[0].start;
  const uint64_t hole = (*big)->regions()[1].start;
  const size_t n = 70000;  // 65,536 in the first chunk
  const auto in_hole = [](size_t i) { return i % 1000 == 999; };
  std::string list;
  for (size_t i = 0; i < n; ++i) list += Hex(in_hole(i) ? hole + 8 * (i % 512) : base + 16 * i) + ":8\n";

  const std::string path = ::testing::TempDir() + "/chunks.bin";
  const CommandResult out = RunProcscope({"read", pid, "--from", "-", "--out", path, "--json"}, list);
  ASSERT_EQ(out.exit_code, 0) << out.err;
  std::ifstream file(path, std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  ASSERT_EQ(raw.size(), 8 * n);
  for (size_t i = 0; i < n; ++i) {
    for (uint64_t k = 0; k < 8; ++k) {
      const uint8_t want = in_hole(i) ? 0 : PatternByte(base + 16 * i + k);
      ASSERT_EQ(static_cast<uint8_t>(raw[8 * i + k]), want) << "element " << i << " byte " << k;
    }
  }

  // One call per element with per_element, over both chunks (every element readable: no retries).
  std::string valid;
  for (size_t i = 0; i < n; ++i) valid += Hex(base + 16 * i) + ":8\n";
  const CommandResult counted =
      RunProcscope({"read", pid, "--from", "-", "--strategy", "per_element", "--json"}, valid);
  ASSERT_EQ(counted.exit_code, 0) << counted.err;
  EXPECT_EQ(Json::parse(counted.out)["syscalls"], n);

  // 65,540 one-byte writes (the pairs on the command line), the last few in the second chunk, one of them
  // into the hole. That many arguments need more than the 2 MiB the kernel allows by default (a quarter of
  // the stack limit): the stack limit is raised for the command's start, then put back.
  struct rlimit stack;
  ASSERT_EQ(getrlimit(RLIMIT_STACK, &stack), 0);
  if (stack.rlim_max != RLIM_INFINITY && stack.rlim_max < (64u << 20)) {
    GTEST_SKIP() << "RLIMIT_STACK's hard limit (" << stack.rlim_max << ") leaves no room for 65,540 pairs";
  }
  const struct rlimit raised = {64u << 20, stack.rlim_max};
  ASSERT_EQ(setrlimit(RLIMIT_STACK, &raised), 0);
  const size_t writes = 65540;
  std::vector<std::string> args = {"write", pid};
  for (size_t i = 0; i < writes; ++i) {
    args.push_back(Hex(i == writes - 2 ? hole : base + 16 * i + 3));
    args.push_back("a5");
  }
  args.push_back("--json");
  const CommandResult wrote = RunProcscope(args);
  ASSERT_EQ(setrlimit(RLIMIT_STACK, &stack), 0);
  ASSERT_EQ(wrote.exit_code, 0) << wrote.err.substr(0, 500);
  const Json w = Json::parse(wrote.out);
  ASSERT_EQ(w["elements"].size(), writes);
  EXPECT_EQ(w["elements"][writes - 2]["error"], "EFAULT");
  EXPECT_EQ(w["elements"][writes - 1]["ok_bytes"], 1);
  for (size_t i : {size_t{0}, size_t{65535}, size_t{65536}, writes - 1}) {
    StatusOr<std::vector<uint8_t>> back = (*big)->ReadBack(base + 16 * i + 3, 1);
    ASSERT_OK(back);
    EXPECT_EQ((*back)[0], 0xa5) << "element " << i;
  }
}

// A chunk also ends at 64 MiB of element bytes: 64 MiB in two elements is one chunk (the table's summary
// comes first), one byte more is two (the summary comes after the rows).
TEST(CliScaleTest, AChunkHoldsAtMostSixtyFourMebibytes) {
  StatusOr<std::unique_ptr<fixtures::LayoutChild>> target = fixtures::LayoutChild::Start("zero:16385");
  ASSERT_OK(target);
  const std::string pid = std::to_string((*target)->pid());
  const uint64_t base = (*target)->regions()[0].start, half = 32ull << 20;
  const std::string path = ::testing::TempDir() + "/64mib.bin";
  const std::string a = Hex(base) + ":" + std::to_string(half),
                    b = Hex(base + half) + ":" + std::to_string(half);
  const CommandResult one = RunProcscope({"read", pid, a, b, "--out", path});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_FALSE(one.out.starts_with("ADDRESS")) << one.out;
  const CommandResult two = RunProcscope({"read", pid, a, b, Hex(base + 2 * half) + ":1", "--out", path});
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_TRUE(two.out.starts_with("ADDRESS")) << two.out;
  std::filesystem::remove(path);
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
