// The Rust template (tools/rust_backend/, a dependency-free cdylib) built with cargo and judged by
// `procscope conform`: it must pass. Where cargo is missing the test skips and says so.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/util/subprocess.h"
#include "tests/util/time_limits.h"

namespace procscope {
namespace {

namespace fs = std::filesystem;

std::string Home() {
  const passwd* pw = getpwuid(getuid());
  return pw != nullptr && pw->pw_dir != nullptr ? pw->pw_dir : "";
}

// $CARGO, else cargo on PATH, else ~/.cargo/bin/cargo (where rustup puts it); "" when there is none.
std::string FindCargo() {
  if (const char* cargo = std::getenv("CARGO"); cargo != nullptr && access(cargo, X_OK) == 0) return cargo;
  std::stringstream path(std::getenv("PATH") ? std::getenv("PATH") : "");
  for (std::string dir; std::getline(path, dir, ':');) {
    if (!dir.empty() && access((dir + "/cargo").c_str(), X_OK) == 0) return dir + "/cargo";
  }
  const std::string rustup = Home() + "/.cargo/bin/cargo";
  return access(rustup.c_str(), X_OK) == 0 ? rustup : "";
}

TEST(RustBackendTest, TheTemplateBuildsAndConforms) {
  const std::string cargo = FindCargo();
  if (cargo.empty())
    GTEST_SKIP() << "cargo not found ($CARGO, PATH, ~/.cargo/bin): the Rust template is not built here";
  const fs::path work =
      fs::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") / "rust_backend";
  fs::remove_all(work);
  fs::create_directories(work / "src");
  fs::copy_file(testing::RunfilesPath("tools/rust_backend/Cargo.toml"), work / "Cargo.toml");
  fs::copy_file(testing::RunfilesPath("tools/rust_backend/src/lib.rs"), work / "src/lib.rs");
  // rustup's cargo finds its toolchains under RUSTUP_HOME (~/.rustup by default, but Bazel moves HOME);
  // CARGO_HOME is private to the test, so nothing is written outside it. No crate is downloaded. cargo runs
  // `rustc` from PATH, which Bazel fixes to /bin:/usr/bin:/usr/local/bin: cargo's own directory goes first
  // (rustup puts rustc beside it).
  const char* rustup_home = std::getenv("RUSTUP_HOME");
  const char* path = std::getenv("PATH");
  const testing::CommandResult build = testing::RunCommand(
      {"/usr/bin/env",
       "PATH=" + fs::path(cargo).parent_path().string() + (path ? ":" + std::string(path) : ""),
       "RUSTUP_HOME=" + (rustup_home ? std::string(rustup_home) : Home() + "/.rustup"),
       "CARGO_HOME=" + (work / "cargo-home").string(), "CARGO_TARGET_DIR=" + (work / "target").string(),
       cargo, "build", "--release", "--offline", "--quiet", "--manifest-path",
       (work / "Cargo.toml").string()});
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;
  const fs::path plugin = work / "target/release/libprocscope_rust_backend.so";
  ASSERT_TRUE(fs::exists(plugin));

  const testing::CommandResult conform = testing::RunProcscope(
      {"conform", "--backend", plugin.string(), "--json", "--cases", "200", "--timeout",
       std::to_string(testing::kStepTimeLimit.count() * 1000)});  // a slow batch is no hang
  EXPECT_EQ(conform.exit_code, 0) << conform.out << conform.err;
  const nlohmann::json report = nlohmann::json::parse(conform.out, nullptr, false);
  EXPECT_EQ(report["backend"], "rust template (memflow-native's process_rw, fixed)");
  EXPECT_EQ(report["writes_checked"], true);
  EXPECT_EQ(report["failed"], 0);
  EXPECT_GE(report["cases"], 2 * 1204 + 1);
}

}  // namespace
}  // namespace procscope
