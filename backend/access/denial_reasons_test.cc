// DenialReasons and ReaderNotes on constructed facts: every rule, including the ones this host cannot show
// live (Yama scopes, force_override=never/ptrace, ENOSYS without a filter). The live cases are in
// tests/doctor_test.cc.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

#include "backend/access/access.h"

namespace procscope {
namespace {

constexpr uint64_t kRootCaps = 0x1fffeffffffULL;

ReaderFacts Reader(uint32_t uid, bool cap_sys_ptrace) {
  ReaderFacts r;
  r.pid = 100;
  r.uids = std::array<uint32_t, 4>{uid, uid, uid, uid};
  r.gids = r.uids;
  r.cap_prm = r.cap_eff = cap_sys_ptrace ? kRootCaps : 0;
  r.cap_sys_ptrace = cap_sys_ptrace;
  r.process_vm_readv = r.process_vm_writev = {true, 0};
  r.seccomp_mode = 0;
  r.force_override = ForceOverride::kAlways;
  return r;
}

TargetFacts Target(uint32_t uid) {
  TargetFacts t;
  t.pid = 200;
  t.exists = t.visible = true;
  t.uids = std::array<uint32_t, 4>{uid, uid, uid, uid};
  t.gids = t.uids;
  t.cap_prm = 0;
  t.dumpable = uid == 0 ? std::nullopt : std::optional(true);
  t.descendant = false;
  t.memory_read = {true, true, ""};
  return t;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

TEST(DenialReasonsTest, SameUserNothingStandsInTheWay) {
  EXPECT_EQ(Joined(DenialReasons(Reader(1000, false), Target(1000))), "");
  EXPECT_EQ(Joined(DenialReasons(Reader(0, true), Target(1000))), "");
}

TEST(DenialReasonsTest, UidsGidsDumpableAndCapabilities) {
  EXPECT_NE(
      Joined(DenialReasons(Reader(1000, false), Target(0))).find("runs as uid 0, this reader as uid 1000"),
      std::string::npos);
  TargetFacts setuid_like = Target(1000);
  setuid_like.uids = std::array<uint32_t, 4>{1000, 0, 0, 0};  // real 1000, effective and saved root
  const std::string ids = Joined(DenialReasons(Reader(1000, false), setuid_like));
  EXPECT_NE(ids.find("1000 (real), 0 (effective), 0 (saved)"), std::string::npos) << ids;
  // Only the saved uid differs (a daemon that dropped privileges but kept root as its saved uid): still all
  // three, since the one that differs is the one that denies.
  TargetFacts saved_root = Target(1000);
  saved_root.uids = std::array<uint32_t, 4>{1000, 1000, 0, 1000};
  const std::string saved = Joined(DenialReasons(Reader(1000, false), saved_root));
  EXPECT_NE(saved.find("runs as uid 1000 (real), 1000 (effective), 0 (saved), this reader as uid 1000"),
            std::string::npos)
      << saved;
  TargetFacts setgid = Target(1000);
  setgid.gids = std::array<uint32_t, 4>{1000, 50, 50, 50};
  EXPECT_NE(Joined(DenialReasons(Reader(1000, false), setgid)).find("gid 1000 (real), 50 (effective)"),
            std::string::npos);
  TargetFacts undumpable = Target(1000);
  undumpable.dumpable = false;
  EXPECT_NE(Joined(DenialReasons(Reader(1000, false), undumpable)).find("not dumpable"), std::string::npos);
  EXPECT_EQ(Joined(DenialReasons(Reader(0, true), undumpable)), "");  // CAP_SYS_PTRACE overrides it
  TargetFacts capable = Target(1000);
  capable.cap_prm = uint64_t{1} << 12;  // CAP_NET_ADMIN, say
  EXPECT_NE(Joined(DenialReasons(Reader(1000, false), capable)).find("capabilities this reader lacks"),
            std::string::npos);
}

// procfs compares the reader's filesystem uid (the fourth), not its saved one: a reader whose saved uid is
// root but whose other ids match the target's is not refused.
TEST(DenialReasonsTest, TheReadersFilesystemIdIsTheOneThatCounts) {
  ReaderFacts saved_root = Reader(1000, false);
  saved_root.uids = std::array<uint32_t, 4>{1000, 1000, 0, 1000};
  EXPECT_EQ(Joined(DenialReasons(saved_root, Target(1000))), "");
  ReaderFacts fs_other = Reader(1000, false);
  fs_other.uids = std::array<uint32_t, 4>{1000, 1000, 1000, 2000};
  EXPECT_NE(Joined(DenialReasons(fs_other, Target(1000))).find("this reader as uid 2000"), std::string::npos);
}

// Ids that could not be read (a hidden or vanished status file) accuse nobody, on either side.
TEST(DenialReasonsTest, UnknownIdsAccuseNobody) {
  TargetFacts unknown_target = Target(0);
  unknown_target.uids.reset();
  unknown_target.gids.reset();
  EXPECT_EQ(Joined(DenialReasons(Reader(1000, false), unknown_target)), "");
  ReaderFacts unknown_reader = Reader(0, false);
  unknown_reader.uids.reset();
  unknown_reader.gids.reset();
  EXPECT_EQ(Joined(DenialReasons(unknown_reader, Target(1000))), "");
}

TEST(DenialReasonsTest, YamaScopes) {
  ReaderFacts reader = Reader(1000, false);
  TargetFacts target = Target(1000);
  target.memory_read = {false, true, "EPERM"};
  reader.ptrace_scope = 0;
  EXPECT_EQ(Joined(DenialReasons(reader, target)), "");
  reader.ptrace_scope = 1;
  EXPECT_NE(Joined(DenialReasons(reader, target)).find("ptrace_scope=1: only descendants"),
            std::string::npos);
  EXPECT_NE(Joined(DenialReasons(reader, target)).find("PR_SET_PTRACER"), std::string::npos);
  target.descendant = true;
  EXPECT_EQ(Joined(DenialReasons(reader, target)), "");
  // Not a descendant, but the read worked (the target named this reader with PR_SET_PTRACER): Yama is not
  // in the way.
  target.descendant = false;
  target.memory_read = {true, true, "1 byte read"};
  EXPECT_EQ(Joined(DenialReasons(reader, target)), "");
  target.memory_read = {false, true, "EPERM"};
  target.descendant = true;
  reader.ptrace_scope = 2;
  EXPECT_NE(Joined(DenialReasons(reader, target)).find("ptrace_scope=2"), std::string::npos);
  EXPECT_EQ(Joined(DenialReasons(Reader(0, true), target)), "");
  ReaderFacts root = Reader(0, true);
  root.ptrace_scope = 3;
  EXPECT_NE(Joined(DenialReasons(root, target))
                .find("ptrace_scope=3: no process may read another's memory, not "
                      "even root"),
            std::string::npos);
}

TEST(DenialReasonsTest, HiddenAndGone) {
  ReaderFacts reader = Reader(1000, false);
  reader.hidepid = "invisible";
  TargetFacts hidden = Target(0);
  hidden.visible = false;
  hidden.uids.reset();  // status is hidden too
  hidden.gids.reset();
  const std::string why = Joined(DenialReasons(reader, hidden));
  EXPECT_NE(why.find("hidden from this reader (/proc is mounted with hidepid=invisible)"), std::string::npos);
  TargetFacts gone = Target(0);
  gone.exists = false;
  EXPECT_EQ(DenialReasons(reader, gone), std::vector<std::string>{"no process 200"});
}

TEST(ReaderNotesTest, RefusedCallsAndForcing) {
  ReaderFacts reader = Reader(0, true);
  EXPECT_TRUE(ReaderNotes(reader).empty());
  reader.process_vm_readv = {false, EPERM};
  reader.seccomp_mode = 2;
  EXPECT_NE(
      Joined(ReaderNotes(reader)).find("process_vm_readv was refused with EPERM by this reader's seccomp"),
      std::string::npos);
  reader.process_vm_readv = {false, ENOSYS};
  reader.seccomp_mode = 0;
  EXPECT_NE(Joined(ReaderNotes(reader)).find("without CROSS_MEMORY_ATTACH"), std::string::npos);
  reader = Reader(0, true);
  reader.force_override = ForceOverride::kNever;
  EXPECT_NE(Joined(ReaderNotes(reader)).find("proc_mem.force_override=never"), std::string::npos);
  reader.force_override = ForceOverride::kPtrace;
  EXPECT_NE(Joined(ReaderNotes(reader)).find("proc_mem.force_override=ptrace"), std::string::npos);
  // A refused process_vm_readv is a reason only when memory could not be read at all.
  reader.process_vm_readv = {false, EPERM};
  reader.seccomp_mode = 2;
  TargetFacts target = Target(0);
  EXPECT_EQ(Joined(DenialReasons(reader, target)), "");
  target.memory_read = {false, true, "EPERM"};
  EXPECT_NE(Joined(DenialReasons(reader, target)).find("seccomp"), std::string::npos);
}

}  // namespace
}  // namespace procscope
