#include "backend/procfs/stat.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "backend/procfs/testdata_util.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

using testing::ReadTestdata;

// A 52-field line as Linux 6.18 prints it (from a real `cat /proc/self/stat`).
constexpr char kFullLine[] =
    "2701 (cat) R 2693 2693 1186 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 14667 3133440 417 "
    "18446744073709551615 93913544294400 93913544314281 140729828360048 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 "
    "93913544330288 93913544331904 93914558550016 140729828366788 140729828366808 140729828366808 "
    "140729828368363 0\n";

TEST(ParseStatTest, FullLine) {
  StatusOr<ProcStat> st = ParseStat(kFullLine);
  ASSERT_OK(st);
  EXPECT_EQ(st->pid, 2701);
  EXPECT_EQ(st->comm, "cat");
  EXPECT_EQ(st->state, 'R');
  EXPECT_EQ(st->field_count, 52);
  EXPECT_EQ(st->ppid, 2693);
  EXPECT_EQ(st->tpgid, -1);
  EXPECT_EQ(st->flags, 4194304u);
  EXPECT_EQ(st->priority, 20);
  EXPECT_EQ(st->starttime, 14667u);
  EXPECT_EQ(st->rsslim, 18446744073709551615ULL);  // exact 64-bit, not a double
  EXPECT_EQ(st->exit_signal, 17);
  EXPECT_EQ(st->env_start, 140729828366808u);
  EXPECT_EQ(st->env_end, 140729828368363u);
  EXPECT_EQ(st->exit_code, 0);
}

TEST(ParseStatTest, NameWithParenthesesSpacesAndFakeState) {
  // backend/KERNEL_FACTS.md: the name "a) (b) Z 1 2" must not be split at its first ')'.
  StatusOr<ProcStat> st = ParseStat("1234 (a) (b) Z 1 2) S 1233 1234 1234 0 -1\n");
  ASSERT_OK(st);
  EXPECT_EQ(st->comm, "a) (b) Z 1 2");
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->ppid, 1233);
  EXPECT_EQ(st->tpgid, -1);
  EXPECT_EQ(st->field_count, 8);
}

TEST(ParseStatTest, NameWithNewline) {
  StatusOr<ProcStat> st = ParseStat("7 (x\ny) S 1) T 3 4\n");
  ASSERT_OK(st);
  EXPECT_EQ(st->comm, "x\ny) S 1");
  EXPECT_EQ(st->state, 'T');
  EXPECT_EQ(st->ppid, 3);
}

TEST(ParseStatTest, EmptyNameAndNameOfOnlyParens) {
  StatusOr<ProcStat> empty = ParseStat("5 () S 1");
  ASSERT_OK(empty);
  EXPECT_EQ(empty->comm, "");
  StatusOr<ProcStat> parens = ParseStat("5 ()()) S 1");
  ASSERT_OK(parens);
  EXPECT_EQ(parens->comm, ")()");
}

TEST(ParseStatTest, OlderKernelFieldsAreAbsentNotZero) {
  // Linux 2.6.24 .. 3.2 print 44 fields: start_data and later do not exist.
  std::string line = kFullLine;
  size_t pos = 0;
  for (int i = 0; i < 44; ++i) pos = line.find(' ', pos + 1);
  line = line.substr(0, pos) + "\n";
  StatusOr<ProcStat> st = ParseStat(line);
  ASSERT_OK(st);
  EXPECT_EQ(st->field_count, 44);
  EXPECT_TRUE(st->cguest_time.has_value());
  EXPECT_FALSE(st->start_data.has_value());
  EXPECT_FALSE(st->env_start.has_value());
  EXPECT_FALSE(st->exit_code.has_value());
}

TEST(ParseStatTest, ThreeFieldsOnly) {
  StatusOr<ProcStat> st = ParseStat("1 (init) S");
  ASSERT_OK(st);
  EXPECT_EQ(st->field_count, 3);
  EXPECT_FALSE(st->ppid.has_value());
}

