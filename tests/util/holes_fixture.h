// Test-only: a fixtures/holes child with its layout, started and checked in one call.
//
//   ASSERT_OK_AND_ASSIGN(HolesFixture holes, StartHoles("rw:2,hole:1,rw:1"));
//   const uint64_t base = holes.regions.front().start;
//   ... read holes.process->pid() ...
//   EXPECT_TRUE(holes.process->Stop());
//
// The regions come from the manifest the child prints first (fixtures/layout.h), and the manifest's pid must
// be the child's. The child ends the way `end` says (see FixtureProcess).
#ifndef PROCSCOPE_TESTS_UTIL_HOLES_FIXTURE_H_
#define PROCSCOPE_TESTS_UTIL_HOLES_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "backend/status.h"
#include "fixtures/layout.h"
#include "tests/util/fixture_process.h"

namespace procscope::testing {

struct HolesFixture {
  std::unique_ptr<FixtureProcess> process;
  std::vector<fixtures::Region> regions;
};

// `program`: another build of the fixture (fixtures/holes_i386); `launcher`: a loader to start it through
// (e.g. /lib/ld-linux.so.2), as FixtureOptions::launcher.
[[nodiscard]] StatusOr<HolesFixture> StartHoles(const std::string& spec,
                                                ExpectedEnd end = ExpectedEnd::Exit(0),
                                                const std::string& program = "fixtures/holes",
                                                const std::string& launcher = "");

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_HOLES_FIXTURE_H_
