#include "backend/procfs/maps_order.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "backend/procfs/testdata_util.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

using testing::ParsedMaps;

TEST(CheckMapsOrderTest, FlagsOverlapsAndBackwardSteps) {
  EXPECT_OK(
      CheckMapsOrder(ParsedMaps("1000-2000 r--p 00000000 00:00 0 \n2000-3000 r--p 00000000 00:00 0 \n")));
  const Status overlap =
      CheckMapsOrder(ParsedMaps("1000-3000 r--p 00000000 00:00 0 \n2000-4000 r--p 00000000 00:00 0 \n"));
  EXPECT_THAT(overlap, StatusIs(EAGAIN));
  EXPECT_NE(overlap.message().find("line 2"), std::string::npos) << overlap.message();
  EXPECT_EQ(CheckMapsOrder(ParsedMaps("5000-6000 r--p 00000000 00:00 0 \n1000-2000 r--p 00000000 00:00 0 \n"))
                .error_number(),
            EAGAIN);
}

TEST(ReadOrderedMapsTest, ReadsAgainUntilTheTextIsOrdered) {
  const std::vector<std::string> texts = {
      "1000-3000 r--p 00000000 00:00 0 \n2000-4000 r--p 00000000 00:00 0 \n",  // torn
      "5000-6000 r--p 00000000 00:00 0 \n1000-2000 r--p 00000000 00:00 0 \n",  // backwards
      "1000-2000 r--p 00000000 00:00 0 \n5000-6000 r--p 00000000 00:00 0 \n",  // settled
  };
  size_t next = 0;
  int reads = 0;
  StatusOr<std::vector<MapsEntry>> maps =
      ReadOrderedMaps([&]() -> StatusOr<std::string> { return texts[next++]; }, 5, &reads);
  ASSERT_OK(maps);
  EXPECT_EQ(reads, 3);
  EXPECT_EQ(maps->back().start, 0x5000u);

  next = 0;
  maps = ReadOrderedMaps([&]() -> StatusOr<std::string> { return texts[next++ % 2]; }, 4, &reads);
  ASSERT_THAT(maps, ::testing::Not(IsOk()));
  EXPECT_THAT(maps, StatusIs(EAGAIN));
  EXPECT_EQ(reads, 4);

  // Read and parse errors end it at once.
  maps = ReadOrderedMaps([]() -> StatusOr<std::string> { return Status(EACCES, "no"); }, 5, &reads);
  EXPECT_THAT(maps, StatusIs(EACCES));
  EXPECT_EQ(reads, 1);
  maps = ReadOrderedMaps([]() -> StatusOr<std::string> { return std::string("garbage\n"); }, 5, &reads);
  EXPECT_THAT(maps, StatusIs(EINVAL));
}

}  // namespace
}  // namespace procscope
