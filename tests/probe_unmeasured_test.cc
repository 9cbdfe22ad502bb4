// A probe key that cannot be measured says why instead of reading as a kernel fact: with no descriptor to
// spare (RLIMIT_NOFILE at the lowest free descriptor) every /proc/self/mem key, the pipe of
// procmem_eof_after_exit and the forced writes of procmem_force_override fail with EMFILE, and each of them
// carries that reason. The process_vm_* keys need no descriptor and stay measured. And the CLI under a filter
// that makes fork fail (tests/util:deny_fork) prints null and the reason for the one key that needs a child.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "backend/memory/kernel_probe.h"
#include "tests/util/child_report.h"
#include "tests/util/subprocess.h"

namespace procscope {
namespace {

using testing::ChildReport;

template <typename T>
void ExpectUnmeasured(ChildReport& report, const std::string& key, const StatusOr<T>& value,
                      const std::string& call) {
  const std::string why = value.status().ToString();
  report.Check(key + " unmeasured (" + call + " EMFILE)",
               !value.ok() && why.find("EMFILE") != std::string::npos && why.find(call) != std::string::npos,
               value.ok() ? "it holds a value" : why);
}

TEST(ProbeUnmeasuredTest, WithoutDescriptorsEveryProcMemKeySaysWhy) {
  const testing::ChildOutcome outcome = testing::RunInChild([](ChildReport& report) {
    const int lowest_free = dup(0);
    if (lowest_free < 0) return report.Skip("dup failed");
    close(lowest_free);
    const rlimit none{static_cast<rlim_t>(lowest_free), static_cast<rlim_t>(lowest_free)};
    if (setrlimit(RLIMIT_NOFILE, &none) != 0) return report.Skip("setrlimit(RLIMIT_NOFILE) failed");
    report.Check("no descriptor to spare", dup(0) < 0 && errno == EMFILE);
    StatusOr<KernelProbe> probe = ProbeKernel({.measure_max_rw_count = false});
    report.Check("probe ran", probe.ok(), probe.status().ToString());
    if (!probe.ok()) return;
    ExpectUnmeasured(report, "prot_none_readable_procmem", probe->prot_none_readable_procmem,
                     "open /proc/self/mem");
    ExpectUnmeasured(report, "readonly_writable_procmem", probe->readonly_writable_procmem,
                     "open /proc/self/mem");
    ExpectUnmeasured(report, "tagged_address_procmem", probe->tagged_address_procmem, "open /proc/self/mem");
    ExpectUnmeasured(report, "procmem_eof_after_exit", probe->procmem_eof_after_exit, "pipe2");
    ExpectUnmeasured(report, "procmem_force_override", probe->procmem_force_override, "open /proc/");
    ExpectUnmeasured(report, "procmap_query", probe->procmap_query, "open /proc/self/maps");
    ExpectUnmeasured(report, "pagemap_guard_bit", probe->pagemap_guard_bit, "open /proc/self/pagemap");
    ExpectUnmeasured(report, "pidfd_info_exit", probe->pidfd_info_exit, "pidfd_open");
    report.Check("guard_regions says which transport was not measured",
                 probe->guard_regions == "EINVAL" ||
                     probe->guard_regions.find("/proc/PID/mem not measured: EMFILE: open /proc/self/mem") !=
                         std::string::npos,
                 probe->guard_regions);
    report.Check("process_vm keys measured", probe->iov_max > 0 && probe->splits_elements,
                 "iov_max " + std::to_string(probe->iov_max));
  });
  if (testing::SkipRequested(outcome)) GTEST_SKIP() << outcome.skip;
  testing::ExpectAllChecksPassed(
      outcome, {"no descriptor to spare", "probe ran",
                "prot_none_readable_procmem unmeasured (open /proc/self/mem EMFILE)",
                "readonly_writable_procmem unmeasured (open /proc/self/mem EMFILE)",
                "tagged_address_procmem unmeasured (open /proc/self/mem EMFILE)",
                "procmem_eof_after_exit unmeasured (pipe2 EMFILE)",
                "procmem_force_override unmeasured (open /proc/ EMFILE)",
                "procmap_query unmeasured (open /proc/self/maps EMFILE)",
                "pagemap_guard_bit unmeasured (open /proc/self/pagemap EMFILE)",
                "pidfd_info_exit unmeasured (pidfd_open EMFILE)",
                "guard_regions says which transport was not measured", "process_vm keys measured"});
}

// The CLI end to end: `procscope probe --json` under the filter prints null and the reason for the key it
// could not measure, and true/false only for measured ones.
TEST(ForkFailureTest, ProbeJsonPrintsNullAndTheReason) {
  const testing::CommandResult r =
      testing::RunCommand({testing::RunfilesPath("tests/util/deny_fork"),
                           testing::RunfilesPath("tools/procscope"), "probe", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["procmem_eof_after_exit"].is_null()) << j.dump();
  ASSERT_TRUE(j.contains("procmem_eof_after_exit_unmeasured")) << j.dump();
  EXPECT_EQ(j["procmem_eof_after_exit_unmeasured"].get<std::string>().rfind("EAGAIN: fork", 0), 0u)
      << j.dump();
  EXPECT_TRUE(j["pidfd_info_exit"].is_null()) << j.dump();
  EXPECT_EQ(j.value("pidfd_info_exit_unmeasured", "").rfind("EAGAIN: fork", 0), 0u) << j.dump();
  for (const char* measured :
       {"prot_none_readable_procmem", "readonly_writable_procmem", "splits_elements"}) {
    EXPECT_TRUE(j[measured].is_boolean()) << measured << ": " << j.dump();
    EXPECT_FALSE(j.contains(std::string(measured) + "_unmeasured")) << measured;
  }
  const testing::CommandResult table =
      testing::RunCommand({testing::RunfilesPath("tests/util/deny_fork"),
                           testing::RunfilesPath("tools/procscope"), "probe", "--skip-max-rw-count"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  const size_t row = table.out.find("\nprocmem_eof_after_exit ");
  ASSERT_NE(row, std::string::npos) << table.out;
  const std::string line = table.out.substr(row + 1, table.out.find('\n', row + 1) - row - 1);
  EXPECT_NE(line.find(" unmeasured: EAGAIN: fork"), std::string::npos) << line;
}

}  // namespace
}  // namespace procscope
