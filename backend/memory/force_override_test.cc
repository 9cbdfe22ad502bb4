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

}  // namespace
}  // namespace procscope
