// Process::Modules, Primary and MappedMemory against live fixtures: odd names (fixtures/odd_names),
// handle stability and maps re-reading under churn (fixtures/churn), the primary module under an ld.so
// launch, mapped ranges (fixtures/holes). Implementation: backend/process/process_modules.cc.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
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
#include "backend/procfs/auxv.h"
#include "backend/procfs/maps_order.h"
#include "backend/procfs/read_file.h"
#include "backend/status_matchers.h"
#include "tests/util/fixture_process.h"
#include "tests/util/holes_fixture.h"
#include "tests/util/process_helpers.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"
#include "tests/util/time_limits.h"

namespace procscope {
namespace {

using testing::ExpectedEnd;
using testing::FixtureProcess;
using testing::Manifest;
using testing::OpenOrDie;
using testing::Opts;
using testing::RunfilesPath;
using testing::StartFixture;

// ---- modules ---------------------------------------------------------------------------------------------

TEST(ModulesTest, OddNamesHaveTheirExactPathsAndAddresses) {
  const std::string dir = testing::NewTempDir("odd");
  auto fixture = StartFixture("fixtures/odd_names", Opts({"--dir", dir}));
  ASSERT_NE(fixture, nullptr);
  const nlohmann::json truth = Manifest(*fixture);
  Process p = OpenOrDie(fixture->pid());
  StatusOr<std::vector<Module>> modules = p.Modules();
  ASSERT_OK(modules);
  ASSERT_EQ(truth["files"].size(), 8u);
  for (const nlohmann::json& file : truth["files"]) {
    const std::string path = file["path"];
    const uint64_t address = file["address"];
    SCOPED_TRACE(path);
    StatusOr<Module> by_handle = p.ModuleByHandle(address);
    ASSERT_OK(by_handle);
    EXPECT_EQ(by_handle->path, path);
    EXPECT_EQ(by_handle->deleted, file["deleted"].get<bool>());
    EXPECT_EQ(by_handle->size(), 4096u);
    EXPECT_EQ(by_handle->name, path.substr(path.rfind('/') + 1));
    StatusOr<Module> by_address = p.ModuleByAddress(address + 100);
    ASSERT_OK(by_address);
    EXPECT_EQ(by_address->base, address);
    StatusOr<Module> by_name = p.ModuleByName(path);
    ASSERT_OK(by_name);
    EXPECT_EQ(by_name->base, address);
    // Each file begins with its own name: read it through the module's base.
    const std::string name =
        by_handle->name.starts_with("memfd:") ? by_handle->name.substr(6) : by_handle->name;
    std::string bytes(name.size(), '\0');
    const Element element{address, bytes.data(), bytes.size()};
    ElementResult result;
    ASSERT_OK(p.Transfer(*MakeStrategy("default"), Direction::kRead, {&element, 1}, {&result, 1}));
    EXPECT_EQ(bytes, name);
  }
  // "back\012slash" (literal) and "new\nline" print identically in maps; both came out right above.
  EXPECT_THAT(p.ModuleByHandle(1), StatusIs(ENOENT));
  EXPECT_THAT(p.ModuleByName("no such module"), StatusIs(ENOENT));
  ASSERT_TRUE(fixture->Stop());
}

// A fixtures/churn child and a handle to it.
class ChurnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_ = StartFixture("fixtures/churn", Opts({"--dir", testing::NewTempDir("churn")}));
    ASSERT_NE(fixture_, nullptr);
    process_.emplace(OpenOrDie(fixture_->pid()));
  }
  void TearDown() override {
    if (fixture_) EXPECT_TRUE(fixture_->Stop());
  }
  std::unique_ptr<FixtureProcess> fixture_;
  std::optional<Process> process_;
};

