#include "tools/conform/worker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "backend/eintr.h"
#include "backend/pipe.h"
#include "backend/scoped_child.h"
#include "fixtures/pattern.h"
#include "tools/conform/plugin.h"

namespace procscope::conform {
namespace {

using Clock = std::chrono::steady_clock;

bool WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = RetryOnEintr([&] { return write(fd, p, size); });
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// false on EOF, error or (when `deadline` is set) time out; *timed_out says which.
bool ReadAll(int fd, void* data, size_t size, Clock::time_point deadline, bool* timed_out = nullptr) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    if (deadline != Clock::time_point::max()) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd pfd{fd, POLLIN, 0};
      const int ready = left <= 0 ? 0 : RetryOnEintr([&] { return poll(&pfd, 1, static_cast<int>(left)); });
      if (ready == 0) {
        if (timed_out) *timed_out = true;
        return false;
      }
    }
    const ssize_t n = RetryOnEintr([&] { return read(fd, p, size); });
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

template <typename T>
bool Put(int fd, const T& value) {
  return WriteAll(fd, &value, sizeof value);
}
bool PutString(int fd, const std::string& s) {
  return Put(fd, static_cast<uint64_t>(s.size())) && WriteAll(fd, s.data(), s.size());
}

// A buffer for one element: heap below kSampledAbove, fresh anonymous memory above (reserved, not touched).
class Buffer {
 public:
  explicit Buffer(uint64_t length) : length_(length) {
    if (length > kSampledAbove) {
      void* p =
          mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      mapped_ = p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
    } else {
      heap_.resize(length);
    }
  }
  ~Buffer() {
    if (mapped_) munmap(mapped_, length_);
  }
  Buffer(Buffer&& o) noexcept : length_(o.length_), heap_(std::move(o.heap_)), mapped_(o.mapped_) {
    o.mapped_ = nullptr;
  }
  uint8_t* data() { return length_ > kSampledAbove ? mapped_ : heap_.data(); }

