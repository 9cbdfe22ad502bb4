#include "tests/util/holes_fixture.h"

#include <cerrno>
#include <utility>

namespace procscope::testing {

StatusOr<HolesFixture> StartHoles(const std::string& spec, ExpectedEnd end, const std::string& program,
                                  const std::string& launcher) {
  StatusOr<std::unique_ptr<FixtureProcess>> process =
      FixtureProcess::Start(program, Opts({"--layout", spec}, end, {}, launcher));
  if (!process.ok()) return process.status();
  int pid = 0;
  StatusOr<std::vector<fixtures::Region>> regions =
      fixtures::ParseManifestRegions((*process)->first_line(), &pid);
  if (!regions.ok()) return regions.status();
  if (pid != (*process)->pid()) {
    return Status(EINVAL, program + " manifest names pid " + std::to_string(pid) + ", the child is " +
                              std::to_string((*process)->pid()));
  }
  return HolesFixture{*std::move(process), *std::move(regions)};
}

}  // namespace procscope::testing
