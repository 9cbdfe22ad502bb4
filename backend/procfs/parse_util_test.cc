#include "backend/procfs/parse_util.h"

#include <gtest/gtest.h>

namespace procscope::procfs_internal {
namespace {

TEST(ParseUnsignedTest, StrictDigitsOnly) {
  EXPECT_EQ(ParseUnsigned("0", 10), 0u);
  EXPECT_EQ(ParseUnsigned("18446744073709551615", 10), 18446744073709551615ULL);
  EXPECT_EQ(ParseUnsigned("ffffffffffffffff", 16), 18446744073709551615ULL);
  EXPECT_EQ(ParseUnsigned("DEAD", 16), 0xdeadu);
  EXPECT_EQ(ParseUnsigned("18446744073709551616", 10), std::nullopt);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "0x10", "1a"}) {
    EXPECT_EQ(ParseUnsigned(bad, 10), std::nullopt) << bad;
  }
}

TEST(ParseSignedTest, OptionalMinus) {
  EXPECT_EQ(ParseSigned("-1"), -1);
  EXPECT_EQ(ParseSigned("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(ParseSigned("9223372036854775808"), std::nullopt);
  EXPECT_EQ(ParseSigned("+1"), std::nullopt);
  EXPECT_EQ(ParseSigned("-"), std::nullopt);
}

TEST(QuoteTest, EscapesAndCuts) {
  EXPECT_EQ(Quote("a\nb\\"), "a\\x0ab\\x5c");
  EXPECT_EQ(Quote("abcdef", 3), "abc...");
}

TEST(SplitTest, KeepsEmptyPieces) {
  EXPECT_EQ(Split("a,,b,", ','), (std::vector<std::string_view>{"a", "", "b", ""}));
  EXPECT_EQ(Split("", ','), (std::vector<std::string_view>{""}));
}

TEST(ParseLinesTest, NamesTheLineOfAnError) {
  auto parse = [](std::string_view line) -> StatusOr<int> {
    if (line == "bad") return Status(EINVAL, "nope");
    return static_cast<int>(line.size());
  };
  StatusOr<std::vector<int>> ok = ParseLines<int>("a\nbb\n", parse);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, (std::vector<int>{1, 2}));
  StatusOr<std::vector<int>> no_final_newline = ParseLines<int>("a\nbb", parse);
  ASSERT_TRUE(no_final_newline.ok());
  EXPECT_EQ(no_final_newline->size(), 2u);
  EXPECT_EQ(ParseLines<int>("a\nbad\n", parse).status().message(), "line 2: nope");
  EXPECT_EQ(ParseLines<int>("a\n\nb", parse).status().message(), "line 2: empty line");
  EXPECT_TRUE(ParseLines<int>("", parse)->empty());
}

}  // namespace
}  // namespace procscope::procfs_internal
