#include "backend/procfs/modules.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "backend/procfs/testdata_util.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

TEST(Fnv1a64Test, KnownVectors) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(ParseModulesLineTest, LiveModuleWithDependants) {
  StatusOr<KernelModule> m = ParseModulesLine("nf_conntrack 172032 2 nf_nat,nft_ct, Live 0xffffffffc0a1b000");
  ASSERT_OK(m);
  EXPECT_EQ(m->name, "nf_conntrack");
  EXPECT_EQ(m->size, 172032u);
  EXPECT_EQ(m->refcount, 2);
  EXPECT_EQ(m->used_by, (std::vector<std::string>{"nf_nat", "nft_ct"}));
  EXPECT_EQ(m->state, ModuleState::kLive);
  EXPECT_EQ(m->address, 0xffffffffc0a1b000u);
  EXPECT_EQ(m->taint, std::nullopt);
  EXPECT_EQ(m->handle, Fnv1a64("nf_conntrack"));
}

TEST(ParseModulesLineTest, HiddenAddressNoDepsAndTaint) {
  StatusOr<KernelModule> m = ParseModulesLine("vboxdrv 696320 0 - Live 0x0000000000000000 (OE)");
  ASSERT_OK(m);
  EXPECT_TRUE(m->used_by.empty());
  EXPECT_EQ(m->address, 0u);
  EXPECT_EQ(m->taint, "OE");
}

TEST(ParseModulesLineTest, NoUnloadSupportAndOtherStates) {
  // Without CONFIG_MODULE_UNLOAD the kernel prints " - -" for refcount and used_by.
  StatusOr<KernelModule> m = ParseModulesLine("ext4 1052672 - - Loading 0xffffffffc0570000");
  ASSERT_OK(m);
  EXPECT_EQ(m->refcount, std::nullopt);
  EXPECT_EQ(m->state, ModuleState::kLoading);
  StatusOr<KernelModule> going = ParseModulesLine("x 1 0 [permanent], Unloading 0x0");
  ASSERT_OK(going);
  EXPECT_EQ(going->state, ModuleState::kUnloading);
  EXPECT_EQ(going->used_by, (std::vector<std::string>{"[permanent]"}));
}

TEST(ParseModulesLineTest, DepsWithoutTrailingCommaAreTolerated) {
  StatusOr<KernelModule> m = ParseModulesLine("a 1 0 b,c Live 0x0");
  ASSERT_OK(m);
  EXPECT_EQ(m->used_by, (std::vector<std::string>{"b", "c"}));
}

struct BadLine {
  const char* line;
  const char* field;
  const char* found = nullptr;  // the text the error must quote, when it quotes one field
};
class ParseModulesLineErrorTest : public ::testing::TestWithParam<BadLine> {};

TEST_P(ParseModulesLineErrorTest, NamesTheFieldAndQuotesIt) {
  EXPECT_TRUE(testing::RejectedNaming(ParseModulesLine(GetParam().line), GetParam().line,
                                      std::string("field '") + GetParam().field + "'"));
  if (GetParam().found != nullptr) {
    EXPECT_TRUE(testing::RejectedNaming(ParseModulesLine(GetParam().line), GetParam().line,
                                        std::string("found '") + GetParam().found + "'"));
  }
}

// Each field's bad value differs from its neighbours', so quoting the wrong field shows.
INSTANTIATE_TEST_SUITE_P(
    Pitfalls, ParseModulesLineErrorTest,
    ::testing::Values(
        BadLine{"", "line"}, BadLine{"a 1 0 - Live", "line"}, BadLine{" 1 0 - Live 0x0", "name"},
        BadLine{"a x 0 - Live 0x0", "size", "x"}, BadLine{"a 1 x - Live 0x0", "refcount", "x"},
        BadLine{"a 1 0 b,,c Live 0x0", "used_by", "b,,c"}, BadLine{"a 1 0 , Live 0x0", "used_by", ","},
        BadLine{"a 1 0 - live 0x0", "state", "live"}, BadLine{"a 1 0 - Live ffff", "address", "ffff"},
        BadLine{"a 1 0 - Live 0x", "address", "0x"}, BadLine{"a 1 0 - Live 0x0 OE", "taint", "OE"},
        BadLine{"a 1 0 - Live 0x0 ()", "taint", "()"}, BadLine{"a 1 0 - Live 0x0 (O)(E)", "taint", "(O)(E)"},
        BadLine{"a 1 0 - Live 0x0 (O) extra", "line"}));

TEST(ParseModulesTest, FileWithLineNumbersAndRoundTrip) {
  const std::string text =
      "nf_tables 290816 0 - Live 0xffffffffc0b00000\n"
      "nf_conntrack 172032 2 nf_nat,nft_ct, Live 0xffffffffc0a1b000\n"
      "vboxdrv 696320 0 - Live 0x0000000000000000 (OE)\n";
  StatusOr<std::vector<KernelModule>> mods = ParseModules(text);
  ASSERT_OK(mods);
  ASSERT_EQ(mods->size(), 3u);
  EXPECT_EQ((*mods)[1].ToString(), "nf_conntrack 172032 2 nf_nat,nft_ct, Live 0xffffffffc0a1b000");
  for (const KernelModule& m : *mods) {
    StatusOr<KernelModule> again = ParseModulesLine(m.ToString());
    ASSERT_OK(again) << m.ToString();
    EXPECT_EQ(*again, m);
  }
  StatusOr<std::vector<KernelModule>> bad = ParseModules("a 1 0 - Live 0x0\nb 1 0 - Dead 0x0\n");
  ASSERT_THAT(bad, ::testing::Not(IsOk()));
  EXPECT_EQ(bad.status().message().rfind("line 2: field 'state'", 0), 0u) << bad.status().message();
  EXPECT_TRUE(ParseModules("")->empty());
}

TEST(ParseModulesTest, HandlesDoNotDependOnOrder) {
  StatusOr<std::vector<KernelModule>> one = ParseModules("a 1 0 - Live 0x0\nb 1 0 - Live 0x0\n");
  StatusOr<std::vector<KernelModule>> two = ParseModules("b 1 0 - Live 0x0\na 1 0 - Live 0x0\n");
  ASSERT_OK(one);
  ASSERT_OK(two);
  EXPECT_EQ((*one)[0].handle, (*two)[1].handle);
  EXPECT_NE((*one)[0].handle, (*one)[1].handle);
}

}  // namespace
}  // namespace procscope
