#include "backend/procfs/cmdline.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace procscope {
namespace {

using Args = std::vector<std::string>;

TEST(ParseCmdlineTest, SplitsAtNulsAndKeepsEmptyArguments) {
  using namespace std::string_literals;
  EXPECT_EQ(ParseCmdline("/bin/sleep\0"
                         "100\0"s),
            (Args{"/bin/sleep", "100"}));
  EXPECT_EQ(ParseCmdline("a\0\0b\0"s), (Args{"a", "", "b"}));
  EXPECT_EQ(ParseCmdline("\0"s), (Args{""}));
  EXPECT_EQ(ParseCmdline(""), Args{});
}

TEST(ParseCmdlineTest, RewrittenArgumentAreasAreTakenAsTheyAre) {
  using namespace std::string_literals;
  // setproctitle-style: one string with spaces and no final NUL.
  EXPECT_EQ(ParseCmdline("postgres: writer process"), (Args{"postgres: writer process"}));
  EXPECT_EQ(ParseCmdline("a\0b"s), (Args{"a", "b"}));
  EXPECT_EQ(ParseCmdline("\xff\xfe\0"s), (Args{"\xff\xfe"}));
}

}  // namespace
}  // namespace procscope
