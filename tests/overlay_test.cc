// Container file systems: a target whose executable and mapped files live on overlayfs. With the lower
// layer on another file system than the upper one (as container images are), /proc/<pid>/maps prints the
// overlay's own device while stat() reports a per-layer one for the same file (measured on 6.18: 0:28 in
// maps, 0:29 / 0:2a from stat()). Info, the primary module and the modules (including a live file really
// named "x (deleted)") must come out right anyway. The overlay is mounted in a private mount namespace of a
// forked child, which also runs the targets and the checks.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backend/process/process.h"
#include "tests/util/child_report.h"
#include "tests/util/fixture_process.h"
#include "tests/util/subprocess.h"
#include "tests/util/temp_dir.h"

namespace procscope {
namespace {

using testing::ChildReport;
using testing::FixtureProcess;

std::string Device(uint32_t major_number, uint32_t minor_number) {
  return std::to_string(major_number) + ":" + std::to_string(minor_number);
}

// Mounts an overlay at dir/merged whose lower layer is a tmpfs (dir/lower) and whose upper layer is in
// `dir`; "" on success, else why not.
std::string MountOverlay(const std::string& dir) {
  for (const char* sub : {"lower", "upper", "work", "merged"}) {
    if (mkdir((dir + "/" + sub).c_str(), 0755) != 0)
      return ErrnoStatus(std::string("mkdir ") + sub).ToString();
  }
  if (mount("tmpfs", (dir + "/lower").c_str(), "tmpfs", 0, "mode=0755") != 0)
    return ErrnoStatus("mount tmpfs").ToString();
  std::error_code error;
  std::filesystem::copy_file(testing::RunfilesPath("fixtures/exiter"), dir + "/lower/exiter", error);
  if (error) return "copy exiter: " + error.message();
  const std::string options =
      "lowerdir=" + dir + "/lower,upperdir=" + dir + "/upper,workdir=" + dir + "/work";
  if (mount("overlay", (dir + "/merged").c_str(), "overlay", 0, options.c_str()) != 0)
    return ErrnoStatus("mount overlay").ToString();
  if (mkdir((dir + "/merged/odd").c_str(), 0755) != 0) return ErrnoStatus("mkdir merged/odd").ToString();
  return "";
}

const Module* Find(const std::vector<Module>& modules, const std::string& path) {
  for (const Module& m : modules)
    if (m.path == path) return &m;
  return nullptr;
}

TEST(OverlayTest, ExecutableAndModulesOnOverlayfs) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to mount";
  const std::string dir = testing::NewTempDir("overlay");
  const testing::ChildOutcome outcome = testing::RunInChild([&](ChildReport& report) {
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      return report.Skip("no private mount namespace: " + ErrnoStatus("unshare").ToString());
    if (const std::string why = MountOverlay(dir); !why.empty())
      return report.Skip("no overlayfs here: " + why);
    const std::string exe = dir + "/merged/exiter";
    StatusOr<std::unique_ptr<FixtureProcess>> exiter = FixtureProcess::Start(exe, std::vector<std::string>{});
    report.Check("exiter starts from the overlay", exiter.ok(), exiter.status().ToString());
    if (!exiter.ok()) return;
    StatusOr<Process> p = Process::Open((*exiter)->pid());
    report.Check("opens", p.ok(), p.status().ToString());
    if (!p.ok()) return;

    // The case under test: the devices disagree.
    StatusOr<std::vector<Module>> modules = p->Modules();
    report.Check("modules", modules.ok(), modules.status().ToString());
    if (!modules.ok()) return;
    const Module* program = Find(*modules, exe);
    report.Check("the program is one module",
                 program != nullptr && std::count_if(modules->begin(), modules->end(),
                                                     [&](const Module& m) { return m.path == exe; }) == 1);
    if (program == nullptr) return;
    struct stat st {};
    stat(exe.c_str(), &st);
    report.Check("maps and stat() disagree on the device",
                 Device(program->dev_major, program->dev_minor) != Device(major(st.st_dev), minor(st.st_dev)),
                 "maps " + Device(program->dev_major, program->dev_minor) + ", stat " +
                     Device(major(st.st_dev), minor(st.st_dev)));
    report.Check("same inode", program->inode == st.st_ino);
    report.Check("the program is not deleted", !program->deleted);

    StatusOr<ProcessInfo> info = p->Info();
    report.Check("info path", info.ok() && info->path == exe && !info->path_deleted,
                 info.ok() ? info->path.value_or("no path") + (info->path_deleted ? " (deleted)" : "")
                           : info.status().ToString());
    StatusOr<PrimaryModule> primary = p->Primary();
    report.Check(
        "primary module", primary.ok() && primary->module.path == exe,
        primary.ok() ? primary->module.path + " from " + primary->source : primary.status().ToString());

    // Files mapped from the overlay with names that need the deleted check: "x (deleted)" is live, "gone"
    // is unlinked.
    StatusOr<std::unique_ptr<FixtureProcess>> odd =
        FixtureProcess::Start("fixtures/odd_names", {"--dir", dir + "/merged/odd"});
    report.Check("odd_names starts", odd.ok(), odd.status().ToString());
    if (!odd.ok()) return;
    StatusOr<Process> q = Process::Open((*odd)->pid());
    StatusOr<std::vector<Module>> odd_modules =
        q.ok() ? q->Modules() : StatusOr<std::vector<Module>>(q.status());
    report.Check("odd modules", odd_modules.ok(), odd_modules.status().ToString());
    if (!odd_modules.ok()) return;
    const Module* live = Find(*odd_modules, dir + "/merged/odd/x (deleted)");
    report.Check("a live 'x (deleted)' on the overlay is live", live != nullptr && !live->deleted,
                 live == nullptr ? "no module with that path" : "reported deleted");
    const Module* gone = Find(*odd_modules, dir + "/merged/odd/gone");
    report.Check("an unlinked file on the overlay is deleted", gone != nullptr && gone->deleted);
    report.Check("exiter stops", (*exiter)->Stop());
    report.Check("odd_names stops", (*odd)->Stop());
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(
      outcome,
      {"exiter starts from the overlay", "opens", "modules", "the program is one module",
       "maps and stat() disagree on the device", "same inode", "the program is not deleted", "info path",
       "primary module", "odd_names starts", "odd modules", "a live 'x (deleted)' on the overlay is live",
       "an unlinked file on the overlay is deleted", "exiter stops", "odd_names stops"});
}

}  // namespace
}  // namespace procscope
