// Process::Env against live fixtures: thousands of entries with their real addresses (fixtures/env_heavy),
// values over 128 KiB. Implementation: backend/process/process_environment.cc.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "backend/memory/strategy.h"
#include "backend/process/process.h"
#include "backend/status_matchers.h"
#include "tests/util/fixture_process.h"
#include "tests/util/process_helpers.h"

namespace procscope {
namespace {

using testing::ExpectedEnd;
using testing::FixtureProcess;
using testing::Manifest;
using testing::OpenOrDie;
using testing::Opts;
using testing::StartFixture;

// ---- environment -----------------------------------------------------------------------------------------

std::vector<std::string> HeavyEnvironment() {
  std::vector<std::string> env;
  for (int i = 0; i < 3000; ++i) {
    env.push_back("PROCSCOPE_VAR_" + std::to_string(i) + "=" +
                  std::string(static_cast<size_t>(i % 97), 'a' + i % 26));
  }
  env.push_back("NOEQUALS");
  env.push_back("");
  env.push_back(std::string("BIN=\xff\xfe\xc3(\x01", 9));
  env.push_back("EQ=x=y");
  // 131071 bytes + NUL = 131072 (MAX_ARG_STRLEN): the longest string exec takes.
  env.push_back("NEAR_MAX=" + std::string(131071 - 9, 'm'));
  return env;
}

TEST(EnvironmentTest, ThousandsOfEntriesWithTheirRealAddresses) {
  const std::vector<std::string> passed = HeavyEnvironment();
  auto fixture = StartFixture("fixtures/env_heavy", Opts({}, ExpectedEnd::Exit(0), passed, ""));
  ASSERT_NE(fixture, nullptr);
  const nlohmann::json truth = Manifest(*fixture);
  Process p = OpenOrDie(fixture->pid());
  StatusOr<Environment> env = p.Env();
  ASSERT_OK(env);
  EXPECT_EQ(env->block_address, truth["env_start"].get<uint64_t>());
  EXPECT_EQ(env->block_size, truth["env_end"].get<uint64_t>() - truth["env_start"].get<uint64_t>());
  EXPECT_GT(env->block_size, 64u * 1024 * 4);
  ASSERT_EQ(env->entries.size(), passed.size());
  ASSERT_EQ(truth["entries"].size(), passed.size());
  for (size_t i = 0; i < passed.size(); ++i) {
    const EnvironmentVariable& v = env->entries[i];
    SCOPED_TRACE("entry " + std::to_string(i));
    EXPECT_EQ(v.address, truth["entries"][i][0].get<uint64_t>());
    EXPECT_EQ(v.length, truth["entries"][i][1].get<uint64_t>());
    EXPECT_EQ(v.name ? *v.name + "=" + v.value : v.value, passed[i]);
  }
  EXPECT_EQ(env->entries[3000].name, std::nullopt);
  EXPECT_EQ(env->entries[3000].value, "NOEQUALS");
  EXPECT_EQ(env->entries[3001].length, 0u);
  EXPECT_EQ(env->entries[3002].value, std::string("\xff\xfe\xc3(\x01", 5));
  EXPECT_EQ(env->entries[3003].value, "x=y");
  // The addresses are real: read one value back through the process's memory.
  const EnvironmentVariable& eq = env->entries[3003];
  std::string bytes(eq.length, '\0');
  const Element element{eq.address, bytes.data(), bytes.size()};
  ElementResult result;
  ASSERT_OK(p.Transfer(*MakeStrategy("default"), Direction::kRead, {&element, 1}, {&result, 1}));
  EXPECT_EQ(bytes, "EQ=x=y");
  ASSERT_TRUE(fixture->Stop());
}

TEST(EnvironmentTest, AValueOver128KiBInstalledWithPrSetMm) {
  auto fixture = StartFixture("fixtures/env_heavy", Opts({"--big", "200000"}, ExpectedEnd::Exit(0),
                                                         std::vector<std::string>{"A=1", "B=2"}));
  ASSERT_NE(fixture, nullptr);
  const nlohmann::json truth = Manifest(*fixture);
  if (!truth["big"]["installed"].get<bool>()) {
    GTEST_SKIP() << "the kernel refused the new environment block: " << truth["big"]["error"];
  }
  Process p = OpenOrDie(fixture->pid());
  StatusOr<Environment> env = p.Env();
  ASSERT_OK(env);
  EXPECT_EQ(env->block_address, truth["env_start"].get<uint64_t>());
  ASSERT_EQ(env->entries.size(), 3u);
  EXPECT_EQ(env->entries[0].address, truth["entries"][0][0].get<uint64_t>());
  const EnvironmentVariable& big = env->entries[2];
  EXPECT_EQ(big.name, "PROCSCOPE_BIG");
  EXPECT_EQ(big.value, std::string(200000, 'b'));
  EXPECT_EQ(big.address, truth["big"]["address"].get<uint64_t>());
  EXPECT_EQ(big.length, truth["big"]["length"].get<uint64_t>());
  ASSERT_TRUE(fixture->Stop());
}

TEST(EnvironmentTest, ExecRefusesAStringOver128KiB) {
  // The reason AValueOver128KiB... needs PR_SET_MM: MAX_ARG_STRLEN is 131072 bytes with the NUL.
  const std::vector<std::string> too_big = {"A=" + std::string(131070, 'x')};
  StatusOr<std::unique_ptr<FixtureProcess>> fixture =
      FixtureProcess::Start("fixtures/env_heavy", {{}, ExpectedEnd::Exit(127), too_big, ""});
  ASSERT_THAT(fixture, ::testing::Not(IsOk()));
  EXPECT_THAT(fixture, StatusIs(E2BIG));
}

}  // namespace
}  // namespace procscope
