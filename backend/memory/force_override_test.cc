#include "backend/memory/force_override.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace procscope
