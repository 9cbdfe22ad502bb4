#include "tools/cli/utf8.h"

#include <gtest/gtest.h>

namespace procscope::cli {
namespace {

constexpr char kFffd[] = "\xef\xbf\xbd";

TEST(ToValidUtf8Test, ValidTextIsUnchanged) {
  for (const char* text :
       {"", "plain", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"}) {
    EXPECT_EQ(ToValidUtf8(text), text);
  }
}

TEST(ToValidUtf8Test, EachInvalidByteBecomesOneReplacement) {
  EXPECT_EQ(ToValidUtf8("\xff\xfe\xc3("), std::string(kFffd) + kFffd + kFffd + "(");
  EXPECT_EQ(ToValidUtf8("\xe2\x82"), std::string(kFffd) + kFffd);              // truncated 3-byte sequence
  EXPECT_EQ(ToValidUtf8("\xc0\xaf"), std::string(kFffd) + kFffd);              // overlong '/'
  EXPECT_EQ(ToValidUtf8("\xed\xa0\x80"), std::string(kFffd) + kFffd + kFffd);  // surrogate U+D800
  EXPECT_EQ(ToValidUtf8("\xf4\x90\x80\x80"), std::string(kFffd) + kFffd + kFffd + kFffd);  // > U+10FFFF
  EXPECT_EQ(ToValidUtf8("a\x80z"), std::string("a") + kFffd + "z");
}

TEST(PrintableTest, EscapesControlAndHighBytes) { EXPECT_EQ(Printable("a b\n\\\xff"), "a b\\x0a\\\\\\xff"); }

}  // namespace
}  // namespace procscope::cli
