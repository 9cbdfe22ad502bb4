#include "backend/procfs/environ.h"

#include <gtest/gtest.h>

#include <string>

#include "backend/procfs/testdata_util.h"

namespace procscope {
namespace {

using namespace std::string_literals;
using testing::ReadTestdata;

// Every entry starts right after the previous one's NUL and the last one ends at the block's end.
void ExpectTiling(const Environ& env) {
  uint64_t next = 0;
  for (const EnvironEntry& e : env.entries) {
    EXPECT_EQ(e.offset, next);
    next = e.offset + e.length + 1;
  }
  EXPECT_EQ(env.terminated ? next : next - 1, env.size);
}

TEST(ParseEnvironTest, OffsetsNamesAndValues) {
  const std::string block = "A=1\0BB=two\0"s;
  Environ env = ParseEnviron(block);
  ASSERT_EQ(env.entries.size(), 2u);
  EXPECT_EQ(env.size, block.size());
  EXPECT_TRUE(env.terminated);
  EXPECT_EQ(env.entries[0], (EnvironEntry{0, 3, "A", "1"}));
  EXPECT_EQ(env.entries[1], (EnvironEntry{4, 6, "BB", "two"}));
  ExpectTiling(env);
}

TEST(ParseEnvironTest, SplitsAtTheFirstEquals) {
  Environ env = ParseEnviron("EQ=x=y\0=lead\0EMPTY=\0"s);
  ASSERT_EQ(env.entries.size(), 3u);
  EXPECT_EQ(env.entries[0].name, "EQ");
  EXPECT_EQ(env.entries[0].value, "x=y");
  EXPECT_EQ(env.entries[1].name, "");
  EXPECT_EQ(env.entries[1].value, "lead");
  EXPECT_EQ(env.entries[2].name, "EMPTY");
  EXPECT_EQ(env.entries[2].value, "");
}

TEST(ParseEnvironTest, EntriesWithoutEqualsAndEmptyEntriesAreKept) {
  Environ env = ParseEnviron("NOEQ\0\0B=2\0"s);
  ASSERT_EQ(env.entries.size(), 3u);
  EXPECT_EQ(env.entries[0], (EnvironEntry{0, 4, std::nullopt, "NOEQ"}));
  EXPECT_EQ(env.entries[1], (EnvironEntry{5, 0, std::nullopt, ""}));
  EXPECT_EQ(env.entries[2], (EnvironEntry{6, 3, "B", "2"}));
  ExpectTiling(env);
}

TEST(ParseEnvironTest, MissingFinalNulIsAcceptedAndReported) {
  Environ env = ParseEnviron("A=1\0B=2"s);
  EXPECT_FALSE(env.terminated);
  ASSERT_EQ(env.entries.size(), 2u);
  EXPECT_EQ(env.entries[1], (EnvironEntry{4, 3, "B", "2"}));
  ExpectTiling(env);
}

TEST(ParseEnvironTest, EmptyBlock) {
  Environ env = ParseEnviron("");
  EXPECT_TRUE(env.entries.empty());
  EXPECT_TRUE(env.terminated);
  EXPECT_EQ(env.size, 0u);
  Environ only_nul = ParseEnviron("\0"s);
  ASSERT_EQ(only_nul.entries.size(), 1u);
  EXPECT_EQ(only_nul.entries[0].length, 0u);
}

TEST(ParseEnvironTest, BytesAreKeptAsBytesWithoutASizeCap) {
  const std::string big(300 * 1024, '\xff');
  Environ env = ParseEnviron("BIN=\xff\xfe\xc3(\0BIG="s + big + "\0"s);
  ASSERT_EQ(env.entries.size(), 2u);
  EXPECT_EQ(env.entries[0].value, "\xff\xfe\xc3(");
  EXPECT_EQ(env.entries[1].value, big);
  EXPECT_EQ(env.entries[1].offset, 9u);
  ExpectTiling(env);
}

TEST(ParseEnvironTest, RealCaptures) {
  Environ plain = ParseEnviron(ReadTestdata("environ_cat.bin"));
  ASSERT_EQ(plain.entries.size(), 5u);
  EXPECT_EQ(plain.entries[0].name, "HOME");
  EXPECT_EQ(plain.entries[3].value, "x=y");
  EXPECT_EQ(plain.entries[4].name, "EMPTY");
  ExpectTiling(plain);

  Environ odd = ParseEnviron(ReadTestdata("environ_odd.bin"));
  ASSERT_EQ(odd.entries.size(), 6u);
  EXPECT_EQ(odd.entries[1].name, std::nullopt);
  EXPECT_EQ(odd.entries[1].value, "NOEQ");
  EXPECT_EQ(odd.entries[2].length, 0u);
  EXPECT_EQ(odd.entries[3].value, "\xff\xfe\xc3(");
  EXPECT_EQ(odd.entries[5].name, "");
  ExpectTiling(odd);
}

}  // namespace
}  // namespace procscope
