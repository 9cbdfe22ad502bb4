// Eight threads using the engine at once, each with its own Process handle, sharing one set of strategy
// objects, against one fixtures/holes child: reads of the whole layout and writes into each thread's own
// region, every strategy, results checked exactly against the ground truth; then the same reads while the
// fixture churns its mappings (results checked for what still holds: every byte read is its own). Built
// with --config=tsan this is the ThreadSanitizer run: any data race fails it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "backend/memory/strategy.h"
#include "backend/process/process.h"
#include "backend/status_matchers.h"
#include "fixtures/ground_truth.h"
#include "fixtures/layout.h"
#include "fixtures/pattern.h"
#include "tests/util/force.h"
#include "tests/util/holes_fixture.h"
#include "tests/util/random_batch.h"
#include "tests/util/time_limits.h"

namespace procscope {
namespace {

using fixtures::Region;
using fixtures::RegionKind;

constexpr int kThreads = 8;
constexpr int kRounds = 60;  // per thread and phase

// Shared read-only, PROT_NONE and hole pages, then one two-page region per thread between holes.
std::string Spec() {
  std::string spec = "rw:1,ro:1,none:1,hole:1";
  for (int t = 0; t < kThreads; ++t) spec += ",rw:2,hole:1";
  return spec + ",rw:1";
}

// The region thread `t` writes into: region 4 + 2t (each followed by its hole).
const Region& OwnRegion(const std::vector<Region>& regions, int t) { return regions[4 + 2 * t]; }

struct Shared {
  std::vector<Region> regions;
  pid_t pid = 0;
  std::vector<std::unique_ptr<Strategy>> strategies;  // const after setup: shared by every thread
  bool forces = false;
};

// One thread's work in the stable phase; returns "" or what went wrong first.
std::string StableWork(const Shared& s, int t) {
  StatusOr<Process> p = Process::Open(s.pid);
  if (!p.ok()) return "open: " + p.status().ToString();
  std::mt19937_64 random(1000 + t);
  const Region& own = OwnRegion(s.regions, t);
  const std::vector<Region> shared(s.regions.begin(), s.regions.begin() + 4);
  const std::vector<Region> own_and_hole = {own, s.regions[5 + 2 * t]};
  for (int round = 0; round < kRounds; ++round) {
    const Strategy& strategy = *s.strategies[(round + t) % s.strategies.size()];
    const bool forced = strategy.name() == "procmem_force" && s.forces;
    const std::string where = "thread " + std::to_string(t) + " round " + std::to_string(round) + " " +
                              std::string(strategy.name());
    // Reads of the shared pages and of the thread's own region (the others' regions change under their
    // writes): exactly the ground truth.
    testing::Batch b = testing::RandomBatch(shared, 30, 2 * 4096, random);
    testing::Batch mine = testing::RandomBatch(own_and_hole, 10, 2 * 4096, random);
    b.elements.insert(b.elements.end(), mine.elements.begin(), mine.elements.end());
    for (std::vector<uint8_t>& buffer : mine.buffers)
      b.buffers.push_back(std::move(buffer));  // data stays put
    b.results.resize(b.elements.size());
    Status status = p->Transfer(strategy, Direction::kRead, b.elements, b.results);
    if (!status.ok()) return where + ": read: " + status.ToString();
    for (size_t i = 0; i < b.elements.size(); ++i) {
      const ElementResult want = fixtures::ExpectedResult(s.regions, b.elements[i].address,
                                                          b.elements[i].length, Direction::kRead, forced);
      if (!(b.results[i] == want))
        return where + ": read element " + std::to_string(i) + " disagrees with the ground truth";
    }
    if (std::string v = testing::Violation(b, {EFAULT}); !v.empty()) return where + ": " + v;

    // Writes into the thread's own region (procmem_force could write anywhere: writes stay in it), then read
    // back with the same handle, then the pattern written back.
    std::vector<uint8_t> data(64), back(64), pattern(64);
    const uint64_t address = own.start + random() % (own.end - own.start - data.size());
    for (size_t k = 0; k < data.size(); ++k) {
      data[k] = static_cast<uint8_t>(t * 31 + round + k);
      pattern[k] = PatternByte(address + k);
    }
    ElementResult result;
    Element write{address, data.data(), data.size()};
    status = p->Transfer(strategy, Direction::kWrite, {&write, 1}, {&result, 1});
    if (!status.ok() || !result.ok()) return where + ": write into its own region failed";
    Element read{address, back.data(), back.size()};
    status = p->Transfer(strategy, Direction::kRead, {&read, 1}, {&result, 1});
    if (!status.ok() || !result.ok() || back != data) return where + ": its own write did not read back";
    Element restore{address, pattern.data(), pattern.size()};
    status = p->Transfer(strategy, Direction::kWrite, {&restore, 1}, {&result, 1});
    if (!status.ok() || !result.ok()) return where + ": restoring the pattern failed";
  }
  return "";
}

// Reads while the fixture replaces its regions: nothing exact holds, but every byte read is its own and
// every failure is EFAULT.
std::string ChurnWork(const Shared& s, int t) {
  StatusOr<Process> p = Process::Open(s.pid);
  if (!p.ok()) return "open: " + p.status().ToString();
  std::mt19937_64 random(2000 + t);
  for (int round = 0; round < kRounds; ++round) {
    const Strategy& strategy = *s.strategies[(round + t) % s.strategies.size()];
    testing::Batch b = testing::RandomBatch(s.regions, 40, 2 * 4096, random);
    Status status = p->Transfer(strategy, Direction::kRead, b.elements, b.results);
    const std::string where = "thread " + std::to_string(t) + " round " + std::to_string(round) + " " +
                              std::string(strategy.name());
    if (!status.ok()) return where + ": " + status.ToString();
    if (std::string v = testing::Violation(b, {EFAULT}); !v.empty()) return where + ": " + v;
  }
  return "";
}

std::vector<std::string> RunThreads(const Shared& s, std::string (*work)(const Shared&, int)) {
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back([&, t] { errors[t] = work(s, t); });
  for (std::thread& thread : threads) thread.join();
  return errors;
}

TEST(ConcurrencyTest, EightThreadsEachWithItsOwnHandleAgreeWithTheGroundTruth) {
  ASSERT_OK_AND_ASSIGN(testing::HolesFixture holes, testing::StartHoles(Spec()));
  Shared s;
  s.regions = holes.regions;
  s.pid = holes.process->pid();
  s.forces = testing::ProcMemForces();
  for (const std::string& name : StrategyNames()) s.strategies.push_back(MakeStrategy(name));
  s.strategies.push_back(MakeStrategy("default"));

  for (const std::string& error : RunThreads(s, StableWork)) EXPECT_EQ(error, "");

  // The threads read until the fixture has replaced a region while they read (however many passes that
  // takes on a loaded machine), with the step time limit as the safety net.
  ASSERT_EQ(holes.process->Command("churn start").value_or(""), "ok");
  const auto give_up = std::chrono::steady_clock::now() + testing::kStepTimeLimit;
  uint64_t rounds = 0;
  int passes = 0;
  while (rounds == 0 && std::chrono::steady_clock::now() < give_up) {
    for (const std::string& error : RunThreads(s, ChurnWork)) ASSERT_EQ(error, "") << "pass " << passes;
    ++passes;
    StatusOr<std::string> now = holes.process->Command("churn rounds");
    ASSERT_TRUE(now.ok() && now->starts_with("ok ")) << now.status().ToString();
    rounds = std::stoull(now->substr(3));
  }
  StatusOr<std::string> stopped = holes.process->Command("churn stop");
  ASSERT_TRUE(stopped.ok() && stopped->starts_with("ok ")) << stopped.status().ToString();
  EXPECT_GT(rounds, 0u) << "the fixture never replaced a region in " << passes << " passes ("
                        << testing::kStepTimeLimit.count() << " s)";
  EXPECT_TRUE(holes.process->Stop());
}

}  // namespace
}  // namespace procscope
