#include "backend/procfs/status.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "backend/procfs/testdata_util.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

using testing::ReadTestdata;
using testing::RejectedNaming;

constexpr uint64_t kCapSysPtrace = uint64_t{1} << 19;

TEST(ParseStatusTest, RootCapture) {
  ASSERT_OK_AND_ASSIGN(ProcStatus s, ParseStatus(ReadTestdata("status_root.txt")));
  EXPECT_EQ(s.name, "cat");
  EXPECT_EQ(s.uids, (std::array<uint32_t, 4>{0, 0, 0, 0}));
  EXPECT_EQ(s.gids, (std::array<uint32_t, 4>{0, 0, 0, 0}));
  ASSERT_TRUE(s.cap_eff.has_value());
  EXPECT_NE(*s.cap_eff & kCapSysPtrace, 0u);
  EXPECT_EQ(s.tracer_pid, 0);
  EXPECT_EQ(s.no_new_privs, false);
  EXPECT_EQ(s.seccomp, 0);
}

TEST(ParseStatusTest, UnderASeccompFilter) {
  ASSERT_OK_AND_ASSIGN(ProcStatus s, ParseStatus(ReadTestdata("status_seccomp.txt")));
  EXPECT_EQ(s.seccomp, 2);  // "Seccomp_filters:" is another key, not a second Seccomp
  EXPECT_EQ(s.no_new_privs, true);
}

TEST(ParseStatusTest, UnprivilegedAndZombie) {
  ASSERT_OK_AND_ASSIGN(ProcStatus nobody, ParseStatus(ReadTestdata("status_nobody.txt")));
  EXPECT_EQ(nobody.uids, (std::array<uint32_t, 4>{65534, 65534, 65534, 65534}));
  EXPECT_EQ(nobody.cap_eff, 0u);
  EXPECT_EQ(nobody.cap_prm, 0u);
  ASSERT_OK_AND_ASSIGN(ProcStatus zombie, ParseStatus(ReadTestdata("status_zombie.txt")));
  EXPECT_EQ(zombie.name, "python3");
  EXPECT_TRUE(zombie.uids.has_value());
}

TEST(ParseStatusTest, DifferentIdsStayInTheirPlaces) {
  ASSERT_OK_AND_ASSIGN(ProcStatus s, ParseStatus("Uid:\t1000\t0\t1000\t0\nGid:\t4294967295\t5\t6\t7\n"));
  EXPECT_EQ(s.uids, (std::array<uint32_t, 4>{1000, 0, 1000, 0}));
  EXPECT_EQ(s.gids, (std::array<uint32_t, 4>{4294967295u, 5, 6, 7}));
  EXPECT_EQ(s.name, std::nullopt);  // absent fields stay unknown
  EXPECT_EQ(s.seccomp, std::nullopt);
}

TEST(ParseStatusTest, NamesKeepWhatTheKernelPrinted) {
  ASSERT_OK_AND_ASSIGN(ProcStatus s, ParseStatus("Name:\t a:b\\n\tc\n"));
  EXPECT_EQ(s.name, " a:b\\n\tc");
}

TEST(ParseStatusTest, RejectsMalformedKnownFields) {
  for (const auto& [text, part] : std::vector<std::pair<std::string, std::string>>{
           {"Uid:\t0\t0\t0\n", "field 'Uid'"},
           {"Uid:\t0\t0\t0\t4294967296\n", "field 'Uid'"},
           {"Gid:\t-1\t0\t0\t0\n", "field 'Gid'"},
           {"CapEff:\txyz\n", "field 'CapEff'"},
           {"Seccomp:\t3\n", "field 'Seccomp'"},
           {"NoNewPrivs:\t2\n", "field 'NoNewPrivs'"},
           {"TracerPid:\t-4\n", "field 'TracerPid'"},
           {"Seccomp:\t0\nSeccomp:\t2\n", "appears twice"},
           {"Name:\tx\nno colon here\n", "line 2"},
       }) {
    EXPECT_TRUE(RejectedNaming(ParseStatus(text), text, part));
  }
}

TEST(ParseStatusTest, FormatRoundTrips) {
  ASSERT_OK_AND_ASSIGN(ProcStatus s, ParseStatus(ReadTestdata("status_seccomp.txt")));
  ASSERT_OK_AND_ASSIGN(ProcStatus again, ParseStatus(FormatStatus(s)));
  EXPECT_EQ(again, s);
}

}  // namespace
}  // namespace procscope