 private:
  uint64_t length_;
  std::vector<uint8_t> heap_;
  uint8_t* mapped_ = nullptr;
};

// The child's loop: one batch per request until the request pipe closes.
[[noreturn]] void ServeInChild(const std::string& path, int in, int out) {
  // Only the two pipes stay open: inherited descriptors (a layout child's pipe, say) must not be kept alive.
  CloseInheritedExcept(in, out);
  // A plugin that crashes must end the worker by its signal: sanitizer runtimes (conform built with ASan,
  // say) would otherwise catch it, print a report and exit with a status instead, slowly.
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE}) signal(sig, SIG_DFL);
  StatusOr<Plugin> plugin = Plugin::Load(path);
  if (!plugin.ok()) {
    Put(out, uint8_t{0});
    PutString(out, plugin.status().message());
    _exit(0);
  }
  Put(out, uint8_t{1});
  PutString(out, plugin->name());
  Put(out, plugin->abi());
  Put(out, static_cast<uint8_t>(plugin->has_write()));
  while (true) {
    uint32_t direction;
    int32_t pid;
    uint64_t count;
    if (!ReadAll(in, &direction, sizeof direction, Clock::time_point::max()) ||
        !ReadAll(in, &pid, sizeof pid, Clock::time_point::max()) ||
        !ReadAll(in, &count, sizeof count, Clock::time_point::max())) {
      _exit(0);
    }
    std::vector<Span> spans(count);
    if (count && !ReadAll(in, spans.data(), count * sizeof(Span), Clock::time_point::max())) _exit(0);
    const Direction dir = direction == 0 ? Direction::kRead : Direction::kWrite;
    std::vector<Buffer> buffers;
    std::vector<Element> elements(count);
    buffers.reserve(count);
    bool reserved = true;
    for (size_t i = 0; i < count; ++i) {
      buffers.emplace_back(spans[i].length);
      uint8_t* b = buffers.back().data();
      reserved = b != nullptr || spans[i].length == 0;
      if (!reserved) break;
      if (spans[i].length <= kSampledAbove) {
        for (uint64_t o = 0; o < spans[i].length; ++o) {
          b[o] = dir == Direction::kRead ? FillByte(spans[i].length, spans[i].address + o)
                                         : WrittenByte(spans[i].address + o);
        }
      } else if (dir == Direction::kWrite) {
        // Layouts are far smaller than kSampledAbove: no plugin can write more of a big element than this.
        for (uint64_t o = 0; o < kSampledAbove; ++o) b[o] = WrittenByte(spans[i].address + o);
      }
      elements[i] = {spans[i].address, b, spans[i].length};
    }
    // Whether the plugin is called: a batch whose buffers cannot all be reserved is not.
    Put(out, static_cast<uint8_t>(reserved));
    if (!reserved) continue;
    std::vector<ElementResult> results(count);
    const int rc = plugin->Transfer(dir, pid, elements, results);
    Put(out, static_cast<int32_t>(rc));
    for (const ElementResult& r : results) {
      Put(out, r.transferred);
      Put(out, static_cast<int32_t>(r.error));
    }
    if (dir == Direction::kRead) {
      for (size_t i = 0; i < count; ++i) {
        const uint64_t length = spans[i].length;
        std::vector<std::pair<uint64_t, uint64_t>> ranges;  // [from, to) offsets
        if (length <= kSampledAbove) {
          ranges.push_back({0, length});
        } else {
          const uint64_t end = std::min(results[i].transferred, length);
          ranges.push_back({0, std::min(kSampleBytes, length)});
          ranges.push_back(
              {end > kSampleBytes ? end - kSampleBytes : 0, std::min(length, end + kSampleBytes)});
        }
        Put(out, static_cast<uint32_t>(ranges.size()));
        for (auto [from, to] : ranges) {
          Put(out, from);
          Put(out, to - from);
          WriteAll(out,
                   elements[i].buffer == nullptr ? nullptr : static_cast<uint8_t*>(elements[i].buffer) + from,
                   to - from);
        }
      }
    }
  }
}

}  // namespace

uint8_t FillByte(uint64_t element_length, uint64_t address) {
  return element_length > kSampledAbove ? 0 : static_cast<uint8_t>(~PatternByte(address));
}
uint8_t WrittenByte(uint64_t address) { return PatternByte(address) ^ 0xa5; }

StatusOr<std::unique_ptr<PluginWorker>> PluginWorker::Start(const std::string& path,
                                                            std::chrono::milliseconds limit) {
  std::unique_ptr<PluginWorker> worker(new PluginWorker(path, limit));
  Status status = worker->Spawn();
  if (!status.ok()) return status;
  return worker;
}

PluginWorker::~PluginWorker() { Stop(true); }

Status PluginWorker::Spawn() {
  StatusOr<Pipe> to = MakePipe();
  if (!to.ok()) return to.status();
  StatusOr<Pipe> from = MakePipe();
  if (!from.ok()) return from.status();
  StatusOr<ScopedChild> child =
      ScopedChild::Fork([&]() -> int { ServeInChild(path_, to->read_end.get(), from->write_end.get()); });
  if (!child.ok()) return child.status();
  child_ = *std::move(child);
  to_child_ = std::move(to->write_end);
  from_child_ = std::move(from->read_end);
  const Clock::time_point deadline = Clock::now() + limit_;
  uint8_t loaded = 0;
  uint64_t size = 0;
  bool timed_out = false;
  if (!ReadAll(from_child_.get(), &loaded, 1, deadline, &timed_out) ||
      !ReadAll(from_child_.get(), &size, sizeof size, deadline, &timed_out)) {
    // A hung loader is killed; one that died is reaped to say how (the pipes closed: it ended).
    const std::string detail = timed_out ? " did not finish in time" : ": " + ReapDetail();
    Stop(true);
    return Status(ECHILD, "loading " + path_ + detail);
  }
  std::string text(size, '\0');
  if (!ReadAll(from_child_.get(), text.data(), size, deadline))
    return Status(ECHILD, "loading " + path_ + " failed");
  if (!loaded) {
    Stop(false);
    return Status(EINVAL, text);
  }
  uint8_t has_write = 0;
  info_.name = text;
  if (!ReadAll(from_child_.get(), &info_.abi, sizeof info_.abi, deadline) ||
      !ReadAll(from_child_.get(), &has_write, 1, deadline)) {
    return Status(ECHILD, "loading " + path_ + " failed");
  }
  info_.has_write = has_write != 0;
  return OkStatus();
}

