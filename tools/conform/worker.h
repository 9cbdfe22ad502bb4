// PluginWorker: runs a plugin's batches in a forked child, so that a plugin that crashes or hangs is reported
// as such and never takes the caller down.
//
//   StatusOr<std::unique_ptr<PluginWorker>> worker = PluginWorker::Start(path, std::chrono::seconds(10));
//   BatchOutcome out = (*worker)->Run(Direction::kRead, pid, {{address, 8}, ...});
//
// The child is forked without exec (start it from a single-threaded process), loads the plugin there and
// serves one batch per request over a pipe. It owns the element buffers: reads start from FillByte, writes
// send WrittenByte, so the caller can judge every byte without shipping data the other way. A batch whose
// buffers cannot all be reserved (an element longer than the address space holds) is answered kNoBuffer
// without calling the plugin. A child that dies
// during a batch is reaped and reported (kCrashed with the signal or exit status); one that does not answer
// within the time limit is killed (kHung). Either way the next Run starts a fresh child.
#ifndef PROCSCOPE_TOOLS_CONFORM_WORKER_H_
#define PROCSCOPE_TOOLS_CONFORM_WORKER_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backend/memory/batch.h"
#include "backend/scoped_child.h"
#include "backend/scoped_fd.h"
#include "backend/status.h"

namespace procscope::conform {

// One element as conform asks for it (the worker provides the buffer).
struct Span {
  uint64_t address = 0;
  uint64_t length = 0;
  friend bool operator==(const Span&, const Span&) = default;
};

// Elements longer than this get a buffer of fresh anonymous memory (not prefilled: FillByte is 0 there) and
// only samples of their bytes come back; shorter ones come back whole.
inline constexpr uint64_t kSampledAbove = 1 << 20;
inline constexpr uint64_t kSampleBytes = 4096;

// What a read buffer holds before the plugin runs (never the target's byte, so a byte the plugin did not
// write is told apart), and what a write sends: both derived from the address, so batches can be cut
// down and rerun with the same data.
uint8_t FillByte(uint64_t element_length, uint64_t address);
uint8_t WrittenByte(uint64_t address);

// Bytes of a read buffer: `bytes` at element offset `offset`.
struct ByteChunk {
  uint64_t offset = 0;
  std::string bytes;
};

struct BatchOutcome {
  // kNoBuffer: conform's worker could not reserve the batch's buffers (an element longer than the address
  // space can hold); the plugin was not called.
  enum class How { kReturned, kCrashed, kHung, kNoBuffer };
  How how = How::kReturned;
  std::string detail;  // kCrashed: "killed by SIGSEGV" / "exited with status 3"; kHung: the limit
  int rc = 0;          // the plugin's return value (kReturned)
  std::vector<ElementResult> results;
  // Reads: per element, its whole buffer (one chunk) or, above kSampledAbove, the first kSampleBytes and
  // kSampleBytes either side of the reported end.
  std::vector<std::vector<ByteChunk>> bytes;
};

struct PluginInfo {
  std::string name;
  uint32_t abi = 0;
  bool has_write = false;
};

class PluginWorker {
 public:
  // Starts the child and waits for it to load the plugin: the loader's error (EINVAL, one line) when it
  // cannot, ECHILD when the child died while loading (the message says how).
  [[nodiscard]] static StatusOr<std::unique_ptr<PluginWorker>> Start(const std::string& path,
                                                                     std::chrono::milliseconds limit);
  ~PluginWorker();

  const PluginInfo& info() const { return info_; }
  BatchOutcome Run(Direction direction, pid_t pid, std::span<const Span> elements);
  // Kills and reaps the worker (the kernel detaches whatever it traced); the next Run starts a new one.
  void Kill() { Stop(true); }

 private:
  PluginWorker(std::string path, std::chrono::milliseconds limit) : path_(std::move(path)), limit_(limit) {}
  Status Spawn();
  void Stop(bool kill);  // closes the pipes and reaps the child (SIGKILL first when `kill`)
  std::string ReapDetail();

  std::string path_;
  std::chrono::milliseconds limit_;
  PluginInfo info_;
  ScopedChild child_;  // none while stopped: Run restarts it
  ScopedFd to_child_, from_child_;
};

}  // namespace procscope::conform

#endif  // PROCSCOPE_TOOLS_CONFORM_WORKER_H_
