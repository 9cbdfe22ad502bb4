#include "backend/memory/accessible_ranges.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <random>
#include <vector>

#include "backend/memory/fake_memory.h"
#include "backend/status_matchers.h"

namespace procscope::memory_internal {
namespace {

constexpr uint64_t kPage = 4096;

// The answer by definition: the bytes from `address` inside the one range that holds it.
AccessiblePrefix Expected(const std::vector<AccessibleRange>& ranges, uint64_t address, uint64_t length) {
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (ranges[i].start <= address && address < ranges[i].end) {
      return {std::min(length, ranges[i].end - address), static_cast<int64_t>(i)};
    }
  }
  return {0, -1};
}

TEST(ReadAccessibleRangesTest, MergesTouchingMappingsAndKeepsOnlyTheAskedProtection) {
  FakeMemory memory;
  memory.Map(0x10000, 2, kProtRead | kProtWrite);
  memory.Map(0x12000, 1, kProtRead);  // touches the first: one readable range, not writable
  memory.Map(0x14000, 1, kProtNone);
  memory.Map(0x20000, 1, kProtWrite | kProtRead);
  ASSERT_OK_AND_ASSIGN(std::vector<AccessibleRange> readable, ReadAccessibleRanges(memory, Direction::kRead));
  ASSERT_EQ(readable.size(), 2u);
  EXPECT_EQ(readable[0].start, 0x10000u);
  EXPECT_EQ(readable[0].end, 0x13000u);
  EXPECT_EQ(readable[1].start, 0x20000u);
  ASSERT_OK_AND_ASSIGN(std::vector<AccessibleRange> writable,
                       ReadAccessibleRanges(memory, Direction::kWrite));
  ASSERT_EQ(writable.size(), 2u);
  EXPECT_EQ(writable[0].end, 0x12000u);
}

TEST(ReadAccessibleRangesTest, AProcessWithoutMemoryIsGone) {
  FakeMemory memory;  // nothing mapped: the maps text is empty, as for a zombie
  EXPECT_THAT(ReadAccessibleRanges(memory, Direction::kRead).status(), StatusIs(ESRCH));
}

TEST(ReadAccessibleRangesTest, MapsTheParserCannotReadIsEIONamingTheLine) {
  FakeMemory memory;
  memory.Map(0x10000, 1, kProtRead);
  memory.SetMapsText("00010000-00011000 r--p 00000000 00:00 0\nnot a maps line\n");
  const Status status = ReadAccessibleRanges(memory, Direction::kRead).status();
  EXPECT_THAT(status, StatusIs(EIO, ::testing::StartsWith("maps: ")));
  EXPECT_THAT(status.message(), ::testing::HasSubstr("line 2"));
}

TEST(AccessibleCursorTest, EdgesOfRangesAndGaps) {
  const std::vector<AccessibleRange> ranges = {{0x1000, 0x3000}, {0x5000, 0x6000}};
  AccessibleCursor cursor(ranges);
  EXPECT_EQ(cursor.Prefix(0x0fff, 16).length, 0u);            // below every range
  EXPECT_EQ(cursor.Prefix(0x1000, 16).length, 16u);           // first byte
  EXPECT_EQ(cursor.Prefix(0x2ff8, 16).length, 8u);            // crosses the end: the prefix
  EXPECT_EQ(cursor.Prefix(0x3000, 16).range, -1);             // the byte after the end
  EXPECT_EQ(cursor.Prefix(0x5fff, 1).range, 1);               // last byte of the second range
  EXPECT_EQ(cursor.Prefix(0x6000, 1).length, 0u);             // above every range
  EXPECT_EQ(cursor.Prefix(0x1800, 0x10000).length, 0x1800u);  // behind the cursor: found again
}

// Going back to an address below the cursor searches; an address exactly at a range's start belongs to
// that range, whether the cursor walks to it or searches for it.
TEST(AccessibleCursorTest, ARangesFirstByteByWalkAndBySearch) {
  const std::vector<AccessibleRange> ranges = {{0x1000, 0x2000}, {0x3000, 0x4000}};
  AccessibleCursor cursor(ranges);
  const auto range_of = [&](uint64_t address) {
    const AccessiblePrefix p = cursor.Prefix(address, 8);
    return p.length == 8 ? p.range : -1;
  };
  EXPECT_EQ(range_of(0x3000), 1);  // walked to
  EXPECT_EQ(range_of(0x1000), 0);  // searched for
  EXPECT_EQ(range_of(0x3800), 1);
  EXPECT_EQ(range_of(0x3000), 1);  // searched for
}

TEST(AccessibleCursorTest, AnEmptySnapshotHasNoAccessibleByte) {
  const std::vector<AccessibleRange> none;
  AccessibleCursor cursor(none);
  EXPECT_EQ(cursor.Prefix(0, 1).range, -1);
  EXPECT_EQ(cursor.Prefix(UINT64_MAX, 1).range, -1);
}

// A tagged address (top byte set) is looked up where the kernel looks: untagged on arm64, as it is elsewhere.
TEST(AccessibleCursorTest, LooksTaggedAddressesUpAsTheKernelDoes) {
  const std::vector<AccessibleRange> ranges = {{0x1000, 0x3000}};
  AccessibleCursor cursor(ranges);
  constexpr uint64_t kTag = 0x5aULL << 56;
#if defined(__aarch64__)
  EXPECT_EQ(UntaggedAddress(kTag | 0x1000), 0x1000u);
  EXPECT_EQ(UntaggedAddress(0x0080000000000000ULL), 0xff80000000000000ULL);  // bit 55 set: a kernel address
  EXPECT_EQ(cursor.Prefix(kTag | 0x2ff8, 16).length, 8u);
#else
  EXPECT_EQ(UntaggedAddress(kTag | 0x1000), kTag | 0x1000);
  EXPECT_EQ(cursor.Prefix(kTag | 0x2ff8, 16).length, 0u);
#endif
}

// Ascending, descending and random lookups over one snapshot all give the definition's answer.
TEST(AccessibleCursorTest, EveryOrderAgreesWithTheDefinition) {
  std::mt19937_64 random(7);
  std::vector<AccessibleRange> ranges;
  for (uint64_t page = 16; page < 4096;) {
    const uint64_t run = 1 + random() % 8, gap = 1 + random() % 8;
    ranges.push_back({page * kPage, (page + run) * kPage});
    page += run + gap;
  }
  std::vector<uint64_t> addresses;
  for (int i = 0; i < 20000; ++i) addresses.push_back(random() % (4200 * kPage));
  std::vector<std::vector<uint64_t>> orders = {addresses, addresses, addresses};
  std::sort(orders[0].begin(), orders[0].end());
  std::sort(orders[1].rbegin(), orders[1].rend());
  for (const std::vector<uint64_t>& order : orders) {
    AccessibleCursor cursor(ranges);
    for (uint64_t address : order) {
      const uint64_t length = 1 + address % (3 * kPage);
      const AccessiblePrefix want = Expected(ranges, address, length);
      const AccessiblePrefix got = cursor.Prefix(address, length);
      ASSERT_EQ(got.length, want.length) << std::hex << address;
      ASSERT_EQ(got.range, want.range) << std::hex << address;
    }
  }
}

}  // namespace
}  // namespace procscope::memory_internal
