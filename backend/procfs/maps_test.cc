#include "backend/procfs/maps.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "backend/procfs/testdata_util.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

using testing::ReadTestdata;

TEST(ParseMapsLineTest, FileMapping) {
  StatusOr<MapsEntry> e =
      ParseMapsLine("55b385529000-55b38552e000 r-xp 00002000 fe:00 247134                     /usr/bin/cat");
  ASSERT_OK(e);
  EXPECT_EQ(e->start, 0x55b385529000u);
  EXPECT_EQ(e->end, 0x55b38552e000u);
  EXPECT_TRUE(e->read);
  EXPECT_FALSE(e->write);
  EXPECT_TRUE(e->exec);
  EXPECT_FALSE(e->shared);
  EXPECT_EQ(e->offset, 0x2000u);
  EXPECT_EQ(e->dev_major, 0xfeu);
  EXPECT_EQ(e->dev_minor, 0u);
  EXPECT_EQ(e->inode, 247134u);
  EXPECT_EQ(e->path(), "/usr/bin/cat");
  EXPECT_EQ(e->path_raw, "/usr/bin/cat");
  EXPECT_FALSE(e->deleted);
  EXPECT_EQ(e->kind, MapsKind::kFile);
  EXPECT_EQ(e->Perms(), "r-xp");
}

TEST(ParseMapsLineTest, AnonymousWithTheKernelsTrailingSpace) {
  StatusOr<MapsEntry> e = ParseMapsLine("7f6d015e4000-7f6d016a8000 rw-p 00000000 00:00 0 ");
  ASSERT_OK(e);
  EXPECT_EQ(e->kind, MapsKind::kAnonymous);
  EXPECT_EQ(e->path(), "");
  // Older kernels end the line right after the inode.
  StatusOr<MapsEntry> bare = ParseMapsLine("7f6d015e4000-7f6d016a8000 rw-p 00000000 00:00 0");
  ASSERT_OK(bare);
  EXPECT_EQ(*bare, *e);
}

TEST(ParseMapsLineTest, SpacesInsideAndAtTheEndOfThePathAreKept) {
  StatusOr<MapsEntry> e = ParseMapsLine("1000-2000 r--s 00000000 fe:00 5      /tmp/a b  ");
  ASSERT_OK(e);
  EXPECT_EQ(e->path(), "/tmp/a b  ");
  EXPECT_EQ(e->path_raw, "/tmp/a b  ");
}

TEST(ParseMapsLineTest, EscapedNewlineIsDecodedAndRawKept) {
  StatusOr<MapsEntry> e = ParseMapsLine("1000-2000 r--s 00000000 fe:00 5 /tmp/new\\012line\\012");
  ASSERT_OK(e);
  EXPECT_EQ(e->path(), "/tmp/new\nline\n");
  EXPECT_EQ(e->path_raw, "/tmp/new\\012line\\012");
  // Other backslashes are not escapes.
  StatusOr<MapsEntry> b = ParseMapsLine("1000-2000 r--s 00000000 fe:00 5 /tmp/back\\slash\\01");
  ASSERT_OK(b);
  EXPECT_EQ(b->path(), "/tmp/back\\slash\\01");
}

TEST(ParseMapsLineTest, DeletedSuffix) {
  StatusOr<MapsEntry> e = ParseMapsLine("1000-2000 r--s 00000000 fe:00 5 /tmp/gone (deleted)");
  ASSERT_OK(e);
  EXPECT_TRUE(e->deleted);
  EXPECT_EQ(e->path(), "/tmp/gone");
  EXPECT_EQ(e->path_raw, "/tmp/gone (deleted)");
  EXPECT_EQ(e->kind, MapsKind::kFile);
  StatusOr<MapsEntry> memfd =
      ParseMapsLine("1000-2000 rw-s 00000000 00:01 1025 /memfd:procscope memfd (deleted)");
  ASSERT_OK(memfd);
  EXPECT_TRUE(memfd->deleted);
  EXPECT_EQ(memfd->path(), "/memfd:procscope memfd");
  // "(deleted)" without its leading space is part of the name.
  StatusOr<MapsEntry> odd = ParseMapsLine("1000-2000 r--s 00000000 fe:00 5 /tmp/x(deleted)");
  ASSERT_OK(odd);
  EXPECT_FALSE(odd->deleted);
}

