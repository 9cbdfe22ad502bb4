#include "tests/util/temp_dir.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace procscope::testing {

std::string TempBase() {
  const char* base = std::getenv("TEST_TMPDIR");
  return base != nullptr && *base != '\0' ? base : "/tmp";
}

std::string NewTempDir(const std::string& name) {
  const std::string dir = TempBase() + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string WriteTempFile(const std::string& name, const std::string& content) {
  const std::string path = TempBase() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  return path;
}

}  // namespace procscope::testing
