// Loaded kernel modules, live: procscope's list (ListKernelModules, FindKernelModule, `procscope kmods`)
// against the kernel's own account in /sys/module, while this test loads and unloads real modules.
//
// It needs a kernel with module support, root, and the module files of the running kernel under
// kmods/<release>/ in the runfiles (flat: NAME.ko). `tools/harness kernels` stages them from the kernel
// package it boots (the names come from `kmods_test --print-modules`), so this test runs in the guest;
// elsewhere it skips and says which of the three is missing. It never touches a module it did not load
// itself.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "backend/kernel/kernel_modules.h"
#include "backend/procfs/modules.h"
#include "backend/procfs/read_file.h"
#include "backend/scoped_fd.h"
#include "backend/status_matchers.h"
#include "tests/util/child_report.h"
#include "tests/util/subprocess.h"

namespace procscope {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// The modules this test loads. In name order, each sorting before the next, so unloading one shifts every
// later module's index in a name-sorted snapshot. macvtap depends on macvlan and tap (its .modinfo says so),
// which makes those two "in use" (refcount 1) while it is loaded.
constexpr const char* kModules[] = {"dummy", "macvlan", "macvtap", "tap", "veth"};

std::string Release() {
  utsname u{};
  uname(&u);
  return u.release;
}

std::string ModuleFile(const std::string& name) {
  return testing::RunfilesPath("kmods/" + Release() + "/" + name + ".ko");
}

std::string ReadText(const std::string& path) {
  StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return "";
  std::string s = *text;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

bool WriteText(const std::string& path, const std::string& value) {
  std::ofstream out(path);
  out << value << "\n";
  out.flush();
  return static_cast<bool>(out);
}

// A loaded (not built-in) module has /sys/module/NAME/initstate.
bool Loaded(const std::string& name) { return fs::exists("/sys/module/" + name + "/initstate"); }

// The "depends=" entry of the module file's .modinfo (NUL-separated key=value strings): the modules that
// must be loaded first.
std::vector<std::string> ModinfoDepends(const std::string& path) {
  StatusOr<std::string> bytes = ReadFileToString(path);
  std::vector<std::string> depends;
  if (!bytes.ok()) return depends;
  const std::string key = std::string("\0depends=", 9);
  const size_t at = bytes->find(key);
  if (at == std::string::npos) return depends;
  const size_t start = at + key.size(), end = bytes->find('\0', start);
  std::string_view list(bytes->data() + start, end - start);
  while (!list.empty()) {
    const size_t comma = list.find(',');
    depends.emplace_back(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return depends;
}

// What /sys/module/NAME says about a loaded module: the kernel's own account, independent of /proc/modules.
struct SysfsModule {
  uint64_t size = 0;  // coresize + initsize (the init part is freed once loaded: initsize reads 0)
  int64_t refcount = -1;
  std::vector<std::string> holders;  // sorted
  std::string initstate;             // "live", "coming", "going"
  // Where the module's .text starts: the start of its core allocation, the address /proc/modules prints.
  // (Not the lowest section address: sysfs also lists the sections of the init allocation, freed after
  // loading, at their stale addresses: .init.*, and the full .symtab/.strtab kept only during init.)
  // 0 when the kernel hides section addresses from this reader.
  uint64_t core_base = 0;
};

SysfsModule ReadSysfs(const std::string& name) {
  const std::string dir = "/sys/module/" + name;
  SysfsModule m;
  m.size = std::stoull("0" + ReadText(dir + "/coresize")) + std::stoull("0" + ReadText(dir + "/initsize"));
  m.refcount = std::stoll("0" + ReadText(dir + "/refcnt"));
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir + "/holders", ec))
    m.holders.push_back(e.path().filename());
  std::sort(m.holders.begin(), m.holders.end());
  m.initstate = ReadText(dir + "/initstate");
  const std::string text = ReadText(dir + "/sections/.text");  // "0x..."
  m.core_base = text.empty() ? 0 : std::stoull(text, nullptr, 16);
  return m;
}

// finit_module and delete_module: the errno, 0 on success.
int LoadFile(const std::string& path) {
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.is_valid()) return errno;
  return syscall(SYS_finit_module, fd.get(), "", 0) == 0 ? 0 : errno;
}
int Unload(const std::string& name) {
  return syscall(SYS_delete_module, name.c_str(), O_NONBLOCK) == 0 ? 0 : errno;
}

std::optional<KernelModule> Find(const std::vector<KernelModule>& list, const std::string& name) {
  for (const KernelModule& m : list)
    if (m.name == name) return m;
  return std::nullopt;
}

std::vector<KernelModule> List() {
  StatusOr<std::vector<KernelModule>> list = ListKernelModules();
  EXPECT_OK(list) << list.status().ToString();
  return list.ok() ? *list : std::vector<KernelModule>{};
}

// memflow-native's handles before the fix, modelled: a module's handle was its index in a name-sorted
// snapshot of /proc/modules, resolved later against a new snapshot.
std::vector<std::string> SortedNames(const std::vector<KernelModule>& list) {
  std::vector<std::string> names;
  for (const KernelModule& m : list) names.push_back(m.name);
  std::sort(names.begin(), names.end());
  return names;
}
size_t IndexHandle(const std::vector<std::string>& sorted, const std::string& name) {
  return std::find(sorted.begin(), sorted.end(), name) - sorted.begin();
}

class KmodsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access("/proc/modules", F_OK) != 0) {
      GTEST_SKIP() << "no /proc/modules: this kernel (" << Release()
                   << ") is built without module support (CONFIG_MODULES=n)";
    }
    if (geteuid() != 0) GTEST_SKIP() << "loading modules needs root (CAP_SYS_MODULE)";
    if (ReadText("/proc/sys/kernel/modules_disabled") == "1") {
      GTEST_SKIP() << "kernel.modules_disabled is 1: no module can be loaded until reboot";
    }
    for (const char* name : kModules) {
      if (!fs::exists(ModuleFile(name))) {
        GTEST_SKIP() << "no module files for kernel " << Release() << " (" << ModuleFile(name)
                     << " is missing; tools/harness kernels stages them for the kernels it boots)";
      }
      ASSERT_FALSE(Loaded(name)) << name << " was loaded before the test: it would not be ours to unload";
    }
    kptr_restrict_ = ReadText("/proc/sys/kernel/kptr_restrict");
    perf_event_paranoid_ = ReadText("/proc/sys/kernel/perf_event_paranoid");
  }

  void TearDown() override {
    if (!kptr_restrict_.empty()) WriteText("/proc/sys/kernel/kptr_restrict", kptr_restrict_);
    if (!perf_event_paranoid_.empty())
      WriteText("/proc/sys/kernel/perf_event_paranoid", perf_event_paranoid_);
    // Users first: keep going while some module of ours still unloads.
    for (bool progress = true; progress;) {
      progress = false;
      for (const std::string& name : loaded_) {
        if (Loaded(name) && Unload(name) == 0) progress = true;
      }
    }
    for (const std::string& name : loaded_) EXPECT_FALSE(Loaded(name)) << name << " could not be unloaded";
  }

  // Loads `name` after what its .modinfo says it depends on; a failure fails the test.
  void Load(const std::string& name) {
    for (const std::string& dep : ModinfoDepends(ModuleFile(name))) {
      if (!Loaded(dep)) Load(dep);
    }
    const int error = LoadFile(ModuleFile(name));
    ASSERT_EQ(error, 0) << "finit_module " << ModuleFile(name) << ": " << strerror(error);
    loaded_.insert(name);
  }
  void LoadAll() {
    for (const char* name : kModules) {
      if (!Loaded(name)) Load(name);
    }
  }
  void SetKptrRestrict(int value) {
    ASSERT_TRUE(WriteText("/proc/sys/kernel/kptr_restrict", std::to_string(value)));
  }
  void SetPerfEventParanoid(int value) {
    ASSERT_TRUE(WriteText("/proc/sys/kernel/perf_event_paranoid", std::to_string(value)));
  }

  std::set<std::string> loaded_;

 private:
  std::string kptr_restrict_, perf_event_paranoid_;
};

