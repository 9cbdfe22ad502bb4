// LayoutChild must release every child it started, in any order: forked children inherit descriptors, and a
// child holding a copy of another's pipe once made a parent wait for ever (the benchmark hung at exit).
#include "fixtures/layout_child.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <vector>

#include "backend/status_matchers.h"

namespace procscope::fixtures {
namespace {

TEST(LayoutChildTest, ManyChildrenEndInCreationOrder) {
  std::vector<std::unique_ptr<LayoutChild>> children;
  for (int i = 0; i < 4; ++i) {
    StatusOr<std::unique_ptr<LayoutChild>> child = LayoutChild::Start("rw:1,hole:1,rw:1");
    ASSERT_OK(child);
    ASSERT_EQ((*child)->regions().size(), 3u);
    children.push_back(*std::move(child));
  }
  std::vector<pid_t> pids;
  for (const auto& c : children) pids.push_back(c->pid());
  children.clear();  // the first child is released first: it must not wait on copies held by the others
  for (pid_t pid : pids) EXPECT_NE(kill(pid, 0), 0) << pid << " still exists";
}

TEST(LayoutChildTest, BadSpecIsAnError) { EXPECT_FALSE(LayoutChild::Start("hole:1").ok()); }

}  // namespace
}  // namespace procscope::fixtures