TEST(ParseMapsLineTest, Kinds) {
  struct Case {
    const char* path;
    MapsKind kind;
  };
  for (const Case& c :
       {Case{"[heap]", MapsKind::kHeap}, Case{"[stack]", MapsKind::kStack}, Case{"[vdso]", MapsKind::kVdso},
        Case{"[vvar]", MapsKind::kVvar}, Case{"[vvar_vclock]", MapsKind::kVvar},
        Case{"[vsyscall]", MapsKind::kVsyscall}, Case{"[anon:my arena]", MapsKind::kAnonNamed},
        Case{"[stack:1234]", MapsKind::kSpecial}, Case{"[uprobes]", MapsKind::kSpecial},
        Case{"anon_inode:[perf_event]", MapsKind::kFile}, Case{"[heap", MapsKind::kFile}}) {
    StatusOr<MapsEntry> e = ParseMapsLine(std::string("1000-2000 rw-p 00000000 00:00 0 ") + c.path);
    ASSERT_OK(e) << c.path;
    EXPECT_EQ(e->kind, c.kind) << c.path;
  }
  EXPECT_EQ(MapsKindName(MapsKind::kAnonNamed), "anon_named");
}

TEST(ParseMapsLineTest, WideDeviceNumbersAndSixtyFourBitValues) {
  StatusOr<MapsEntry> e = ParseMapsLine(
      "ffffffffff600000-ffffffffff601000 --xp ffffffffffffffff 103:fff02 18446744073709551615 [vsyscall]");
  ASSERT_OK(e);
  EXPECT_EQ(e->end, 0xffffffffff601000u);
  EXPECT_EQ(e->offset, 0xffffffffffffffffu);
  EXPECT_EQ(e->dev_major, 0x103u);
  EXPECT_EQ(e->dev_minor, 0xfff02u);
  EXPECT_EQ(e->inode, 18446744073709551615u);
}

struct BadLine {
  const char* line;
  const char* field;
};

class ParseMapsLineErrorTest : public ::testing::TestWithParam<BadLine> {};

TEST_P(ParseMapsLineErrorTest, NamesTheField) {
  EXPECT_TRUE(testing::RejectedNaming(ParseMapsLine(GetParam().line), GetParam().line,
                                      std::string("field '") + GetParam().field + "'"));
}

INSTANTIATE_TEST_SUITE_P(
    Pitfalls, ParseMapsLineErrorTest,
    ::testing::Values(BadLine{"", "start"}, BadLine{"zz-2000 r--p 0 00:00 0", "start"},
                      BadLine{"1000 r--p 0 00:00 0", "start"}, BadLine{"2000-1000 r--p 0 00:00 0", "end"},
                      BadLine{"1000-2000r--p 0 00:00 0", "end"}, BadLine{"1000-2000 r-p 0 00:00 0", "perms"},
                      BadLine{"1000-2000 rwxq 0 00:00 0", "perms"},
                      BadLine{"1000-2000 r--p g 00:00 0", "offset"},
                      BadLine{"1000-2000 r--p 0 0000 0", "dev"}, BadLine{"1000-2000 r--p 0 00: 0", "dev"},
                      BadLine{"1000-2000 r--p 0 100000000:00 0", "dev"},
                      BadLine{"1000-2000 r--p 0 00:00", "inode"},
                      BadLine{"1000-2000 r--p 0 00:00 x /a", "inode"},
                      BadLine{"1-10000000000000000 r--p 0 00:00 0", "end"}));

TEST(ParseMapsTest, NamesTheLineOfAnError) {
  StatusOr<std::vector<MapsEntry>> maps = ParseMaps("1000-2000 r--p 0 00:00 0\n1000-2000 r--p 0 00:00 x\n");
  ASSERT_THAT(maps, ::testing::Not(IsOk()));
  EXPECT_EQ(maps.status().message().rfind("line 2: field 'inode'", 0), 0u) << maps.status().message();
  EXPECT_THAT(ParseMaps("1000-2000 r--p 0 00:00 0\n\n"), ::testing::Not(IsOk()));
  EXPECT_TRUE(ParseMaps("")->empty());
  EXPECT_EQ(ParseMaps("1000-2000 r--p 0 00:00 0")->size(), 1u);
}