TEST_F(KmodsTest, ListMatchesTheKernelsOwnAccount) {
  LoadAll();
  SetKptrRestrict(0);
  const std::vector<KernelModule> list = List();

  // The same set of modules as sysfs's loaded ones (built-in modules have no initstate).
  std::set<std::string> listed, in_sysfs;
  for (const KernelModule& m : list) listed.insert(m.name);
  for (const fs::directory_entry& e : fs::directory_iterator("/sys/module"))
    if (fs::exists(e.path() / "initstate")) in_sysfs.insert(e.path().filename());
  EXPECT_EQ(listed, in_sysfs);

  for (const KernelModule& m : list) {
    SCOPED_TRACE(m.ToString());
    const SysfsModule truth = ReadSysfs(m.name);
    EXPECT_EQ(m.handle, Fnv1a64(m.name));
    EXPECT_EQ(m.size, truth.size);
    ASSERT_TRUE(m.refcount.has_value());  // this kernel unloads modules (CONFIG_MODULE_UNLOAD)
    EXPECT_EQ(*m.refcount, truth.refcount);
    std::vector<std::string> used_by = m.used_by;
    std::sort(used_by.begin(), used_by.end());
    EXPECT_EQ(used_by, truth.holders);
    EXPECT_EQ(m.state, ModuleState::kLive);
    EXPECT_EQ(truth.initstate, "live");
    ASSERT_NE(truth.core_base, 0u);
    // The address is where the module's core text allocation starts: .text itself on amd64 (every line)
    // and arm64 5.10 and 6.1; on arm64 6.12 other sections come first (overlay's .text lies 0x960 above
    // it), so .text is held to lie inside the module, after the address.
    const std::optional<uint64_t> address = KernelModuleAddress(m);
    ASSERT_TRUE(address.has_value());
    EXPECT_LE(*address, truth.core_base);
    EXPECT_LT(truth.core_base - *address, m.size);
#if defined(__x86_64__)
    EXPECT_EQ(*address, truth.core_base);
#endif
  }

  // The module with dependencies, and the two it keeps in use. In use means delete_module refuses (EAGAIN
  // with O_NONBLOCK) and the module stays.
  const std::optional<KernelModule> macvtap = Find(list, "macvtap");
  ASSERT_TRUE(macvtap.has_value());
  EXPECT_TRUE(macvtap->used_by.empty());
  for (const char* used : {"macvlan", "tap"}) {
    const std::optional<KernelModule> m = Find(list, used);
    ASSERT_TRUE(m.has_value()) << used;
    EXPECT_EQ(m->refcount, 1) << used;
    EXPECT_EQ(m->used_by, std::vector<std::string>{"macvtap"}) << used;
    EXPECT_EQ(Unload(used), EAGAIN) << used;
    EXPECT_TRUE(Loaded(used)) << used;
  }

  // The CLI says the same as the API, and its table goes to the log.
  const testing::CommandResult json = testing::RunProcscope({"kmods", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const Json cli = Json::parse(json.out);
  ASSERT_EQ(cli.size(), list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const KernelModule& m = list[i];
    Json used_by = Json::array();
    for (const std::string& user : m.used_by) used_by.push_back(user);
    EXPECT_EQ(cli[i], (Json{{"handle", m.handle},
                            {"name", m.name},
                            {"size", m.size},
                            {"refcount", *m.refcount},
                            {"used_by", used_by},
                            {"state", "Live"},
                            {"address", *KernelModuleAddress(m)}}));
  }
  const testing::CommandResult table = testing::RunProcscope({"kmods"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  std::cout << "procscope kmods (kernel " << Release() << "):\n" << table.out;
}

TEST_F(KmodsTest, HandlesNameTheSameModuleWhileOthersComeAndGo) {
  LoadAll();
  SetKptrRestrict(0);
  const std::vector<KernelModule> before = List();
  const std::vector<std::string> sorted_before = SortedNames(before);
  std::map<std::string, uint64_t> handle, address;
  for (const KernelModule& m : before) {
    handle[m.name] = m.handle;
    address[m.name] = m.address;
  }

  // dummy sorts before every other module: unloading it shifts all their indices by one.
  ASSERT_EQ(Unload("dummy"), 0);
  const std::vector<KernelModule> after = List();
  for (const char* name : {"macvlan", "macvtap", "tap", "veth"}) {
    StatusOr<KernelModule> found = FindKernelModule(handle[name]);
    ASSERT_OK(found) << name << ": " << found.status().ToString();
    EXPECT_EQ(found->name, name);
    EXPECT_EQ(found->address, address[name]) << name;
  }
  StatusOr<KernelModule> gone = FindKernelModule(handle["dummy"]);
  EXPECT_THAT(gone.status(), StatusIs(ENOENT)) << "the unloaded module's handle must not name another module";

  // The index model resolves each old handle against the new snapshot: every module after dummy now comes
  // out as its successor in name order (veth's index runs off the end), and dummy's index names macvlan.
  const std::vector<std::string> sorted_after = SortedNames(after);
  EXPECT_EQ(sorted_after.at(IndexHandle(sorted_before, "dummy")), "macvlan");
  EXPECT_EQ(sorted_after.at(IndexHandle(sorted_before, "macvlan")), "macvtap");
  EXPECT_EQ(sorted_after.at(IndexHandle(sorted_before, "tap")), "veth");
  EXPECT_GE(IndexHandle(sorted_before, "veth"), sorted_after.size());

  // More churn: macvtap (sorting before tap and veth) goes, then dummy comes back, loaded last this time.
  ASSERT_EQ(Unload("macvtap"), 0);
  Load("dummy");
  const std::vector<KernelModule> reloaded = List();
  const std::optional<KernelModule> dummy = Find(reloaded, "dummy");
  ASSERT_TRUE(dummy.has_value());
  EXPECT_EQ(dummy->handle, handle["dummy"]) << "a reloaded module gets the handle it had";
  StatusOr<KernelModule> found_again = FindKernelModule(handle["dummy"]);
  ASSERT_OK(found_again) << found_again.status().ToString();
  EXPECT_EQ(found_again->name, "dummy");
  EXPECT_EQ(KernelModuleAddress(*found_again), ReadSysfs("dummy").core_base);
  for (const char* name : {"macvlan", "tap", "veth"}) {
    StatusOr<KernelModule> found = FindKernelModule(handle[name]);
    ASSERT_OK(found) << name << ": " << found.status().ToString();
    EXPECT_EQ(found->name, name);
  }
  EXPECT_THAT(FindKernelModule(handle["macvtap"]).status(), StatusIs(ENOENT));
  // Without macvtap, macvlan and tap are no longer in use.
  EXPECT_EQ(Find(reloaded, "macvlan")->refcount, 0);
  EXPECT_TRUE(Find(reloaded, "tap")->used_by.empty());
}

// Addresses as /proc/modules shows them to the reader that opened it (the kernel's kallsyms_show_value on
// the opener's credentials): root sees them unless kptr_restrict is 2; an unprivileged reader sees them only
// with kptr_restrict 0 and perf_event_paranoid <= 1. Hidden means printed as 0, which procscope reports as
// no address (null), never as an address 0.
TEST_F(KmodsTest, HiddenAddressesAreNullForRootAndForOthers) {
  Load("dummy");
  Load("veth");
  SetKptrRestrict(0);
  std::map<std::string, uint64_t> truth;
  for (const char* name : {"dummy", "veth"}) truth[name] = ReadSysfs(name).core_base;

  struct Case {
    int kptr_restrict, perf_event_paranoid;
    bool root_sees, others_see;
  };
  for (const Case& c : {Case{0, 2, true, false}, Case{1, 2, true, false}, Case{2, 2, false, false},
                        Case{0, 1, true, true}, Case{1, 1, true, false}, Case{2, 1, false, false}}) {
    SCOPED_TRACE("kptr_restrict " + std::to_string(c.kptr_restrict) + ", perf_event_paranoid " +
                 std::to_string(c.perf_event_paranoid));
    SetKptrRestrict(c.kptr_restrict);
    SetPerfEventParanoid(c.perf_event_paranoid);
    for (const KernelModule& m : List()) {
      if (!truth.contains(m.name)) continue;
      EXPECT_EQ(KernelModuleAddress(m), c.root_sees ? std::optional<uint64_t>(truth[m.name]) : std::nullopt)
          << m.ToString();
      if (!c.root_sees) EXPECT_EQ(m.address, 0u);
    }
    const testing::CommandResult json = testing::RunProcscope({"kmods", "--json"});
    ASSERT_EQ(json.exit_code, 0) << json.err;
    for (const Json& m : Json::parse(json.out)) {
      if (!truth.contains(m["name"])) continue;
      EXPECT_EQ(m["address"], c.root_sees ? Json(truth[m["name"]]) : Json(nullptr)) << m.dump();
    }

    const testing::ChildOutcome outcome = testing::RunInChild([&](testing::ChildReport& report) {
      if (setgid(65534) != 0 || setuid(65534) != 0) return report.Skip("setuid(65534) failed");
      StatusOr<std::vector<KernelModule>> list = ListKernelModules();
      report.Check("listed", list.ok(), list.ok() ? "" : list.status().ToString());
      if (!list.ok()) return;
      for (const KernelModule& m : *list) {
        if (!truth.contains(m.name)) continue;
        const std::optional<uint64_t> want =
            c.others_see ? std::optional<uint64_t>(truth[m.name]) : std::nullopt;
        report.Check("address " + m.name, KernelModuleAddress(m) == want, m.ToString());
      }
    });
    if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
    testing::ExpectAllChecksPassed(outcome, {"listed", "address dummy", "address veth"});
  }
}

}  // namespace
}  // namespace procscope

// `kmods_test --print-modules`: the modules this test loads, one per line, for the harness to stage (their
// dependencies it finds itself). Anything else runs the tests.
int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--print-modules") {
    for (const char* name : procscope::kModules) std::cout << name << "\n";
    return 0;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
