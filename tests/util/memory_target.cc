#include "tests/util/memory_target.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>

#include "tests/util/fixture_process.h"
#include "tests/util/holes_fixture.h"

namespace procscope::testing {
namespace {

class SelfTarget final : public MemoryTarget {
 public:
  explicit SelfTarget(std::unique_ptr<fixtures::Layout> layout) : layout_(std::move(layout)) {}
  pid_t pid() const override { return getpid(); }
  const std::vector<fixtures::Region>& regions() const override { return layout_->regions(); }
  StatusOr<std::vector<uint8_t>> ReadBack(uint64_t address, uint64_t length) override {
    const int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open /proc/self/mem");
    std::vector<uint8_t> bytes(length);
    const ssize_t n = pread(fd, bytes.data(), length, static_cast<off_t>(address));
    const int saved = errno;
    close(fd);
    if (n != static_cast<ssize_t>(length)) return Status(n < 0 ? saved : EIO, "pread /proc/self/mem");
    return bytes;
  }
  Status Reset() override { return layout_->Reset(); }

 private:
  std::unique_ptr<fixtures::Layout> layout_;
};

class ChildTarget final : public MemoryTarget {
 public:
  ChildTarget(std::unique_ptr<FixtureProcess> process, std::vector<fixtures::Region> regions)
      : process_(std::move(process)), regions_(std::move(regions)) {}
  ~ChildTarget() override { EXPECT_TRUE(process_->Stop()); }
  pid_t pid() const override { return process_->pid(); }
  const std::vector<fixtures::Region>& regions() const override { return regions_; }
  StatusOr<std::vector<uint8_t>> ReadBack(uint64_t address, uint64_t length) override {
    char command[64];
    std::snprintf(command, sizeof command, "dump %" PRIx64 " %" PRIu64, address, length);
    StatusOr<std::string> reply = process_->Command(command);
    if (!reply.ok()) return reply.status();
    if (reply->rfind("ok ", 0) != 0 || reply->size() != 3 + 2 * length) return Status(EIO, "dump: " + *reply);
    std::vector<uint8_t> bytes(length);
    for (uint64_t i = 0; i < length; ++i)
      bytes[i] = static_cast<uint8_t>(std::stoul(reply->substr(3 + 2 * i, 2), nullptr, 16));
    return bytes;
  }
  Status Reset() override {
    StatusOr<std::string> reply = process_->Command("reset");
    if (!reply.ok()) return reply.status();
    return *reply == "ok" ? OkStatus() : Status(EIO, "reset: " + *reply);
  }

 private:
  std::unique_ptr<FixtureProcess> process_;
  std::vector<fixtures::Region> regions_;
};

}  // namespace

StatusOr<std::unique_ptr<MemoryTarget>> MakeMemoryTarget(const std::string& where, const std::string& spec) {
  if (where == "self") {
    StatusOr<std::unique_ptr<fixtures::Layout>> layout = fixtures::Layout::Build(spec);
    if (!layout.ok()) return layout.status();
    return std::unique_ptr<MemoryTarget>(new SelfTarget(*std::move(layout)));
  }
  StatusOr<HolesFixture> holes = StartHoles(spec);
  if (!holes.ok()) return holes.status();
  return std::unique_ptr<MemoryTarget>(new ChildTarget(std::move(holes->process), std::move(holes->regions)));
}

}  // namespace procscope::testing