void PluginWorker::Stop(bool kill_first) {
  to_child_.reset();
  from_child_.reset();
  if (!child_.is_valid()) return;
  if (kill_first) (void)child_.Signal(SIGKILL);
  (void)child_.Wait();
}

std::string PluginWorker::ReapDetail() {
  to_child_.reset();
  from_child_.reset();
  StatusOr<int> status = child_.Wait();
  if (!status.ok()) return "the worker vanished (" + status.status().ToString() + ")";
  return DescribeWaitStatus(*status);
}

BatchOutcome PluginWorker::Run(Direction direction, pid_t pid, std::span<const Span> elements) {
  BatchOutcome out;
  if (!child_.is_valid()) {
    Status restarted = Spawn();
    if (!restarted.ok()) {
      out.how = BatchOutcome::How::kCrashed;
      out.detail = "could not restart the worker: " + restarted.ToString();
      return out;
    }
  }
  const int to = to_child_.get(), from = from_child_.get();
  const uint64_t count = elements.size();
  const bool sent = Put(to, static_cast<uint32_t>(direction == Direction::kRead ? 0 : 1)) &&
                    Put(to, static_cast<int32_t>(pid)) && Put(to, count) &&
                    WriteAll(to, elements.data(), count * sizeof(Span));
  const Clock::time_point deadline = Clock::now() + limit_;
  bool timed_out = false;
  auto fail = [&]() {
    if (timed_out) {
      out.how = BatchOutcome::How::kHung;
      out.detail = "no answer within " + std::to_string(limit_.count()) + " ms (killed)";
      Stop(true);
    } else {
      out.how = BatchOutcome::How::kCrashed;
      out.detail = ReapDetail();
    }
    return out;
  };
  uint8_t called = 0;
  if (!sent || !ReadAll(from, &called, sizeof called, deadline, &timed_out)) return fail();
  if (!called) {
    out.how = BatchOutcome::How::kNoBuffer;
    out.detail = "the worker could not reserve a buffer for every element (mmap failed)";
    return out;
  }
  int32_t rc = 0;
  if (!ReadAll(from, &rc, sizeof rc, deadline, &timed_out)) return fail();
  out.rc = rc;
  out.results.resize(count);
  for (ElementResult& r : out.results) {
    int32_t error = 0;
    if (!ReadAll(from, &r.transferred, sizeof r.transferred, deadline, &timed_out) ||
        !ReadAll(from, &error, sizeof error, deadline, &timed_out)) {
      return fail();
    }
    r.error = error;
  }
  if (direction == Direction::kRead) {
    out.bytes.resize(count);
    for (std::vector<ByteChunk>& chunks : out.bytes) {
      uint32_t n = 0;
      if (!ReadAll(from, &n, sizeof n, deadline, &timed_out)) return fail();
      chunks.resize(n);
      for (ByteChunk& c : chunks) {
        uint64_t size = 0;
        if (!ReadAll(from, &c.offset, sizeof c.offset, deadline, &timed_out) ||
            !ReadAll(from, &size, sizeof size, deadline, &timed_out)) {
          return fail();
        }
        c.bytes.resize(size);
        if (!ReadAll(from, c.bytes.data(), size, deadline, &timed_out)) return fail();
      }
    }
  }
  return out;
}

}  // namespace procscope::conform