TEST(ParseMapsTest, RealCaptureWithOddNames) {
  const std::string text = ReadTestdata("maps_odd_names.txt");
  StatusOr<std::vector<MapsEntry>> maps = ParseMaps(text);
  ASSERT_OK(maps);
  auto find = [&](std::string_view suffix) -> const MapsEntry* {
    for (const MapsEntry& e : *maps)
      if (e.path().ends_with(suffix)) return &e;
    return nullptr;
  };
  const MapsEntry* space = find("/odd/with space");
  ASSERT_NE(space, nullptr);
  EXPECT_EQ(space->kind, MapsKind::kFile);
  ASSERT_NE(find("/odd/trailing space "), nullptr);
  ASSERT_NE(find("/odd/new\nline"), nullptr);
  EXPECT_EQ(find("/odd/new\nline")->path_raw, "/tmp/odd/new\\012line");
  ASSERT_NE(find("/odd/back\\slash"), nullptr);
  // The literal name "back\012slash" is indistinguishable from "back<newline>slash"
  // (backend/KERNEL_FACTS.md).
  ASSERT_NE(find("/odd/back\nslash"), nullptr);
  const MapsEntry* gone = find("/odd/gone");
  ASSERT_NE(gone, nullptr);
  EXPECT_TRUE(gone->deleted);
  const MapsEntry* fake = find("/odd/x");
  ASSERT_NE(fake, nullptr);
  EXPECT_TRUE(fake->deleted);  // a live file named "x (deleted)": the text alone cannot tell
  const MapsEntry* memfd = find("/memfd:procscope memfd");
  ASSERT_NE(memfd, nullptr);
  EXPECT_TRUE(memfd->shared);
  size_t heap = 0, vdso = 0, stack = 0;
  for (const MapsEntry& e : *maps) {
    heap += e.kind == MapsKind::kHeap;
    vdso += e.kind == MapsKind::kVdso;
    stack += e.kind == MapsKind::kStack;
  }
  EXPECT_EQ(heap, 1u);
  EXPECT_EQ(vdso, 1u);
  EXPECT_EQ(stack, 1u);
}

TEST(ParseMapsTest, ToStringReprintsTheKernelsTextExactly) {
  const std::string text = ReadTestdata("maps_odd_names.txt");
  StatusOr<std::vector<MapsEntry>> maps = ParseMaps(text);
  ASSERT_OK(maps);
  std::string printed;
  for (const MapsEntry& e : *maps) printed += e.ToString() + "\n";
  EXPECT_EQ(printed, text);
}

TEST(ParseMapsTest, ReprintParsesToTheSameEntry) {
  for (const char* line : {"1000-2000 r--s 00000000 fe:00 5 /tmp/a b  ", "0-0 ---p 0 0:0 0",
                           "1000-2000 r--s 00000000 fe:00 5 /tmp/gone (deleted)"}) {
    StatusOr<MapsEntry> e = ParseMapsLine(line);
    ASSERT_OK(e) << line;
    StatusOr<MapsEntry> again = ParseMapsLine(e->ToString());
    ASSERT_OK(again) << e->ToString();
    EXPECT_EQ(*again, *e);
  }
}

// ParseMapsRanges: the same start, end, read and write as ParseMaps on real captures; the head of each line
// checked the same way; the rest of the line not looked at.
TEST(ParseMapsRangesTest, AgreesWithParseMapsOnRealCaptures) {
  for (const char* capture : {"maps_ldso_sleep.txt", "maps_odd_names.txt"}) {
    const std::string text = ReadTestdata(capture);
    ASSERT_FALSE(text.empty()) << capture;
    StatusOr<std::vector<MapsEntry>> full = ParseMaps(text);
    StatusOr<std::vector<MapsRange>> ranges = ParseMapsRanges(text);
    ASSERT_OK(full) << capture;
    ASSERT_OK(ranges) << capture;
    ASSERT_EQ(ranges->size(), full->size()) << capture;
    for (size_t i = 0; i < full->size(); ++i) {
      const MapsEntry& e = (*full)[i];
      EXPECT_EQ((*ranges)[i], (MapsRange{e.start, e.end, e.read, e.write})) << e.ToString();
    }
  }
}

