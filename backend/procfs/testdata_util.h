// Test-only: files of backend/procfs/testdata from the test's runfiles, and assertions shared by the parser
// tests.
#ifndef PROCSCOPE_BACKEND_PROCFS_TESTDATA_UTIL_H_
#define PROCSCOPE_BACKEND_PROCFS_TESTDATA_UTIL_H_

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include "backend/procfs/maps.h"
#include "backend/procfs/read_file.h"
#include "backend/status_matchers.h"

namespace procscope::testing {

// Bazel runs tests in the runfiles root of this workspace, so the repository-relative path works.
inline std::string ReadTestdata(const std::string& name) {
  StatusOr<std::string> text = ReadFileToString("backend/procfs/testdata/" + name);
  EXPECT_OK(text);
  return text.ok() ? *text : std::string();
}

// The entries of a literal maps text; a parse error fails the test (and gives no entries).
inline std::vector<MapsEntry> ParsedMaps(const std::string& text) {
  StatusOr<std::vector<MapsEntry>> maps = ParseMaps(text);
  EXPECT_OK(maps);
  return maps.ok() ? *maps : std::vector<MapsEntry>{};
}

// A parse result that must be an EINVAL error whose message contains `part` (e.g. "field 'inode'").
template <typename T>
::testing::AssertionResult RejectedNaming(const StatusOr<T>& result, std::string_view input,
                                          std::string_view part) {
  if (result.ok()) return ::testing::AssertionFailure() << "accepted: " << input;
  if (result.status().error_number() != EINVAL) {
    return ::testing::AssertionFailure() << "not EINVAL: " << result.status().ToString();
  }
  if (result.status().message().find(part) == std::string::npos) {
    return ::testing::AssertionFailure() << "'" << part << "' not in: " << result.status().message();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace procscope::testing

#endif  // PROCSCOPE_BACKEND_PROCFS_TESTDATA_UTIL_H_
