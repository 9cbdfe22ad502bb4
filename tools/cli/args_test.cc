#include "tools/cli/args.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "backend/status_matchers.h"

namespace procscope::cli {
namespace {

TEST(ParsePidTest, RangeAndSyntax) {
  EXPECT_EQ(*ParsePid("1"), 1);
  EXPECT_EQ(*ParsePid("4194304"), 4194304);
  for (const char* bad : {"", "0", "-1", "4194305", "12a", "0x10", " 1"})
    EXPECT_THAT(ParsePid(bad), StatusIs(EINVAL)) << bad;
}

TEST(ParseSecondsTest, WholeOrUpToThousandths) {
  EXPECT_EQ(*ParseSeconds("0"), std::chrono::milliseconds(0));
  EXPECT_EQ(*ParseSeconds("2"), std::chrono::milliseconds(2000));
  EXPECT_EQ(*ParseSeconds("0.25"), std::chrono::milliseconds(250));
  EXPECT_EQ(*ParseSeconds("1.5"), std::chrono::milliseconds(1500));
  EXPECT_EQ(*ParseSeconds("3.007"), std::chrono::milliseconds(3007));
  EXPECT_EQ(*ParseSeconds("10000000"), std::chrono::milliseconds(10'000'000'000));
  for (const char* bad : {"", "x", "-1", "+1", "1.", ".5", "1.2345", "1e3", "0x10", " 1", "1 ", "1.-5",
                          "10000000.001", "10000001", "99999999999999999999"}) {
    EXPECT_THAT(ParseSeconds(bad), StatusIs(EINVAL)) << bad;
  }
  EXPECT_EQ(
      ParseSeconds("ten").status().message(),
      "bad number of seconds 'ten': expected a decimal number from 0 to 10000000, at most 3 digits after "
      "the point");
}

TEST(ParseRangeTest, HexOrDecimalAddressDecimalLength) {
  StatusOr<Range> r = ParseRange("0x7f00deadbeef:16");
  ASSERT_OK(r);
  EXPECT_EQ(r->address, 0x7f00deadbeefu);
  EXPECT_EQ(r->length, 16u);
  EXPECT_EQ(ParseRange("4096:0")->address, 4096u);
  EXPECT_OK(ParseRange("0xffffffffffffffff:1"));  // the last byte, no wrap
  for (const char* bad : {"", "0x10", "0x10:", ":8", "0xg:8", "0x10:0x8", "0x10:-1", "0xfffffffffffffff0:32",
                          "0x1000:1073741825", "0x10000000000000000:1"}) {
    EXPECT_THAT(ParseRange(bad), StatusIs(EINVAL)) << bad;
  }
}

TEST(ParseRangeListTest, SkipsBlankAndCommentLinesAndNamesBadLines) {
  StatusOr<std::vector<Range>> ranges = ParseRangeList("# header\n0x10:8\n\n  16:4 \n");
  ASSERT_OK(ranges);
  ASSERT_EQ(ranges->size(), 2u);
  EXPECT_EQ((*ranges)[1].address, 16u);
  StatusOr<std::vector<Range>> bad = ParseRangeList("0x10:8\nnope\n");
  ASSERT_THAT(bad, ::testing::Not(IsOk()));
  EXPECT_EQ(bad.status().message().rfind("line 2: ", 0), 0u);
}

TEST(HexTest, RoundTripAndErrors) {
  StatusOr<std::vector<uint8_t>> bytes = ParseHex("00fFa5");
  ASSERT_OK(bytes);
  EXPECT_EQ(*bytes, (std::vector<uint8_t>{0x00, 0xff, 0xa5}));
  EXPECT_EQ(ToHex(bytes->data(), bytes->size()), "00ffa5");
  EXPECT_TRUE(ParseHex("")->empty());
  EXPECT_THAT(ParseHex("abc"), ::testing::Not(IsOk()));
  EXPECT_THAT(ParseHex("zz"), ::testing::Not(IsOk()));
  EXPECT_THAT(ParseHex("+1"), ::testing::Not(IsOk()));
}

// Text fed in two pieces split anywhere (inside a line, at a newline, between "\r" and "\n") parses as it
// does whole, errors naming the same line.
TEST(RangeListParserTest, AnySplitGivesTheWholeTextsAnswer) {
  const std::string good = "# ranges\n0x1000:16\r\n\n  4096:8 \n0x2000:0\n0x3000:1";
  const std::string bad = "0x1000:16\n\n0x2000:x\n0x3000:1\n";
  for (const std::string& text : {good, bad}) {
    const StatusOr<std::vector<Range>> whole = ParseRangeList(text);
    for (size_t split = 0; split <= text.size(); ++split) {
      RangeListParser parser;
      const Status first = parser.Feed(std::string_view(text).substr(0, split));
      const Status second = parser.Feed(std::string_view(text).substr(split));
      const StatusOr<std::vector<Range>> pieces = parser.Finish();
      ASSERT_EQ(pieces.ok(), whole.ok()) << split;
      if (whole.ok()) {
        ASSERT_OK(first);
        ASSERT_OK(second);
        ASSERT_EQ(pieces->size(), whole->size());
        for (size_t i = 0; i < whole->size(); ++i) {
          EXPECT_EQ((*pieces)[i].address, (*whole)[i].address);
          EXPECT_EQ((*pieces)[i].length, (*whole)[i].length);
        }
      } else {
        EXPECT_EQ(pieces.status().message(), whole.status().message()) << split;
        EXPECT_NE(whole.status().message().find("line 3:"), std::string::npos) << whole.status().message();
      }
    }
  }
  EXPECT_EQ(ParseRangeList(good)->size(), 4u);
}

}  // namespace
}  // namespace procscope::cli
