// `procscope doctor` and backend/access against what the operations really do: as root, as an unprivileged
// user against a root process and against a non-dumpable process of its own uid, under a seccomp filter
// that refuses process_vm_readv/writev, and with /proc mounted hidepid=invisible. Each verdict is checked by
// trying the operation itself afterwards. The unusual readers are forked children (credentials, filters and
// mount namespaces cannot be undone).
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "backend/access/access.h"
#include "backend/eintr.h"
#include "backend/hex.h"
#include "backend/memory/strategy.h"
#include "backend/pipe.h"
#include "backend/process/process.h"
#include "backend/procfs/read_file.h"
#include "backend/scoped_child.h"
#include "backend/status_matchers.h"
#include "tests/util/child_report.h"
#include "tests/util/fixture_process.h"
#include "tests/util/holes_fixture.h"
#include "tests/util/open_fds.h"
#include "tests/util/seccomp.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"
#include "tests/util/vanished_pid.h"

namespace procscope {
namespace {

using Json = nlohmann::ordered_json;
using testing::ChildOutcome;
using testing::ChildReport;

std::string Text(const Verdict& v) {
  return std::string(!v.allowed ? "?" : *v.allowed ? "allowed" : "denied") + " (" + v.detail + ")";
}

bool Contains(const std::vector<std::string>& lines, std::string_view part) {
  for (const std::string& line : lines)
    if (line.find(part) != std::string::npos) return true;
  return false;
}

// Checks every verdict against the operation itself, from this process, on `holes` (region 0 is rw, region
// 1 PROT_NONE). Reports under `tag`.
void CheckVerdictsAgainstReality(ChildReport& report, const TargetFacts& t, pid_t pid, uint64_t rw,
                                 const std::string& tag) {
  StatusOr<Process> p = Process::Open(pid);
  StatusOr<std::vector<MapsEntry>> maps = p.ok() ? p->Maps() : StatusOr<std::vector<MapsEntry>>(p.status());
  report.Check(tag + " maps verdict is what reading maps does", t.maps.allowed == maps.ok(),
               Text(t.maps) + " vs " + maps.status().ToString());
  uint8_t byte[8];
  const Element element{rw, byte, sizeof byte};
  ElementResult result;
  const Status read =
      p.ok() ? p->Transfer(*MakeStrategy("default"), Direction::kRead, {&element, 1}, {&result, 1})
             : p.status();
  report.Check(tag + " read verdict is what reading does",
               t.memory_read.allowed == (read.ok() && result.ok()),
               Text(t.memory_read) + " vs " + read.ToString());
  const Status write =
      p.ok() ? p->Transfer(*MakeStrategy("default"), Direction::kWrite, {&element, 1}, {&result, 1})
             : p.status();
  report.Check(tag + " write verdict is what writing does",
               t.memory_write.allowed == (write.ok() && result.ok()),
               Text(t.memory_write) + " vs " + write.ToString());
}

class DoctorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusOr<testing::HolesFixture> holes = testing::StartHoles("rw:1,none:1");
    ASSERT_OK(holes);
    holes_ = *std::move(holes);
  }
  pid_t pid() const { return holes_.process->pid(); }
  uint64_t rw() const { return holes_.regions[0].start; }
  uint64_t none() const { return holes_.regions[1].start; }
  testing::HolesFixture holes_;
};

