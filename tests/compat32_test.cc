// 32-bit targets: i386 builds of the fixtures (fixtures/i386.bzl) run on an x86_64 kernel with IA32
// emulation. The process layer must read their 4-byte-word stack and auxv for the primary module (direct and
// under /lib/ld-linux.so.2), report arch x86, list modules, mapped ranges, the environment with addresses,
// exit codes; the memory engine must read and write them with exact attribution, an address above 4 GiB
// being a hole like any other. On a kernel that cannot exec i386 programs every test skips with that reason.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backend/memory/strategy.h"
#include "backend/process/arch.h"
#include "backend/process/process.h"
#include "backend/status_matchers.h"
#include "fixtures/ground_truth.h"
#include "fixtures/pattern.h"
#include "tests/util/fixture_process.h"
#include "tests/util/force.h"
#include "tests/util/holes_fixture.h"
#include "tests/util/subprocess.h"

namespace procscope {
namespace {

using testing::ExpectedEnd;
using testing::FixtureProcess;
using testing::Opts;

constexpr char kLoader[] = "/lib/ld-linux.so.2";
constexpr char kLayout[] = "rw:2,hole:1,rw:1,none:1,ro:1";

// Starts an i386 holes fixture, or says why this kernel cannot (the caller skips).
StatusOr<testing::HolesFixture> StartHoles32(const std::string& launcher = "") {
  return testing::StartHoles(kLayout, ExpectedEnd::Exit(0), "fixtures/holes_i386", launcher);
}

// Why to skip when a start failed because this kernel cannot exec i386 programs; "" for any other outcome.
std::string NoIa32(const Status& status) {
  if (status.error_number() != ENOEXEC) return "";
  return "this kernel cannot exec i386 programs (no IA32 emulation): " + status.ToString();
}

std::string Canonical(const std::string& runfile) {
  return std::filesystem::canonical(testing::RunfilesPath(runfile)).string();
}

TEST(Compat32Test, ProcessLayerOnAnI386Program) {
  StatusOr<testing::HolesFixture> holes = StartHoles32();
  if (const std::string why = NoIa32(holes.status()); !why.empty()) GTEST_SKIP() << why;
  ASSERT_OK(holes);
  StatusOr<Process> p = Process::Open(holes->process->pid());
  ASSERT_OK(p);
  ASSERT_OK_AND_ASSIGN(ProcessInfo info, p->Info());
  EXPECT_EQ(info.arch, Arch::kX86);
  EXPECT_EQ(info.path, Canonical("fixtures/holes_i386"));
  ASSERT_OK_AND_ASSIGN(PrimaryModule primary, p->Primary());
  EXPECT_EQ(primary.module.path, Canonical("fixtures/holes_i386"));
  EXPECT_EQ(primary.source, "stack auxv");  // the 32-bit words on the stack were read
  ASSERT_OK_AND_ASSIGN(std::vector<Module> modules, p->Modules());
  bool has_libc = false;
  for (const Module& m : modules) {
    EXPECT_LT(m.end, uint64_t{1} << 32) << m.path;  // everything of a 32-bit process lies below 4 GiB
    has_libc = has_libc || m.name == "libc.so.6";
  }
  EXPECT_TRUE(has_libc);
  const uint64_t start = holes->regions.front().start, end = holes->regions.back().end;
  ASSERT_OK_AND_ASSIGN(std::vector<AddressRange> ranges, p->MappedMemory(start, end, 0));
  ASSERT_EQ(ranges.size(), 3u);  // rw:2, rw:1 and ro:1: the hole and the PROT_NONE page split them
  EXPECT_EQ(ranges[0].start, start);
  EXPECT_TRUE(holes->process->Stop());
}

TEST(Compat32Test, PrimaryModuleUnderTheI386Loader) {
  if (!std::filesystem::exists(kLoader)) GTEST_SKIP() << kLoader << " is not installed";
  StatusOr<testing::HolesFixture> holes = StartHoles32(kLoader);
  if (const std::string why = NoIa32(holes.status()); !why.empty()) GTEST_SKIP() << why;
  ASSERT_OK(holes);
  StatusOr<Process> p = Process::Open(holes->process->pid());
  ASSERT_OK(p);
  ASSERT_OK_AND_ASSIGN(ProcessInfo info, p->Info());
  EXPECT_EQ(info.arch, Arch::kX86);
  EXPECT_EQ(info.path, std::filesystem::canonical(kLoader).string());  // the kernel ran the loader
  ASSERT_OK_AND_ASSIGN(PrimaryModule primary, p->Primary());
  EXPECT_EQ(primary.module.path, Canonical("fixtures/holes_i386")) << "from " << primary.source;
  EXPECT_EQ(primary.source, "stack auxv");
  EXPECT_TRUE(holes->process->Stop());
}

// Every strategy, reads and writes, against the layout's ground truth; plus addresses a 32-bit process
// cannot have.
TEST(Compat32Test, MemoryEngineWithExactAttribution) {
  StatusOr<testing::HolesFixture> holes = StartHoles32();
  if (const std::string why = NoIa32(holes.status()); !why.empty()) GTEST_SKIP() << why;
  ASSERT_OK(holes);
  const std::vector<fixtures::Region>& r = holes->regions;
  StatusOr<Process> p = Process::Open(holes->process->pid());
  ASSERT_OK(p);
  for (const std::string& name : StrategyNames()) {
    SCOPED_TRACE(name);
    const bool forced = name == "procmem_force" && testing::ProcMemForces();
    const std::vector<std::pair<uint64_t, uint64_t>> spans = {
        {r[0].start + 10, 100}, {r[0].end - 50, 100}, {r[1].start, 8},
        {r[2].start + 7, 64},   {r[3].start, 16},     {r[4].start + 3, 9},
        {uint64_t{1} << 32, 8}, {0xfffffffff000, 16}, {r[2].end - 4, 4 + 4096 + 4}};
    for (const Direction direction : {Direction::kRead, Direction::kWrite}) {
      std::vector<std::vector<uint8_t>> buffers;
      std::vector<Element> elements;
      for (const auto& [address, length] : spans) {
        buffers.emplace_back(length);
        for (uint64_t k = 0; k < length; ++k)  // writes put the pattern back: a wrong byte would still show
          buffers.back()[k] = direction == Direction::kWrite ? PatternByte(address + k) : 0;
        elements.push_back({address, buffers.back().data(), length});
      }
      std::vector<ElementResult> results(elements.size());
      ASSERT_OK(p->Transfer(*MakeStrategy(name), direction, elements, results));
      for (size_t i = 0; i < elements.size(); ++i) {
        EXPECT_EQ(results[i],
                  fixtures::ExpectedResult(r, elements[i].address, elements[i].length, direction, forced))
            << (direction == Direction::kRead ? "read " : "write ") << i;
        if (direction == Direction::kRead) {
          for (uint64_t k = 0; k < results[i].transferred; ++k)
            ASSERT_EQ(buffers[i][k], PatternByte(elements[i].address + k)) << i << " byte " << k;
        }
      }
    }
  }
  EXPECT_TRUE(holes->process->Stop());
}

TEST(Compat32Test, ExitCodesAndSignals) {
  for (const auto& [args, end, code] : std::vector<std::tuple<std::vector<std::string>, ExpectedEnd, int>>{
           {{"--exit", "3"}, ExpectedEnd::Exit(3), 3}, {{"--signal", "9"}, ExpectedEnd::Signal(9), -9}}) {
    StatusOr<std::unique_ptr<FixtureProcess>> f =
        FixtureProcess::Start("fixtures/exiter_i386", Opts(args, end));
    if (const std::string why = NoIa32(f.status()); !why.empty()) GTEST_SKIP() << why;
    ASSERT_OK(f);
    StatusOr<Process> p = Process::Open((*f)->pid());
    ASSERT_OK(p);
    EXPECT_EQ(p->Info()->arch, Arch::kX86);
    ASSERT_OK((*f)->Send("go"));
    ASSERT_TRUE((*f)->WaitUnreaped());
    const ProcessState state = p->State();
    EXPECT_EQ(state.kind, ProcessState::Kind::kDead);
    EXPECT_EQ(state.exit_code, code) << state.detail;
    EXPECT_TRUE((*f)->Stop());
  }
}

TEST(Compat32Test, EnvironmentWithRealAddresses) {
  const std::vector<std::string> passed = {"A=1", "EMPTY=", "NOEQ", "EQ=x=y",
                                           "LONG=" + std::string(5000, 'l')};
  StatusOr<std::unique_ptr<FixtureProcess>> f =
      FixtureProcess::Start("fixtures/env_heavy_i386", Opts({}, ExpectedEnd::Exit(0), passed));
  if (const std::string why = NoIa32(f.status()); !why.empty()) GTEST_SKIP() << why;
  ASSERT_OK(f);
  const nlohmann::json truth = nlohmann::json::parse((*f)->first_line());
  StatusOr<Process> p = Process::Open((*f)->pid());
  ASSERT_OK(p);
  ASSERT_OK_AND_ASSIGN(Environment env, p->Env());
  EXPECT_EQ(env.block_address, truth["env_start"].get<uint64_t>());
  ASSERT_EQ(env.entries.size(), passed.size());
  for (size_t i = 0; i < passed.size(); ++i) {
    EXPECT_EQ(env.entries[i].address, truth["entries"][i][0].get<uint64_t>()) << i;
    EXPECT_EQ(env.entries[i].length, truth["entries"][i][1].get<uint64_t>()) << i;
  }
  // Read one back through the process's memory at the reported address.
  const EnvironmentVariable& eq = env.entries[3];
  std::string bytes(eq.length, '\0');
  const Element element{eq.address, bytes.data(), bytes.size()};
  ElementResult result;
  ASSERT_OK(p->Transfer(*MakeStrategy("default"), Direction::kRead, {&element, 1}, {&result, 1}));
  EXPECT_EQ(bytes, "EQ=x=y");
  EXPECT_TRUE((*f)->Stop());
}

TEST(Compat32Test, CliInfoSaysX86) {
  StatusOr<testing::HolesFixture> holes = StartHoles32();
  if (const std::string why = NoIa32(holes.status()); !why.empty()) GTEST_SKIP() << why;
  ASSERT_OK(holes);
  const testing::CommandResult r =
      testing::RunProcscope({"info", std::to_string(holes->process->pid()), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["arch"], "x86");
  // primary_module is the handle (base address) of the program's module, which lies below 4 GiB.
  StatusOr<Process> p = Process::Open(holes->process->pid());
  ASSERT_OK(p);
  ASSERT_OK_AND_ASSIGN(PrimaryModule primary, p->Primary());
  EXPECT_EQ(j["primary_module"].get<uint64_t>(), primary.module.base);
  EXPECT_EQ(primary.module.path, Canonical("fixtures/holes_i386"));
  EXPECT_TRUE(holes->process->Stop());
}

}  // namespace
}  // namespace procscope
