#include "backend/memory/force_override.h"

#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <string>

#include "backend/procfs/read_file.h"
#include "backend/scoped_child.h"

namespace procscope {
namespace {

TEST(ForceOverrideFromCmdlineTest, TheLastGivenWordWins) {
  EXPECT_EQ(ForceOverrideFromCmdline("console=ttyS0 quiet\n"), std::nullopt);
  EXPECT_EQ(ForceOverrideFromCmdline("proc_mem.force_override=never"), ForceOverride::kNever);
  EXPECT_EQ(ForceOverrideFromCmdline("a proc_mem.force_override=ptrace b\n"), ForceOverride::kPtrace);
  EXPECT_EQ(ForceOverrideFromCmdline("proc_mem.force_override=never proc_mem.force_override=always\n"),
            ForceOverride::kAlways);
  EXPECT_EQ(ForceOverrideFromCmdline("proc_mem.force_override=sometimes"), std::nullopt);
  EXPECT_EQ(ForceOverrideFromCmdline("xproc_mem.force_override=never"), std::nullopt);
}

TEST(ForceOverrideNameTest, TheKernelsWords) {
  EXPECT_EQ(ForceOverrideName(ForceOverride::kAlways), "always");
  EXPECT_EQ(ForceOverrideName(ForceOverride::kPtrace), "ptrace");
  EXPECT_EQ(ForceOverrideName(ForceOverride::kNever), "never");
  EXPECT_EQ(ForceOverrideName(ForceOverride::kUnknown), "unknown");
}

// /proc/kallsyms lines: "ADDRESS TYPE NAME" and, for a module's symbols, "\t[MODULE]" after the name;
// addresses read 0 for readers kptr_restrict hides them from.
TEST(KallsymsHasSymbolTest, MatchesTheWholeNameOnly) {
  const std::string text =
      "ffffffff835c1180 t __pfx_early_proc_mem_force_override\n"
      "0000000000000000 t early_proc_mem_force_override_x\n"
      "0000000000000000 t dummy_init\t[dummy]\n";
  EXPECT_FALSE(KallsymsHasSymbol(text, "early_proc_mem_force_override"));
  EXPECT_TRUE(KallsymsHasSymbol(text + "ffffffff835c1190 t early_proc_mem_force_override\n",
                                "early_proc_mem_force_override"));
  EXPECT_TRUE(KallsymsHasSymbol(text, "dummy_init"));
  EXPECT_FALSE(KallsymsHasSymbol(text, "dummy"));
  EXPECT_FALSE(KallsymsHasSymbol("", "x"));
  EXPECT_FALSE(KallsymsHasSymbol("garbage", "garbage"));
  EXPECT_EQ(ForceOverrideSwitchName(ForceOverrideSwitch::kAbsent), "no such switch");
}

TEST(ExplainSwitchTest, NamesWhatTheKernelIgnoresOrWhatDiffers) {
  ForceOverrideFinding f;
  f.value = ForceOverride::kAlways;
  f.how = "measured";
  f.has_switch = ForceOverrideSwitch::kAbsent;
  ExplainSwitch(ForceOverride::kNever, f);
  EXPECT_EQ(
      f.how,
      "measured; no such switch: this kernel ignores proc_mem.force_override=never on its command line");
  f.how = "measured";
  ExplainSwitch(std::nullopt, f);
  EXPECT_EQ(f.how, "measured; no such switch in this kernel");
  f.how = "measured";
  f.has_switch = ForceOverrideSwitch::kPresent;
  ExplainSwitch(ForceOverride::kAlways, f);
  EXPECT_EQ(f.how, "measured");
  ExplainSwitch(ForceOverride::kPtrace, f);
  EXPECT_EQ(f.how, "measured; the command line says proc_mem.force_override=ptrace");
  f.how = "unknown: why";
  f.value = ForceOverride::kUnknown;
  ExplainSwitch(ForceOverride::kNever, f);
  EXPECT_EQ(f.how, "unknown: why");
}

// The tracer's forced write: on a kernel that forces for tracers ("always" or "ptrace") it goes in; with
// "never" it does not; the page of this process stays as it was either way (the child wrote its copy).
TEST(ForcedWriteIntoTracedChildWorksTest, FollowsTheSwitch) {
  void* page = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(page, MAP_FAILED);
  const StatusOr<bool> works = ForcedWriteIntoTracedChildWorks(page);
  ASSERT_TRUE(works.ok()) << works.status().ToString();
  const ForceOverride measured = FindForceOverride().value;
  ASSERT_NE(measured, ForceOverride::kUnknown);
  EXPECT_EQ(*works, measured != ForceOverride::kNever) << ForceOverrideName(measured);
  EXPECT_EQ(*static_cast<const char*>(page), 0);
  munmap(page, 4096);
}

// Where no page can be mapped (the address space limit at what the process uses), forcing cannot be
// measured, and the finding says mmap is why; the switch is still looked up (no allocation for it).
TEST(FindForceOverrideTest, WithoutAPageToMapItSaysWhy) {
  StatusOr<ScopedChild> child = ScopedChild::Fork([] {
    // Small allocations after the limit come from heap the child already holds.
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    free(malloc(4 << 20));
    StatusOr<std::string> status = ReadFileToString("/proc/self/status");
    if (!status.ok()) return 10;
    const size_t at = status->find("VmSize:");
    if (at == std::string::npos) return 11;
    const rlim_t bytes = std::stoull(status->substr(at + 7)) * 1024;
    const rlimit limit{bytes, bytes};
    if (setrlimit(RLIMIT_AS, &limit) != 0) return 12;
    if (mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED) return 13;
    const ForceOverrideFinding finding = FindForceOverride();
    if (finding.value != ForceOverride::kUnknown) return 1;
    if (finding.how.find("mmap") == std::string::npos) return 2;
    if (finding.has_switch == ForceOverrideSwitch::kUnknown &&
        finding.switch_how.find("kallsyms") == std::string::npos)
      return 3;
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  StatusOr<int> status = child->Wait();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(ExitCodeOrSignal(*status), 0) << "10-13: the setup failed; 1: a value; 2: mmap not named; 3: no "
                                             "switch answer";
}

}  // namespace
}  // namespace procscope
