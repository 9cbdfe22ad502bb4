// backend/KERNEL_FACTS.md's "By kernel line" table against `procscope probe` on the kernel this test runs
// on: the host, and each guest of `tools/harness kernels` (which stages the facts file beside the tests).
// The column is MAJOR.MINOR and the architecture ("6.12 amd64"; "7.x" stands for every 7); a cell "—" is
// not pinned. At a boot with proc_mem.force_override= on the command line, the three keys that follow the
// switch are held to the command line instead, where the kernel has the switch.
#include <gtest/gtest.h>
#include <sys/utsname.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "backend/memory/force_override.h"
#include "backend/procfs/read_file.h"
#include "tests/util/subprocess.h"

namespace procscope {
namespace {

using Json = nlohmann::json;

// The cells of one markdown table row, trimmed ("| a | b |" -> {"a", "b"}).
std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line.substr(1));
  for (std::string cell; std::getline(in, cell, '|');) {
    const size_t first = cell.find_first_not_of(' ');
    const size_t last = cell.find_last_not_of(' ');
    cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
  }
  return cells;
}

struct Table {
  std::vector<std::string> columns;                      // "5.10 amd64", ...
  std::map<std::string, std::vector<std::string>> rows;  // probe key -> cells
};

Table ReadByLineTable(const std::string& path) {
  Table table;
  std::ifstream in(path);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("## ")) inside = line == "## By kernel line";
    if (!inside || !line.starts_with("| ")) continue;
    std::vector<std::string> cells = Cells(line);
    if (cells.empty()) continue;
    if (cells[0] == "probe key") {
      table.columns.assign(cells.begin() + 1, cells.end());
    } else if (cells[0].size() > 2 && cells[0].front() == '`') {
      table.rows[cells[0].substr(1, cells[0].size() - 2)].assign(cells.begin() + 1, cells.end());
    }
  }
  return table;
}

std::string ThisColumn() {
  utsname names{};
  uname(&names);
  const std::string release = names.release;
  const size_t dot = release.find('.');
  const size_t end = release.find_first_not_of("0123456789", dot + 1);
  std::string version = release.substr(0, dot) == "7" ? "7.x" : release.substr(0, end);
#if defined(__aarch64__)
  return version + " arm64";
#else
  return version + " amd64";
#endif
}

TEST(KernelFactsTest, ThisKernelsColumnAgreesWithTheProbe) {
  const Table table = ReadByLineTable(testing::RunfilesPath("backend/KERNEL_FACTS.md"));
  ASSERT_GE(table.rows.size(), 5u) << "no \"By kernel line\" table in backend/KERNEL_FACTS.md";
  const std::string column = ThisColumn();
  size_t index = 0;
  while (index < table.columns.size() && table.columns[index] != column) ++index;
  if (index == table.columns.size()) {
    GTEST_SKIP() << "backend/KERNEL_FACTS.md has no column for " << column
                 << " (the by-line table holds Debian's lines and the 6.18 host)";
  }
  const testing::CommandResult r = testing::RunProcscope({"probe", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json probe = Json::parse(r.out);
  std::optional<ForceOverride> given;
  if (StatusOr<std::string> cmdline = ReadFileToString("/proc/cmdline"); cmdline.ok())
    given = ForceOverrideFromCmdline(*cmdline);
  const bool switch_decides = given && probe.value("procmem_force_override_switch", "") == "present";
  int compared = 0;
  for (const auto& [key, cells] : table.rows) {
    ASSERT_EQ(cells.size(), table.columns.size()) << key;
    const std::string& cell = cells[index];
    if (cell == "—") continue;
    ASSERT_TRUE(probe.contains(key)) << "the probe has no key " << key;
    Json want = Json::parse(cell, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(want.is_discarded()) << key << ": the cell is not JSON: " << cell;
    if (switch_decides && key == "procmem_force_override") want = ForceOverrideName(*given);
    if (switch_decides && (key == "prot_none_readable_procmem" || key == "readonly_writable_procmem"))
      want = *given == ForceOverride::kAlways;
    EXPECT_EQ(probe[key], want) << key << " on " << column << " (backend/KERNEL_FACTS.md, By kernel line)";
    ++compared;
  }
  EXPECT_GE(compared, 5) << column;
}

}  // namespace
}  // namespace procscope