TEST(ParseStatTest, ExtraFieldsOfAFutureKernelAreCountedAndIgnored) {
  std::string line = kFullLine;
  line.pop_back();
  StatusOr<ProcStat> st = ParseStat(line + " 77 88\n");
  ASSERT_OK(st);
  EXPECT_EQ(st->field_count, 54);
  EXPECT_EQ(st->exit_code, 0);
}

TEST(ParseStatTest, NegativeSignedFields) {
  StatusOr<ProcStat> st = ParseStat(
      "9 (rt) S 1 9 9 0 -1 0 0 0 0 0 0 0 -5 -6 -100 -20 1 0 5 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 99 1\n");
  ASSERT_OK(st);
  EXPECT_EQ(st->cutime, -5);
  EXPECT_EQ(st->cstime, -6);
  EXPECT_EQ(st->priority, -100);
  EXPECT_EQ(st->nice, -20);
  EXPECT_EQ(st->rt_priority, 99u);
  EXPECT_EQ(st->policy, 1u);
}

struct BadStat {
  const char* text;
  const char* message_part;
};

class ParseStatErrorTest : public ::testing::TestWithParam<BadStat> {};

TEST_P(ParseStatErrorTest, RejectsWithFieldName) {
  EXPECT_TRUE(testing::RejectedNaming(ParseStat(GetParam().text), GetParam().text, GetParam().message_part));
}

INSTANTIATE_TEST_SUITE_P(
    Pitfalls, ParseStatErrorTest,
    ::testing::Values(BadStat{"", "field 'pid'"}, BadStat{"abc (x) S", "field 'pid'"},
                      BadStat{"-1 (x) S", "field 'pid'"}, BadStat{"12", "field 'comm'"},
                      BadStat{"12 x) S", "field 'comm'"}, BadStat{"12 (x S 1", "field 'comm'"},
                      BadStat{"12 (x)", "field 'state'"}, BadStat{"12 (x)S 1", "field 'state'"},
                      BadStat{"12 (x) SS 1", "field 'state'"}, BadStat{"12 (x) S  1", "field 'ppid'"},
                      BadStat{"12 (x) S 1 ", "field 'pgrp'"}, BadStat{"12 (x) S 1 2\n\n", "field 'pgrp'"},
                      BadStat{"12 (x) S x", "field 'ppid'"},
                      BadStat{"12 (x) S 1 2 3 4 5 -6", "field 'flags'"},
                      BadStat{"12 (x) S 99999999999999999999", "field 'ppid'"},
                      BadStat{"12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 18446744073709551616",
                              "field 'starttime'"},
                      BadStat{"12 (x) S +1", "field 'ppid'"}));

TEST(ParseStatTest, ToStringRoundTrips) {
  for (const char* text : {kFullLine, "1234 (a) (b) Z 1 2) S 1233 1234 1234 0 -1\n", "1 (init) S\n"}) {
    StatusOr<ProcStat> st = ParseStat(text);
    ASSERT_OK(st);
    EXPECT_EQ(st->ToString(), text);
    StatusOr<ProcStat> again = ParseStat(st->ToString());
    ASSERT_OK(again);
    EXPECT_EQ(*again, *st);
  }
}

TEST(StatNumericFieldsTest, CoverFields4To52InOrder) {
  ASSERT_EQ(StatNumericFields().size(), 49u);
  int expected = 4;
  for (const StatField& f : StatNumericFields()) EXPECT_EQ(f.number, expected++) << f.name;
  EXPECT_STREQ(StatNumericFields()[50 - 4].name, "env_start");
  EXPECT_STREQ(StatNumericFields().back().name, "exit_code");
}

TEST(ParseStatCaptureTest, RealCaptures) {
  for (const char* name : {"stat_cat.txt", "stat_init.txt"}) {
    const std::string text = ReadTestdata(name);
    StatusOr<ProcStat> st = ParseStat(text);
    ASSERT_OK(st) << name;
    EXPECT_EQ(st->field_count, 52) << name;
    EXPECT_EQ(st->ToString(), text) << name;
  }
}