TEST(ParseMapsRangesTest, ChecksTheHeadAndSkipsTheRest) {
  StatusOr<std::vector<MapsRange>> ranges = ParseMapsRanges(
      "7f0000000000-7f0000001000 r-xp 00000000 08:01 42 /lib/x\n7f0000002000-7f0000003000 rw-p zz");
  ASSERT_OK(ranges) << ranges.status().ToString();
  EXPECT_EQ(*ranges, (std::vector<MapsRange>{{0x7f0000000000, 0x7f0000001000, true, false},
                                             {0x7f0000002000, 0x7f0000003000, true, true}}));
  EXPECT_THAT(ParseMapsRanges("7f0000001000-7f0000000000 r--p 0 0:0 0").status(), StatusIs(EINVAL));
  EXPECT_THAT(ParseMapsRanges("7f0000000000-7f0000001000 rq-p 0 0:0 0").status(), StatusIs(EINVAL));
  EXPECT_THAT(ParseMapsRanges("x-1 r--p").status(), StatusIs(EINVAL));
  EXPECT_THAT(ParseMapsRanges("1-2 r--p\n\n3-4 r--p").status(), StatusIs(EINVAL));  // an empty line
}

// ParseMapsSpans: the lines with the permission, empty ones dropped, a span joined to the one it continues.
TEST(ParseMapsSpansTest, KeepsThePermissionAndJoinsContinuations) {
  const std::string_view text =
      "1000-2000 r--p 0 0:0 0\n"
      "2000-3000 rw-p 0 0:0 0\n"     // continues the read span; starts the write span
      "3000-3000 rw-p 0 0:0 0\n"     // empty: no span, and it does not end one
      "3000-4000 -w-p 0 0:0 0\n"     // continues the write span, ends the read one
      "5000-6000 r-xp 0 0:0 0 /x\n"  // after a hole: a new read span
      "6000-7000 ---p 0 0:0 0\n"
      "7000-8000 r--p 0 0:0 0";  // after PROT_NONE: a new one again
  StatusOr<std::vector<MapsSpan>> read = ParseMapsSpans(text, MapsPermission::kRead);
  ASSERT_OK(read);
  EXPECT_EQ(*read, (std::vector<MapsSpan>{{0x1000, 0x3000}, {0x5000, 0x6000}, {0x7000, 0x8000}}));
  StatusOr<std::vector<MapsSpan>> write = ParseMapsSpans(text, MapsPermission::kWrite);
  ASSERT_OK(write);
  EXPECT_EQ(*write, (std::vector<MapsSpan>{{0x2000, 0x4000}}));
  StatusOr<std::vector<MapsSpan>> none = ParseMapsSpans("", MapsPermission::kRead);
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TEST(ParseMapsSpansTest, FailsLikeParseMapsRanges) {
  for (std::string_view bad : {"7f0000001000-7f0000000000 r--p 0 0:0 0", "1000-2000 r--p 0 0:0 0\nx-1 r--p",
                               "1-2 r--p\n\n3-4 r--p", "1000-2000 rq-p"}) {
    StatusOr<std::vector<MapsSpan>> spans = ParseMapsSpans(bad, MapsPermission::kRead);
    StatusOr<std::vector<MapsRange>> ranges = ParseMapsRanges(bad);
    ASSERT_THAT(spans, ::testing::Not(IsOk())) << bad;
    ASSERT_THAT(ranges, ::testing::Not(IsOk())) << bad;
    EXPECT_THAT(spans, StatusIs(EINVAL)) << bad;
    EXPECT_EQ(spans.status().message(), ranges.status().message()) << bad;
  }
}

}  // namespace
}  // namespace procscope
