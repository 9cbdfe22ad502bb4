// The process/OS layer against live fixtures: state and exit codes (fixtures/exiter), info, environment with
// addresses (fixtures/env_heavy), modules with odd names (fixtures/odd_names), handle stability and maps
// re-reading (fixtures/churn), the primary module under an ld.so launch, mapped ranges and guarded memory
// transfers (fixtures/holes), the process list.
#include "backend/process/process.h"

#include <fcntl.h>
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

#include "backend/process/arch.h"
#include "backend/process/process_list.h"
#include "backend/procfs/auxv.h"
#include "backend/procfs/maps_order.h"
#include "backend/procfs/read_file.h"
#include "backend/status_matchers.h"
#include "fixtures/layout.h"
#include "fixtures/pattern.h"
#include "gtest/gtest.h"
#include "tests/util/fixture_process.h"
#include "tests/util/holes_fixture.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"

namespace procscope {
namespace {

using testing::ExpectedEnd;
using testing::FixtureOptions;
using testing::FixtureProcess;
using testing::Opts;
using testing::RunfilesPath;
using Kind = ProcessState::Kind;

std::unique_ptr<FixtureProcess> StartFixture(const std::string& program, const FixtureOptions& options) {
  StatusOr<std::unique_ptr<FixtureProcess>> fixture = FixtureProcess::Start(program, options);
  EXPECT_OK(fixture);
  return fixture.ok() ? std::move(*fixture) : nullptr;
}

nlohmann::json Manifest(const FixtureProcess& fixture) { return nlohmann::json::parse(fixture.first_line()); }

Process OpenOrDie(pid_t pid) {
  StatusOr<Process> p = Process::Open(pid);
  if (!p.ok()) {
    ADD_FAILURE() << p.status().ToString();
    std::abort();
  }
  return std::move(*p);
}

// A second thread of this process that idles until destroyed; tid() is its thread ID.
class ParkedThread {
 public:
  ParkedThread()
      : thread_([this] {
          tid_ = static_cast<pid_t>(syscall(SYS_gettid));
          while (!done_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }) {
    while (tid_ == 0) std::this_thread::yield();
  }
  ~ParkedThread() {
    done_ = true;
    thread_.join();
  }
  pid_t tid() const { return tid_; }

 private:
  std::atomic<pid_t> tid_{0};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// ---- state and exit codes --------------------------------------------------------------------------------

struct EndCase {
  const char* name;
  std::vector<std::string> args;
  ExpectedEnd end;
  int exit_code;
};

class ExitStateTest : public ::testing::TestWithParam<EndCase> {};

TEST_P(ExitStateTest, AliveThenZombieWithDecodedCodeThenReapedWithUnknownCode) {
  const EndCase& c = GetParam();
  auto fixture = StartFixture("fixtures/exiter", Opts(c.args, c.end));
  ASSERT_NE(fixture, nullptr);
  Process p = OpenOrDie(fixture->pid());
  EXPECT_EQ(p.State().kind, Kind::kAlive);
  ASSERT_OK(fixture->Send("go"));
  ASSERT_TRUE(fixture->WaitUnreaped());

  const ProcessState zombie = p.State();
  EXPECT_EQ(zombie.kind, Kind::kDead) << zombie.detail;
  EXPECT_EQ(zombie.letter, 'Z');
  EXPECT_EQ(zombie.exit_code, c.exit_code) << zombie.detail;
  EXPECT_FALSE(zombie.core_dumped);
  EXPECT_OK(p.CheckIdentity());  // a zombie still exists
  StatusOr<ProcessInfo> info = p.Info();
  ASSERT_OK(info);
  EXPECT_EQ(info->state, zombie);
  EXPECT_TRUE(info->command_line.empty());
  EXPECT_EQ(info->path, std::nullopt);  // a zombie has no executable any more
  EXPECT_EQ(info->arch, std::nullopt);
  StatusOr<Environment> env = p.Env();
  ASSERT_OK(env);
  EXPECT_TRUE(env->entries.empty());
  EXPECT_EQ(env->block_address, std::nullopt);
  EXPECT_EQ(env->state.exit_code, c.exit_code);

  ASSERT_TRUE(fixture->Stop());  // reaps it
  const ProcessState reaped = p.State();
  EXPECT_EQ(reaped.kind, Kind::kDead);
  EXPECT_EQ(reaped.exit_code, std::nullopt) << "a reaped process's exit code is gone, not 0";
  EXPECT_THAT(p.CheckIdentity(), StatusIs(ESRCH));
  EXPECT_THAT(p.Info(), StatusIs(ESRCH));
  EXPECT_THAT(p.Maps(), StatusIs(ESRCH));
  EXPECT_THAT(p.Env(), StatusIs(ESRCH));
}

INSTANTIATE_TEST_SUITE_P(
    Ends, ExitStateTest,
    ::testing::Values(EndCase{"exit3", {"--exit", "3"}, ExpectedEnd::Exit(3), 3},
                      EndCase{"exit0", {"--exit", "0"}, ExpectedEnd::Exit(0), 0},
                      EndCase{"exit255", {"--exit", "255"}, ExpectedEnd::Exit(255), 255},
                      EndCase{"sigkill", {"--signal", "9"}, ExpectedEnd::Signal(9), -9},
                      EndCase{"sigterm", {"--signal", "15"}, ExpectedEnd::Signal(15), -15},
                      EndCase{"sigabrt_no_core", {"--signal", "6"}, ExpectedEnd::Signal(6), -6}),
    [](const ::testing::TestParamInfo<EndCase>& info) { return std::string(info.param.name); });

TEST(ExitStateTest, CoreDumpIsReported) {
  const std::string pattern = ReadFileToString("/proc/sys/kernel/core_pattern").value_or("");
  if (pattern.empty() || pattern[0] == '|') {
    GTEST_SKIP() << "core_pattern pipes cores to a program ('" << pattern
                 << "'): whether the core flag is set "
                 << "depends on that program";
  }
  const std::string dir = testing::NewTempDir("cores");
  auto fixture =
      StartFixture("fixtures/exiter", Opts({"--signal", "6", "--core", dir}, ExpectedEnd::Signal(6)));
  ASSERT_NE(fixture, nullptr);
  Process p = OpenOrDie(fixture->pid());
  ASSERT_OK(fixture->Send("go"));
  ASSERT_TRUE(fixture->WaitUnreaped());
  const ProcessState state = p.State();
  EXPECT_EQ(state.exit_code, -6);
  EXPECT_TRUE(state.core_dumped) << "core_pattern '" << pattern << "'";
  ASSERT_TRUE(fixture->Stop());
}

TEST(ExitStateTest, StoppedIsAliveAndHasNoExitCode) {
  auto fixture = StartFixture("fixtures/exiter", Opts({"--stop"}, ExpectedEnd::Exit(0)));
  ASSERT_NE(fixture, nullptr);
  Process p = OpenOrDie(fixture->pid());
  ASSERT_OK(fixture->Send("go"));
  ASSERT_TRUE(fixture->WaitUnreaped(/*stopped=*/true));
  const ProcessState stopped = p.State();
  EXPECT_EQ(stopped.kind, Kind::kAlive);
  EXPECT_EQ(stopped.letter, 'T');
  EXPECT_EQ(stopped.exit_code, std::nullopt);  // stat's exit_code holds SIGSTOP (19) here
  ASSERT_EQ(kill(fixture->pid(), SIGCONT), 0);
  ASSERT_TRUE(fixture->Stop());
}

TEST(OpenTest, RejectsWhatIsNotAProcess) {
  EXPECT_THAT(Process::Open(0), StatusIs(EINVAL));
  EXPECT_THAT(Process::Open(-1), StatusIs(EINVAL));
  ParkedThread parked;
  const pid_t tid = parked.tid();
  StatusOr<Process> thread_handle = Process::Open(tid);
  errno = 0;
  const long pidfd = syscall(SYS_pidfd_open, static_cast<pid_t>(tid), 0);
  const int pidfd_errno = errno;
  if (pidfd >= 0) close(static_cast<int>(pidfd));
  EXPECT_TRUE(pidfd < 0 && (pidfd_errno == ENOENT || pidfd_errno == EINVAL))
      << "pidfd_open(thread) = " << pidfd << ", errno " << pidfd_errno;
  EXPECT_EQ(access(("/proc/" + std::to_string(tid)).c_str(), F_OK), 0) << "/proc/TID opens";
  ASSERT_THAT(thread_handle, ::testing::Not(IsOk()));
  EXPECT_THAT(thread_handle, StatusIs(EINVAL));
  // A PID above pid_max cannot exist.
  const long pid_max =
      std::strtol(ReadFileToString("/proc/sys/kernel/pid_max").value_or("0").c_str(), nullptr, 10);
  ASSERT_GT(pid_max, 0);
  EXPECT_EQ(Process::Open(static_cast<pid_t>(std::min<long>(pid_max + 1, INT_MAX))).status().error_number(),
            ESRCH);
}

// ---- info ------------------------------------------------------------------------------------------------

TEST(InfoTest, LiveFixture) {
  const std::string dir = testing::NewTempDir("info");
  auto fixture = StartFixture("fixtures/odd_names", Opts({"--dir", dir}));
  ASSERT_NE(fixture, nullptr);
  Process p = OpenOrDie(fixture->pid());
  EXPECT_TRUE(p.has_pidfd());
  StatusOr<ProcessInfo> info = p.Info();
  ASSERT_OK(info);
  EXPECT_EQ(info->pid, fixture->pid());
  EXPECT_EQ(info->ppid, getpid());
  EXPECT_EQ(info->name, "odd_names");
  EXPECT_EQ(info->path, std::filesystem::canonical(RunfilesPath("fixtures/odd_names")).string());
  EXPECT_FALSE(info->path_deleted);
  EXPECT_EQ(info->command_line, (std::vector<std::string>{RunfilesPath("fixtures/odd_names"), "--dir", dir}));
  EXPECT_EQ(info->arch, HostArch());
  EXPECT_EQ(info->state.kind, Kind::kAlive);
  EXPECT_EQ(p.start_time(), p.Stat()->starttime);
  ASSERT_TRUE(fixture->Stop());
}

TEST(InfoTest, DeletedExecutableAndOneReallyNamedDeleted) {
  const std::string dir = testing::NewTempDir("exe");
  for (const bool unlink_it : {true, false}) {
    const std::string copy = dir + (unlink_it ? "/exiter-copy" : "/x (deleted)");
    std::filesystem::copy_file(RunfilesPath("fixtures/exiter"), copy,
                               std::filesystem::copy_options::overwrite_existing);
    auto fixture = StartFixture(copy, Opts({}));
    ASSERT_NE(fixture, nullptr);
    if (unlink_it) ASSERT_EQ(unlink(copy.c_str()), 0);
    Process p = OpenOrDie(fixture->pid());
    StatusOr<ProcessInfo> info = p.Info();
    ASSERT_OK(info);
    EXPECT_EQ(info->path, copy);
    EXPECT_EQ(info->path_deleted, unlink_it);
    EXPECT_EQ(info->arch, HostArch()) << "the ELF header is read through the link, deleted or not";
    ASSERT_OK(fixture->Send("go"));
    ASSERT_TRUE(fixture->Stop());
  }
}

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
  int torn = 0;
  const std::string path = "/proc/" + std::to_string(fixture->pid()) + "/maps";
  for (int i = 0; i < 300; ++i) {
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

TEST(TransferTest, ReadsThroughTheHandleAndStopsAtReaping) {
  ASSERT_OK_AND_ASSIGN(testing::HolesFixture holes, testing::StartHoles("rw:2,hole:1,rw:1"));
  const std::unique_ptr<FixtureProcess>& fixture = holes.process;
  const uint64_t base = holes.regions.front().start;
  Process p = OpenOrDie(fixture->pid());
  std::vector<uint8_t> a(64), b(64);
  const Element elements[] = {{base + 10, a.data(), a.size()}, {base + 2 * 4096, b.data(), b.size()}};
  ElementResult results[2];
  ASSERT_OK(p.Transfer(*MakeStrategy("default"), Direction::kRead, elements, results));
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1], (ElementResult{0, EFAULT}));
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], PatternByte(base + 10 + i));
  ASSERT_TRUE(fixture->Stop());
  ElementResult after[2];
  const Status gone = p.Transfer(*MakeStrategy("default"), Direction::kRead, elements, after);
  EXPECT_THAT(gone, StatusIs(ESRCH));
  EXPECT_EQ(after[0], (ElementResult{0, ESRCH}));
  EXPECT_EQ(after[1], (ElementResult{0, ESRCH}));
}

// A user process is no kernel thread; once it is gone that cannot be told, and the answer says so instead
// of "false" (the CLI's "a kernel thread has no user memory" must never rest on a guess).
TEST(KernelThreadTest, AUserProcessIsNotOneAndAGoneOneCannotBeTold) {
  Process self = OpenOrDie(getpid());
  EXPECT_THAT(self.IsKernelThread(), IsOkAndHolds(false));
  ASSERT_OK_AND_ASSIGN(testing::HolesFixture holes, testing::StartHoles("rw:1"));
  Process p = OpenOrDie(holes.process->pid());
  EXPECT_THAT(p.IsKernelThread(), IsOkAndHolds(false));
  ASSERT_TRUE(holes.process->Stop());
  EXPECT_THAT(p.IsKernelThread(), StatusIs(ESRCH));
}

// A thread's TID names a /proc entry too (only the listing leaves it out): opening one is refused with the
// reason, whether the kernel has pidfd_open (which refuses non-leaders itself) or not (Tgid decides).
TEST(OpenTest, AThreadIsNotAProcessWithOrWithoutPidfd) {
  ParkedThread parked;
  for (const bool use_pidfd : {true, false}) {
    StatusOr<Process> p = Process::Open(parked.tid(), use_pidfd);
    EXPECT_THAT(p.status(), StatusIs(EINVAL)) << "use_pidfd " << use_pidfd;
    EXPECT_EQ(p.status().message(),
              std::to_string(parked.tid()) + " is a thread, not a process (thread-group leader)")
        << "use_pidfd " << use_pidfd;
  }
}

// ---- process list ----------------------------------------------------------------------------------------

TEST(ListProcessesTest, HoldsTheFixtureAndNoThreads) {
  auto fixture = StartFixture("fixtures/exiter", Opts({}));
  ASSERT_NE(fixture, nullptr);
  ParkedThread parked;
  const pid_t tid = parked.tid();
  StatusOr<std::vector<ProcessSummary>> list = ListProcesses();
  ASSERT_OK(list);
  std::set<pid_t> pids;
  for (const ProcessSummary& s : *list) pids.insert(s.pid);
  EXPECT_EQ(pids.size(), list->size());
  EXPECT_TRUE(std::is_sorted(list->begin(), list->end(),
                             [](const ProcessSummary& x, const ProcessSummary& y) { return x.pid < y.pid; }));
  EXPECT_EQ(pids.count(tid), 0u) << "a thread is not a process";
  const auto it = std::find_if(list->begin(), list->end(),
                               [&](const ProcessSummary& s) { return s.pid == fixture->pid(); });
  ASSERT_NE(it, list->end());
  EXPECT_EQ(it->name, "exiter");
  EXPECT_EQ(it->ppid, getpid());
  EXPECT_EQ(it->state.kind, Kind::kAlive);
  EXPECT_TRUE(pids.count(1));
  ASSERT_OK(fixture->Send("go"));
  ASSERT_TRUE(fixture->Stop());
}

}  // namespace
}  // namespace procscope
