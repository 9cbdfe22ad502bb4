#include "backend/hex.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace procscope {
namespace {

TEST(HexTest, LowercaseWithoutLeadingZeros) {
  EXPECT_EQ(Hex(0), "0x0");
  EXPECT_EQ(Hex(0x7f00ab), "0x7f00ab");
  EXPECT_EQ(Hex(UINT64_MAX), "0xffffffffffffffff");
  EXPECT_EQ(HexDigits(0), "0");
  EXPECT_EQ(HexDigits(0x55d0c0a1b000), "55d0c0a1b000");
  EXPECT_EQ(HexDigits(UINT64_MAX), "ffffffffffffffff");
}

}  // namespace
}  // namespace procscope