TEST_F(ChurnTest, HandlesTakenBeforeChurnResolveToTheSameModulesAfterwards) {
  const Process& p = *process_;
  FixtureProcess* fixture = fixture_.get();
  StatusOr<std::vector<Module>> before = p.Modules();
  ASSERT_OK(before);
  ASSERT_GE(before->size(), 3u);  // churn itself, libc, the loader at least

  const auto check_all = [&](const char* when) {
    for (const Module& m : *before) {
      StatusOr<Module> now = p.ModuleByHandle(m.base);
      ASSERT_OK(now) << when;
      EXPECT_EQ(*now, m) << when;
    }
  };
  StatusOr<std::string> mapped = fixture->Command("map 16");
  ASSERT_TRUE(mapped.ok() && mapped->starts_with("ok ")) << mapped.status().ToString();
  StatusOr<std::vector<Module>> during = p.Modules();
  ASSERT_OK(during);
  EXPECT_EQ(during->size(), before->size() + 16);
  // The new modules sit below the libraries: a list index taken before now names another module.
  size_t moved = 0;
  for (size_t i = 0; i < before->size(); ++i) moved += (*during)[i].base != (*before)[i].base;
  EXPECT_GT(moved, 0u);
  check_all("after map 16");
  const uint64_t churn_handle = std::strtoull(mapped->c_str() + 3, nullptr, 16);
  StatusOr<Module> churn_module = p.ModuleByHandle(churn_handle);
  ASSERT_OK(churn_module);
  EXPECT_TRUE(churn_module->name.starts_with("churn-"));
  ASSERT_EQ(fixture->Command("unmap").value_or(""), "ok");
  check_all("after unmap");
  EXPECT_THAT(p.ModuleByHandle(churn_handle), StatusIs(ENOENT));
}

TEST_F(ChurnTest, MapsStaysOrderedWhileTheTargetChurns) {
  const Process& p = *process_;
  FixtureProcess* fixture = fixture_.get();
  StatusOr<Module> main_module = p.ModuleByName("churn");
  ASSERT_OK(main_module);
  ASSERT_EQ(fixture->Command("spin start").value_or(""), "ok");
  // Count how often the raw text itself was out of order (the figure goes to the test's XML output).
  // At least 300 rounds, and on until the spin thread has run while we read (a loaded machine may not
  // schedule it at first), with the step time limit as the safety net.
  int torn = 0;
  const std::string path = "/proc/" + std::to_string(fixture->pid()) + "/maps";
  const auto give_up = std::chrono::steady_clock::now() + testing::kStepTimeLimit;
  uint64_t spun = 0;
  for (int i = 0; i < 300 || (spun == 0 && std::chrono::steady_clock::now() < give_up); ++i) {
    if (i >= 300 && i % 50 == 0) {
      StatusOr<std::string> now = fixture->Command("spin rounds");
      ASSERT_TRUE(now.ok() && now->starts_with("ok ")) << now.status().ToString();
      spun = std::stoull(now->substr(3));
    }
    int reads = 0;
    StatusOr<std::vector<MapsEntry>> maps =
        ReadOrderedMaps([&] { return ReadFileToString(path); }, 5, &reads);
    ASSERT_OK(maps);
    torn += reads - 1;
    StatusOr<std::vector<MapsEntry>> via_handle = p.Maps();
    ASSERT_OK(via_handle);
    ASSERT_OK(CheckMapsOrder(*via_handle));
    StatusOr<Module> still = p.ModuleByHandle(main_module->base);
    ASSERT_OK(still);
    EXPECT_EQ(still->path, main_module->path);
  }
  StatusOr<std::string> stopped = fixture->Command("spin stop");
  ASSERT_TRUE(stopped.ok() && stopped->starts_with("ok "));
  ::testing::Test::RecordProperty("torn_maps_reads_of_300", torn);
  ::testing::Test::RecordProperty("churn_rounds", stopped->substr(3));
  EXPECT_GT(std::stoull(stopped->substr(3)), 0u);
}

// ---- primary module --------------------------------------------------------------------------------------

