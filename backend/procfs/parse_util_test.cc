#include "backend/procfs/parse_util.h"

#include <gtest/gtest.h>

#include "backend/status_matchers.h"

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

TEST(Hex8Test, AgreesWithTheByteLoopOnEveryByteInEveryLane) {
  uint64_t value = 0;
  ASSERT_TRUE(Hex8("0123abCD", value));
  EXPECT_EQ(value, 0x0123abcdu);
  ASSERT_TRUE(Hex8("ffffffff", value));
  EXPECT_EQ(value, 0xffffffffu);
  for (int lane = 0; lane < 8; ++lane) {
    for (int byte = 0; byte < 256; ++byte) {
      std::string text = "00000000";
      text[lane] = static_cast<char>(byte);
      const bool is_hex = kDigitValue[byte] < 16;
      ASSERT_EQ(Hex8(text.data(), value), is_hex) << "lane " << lane << " byte " << byte;
      if (is_hex) EXPECT_EQ(value, uint64_t{kDigitValue[byte]} << (4 * (7 - lane)));
    }
  }
}

TEST(ConsumeUnsignedTest, HexAndDecimalWithOverflow) {
  std::string_view rest = "7f1c7f166000-x";
  uint64_t v = 0;
  ASSERT_TRUE(ConsumeUnsigned<16>(rest, v));
  EXPECT_EQ(v, 0x7f1c7f166000u);
  EXPECT_EQ(rest, "-x");
  rest = "ffffffffffffffff ";
  ASSERT_TRUE(ConsumeUnsigned<16>(rest, v));
  EXPECT_EQ(v, 0xffffffffffffffffu);
  rest = "00000000000000000001";  // 20 digits, value fits
  ASSERT_TRUE(ConsumeUnsigned<16>(rest, v));
  EXPECT_EQ(v, 1u);
  rest = "10000000000000000";  // 17 significant digits
  EXPECT_FALSE(ConsumeUnsigned<16>(rest, v));
  EXPECT_EQ(rest, "10000000000000000");
  rest = "18446744073709551615";
  ASSERT_TRUE(ConsumeUnsigned<10>(rest, v));
  EXPECT_EQ(v, 18446744073709551615u);
  rest = "18446744073709551616";
  EXPECT_FALSE(ConsumeUnsigned<10>(rest, v));
  rest = "x";
  EXPECT_FALSE(ConsumeUnsigned<10>(rest, v));
}

TEST(CountByteTest, CountsAcrossBlocks) {
  std::string text(1000, 'a');
  for (size_t i = 0; i < text.size(); i += 3) text[i] = '\n';
  EXPECT_EQ(CountByte(text, '\n'), 334u);
  EXPECT_EQ(CountByte(std::string(255, '\n'), '\n'), 255u);  // a full block must not wrap the byte counter
  EXPECT_EQ(CountByte("", '\n'), 0u);
}

TEST(ParseLinesTest, NamesTheLineOfAnError) {
  auto parse = [](std::string_view line, int& out) -> Status {
    if (line == "bad") return Status(EINVAL, "nope");
    out = static_cast<int>(line.size());
    return OkStatus();
  };
  StatusOr<std::vector<int>> ok = ParseLines<int>("a\nbb\n", parse);
  ASSERT_OK(ok);
  EXPECT_EQ(*ok, (std::vector<int>{1, 2}));
  StatusOr<std::vector<int>> no_final_newline = ParseLines<int>("a\nbb", parse);
  ASSERT_OK(no_final_newline);
  EXPECT_EQ(no_final_newline->size(), 2u);
  EXPECT_EQ(ParseLines<int>("a\nbad\n", parse).status().message(), "line 2: nope");
  EXPECT_EQ(ParseLines<int>("a\n\nb", parse).status().message(), "line 2: empty line");
  EXPECT_TRUE(ParseLines<int>("", parse)->empty());
}

}  // namespace
}  // namespace procscope::procfs_internal
