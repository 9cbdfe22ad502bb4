// Test-only: reads a file of backend/procfs/testdata from the test's runfiles.
#ifndef PROCSCOPE_BACKEND_PROCFS_TESTDATA_UTIL_H_
#define PROCSCOPE_BACKEND_PROCFS_TESTDATA_UTIL_H_

#include <gtest/gtest.h>

#include <string>

#include "backend/procfs/read_file.h"

namespace procscope::testing {

// Bazel runs tests in the runfiles root of this workspace, so the repository-relative path works.
inline std::string ReadTestdata(const std::string& name) {
  StatusOr<std::string> text = ReadFileToString("backend/procfs/testdata/" + name);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : std::string();
}

}  // namespace procscope::testing

#endif  // PROCSCOPE_BACKEND_PROCFS_TESTDATA_UTIL_H_