TEST_F(DoctorTest, RootMayDoEverythingAndTheForceVerdictHolds) {
  if (getuid() != 0) GTEST_SKIP() << "needs root";
  const ReaderFacts reader = GatherReaderFacts();
  EXPECT_TRUE(reader.cap_sys_ptrace);
  EXPECT_FALSE(reader.kernel_release.empty());
  EXPECT_TRUE(reader.process_vm_readv.available) << ErrnoName(reader.process_vm_readv.error);
  const TargetFacts t = GatherTargetFacts(pid(), reader);
  EXPECT_TRUE(t.exists && t.visible);
  EXPECT_EQ(t.maps.allowed, true) << Text(t.maps);
  EXPECT_TRUE(t.maps.measured);
  EXPECT_EQ(t.memory_read.allowed, true) << Text(t.memory_read);
  EXPECT_EQ(t.read_transport, Transport::kProcessVm);
  EXPECT_EQ(t.memory_write.allowed, true) << Text(t.memory_write);
  EXPECT_FALSE(t.memory_write.measured);  // nothing was written
  EXPECT_EQ(t.exit_code_visible.allowed, true) << Text(t.exit_code_visible);
  EXPECT_EQ(t.descendant, true);
  EXPECT_TRUE(DenialReasons(reader, t).empty());
  const ChildOutcome outcome = testing::RunInChild(
      [&](ChildReport& report) { CheckVerdictsAgainstReality(report, t, pid(), rw(), "root"); });
  testing::ExpectAllChecksPassed(
      outcome, {"root maps verdict is what reading maps does", "root read verdict is what reading does",
                "root write verdict is what writing does"});

  // The force verdict against a forced read of the PROT_NONE page: "always" must read it, "never" must not
  // ("ptrace" needs an attached tracer, which procscope is not, so it must not either).
  ASSERT_NE(reader.force_override, ForceOverride::kUnknown) << reader.force_override_how;
  StatusOr<Process> p = Process::Open(pid());
  ASSERT_OK(p);
  uint8_t byte[4];
  const Element element{none(), byte, sizeof byte};
  ElementResult result;
  ASSERT_OK(p->Transfer(*MakeStrategy("procmem_force"), Direction::kRead, {&element, 1}, {&result, 1}));
  EXPECT_EQ(result.ok(), reader.force_override == ForceOverride::kAlways)
      << ForceOverrideName(reader.force_override) << " (" << reader.force_override_how << ")";
  ::testing::Test::RecordProperty("proc_mem_force_override",
                                  std::string(ForceOverrideName(reader.force_override)));

  // Whether the kernel has the switch: with it, the command line's word is what was measured; without it
  // (5.10.223) forcing stays on whatever the command line says, and the verdict says so.
  ASSERT_NE(reader.force_override_switch, ForceOverrideSwitch::kUnknown) << reader.force_override_how;
  std::optional<ForceOverride> given;
  if (StatusOr<std::string> cmdline = ReadFileToString("/proc/cmdline"); cmdline.ok())
    given = ForceOverrideFromCmdline(*cmdline);
  if (reader.force_override_switch == ForceOverrideSwitch::kAbsent) {
    EXPECT_EQ(reader.force_override, ForceOverride::kAlways);
    EXPECT_NE(reader.force_override_how.find("no such switch"), std::string::npos)
        << reader.force_override_how;
  } else if (given) {
    EXPECT_EQ(reader.force_override, *given) << reader.force_override_how;
  }
}

