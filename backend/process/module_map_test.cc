#include "backend/process/module_map.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "backend/procfs/auxv.h"
#include "backend/procfs/maps.h"
#include "backend/procfs/testdata_util.h"
#include "backend/status_matchers.h"

namespace procscope {
namespace {

using testing::ParsedMaps;

using testing::ReadTestdata;

TEST(ModulesFromMapsTest, GroupsALibraryAcrossItsMappingsAndItsBss) {
  const std::vector<Module> modules = ModulesFromMaps(
      ParsedMaps("55d0a0000000-55d0a0002000 r--p 00000000 fe:00 100 /usr/bin/prog\n"
                 "55d0a0002000-55d0a0005000 r-xp 00002000 fe:00 100 /usr/bin/prog\n"
                 "55d0a0005000-55d0a0006000 rw-p 00005000 fe:00 100 /usr/bin/prog\n"
                 "55d0a0006000-55d0a0007000 rw-p 00000000 00:00 0 \n"
                 "55d0a0800000-55d0a0821000 rw-p 00000000 00:00 0                          [heap]\n"
                 "7f0000000000-7f0000028000 r--p 00000000 fe:00 200 /usr/lib/libc.so.6\n"
                 "7f0000028000-7f00001bd000 r-xp 00028000 fe:00 200 /usr/lib/libc.so.6\n"
                 "7f00001bd000-7f0000215000 r--p 001bd000 fe:00 200 /usr/lib/libc.so.6\n"
                 "7f0000215000-7f0000216000 ---p 00215000 fe:00 200 /usr/lib/libc.so.6\n"
                 "7f0000216000-7f000021a000 r--p 00214000 fe:00 200 /usr/lib/libc.so.6\n"
                 "7f000021a000-7f000021c000 rw-p 00218000 fe:00 200 /usr/lib/libc.so.6\n"
                 "7f000021c000-7f0000229000 rw-p 00000000 00:00 0 \n"
                 "7f0000229000-7f000022a000 r--s 00000000 00:01 7 /dev/zero (deleted)\n"
                 "7f000022a000-7f000022b000 rw-p 00000000 00:0e 0 anon_inode:[perf_event]\n"
                 "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n"));
  ASSERT_EQ(modules.size(), 2u);
  EXPECT_EQ(modules[0].base, 0x55d0a0000000u);
  EXPECT_EQ(modules[0].size(), 0x5000u + 0x1000u);
  EXPECT_EQ(modules[0].name, "prog");
  EXPECT_EQ(modules[0].path, "/usr/bin/prog");
  EXPECT_EQ(modules[0].inode, 100u);
  EXPECT_EQ(modules[1].base, 0x7f0000000000u);
  EXPECT_EQ(modules[1].end, 0x7f000021c000u);  // offsets may repeat or go back (relro); still one load
  EXPECT_EQ(modules[1].name, "libc.so.6");
  EXPECT_EQ(modules[1].dev_major, 0xfeu);
}

TEST(ModulesFromMapsTest, EmptyMappingsAreNoModules) {
  // Found by module_map_fuzzer (fuzz/module_map_fuzzer_corpus/empty_file_mapping): an empty module came out.
  const std::vector<Module> modules =
      ModulesFromMaps(ParsedMaps("7f0000000000-7f0000000000 r--p 00000000 08:01 5 /lib/x.so\n"
                                 "7f0000001000-7f0000002000 r--p 00000000 08:01 6 /lib/y.so\n"));
  ASSERT_EQ(modules.size(), 1u);
  EXPECT_EQ(modules[0].name, "y.so");
  EXPECT_EQ(modules[0].size(), 0x1000u);
}

TEST(ModulesFromMapsTest, TheSameFileMappedTwiceIsTwoModules) {
  const std::vector<Module> modules = ModulesFromMaps(
      ParsedMaps("7f0000000000-7f0000001000 r--p 00000000 fe:00 5 /data/a\n"
                 "7f0000001000-7f0000002000 r--p 00000000 fe:00 5 /data/a\n"  // offset 0 again: a second load
                 "7f0000002000-7f0000003000 r--p 00000000 fe:00 6 /data/b\n"
                 "7f0000003000-7f0000004000 r--p 00001000 fe:00 5 /data/a\n"     // the second load, past b
                 "7f0000600000-7f0000601000 r--p 00002000 fe:00 5 /data/a\n"));  // too far: a load of its own
  ASSERT_EQ(modules.size(), 4u);
  EXPECT_EQ(modules[0].base, 0x7f0000000000u);
  EXPECT_EQ(modules[0].end, 0x7f0000001000u);
  EXPECT_EQ(modules[1].base, 0x7f0000001000u);
  EXPECT_EQ(modules[1].end, 0x7f0000004000u);
  EXPECT_EQ(modules[2].name, "b");
  EXPECT_EQ(modules[3].base, 0x7f0000600000u);
}

// The arm64 loader as the kernel maps it (segments 64 KiB-aligned, the padding unmapped), with files a
// program mapped later inside that padding: the loader stays one module around them (its handle keeps
// naming all of it), and an address is found in the innermost module.
TEST(ModulesFromMapsTest, FilesMappedInsideALoadersSegmentGapDoNotSplitIt) {
  const std::vector<Module> modules = ModulesFromMaps(
      ParsedMaps("ffffbe358000-ffffbe37f000 r-xp 00000000 00:02 76 /lib/ld-linux-aarch64.so.1\n"
                 "ffffbe37f000-ffffbe380000 r--p 00000000 00:02 90 /tmp/churn-0\n"
                 "ffffbe380000-ffffbe381000 r--p 00000000 00:02 91 /tmp/churn-1\n"
                 "ffffbe38f000-ffffbe391000 r--p 00027000 00:02 76 /lib/ld-linux-aarch64.so.1\n"
                 "ffffbe391000-ffffbe393000 rw-p 00029000 00:02 76 /lib/ld-linux-aarch64.so.1\n"
                 "ffffbe393000-ffffbe39a000 rw-p 00000000 00:00 0 \n"));
  ASSERT_EQ(modules.size(), 3u);
  EXPECT_EQ(modules[0].name, "ld-linux-aarch64.so.1");
  EXPECT_EQ(modules[0].base, 0xffffbe358000u);
  EXPECT_EQ(modules[0].end, 0xffffbe393000u);
  EXPECT_EQ(modules[1].name, "churn-0");
  EXPECT_EQ(modules[2].name, "churn-1");
  EXPECT_EQ(FindModuleContaining(modules, 0xffffbe37f800)->name, "churn-0");  // inside both: the inner one
  EXPECT_EQ(FindModuleContaining(modules, 0xffffbe390000)->name, "ld-linux-aarch64.so.1");
  EXPECT_EQ(FindModuleContaining(modules, 0xffffbe385000)->name, "ld-linux-aarch64.so.1");  // the padding
  EXPECT_EQ(FindModuleContaining(modules, 0xffffbe393000), nullptr);
}

TEST(ModulesFromMapsTest, OddNamesFromARealCapture) {
  // The maps text alone: " (deleted)" is removed and "\012" decoded even where the file was really named
  // so; Process::Modules corrects those from map_files (tests/process_modules_test.cc checks it live).
  const std::vector<Module> modules = ModulesFromMaps(ParsedMaps(ReadTestdata("maps_odd_names.txt")));
  const auto find = [&](const std::string& path) -> const Module* {
    for (const Module& m : modules)
      if (m.path == path) return &m;
    return nullptr;
  };
  ASSERT_NE(find("/tmp/odd/with space"), nullptr);
  ASSERT_NE(find("/tmp/odd/trailing space "), nullptr);
  ASSERT_NE(find("/tmp/odd/new\nline"), nullptr);
  ASSERT_NE(find("/tmp/odd/back\\slash"), nullptr);
  ASSERT_NE(find("/tmp/odd/gone"), nullptr);
  EXPECT_TRUE(find("/tmp/odd/gone")->deleted);
  ASSERT_NE(find("/memfd:procscope memfd"), nullptr);
  EXPECT_EQ(find("/memfd:procscope memfd")->name, "memfd:procscope memfd");
  EXPECT_EQ(find("/dev/zero"), nullptr);  // shared anonymous memory is not a module
  EXPECT_EQ(find("/tmp/odd/trailing space ")->base, 0x7f1c7f191000u);
}

TEST(ModulesFromMapsTest, AuxvOfAnLdSoLaunchPointsIntoLoaderOrProgram) {
  // Pins the reason Process::Primary reads the stack: the kernel's auxv names the loader.
  const std::vector<Module> modules = ModulesFromMaps(ParsedMaps(ReadTestdata("maps_ldso_sleep.txt")));
  StatusOr<std::vector<AuxvEntry>> procfs = ParseAuxv(ReadTestdata("auxv_ldso_sleep.bin"));
  StatusOr<std::vector<AuxvEntry>> stack = ParseInitialStack(ReadTestdata("stack_ldso_sleep.bin"));
  ASSERT_OK(procfs);
  ASSERT_OK(stack);
  const Module* by_procfs = FindModuleContaining(modules, AuxvValue(*procfs, 3).value_or(0));
  const Module* by_stack = FindModuleContaining(modules, AuxvValue(*stack, 3).value_or(0));
  ASSERT_NE(by_procfs, nullptr);
  ASSERT_NE(by_stack, nullptr);
  EXPECT_EQ(by_procfs->name, "ld-linux-x86-64.so.2");
  EXPECT_EQ(by_stack->name, "sleep");
}

TEST(ChoosePrimaryModuleTest, EachFallbackInTurn) {
  // The ld.so launch capture: sleep loaded by ld-linux-x86-64.so.2.
  const std::vector<Module> modules = ModulesFromMaps(ParsedMaps(ReadTestdata("maps_ldso_sleep.txt")));
  StatusOr<std::vector<AuxvEntry>> stack = ParseInitialStack(ReadTestdata("stack_ldso_sleep.bin"));
  StatusOr<std::vector<AuxvEntry>> procfs = ParseAuxv(ReadTestdata("auxv_ldso_sleep.bin"));
  ASSERT_OK(stack);
  ASSERT_OK(procfs);
  const auto name = [&](const std::optional<PrimaryChoice>& c) {
    return c ? modules[c->index].name + " from " + c->source : std::string("none");
  };
  PrimaryEvidence evidence;
  evidence.stack_auxv = *stack;
  evidence.procfs_auxv = *procfs;
  // ld.so is the executable under `ld.so prog`.
  evidence.exe = PrimaryEvidence::FileId{0xfe, 0, 332383, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"};
  EXPECT_EQ(name(ChoosePrimaryModule(modules, evidence)), "sleep from stack auxv");
  evidence.stack_auxv.reset();  // the stack could not be read: the kernel's copy names the loader
  EXPECT_EQ(name(ChoosePrimaryModule(modules, evidence)), "ld-linux-x86-64.so.2 from procfs auxv");
  evidence.procfs_auxv.reset();
  EXPECT_EQ(name(ChoosePrimaryModule(modules, evidence)), "ld-linux-x86-64.so.2 from exe");
  evidence.exe->inode = 248056;  // /usr/bin/sleep's inode
  EXPECT_EQ(name(ChoosePrimaryModule(modules, evidence)), "sleep from exe");
  // On overlayfs stat() reports another device than maps does for the same file (0:2a vs 0:28, measured):
  // the path, with the inode, still finds it; a bare inode match on another device does not.
  evidence.exe->dev_major = 0;
  evidence.exe->dev_minor = 0x2a;
  evidence.exe->path = "/usr/bin/sleep";
  EXPECT_EQ(name(ChoosePrimaryModule(modules, evidence)), "sleep from exe");
  evidence.exe->path = "/elsewhere/sleep";
  EXPECT_EQ(name(ChoosePrimaryModule(modules, evidence)), modules.front().name + " from first mapping");
  evidence.exe.reset();
  EXPECT_EQ(name(ChoosePrimaryModule(modules, evidence)), modules.front().name + " from first mapping");
  // Auxv values that point into no module fall through; AT_ENTRY is used when AT_PHDR misses.
  evidence.stack_auxv = std::vector<AuxvEntry>{{3, 1}, {9, modules.back().base + 1}};
  EXPECT_EQ(name(ChoosePrimaryModule(modules, evidence)), modules.back().name + " from stack auxv");
  evidence.stack_auxv = std::vector<AuxvEntry>{{3, 1}};
  EXPECT_EQ(name(ChoosePrimaryModule(modules, evidence)), modules.front().name + " from first mapping");
  EXPECT_EQ(ChoosePrimaryModule({}, evidence), std::nullopt);
}

}  // namespace
}  // namespace procscope
