// Test-only: fresh paths under the test's private temporary directory.
//
//   const std::string dir = NewTempDir("churn");              // empty on return
//   const std::string file = WriteTempFile("modules", text);   // overwritten on return
//
// The base is $TEST_TMPDIR (Bazel gives every test its own and removes it afterwards), or /tmp when the
// test binary runs outside Bazel.
#ifndef PROCSCOPE_TESTS_UTIL_TEMP_DIR_H_
#define PROCSCOPE_TESTS_UTIL_TEMP_DIR_H_

#include <string>

namespace procscope::testing {

// The base directory: $TEST_TMPDIR, or /tmp.
std::string TempBase();
// <base>/<name>, emptied if it existed, created if not.
std::string NewTempDir(const std::string& name);
// <base>/<name> holding exactly `content`; the path.
std::string WriteTempFile(const std::string& name, const std::string& content);

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_TEMP_DIR_H_