TEST(ParseStatCaptureTest, OddNamesFromTheKernel) {
  StatusOr<ProcStat> paren = ParseStat(ReadTestdata("stat_paren_name.txt"));
  ASSERT_OK(paren);
  EXPECT_EQ(paren->comm, "a) (b) Z 1 2");
  EXPECT_EQ(paren->state, 'S');
  StatusOr<ProcStat> newline = ParseStat(ReadTestdata("stat_newline_name.txt"));
  ASSERT_OK(newline);
  EXPECT_EQ(newline->comm, "x\ny) S 1");
  EXPECT_EQ(newline->state, 'R');
}

TEST(ParseStatCaptureTest, ZombieAndStoppedExitCodes) {
  StatusOr<ProcStat> exited = ParseStat(ReadTestdata("stat_zombie_exit3.txt"));
  ASSERT_OK(exited);
  EXPECT_EQ(exited->state, 'Z');
  EXPECT_EQ(exited->exit_code, 768);
  EXPECT_EQ(exited->env_start, 0u);  // zombies show 0 in 45..51
  EXPECT_EQ(ExitCodeFromWaitStatus(*exited->exit_code), 3);

  StatusOr<ProcStat> killed = ParseStat(ReadTestdata("stat_zombie_sigkill.txt"));
  ASSERT_OK(killed);
  EXPECT_EQ(killed->state, 'Z');
  EXPECT_EQ(ExitCodeFromWaitStatus(*killed->exit_code), -9);

  StatusOr<ProcStat> stopped = ParseStat(ReadTestdata("stat_stopped.txt"));
  ASSERT_OK(stopped);
  EXPECT_EQ(stopped->state, 'T');
  EXPECT_EQ(stopped->exit_code, 19);  // SIGSTOP's number, not a wait status: do not decode for 'T'
}

TEST(DecodeWaitStatusTest, KernelFactsValues) {
  using K = WaitStatus::Kind;
  EXPECT_EQ(DecodeWaitStatus(768), (WaitStatus{K::kExited, 3, false}));
  EXPECT_EQ(DecodeWaitStatus(0), (WaitStatus{K::kExited, 0, false}));
  EXPECT_EQ(DecodeWaitStatus(65280), (WaitStatus{K::kExited, 255, false}));
  EXPECT_EQ(DecodeWaitStatus(9), (WaitStatus{K::kSignaled, 9, false}));
  EXPECT_EQ(DecodeWaitStatus(139), (WaitStatus{K::kSignaled, 11, true}));
  EXPECT_EQ(DecodeWaitStatus(0x137f), (WaitStatus{K::kStopped, 19, false}));
  EXPECT_EQ(DecodeWaitStatus(0xffff).kind, K::kContinued);
  EXPECT_EQ(DecodeWaitStatus(-1).kind, K::kInvalid);
  EXPECT_EQ(DecodeWaitStatus(0x10000).kind, K::kInvalid);
  EXPECT_EQ(DecodeWaitStatus(0x0109).kind, K::kInvalid);  // signal bits and exit bits both set
}

TEST(DecodeWaitStatusTest, ExitCodeConvention) {
  EXPECT_EQ(ExitCodeFromWaitStatus(768), 3);
  EXPECT_EQ(ExitCodeFromWaitStatus(65280), 255);
  EXPECT_EQ(ExitCodeFromWaitStatus(9), -9);
  EXPECT_EQ(ExitCodeFromWaitStatus(139), -11);
  EXPECT_EQ(ExitCodeFromWaitStatus(0x137f), std::nullopt);
  EXPECT_EQ(ExitCodeFromWaitStatus(0xffff), std::nullopt);
  EXPECT_EQ(ExitCodeFromWaitStatus(-5), std::nullopt);
}

}  // namespace
}  // namespace procscope