// The reader's facts are this process's own: ids as getresuid/getresgid say, and the permitted and effective
// capability sets each where it belongs. A child drops its effective set (keeping the permitted one) so the
// two differ; the kernel's /proc/self/status is the ground truth.
TEST(ReaderFactsTest, IdsAndCapabilitySetsAreThisProcesses) {
  const ChildOutcome outcome = testing::RunInChild([](ChildReport& report) {
    __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (syscall(SYS_capget, &header, data) != 0) return report.Skip("capget failed");
    const uint64_t permitted = data[0].permitted | uint64_t{data[1].permitted} << 32;
    if (permitted == 0) return report.Skip("no permitted capabilities to tell apart from effective ones");
    data[0].effective = data[1].effective = 0;
    if (syscall(SYS_capset, &header, data) != 0) return report.Skip("capset failed");
    const ReaderFacts facts = GatherReaderFacts(false);
    report.Check("cap_prm", facts.cap_prm == permitted,
                 facts.cap_prm ? Hex(*facts.cap_prm) + " vs " + Hex(permitted) : "unknown");
    report.Check("cap_eff", facts.cap_eff == uint64_t{0}, facts.cap_eff ? Hex(*facts.cap_eff) : "unknown");
    report.Check("no CAP_SYS_PTRACE", !facts.cap_sys_ptrace);
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    report.Check("uids",
                 facts.uids && (*facts.uids)[0] == r && (*facts.uids)[1] == e && (*facts.uids)[2] == s);
    report.Check("gids",
                 facts.gids && (*facts.gids)[0] == gr && (*facts.gids)[1] == ge && (*facts.gids)[2] == gs);
    report.Check("pid", facts.pid == getpid());
    // No filter here: both calls work on this process's own memory.
    report.Check("process_vm_readv works", facts.process_vm_readv.available,
                 ErrnoName(facts.process_vm_readv.error));
    report.Check("process_vm_writev works", facts.process_vm_writev.available,
                 ErrnoName(facts.process_vm_writev.error));
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(outcome, {"cap_prm", "cap_eff", "no CAP_SYS_PTRACE", "uids", "gids", "pid",
                                           "process_vm_readv works", "process_vm_writev works"});
}

// /proc/PID/stat of a dumpable process belongs to its effective uid, not its real one: a target whose real
// uid differs (setresuid(1000, 65534, 65534), then dumpable again) is seen as dumpable, and the same target
// left non-dumpable is not.
TEST(DoctorDumpableTest, TheEffectiveUidOwnsADumpableProcesssFiles) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to give a process two uids";
  for (const bool dumpable : {true, false}) {
    ASSERT_OK_AND_ASSIGN(Pipe ready, MakePipe());
    ASSERT_OK_AND_ASSIGN(ScopedChild target, ScopedChild::Fork([&] {
                           ready.read_end.reset();
                           if (setgroups(0, nullptr) != 0 || setresgid(65534, 65534, 65534) != 0 ||
                               setresuid(1000, 65534, 65534) != 0)
                             return 1;
                           prctl(PR_SET_DUMPABLE, dumpable ? 1 : 0, 0, 0, 0);
                           (void)!write(ready.write_end.get(), "r", 1);
                           pause();
                           return 0;
                         }));
    ready.write_end.reset();
    char c;
    ASSERT_EQ(RetryOnEintr([&] { return read(ready.read_end.get(), &c, 1); }), 1)
        << "the target did not start";
    const TargetFacts t = GatherTargetFacts(target.pid(), GatherReaderFacts(false));
    ASSERT_TRUE(t.uids.has_value());
    EXPECT_EQ((*t.uids)[0], 1000u);
    EXPECT_EQ((*t.uids)[1], 65534u);
    EXPECT_EQ(t.dumpable, std::optional<bool>(dumpable));
  }
}

// A target whose first readable mappings all fault (a file mapped, then truncated to nothing: maps still says
// r--p, every read is EFAULT) cannot tell whether memory may be read: the verdict is unknown, not "denied".
TEST(DoctorProbeTest, ReadableMappingsThatAllFaultLeaveTheReadVerdictUnknown) {
  const std::string dir = testing::NewTempDir("doctor");
  ASSERT_OK_AND_ASSIGN(Pipe ready, MakePipe());
  ASSERT_OK_AND_ASSIGN(ScopedChild target, ScopedChild::Fork([&] {
                         ready.read_end.reset();
                         // Three pages back to back, each a different file (so maps keeps three entries),
                         // below every other mapping: the first three readable ones in maps. Then a readable
                         // page right after them, which the probe must not read (it probes where mappings
                         // start).
                         for (const uintptr_t at : {0x10000, 0x11000, 0x12000}) {
                           const std::string path = dir + "/truncated" + std::to_string(at);
                           const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                           if (fd < 0 || ftruncate(fd, 4096) != 0) return 1;
                           if (mmap(reinterpret_cast<void*>(at), 4096, PROT_READ,
                                    MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0) == MAP_FAILED)
                             return 1;
                           if (ftruncate(fd, 0) != 0) return 1;
                         }
                         if (mmap(reinterpret_cast<void*>(0x13000), 4096, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED)
                           return 1;
                         (void)!write(ready.write_end.get(), "r", 1);
                         pause();
                         return 0;
                       }));
  ready.write_end.reset();
  char c;
  ASSERT_EQ(RetryOnEintr([&] { return read(ready.read_end.get(), &c, 1); }), 1) << "the target did not start";
  const TargetFacts t = GatherTargetFacts(target.pid(), GatherReaderFacts(false));
  EXPECT_EQ(t.memory_read.allowed, std::nullopt) << Text(t.memory_read);
  EXPECT_TRUE(t.memory_read.measured);
  EXPECT_NE(t.memory_read.detail.find("no test byte could be read: EFAULT"), std::string::npos)
      << Text(t.memory_read);
}

TEST_F(DoctorTest, AnUnprivilegedReaderIsToldTheUidStandsInTheWay) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to start a root-owned target and drop to uid 65534";
  const pid_t target = pid();
  const uint64_t address = rw();
  const ChildOutcome outcome = testing::RunInChild([&](ChildReport& report) {
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
      return report.Skip("cannot drop to uid 65534");
    const ReaderFacts reader = GatherReaderFacts();
    report.Check("no CAP_SYS_PTRACE", !reader.cap_sys_ptrace);
    const TargetFacts t = GatherTargetFacts(target, reader);
    report.Check("maps denied", t.maps.allowed == false, Text(t.maps));
    report.Check("read denied", t.memory_read.allowed == false, Text(t.memory_read));
    report.Check("exit code hidden", t.exit_code_visible.allowed == false && t.exit_code_visible.measured,
                 Text(t.exit_code_visible));
    const std::vector<std::string> reasons = DenialReasons(reader, t);
    report.Check("the uid is named", Contains(reasons, "runs as uid 0, this reader as uid 65534"),
                 reasons.empty() ? "no reasons" : reasons[0]);
    CheckVerdictsAgainstReality(report, t, target, address, "uid 65534");
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(
      outcome,
      {"no CAP_SYS_PTRACE", "maps denied", "read denied", "exit code hidden", "the uid is named",
       "uid 65534 maps verdict is what reading maps does", "uid 65534 read verdict is what reading does",
       "uid 65534 write verdict is what writing does"});
}

// Dumpability, seen by a reader of the same uid (65534): a target that calls prctl(PR_SET_DUMPABLE, 0), one
// that only changed its uid (the kernel makes it non-dumpable then: fs.suid_dumpable is 0), and one that
// changed its uid and made itself dumpable again, for contrast.
TEST(DoctorSameUidTest, NonDumpableTargetsAreNamedAsSuch) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to make uid-65534 processes";
  enum class Mode { kPrctlZero, kUidChangeOnly, kDumpableAgain };
  for (const auto& entry : {std::pair{Mode::kPrctlZero, std::string("prctl(0)")},
                            std::pair{Mode::kUidChangeOnly, std::string("uid change")},
                            std::pair{Mode::kDumpableAgain, std::string("dumpable again")}}) {
    const Mode mode = entry.first;
    const std::string tag = entry.second;
    ASSERT_OK_AND_ASSIGN(Pipe ready, MakePipe());
    ASSERT_OK_AND_ASSIGN(ScopedChild target_child, ScopedChild::Fork([&] {
                           ready.read_end.reset();
                           if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
                             return 1;
                           if (mode == Mode::kPrctlZero) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
                           if (mode == Mode::kDumpableAgain) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
                           (void)!write(ready.write_end.get(), "r", 1);
                           pause();
                           return 0;
                         }));
    const pid_t target = target_child.pid();
    ready.write_end.reset();
    char c;
    ASSERT_EQ(RetryOnEintr([&] { return read(ready.read_end.get(), &c, 1); }), 1)
        << "the target did not start";
    const bool dumpable = mode == Mode::kDumpableAgain;
    const ChildOutcome outcome = testing::RunInChild([&](ChildReport& report) {
      if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
        return report.Skip("cannot drop to uid 65534");
      const ReaderFacts reader = GatherReaderFacts(false);
      const TargetFacts t = GatherTargetFacts(target, reader);
      report.Check(tag + " dumpability seen", t.dumpable == dumpable);
      StatusOr<Process> p = Process::Open(target);
      const bool maps = p.ok() && p->Maps().ok();
      report.Check(tag + " maps as the kernel allows", maps == dumpable, Text(t.maps));
      report.Check(tag + " maps verdict is what happened", t.maps.allowed == maps, Text(t.maps));
      const std::vector<std::string> reasons = DenialReasons(reader, t);
      report.Check(tag + " named as not dumpable exactly when it is not",
                   Contains(reasons, "not dumpable") == !dumpable,
                   reasons.empty() ? "no reasons" : reasons[0]);
      report.Check(tag + " not blamed on the uid", !Contains(reasons, "runs as uid"));
    });
    target_child.Reset();
    if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
    testing::ExpectAllChecksPassed(
        outcome, {tag + " dumpability seen", tag + " maps as the kernel allows",
                  tag + " maps verdict is what happened",
                  tag + " named as not dumpable exactly when it is not", tag + " not blamed on the uid"});
  }
}

TEST_F(DoctorTest, UnderASeccompFilterReadsAreMeasuredThroughTheFallback) {
  const pid_t target = pid();
  const uint64_t address = rw();
  const ChildOutcome outcome = testing::RunInChild([&](ChildReport& report) {
    if (Status s = testing::DenyProcessVm(EPERM); !s.ok()) return report.Skip(s.ToString());
    const int fds_before = testing::OpenFds();
    const ReaderFacts reader = GatherReaderFacts();
    report.Check("gathering leaks no descriptor",
                 (void(GatherTargetFacts(target, reader)), testing::OpenFds() == fds_before));
    report.Check("seccomp mode 2", reader.seccomp_mode == 2);
    report.Check("process_vm_readv refused with EPERM",
                 !reader.process_vm_readv.available && reader.process_vm_readv.error == EPERM);
    report.Check("process_vm_writev refused", !reader.process_vm_writev.available);
    report.Check("the note names the filter", Contains(ReaderNotes(reader), "seccomp filter"));
    const TargetFacts t = GatherTargetFacts(target, reader);
    report.Check("read allowed through procmem",
                 t.memory_read.allowed == true && t.read_transport == Transport::kProcMem &&
                     t.read_fallback_reason == EPERM,
                 Text(t.memory_read));
    report.Check("nothing stands in the way", DenialReasons(reader, t).empty());
    CheckVerdictsAgainstReality(report, t, target, address, "seccomp");
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(
      outcome, {"gathering leaks no descriptor", "seccomp mode 2", "process_vm_readv refused with EPERM",
                "process_vm_writev refused", "the note names the filter", "read allowed through procmem",
                "nothing stands in the way", "seccomp maps verdict is what reading maps does",
                "seccomp read verdict is what reading does", "seccomp write verdict is what writing does"});
}

TEST_F(DoctorTest, HidepidHidesTheTargetAndSaysSo) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to mount proc";
  const pid_t target = pid();
  const uint64_t address = rw();
  const ChildOutcome outcome = testing::RunInChild([&](ChildReport& report) {
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      return report.Skip("no mount namespace: " + ErrnoStatus("unshare").ToString());
    if (mount("proc", "/proc", "proc", 0, "hidepid=invisible") != 0)
      return report.Skip("cannot mount proc with hidepid: " + ErrnoStatus("mount").ToString());
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
      return report.Skip("cannot drop to uid 65534");
    const ReaderFacts reader = GatherReaderFacts(false);
    report.Check("hidepid read from the mount", reader.hidepid == "invisible",
                 reader.hidepid.value_or("none"));
    const TargetFacts t = GatherTargetFacts(target, reader);
    report.Check("exists but is not visible", t.exists && !t.visible);
    const std::vector<std::string> reasons = DenialReasons(reader, t);
    report.Check("the reason names hidepid", Contains(reasons, "hidepid=invisible"),
                 reasons.empty() ? "none" : reasons[0]);
    StatusOr<Process> p = Process::Open(target);
    report.Check("opening really fails with EACCES", p.status().error_number() == EACCES,
                 p.status().ToString());
    CheckVerdictsAgainstReality(report, t, target, address, "hidepid");
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(
      outcome, {"hidepid read from the mount", "exists but is not visible", "the reason names hidepid",
                "opening really fails with EACCES", "hidepid maps verdict is what reading maps does",
                "hidepid read verdict is what reading does", "hidepid write verdict is what writing does"});
}

// The CLI: JSON keys, as root and under the filter; the table reads as a checklist; bad input.
TEST_F(DoctorTest, CliJsonAndChecklist) {
  const testing::CommandResult r = testing::RunProcscope({"doctor", std::to_string(pid()), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  for (const char* key :
       {"kernel_release", "ptrace_scope", "proc_mem_force_override", "proc_mem_force_override_switch",
        "seccomp_mode", "cap_sys_ptrace", "process_vm_readv", "hidepid", "target"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["process_vm_readv"]["available"], true);
  EXPECT_EQ(j["target"]["pid"], pid());
  EXPECT_EQ(j["target"]["verdict"]["maps"]["how"], "measured");
  EXPECT_EQ(j["target"]["verdict"]["memory_read"]["allowed"], true);
  EXPECT_EQ(j["target"]["verdict"]["memory_read"]["transport"], "process_vm");
  EXPECT_EQ(j["target"]["verdict"]["memory_write"]["how"], "derived");

  const testing::CommandResult denied = testing::RunCommand(
      {testing::RunfilesPath("tests/util/deny_process_vm"), "ENOSYS",
       testing::RunfilesPath("tools/procscope"), "doctor", std::to_string(pid()), "--json"});
  ASSERT_EQ(denied.exit_code, 0) << denied.err;
  const Json d = Json::parse(denied.out);
  EXPECT_EQ(d["seccomp_mode"], 2);
  EXPECT_EQ(d["process_vm_readv"]["error"], "ENOSYS");
  EXPECT_EQ(d["target"]["verdict"]["memory_read"]["transport"], "procmem");
  EXPECT_EQ(d["target"]["verdict"]["memory_read"]["fallback_reason"], "ENOSYS");

  const testing::CommandResult table = testing::RunProcscope({"doctor", std::to_string(pid())});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("[ok ] memory read"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("process_vm_readv"), std::string::npos);

  EXPECT_EQ(testing::RunProcscope({"doctor", "abc"}).exit_code, 2);
  ASSERT_OK_AND_ASSIGN(const pid_t gone, testing::VanishedPid());
  const testing::CommandResult none = testing::RunProcscope({"doctor", std::to_string(gone)});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no process"), std::string::npos) << none.err;
}

// The other commands' permission errors carry the same reasons: procscope run as uid 65534 (a copy outside
// the runfiles, which that uid may not be able to enter) against the root-owned target. The child drops its
// credentials and runs the CLI from there.
TEST_F(DoctorTest, CliPermissionErrorsNameTheCause) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to run procscope as uid 65534";
  char dir_template[] = "/tmp/procscope_doctor_XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template, copy = dir + "/procscope";
  std::filesystem::copy_file(testing::RunfilesPath("tools/procscope"), copy);
  ASSERT_EQ(chmod(dir.c_str(), 0755), 0);
  char address[32];
  std::snprintf(address, sizeof address, "0x%llx:8", static_cast<unsigned long long>(rw()));
  const std::string target = std::to_string(pid());
  const ChildOutcome outcome = testing::RunInChild([&](ChildReport& report) {
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
      return report.Skip("cannot drop to uid 65534");
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {copy, "read", target, address}, {copy, "env", target}, {copy, "maps", target}}) {
      const testing::CommandResult r = testing::RunCommand(args);
      report.Check(args[1] + " exits 1", r.exit_code == 1, std::to_string(r.exit_code) + " " + r.err);
      report.Check(
          args[1] + " names the uid",
          r.err.find("permission denied") != std::string::npos &&
              r.err.find("the target runs as uid 0, this reader as uid 65534 without CAP_SYS_PTRACE") !=
                  std::string::npos,
          r.err);
      report.Check(args[1] + " says it in one line", std::count(r.err.begin(), r.err.end(), '\n') == 1,
                   r.err);
    }
    const testing::CommandResult doctor = testing::RunCommand({copy, "doctor", target, "--json"});
    report.Check("doctor runs", doctor.exit_code == 0, doctor.err);
    if (doctor.exit_code != 0) return;
    const Json j = Json::parse(doctor.out);
    report.Check("doctor sees no capability and uid 65534",
                 j["cap_sys_ptrace"] == false && j["uid"] == 65534);
    report.Check("doctor says maps and exit codes are hidden",
                 j["target"]["verdict"]["maps"]["allowed"] == false &&
                     j["target"]["verdict"]["exit_code_visible"]["allowed"] == false &&
                     !j["target"]["reasons"].empty(),
                 j["target"].dump());
  });
  std::filesystem::remove_all(dir);
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(
      outcome, {"read exits 1", "read names the uid", "read says it in one line", "env exits 1",
                "env names the uid", "maps exits 1", "maps names the uid", "doctor runs",
                "doctor sees no capability and uid 65534", "doctor says maps and exit codes are hidden"});
}

}  // namespace
}  // namespace procscope