// This build's dynamic loader, as its programs name it (their PT_INTERP).
#if defined(__aarch64__)
constexpr const char* kLoader = "/lib/ld-linux-aarch64.so.1";
#else
constexpr const char* kLoader = "/lib64/ld-linux-x86-64.so.2";
#endif

// Launched directly ("") and through the dynamic loader: the primary module is the program either way.
class PrimaryModuleTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PrimaryModuleTest, IsTheProgramNotTheLoader) {
  const std::string loader = GetParam();
  if (!loader.empty() && access(loader.c_str(), X_OK) != 0) GTEST_SKIP() << loader << " is not installed";
  auto fixture = StartFixture("fixtures/exiter", Opts({}, ExpectedEnd::Exit(0), std::nullopt, loader));
  ASSERT_NE(fixture, nullptr);
  Process p = OpenOrDie(fixture->pid());
  StatusOr<PrimaryModule> primary = p.Primary();
  ASSERT_OK(primary);
  EXPECT_EQ(primary->module.name, "exiter");
  EXPECT_EQ(primary->source, "stack auxv");
  if (loader.empty()) {
    ASSERT_OK(fixture->Send("go"));
    ASSERT_TRUE(fixture->Stop());
    return;
  }
  // Why the stack is read: the kernel's auxv and /proc/<pid>/exe both name the loader here.
  StatusOr<std::string> procfs_auxv = ReadFileToString("/proc/" + std::to_string(fixture->pid()) + "/auxv");
  ASSERT_OK(procfs_auxv);
  StatusOr<std::vector<AuxvEntry>> aux = ParseAuxv(*procfs_auxv);
  ASSERT_OK(aux);
  StatusOr<Module> phdr_module = p.ModuleByAddress(AuxvValue(*aux, 3).value_or(0));
  ASSERT_OK(phdr_module);
  EXPECT_EQ(phdr_module->name, std::filesystem::path(kLoader).filename().string());
  StatusOr<ProcessInfo> info = p.Info();
  ASSERT_OK(info);
  EXPECT_EQ(info->path, std::filesystem::canonical(loader).string());
  EXPECT_EQ(info->command_line.at(1), RunfilesPath("fixtures/exiter"));
  ASSERT_OK(fixture->Send("go"));
  ASSERT_TRUE(fixture->Stop());
}

INSTANTIATE_TEST_SUITE_P(Launches, PrimaryModuleTest, ::testing::Values("", kLoader),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return std::string(info.param.empty() ? "direct" : "ld_so");
                         });

// ---- mapped ranges and guarded transfers -----------------------------------------------------------------

TEST(MappedMemoryTest, ClippedToTheBoundsAndMerged) {
  ASSERT_OK_AND_ASSIGN(testing::HolesFixture holes,
                       testing::StartHoles("rw:2,hole:1,none:1,ro:1,rw:1,hole:2,ro:1"));
  const std::unique_ptr<FixtureProcess>& fixture = holes.process;
  const uint64_t base = holes.regions.front().start, page = 4096;
  Process p = OpenOrDie(fixture->pid());
  // rw rw | hole | none | ro rw | hole hole | ro    (pages 0..8)
  StatusOr<std::vector<AddressRange>> ranges = p.MappedMemory(base + 100, base + 8 * page + 50, 0);
  ASSERT_OK(ranges);
  EXPECT_EQ(*ranges, (std::vector<AddressRange>{{base + 100, base + 2 * page},
                                                {base + 4 * page, base + 6 * page},
                                                {base + 8 * page, base + 8 * page + 50}}));
  ranges = p.MappedMemory(base, base + 9 * page, 2 * page);
  ASSERT_OK(ranges);
  EXPECT_EQ(*ranges, (std::vector<AddressRange>{{base, base + 9 * page}}));
  ASSERT_TRUE(fixture->Stop());
}

}  // namespace
}  // namespace procscope
