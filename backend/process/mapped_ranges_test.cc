#include "backend/process/mapped_ranges.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "backend/procfs/maps.h"
#include "backend/procfs/testdata_util.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

using testing::ParsedMaps;

TEST(MappedRangesTest, ClipsAtBothEndsAndMergesSmallGaps) {
  const std::vector<MapsEntry> maps = ParsedMaps(
      "1000-3000 r--p 00000000 00:00 0 \n"
      "3000-4000 ---p 00000000 00:00 0 \n"  // not readable
      "4000-5000 rw-p 00000000 00:00 0 \n"
      "6000-7000 r-xp 00000000 00:00 0 \n"
      "9000-b000 rw-p 00000000 00:00 0 \n");
  // Bounds inside the first and last mappings: both ends clipped (memflow-native clipped the end wrongly).
  EXPECT_EQ(
      MappedRanges(maps, 0x2000, 0xa000, 0),
      (std::vector<AddressRange>{{0x2000, 0x3000}, {0x4000, 0x5000}, {0x6000, 0x7000}, {0x9000, 0xa000}}));
  EXPECT_EQ(MappedRanges(maps, 0x2000, 0xa000, 0x1000),  // gaps of exactly max_gap merge
            (std::vector<AddressRange>{{0x2000, 0x7000}, {0x9000, 0xa000}}));
  EXPECT_EQ(MappedRanges(maps, 0x2000, 0xa000, 0xfff), MappedRanges(maps, 0x2000, 0xa000, 0));
  EXPECT_EQ(MappedRanges(maps, 0x2000, 0xa000, 0x2000), (std::vector<AddressRange>{{0x2000, 0xa000}}));
  EXPECT_EQ(MappedRanges(maps, 0, UINT64_MAX, 0).front(), (AddressRange{0x1000, 0x3000}));
  EXPECT_EQ(MappedRanges(maps, 0x4800, 0x4900, 0), (std::vector<AddressRange>{{0x4800, 0x4900}}));
  EXPECT_TRUE(MappedRanges(maps, 0x3000, 0x4000, 0).empty());
  EXPECT_TRUE(MappedRanges(maps, 0x5000, 0x1000, 0).empty());
  // Touching readable mappings merge even with max_gap 0.
  EXPECT_EQ(MappedRanges(ParsedMaps("1000-2000 r--p 00000000 00:00 0 \n2000-3000 rw-p 00000000 00:00 0 \n"),
                         0, 0x10000, 0),
            (std::vector<AddressRange>{{0x1000, 0x3000}}));
}

TEST(MappedRangesTest, EmptyMappingsCoverNothing) {
  // Found by module_map_fuzzer (fuzz/module_map_fuzzer_corpus/crash_empty_mapping): an empty range came out.
  const std::vector<MapsEntry> maps = ParsedMaps(
      "7f0000000000-7f0000000000 rw-p 00000000 00:00 0 \n"
      "7f0000001000-7f0000002000 rw-p 00000000 00:00 0 \n");
  EXPECT_EQ(MappedRanges(maps, 0, UINT64_MAX, 0),
            (std::vector<AddressRange>{{0x7f0000001000, 0x7f0000002000}}));
  EXPECT_TRUE(MappedRanges({maps.data(), 1}, 0, UINT64_MAX, 1 << 20).empty());
}

}  // namespace
}  // namespace procscope
