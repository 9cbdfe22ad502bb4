// `procscope read` and `procscope write`: one batch through the engine, per-element results out.
// A failed element is data (exit 0); a process that is gone or may not be inspected is exit 1; bad input is
// exit 2 (see command.h).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "backend/access/access.h"
#include "backend/eintr.h"
#include "backend/memory/force_override.h"
#include "backend/memory/strategy.h"
#include "backend/process/process.h"
#include "backend/process/ptrace_seize.h"
#include "backend/scoped_fd.h"
#include "tools/cli/args.h"
#include "tools/cli/batch_output.h"
#include "tools/cli/command.h"
#include "tools/cli/process_target.h"
#include "tools/cli/procfs_output.h"

namespace procscope::cli {
namespace {

struct MemoryOptions {
  std::string pid;
  std::vector<std::string> items;  // ADDR:LEN for read; ADDR HEX pairs for write
  std::string from;
  std::string out;  // read --out FILE: the bytes go there, raw
  std::string strategy;
  std::string format;  // --format; "" = table, or json with --json
  bool force = false;
  bool json = false;
};

// A batch goes through the engine and out to the writer in chunks of at most this many elements and bytes
// (at least one element), so memory stays bounded whatever its size. A batch that fits one chunk is one
// engine batch, as it always was.
constexpr size_t kChunkElements = 65536;
constexpr uint64_t kChunkBytes = 64ULL << 20;

// Every strategy name, comma-separated, for help and messages.
std::string StrategyList() {
  std::string names;
  for (const std::string& n : StrategyNames()) names += (names.empty() ? "" : ", ") + n;
  return names;
}

// The strategy named by the options: --force selects procmem_force (only procmem can force access).
StatusOr<std::unique_ptr<Strategy>> ChooseStrategy(const MemoryOptions& o) {
  std::string name = o.strategy.empty() ? (o.force ? "procmem" : "default") : o.strategy;
  if (o.force) {
    if (name != "procmem" && name != "procmem_force") {
      return Status(EINVAL,
                    "--force works only with --strategy procmem (process_vm_readv cannot force access)");
    }
    name = "procmem_force";
  }
  std::unique_ptr<Strategy> strategy = MakeStrategy(name);
  if (strategy == nullptr)
    return Status(EINVAL, "unknown strategy '" + name + "' (known: " + StrategyList() + ")");
  return strategy;
}

StatusOr<BatchFormat> ChooseFormat(const MemoryOptions& o) {
  if (o.json && !o.format.empty() && o.format != "json")
    return Status(EINVAL, "--json and --format " + o.format + " ask for two formats");
  if (o.format.empty()) return o.json ? BatchFormat::kJson : BatchFormat::kTable;
  std::optional<BatchFormat> format = ParseBatchFormat(o.format);
  if (!format) {
    return Status(EINVAL,
                  "unknown --format '" + o.format + "' (known: " + std::string(kBatchFormatNames) + ")");
  }
  return *format;
}

// Where the elements of one chunk come from: reads take ranges and lend them buffers (one block per
// chunk, reused); writes bring their own bytes.
class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  virtual size_t size() const = 0;
  // Elements [first, first + count) with their buffers; count is at most kChunkElements.
  virtual std::span<Element> Load(size_t first, size_t count) = 0;
  // How many elements from `first` make the next chunk.
  virtual size_t ChunkAt(size_t first) const = 0;
};

class ReadSource final : public ChunkSource {
 public:
  explicit ReadSource(std::vector<Range> ranges) : ranges_(std::move(ranges)) {}
  size_t size() const override { return ranges_.size(); }
  size_t ChunkAt(size_t first) const override {
    size_t count = 0;
    uint64_t bytes = 0;
    while (first + count < ranges_.size() && count < kChunkElements &&
           (count == 0 || bytes + ranges_[first + count].length <= kChunkBytes)) {
      bytes += ranges_[first + count].length;
      ++count;
    }
    return count;
  }
  std::span<Element> Load(size_t first, size_t count) override {
    uint64_t bytes = 0;
    for (size_t i = 0; i < count; ++i) bytes += ranges_[first + i].length;
    if (data_.size() < bytes) data_.resize(bytes);
    elements_.resize(count);
    uint64_t at = 0;
    for (size_t i = 0; i < count; ++i) {
      elements_[i] = {ranges_[first + i].address, data_.data() + at, ranges_[first + i].length};
      at += ranges_[first + i].length;
    }
    return elements_;
  }

 private:
  std::vector<Range> ranges_;
  std::vector<uint8_t> data_;
  std::vector<Element> elements_;
};

class WriteSource final : public ChunkSource {
 public:
  WriteSource(std::vector<std::vector<uint8_t>> buffers, std::vector<Element> elements)
      : buffers_(std::move(buffers)), elements_(std::move(elements)) {}
  size_t size() const override { return elements_.size(); }
  size_t ChunkAt(size_t first) const override { return std::min(kChunkElements, elements_.size() - first); }
  std::span<Element> Load(size_t first, size_t count) override {
    return std::span<Element>(elements_).subspan(first, count);
  }

 private:
  std::vector<std::vector<uint8_t>> buffers_;  // owns what elements_ point at
  std::vector<Element> elements_;
};

// --out: each element's readable prefix at its place in the file, which is the batch's ranges back to back
// (element i at the sum of the lengths before it); bytes not read are zeros, and the file is as long as the
// ranges together.
class RawOut {
 public:
  static StatusOr<RawOut> Open(const std::string& path) {
    ScopedFd fd(
        RetryOnEintr([&] { return open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666); }));
    if (!fd.is_valid()) return ErrnoStatus("open " + path);
    return RawOut(path, std::move(fd));
  }
  // The elements' buffers, in order; neighbours whose buffers touch (a read chunk's always do) go out in
  // one write. Bytes past each element's prefix are zeroed first: the buffers are reused chunk after chunk.
  Status Write(std::span<const Element> elements, std::span<const ElementResult> results) {
    for (size_t i = 0; i < elements.size();) {
      uint8_t* const start = static_cast<uint8_t*>(elements[i].buffer);
      uint64_t run = 0;
      size_t j = i;
      for (; j < elements.size() && static_cast<uint8_t*>(elements[j].buffer) == start + run; ++j) {
        std::memset(static_cast<uint8_t*>(elements[j].buffer) + results[j].transferred, 0,
                    elements[j].length - results[j].transferred);
        run += elements[j].length;
      }
      for (uint64_t done = 0; done < run;) {
        const ssize_t n = RetryOnEintr(
            [&] { return pwrite(fd_.get(), start + done, run - done, static_cast<off_t>(offset_ + done)); });
        if (n < 0) return ErrnoStatus("write " + path_);
        if (n == 0) return Status(EIO, "write " + path_ + ": nothing written");
        done += static_cast<uint64_t>(n);
      }
      offset_ += run;
      i = j;
    }
    return OkStatus();
  }
  Status Close() {
    if (ftruncate(fd_.get(), static_cast<off_t>(offset_)) != 0) return ErrnoStatus("truncate " + path_);
    if (close(fd_.release()) != 0) return ErrnoStatus("close " + path_);
    return OkStatus();
  }

 private:
  RawOut(std::string path, ScopedFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  ScopedFd fd_;
  uint64_t offset_ = 0;
};

int RunBatch(const MemoryOptions& o, Direction direction, ChunkSource& source) {
  const std::string command = direction == Direction::kRead ? "read" : "write";
  // Bad options before the process is looked at: a wrong --strategy is a usage error (2) even for a PID
  // that does not exist.
  StatusOr<std::unique_ptr<Strategy>> strategy = ChooseStrategy(o);
  if (!strategy.ok()) return Usage(strategy.status().message());
  StatusOr<BatchFormat> format = ChooseFormat(o);
  if (!format.ok()) return Usage(format.status().message());
  int exit_code = kExitOk;
  std::optional<Process> process = OpenProcessArg(command, o.pid, &exit_code);
  if (!process) return exit_code;
  std::optional<RawOut> raw;
  if (!o.out.empty()) {
    StatusOr<RawOut> opened = RawOut::Open(o.out);
    if (!opened.ok()) return Usage(opened.status().message());
    raw.emplace(*std::move(opened));
  }
  BatchSummary summary{.pid = process->pid(), .strategy = std::string((*strategy)->name())};
  // --force: where the kernel forces /proc/PID/mem access only for the target's tracer
  // (proc_mem.force_override=ptrace), this thread seizes the target for the batch and releases it after.
  std::optional<PtraceSeize> seized;
  std::string unforced_why;  // why --force could not force, "" when it could
  if ((*strategy)->name() == "procmem_force") {
    const ForceOverrideFinding force = FindForceOverride();
    if (force.value == ForceOverride::kPtrace) {
      StatusOr<PtraceSeize> seize = PtraceSeize::Seize(process->pid());
      if (seize.ok()) {
        seized.emplace(*std::move(seize));
        summary.forced_via = "ptrace_seize";
      } else {
        unforced_why =
            "this kernel forces /proc/PID/mem access only for the target's tracer "
            "(proc_mem.force_override=ptrace, " +
            force.how + ") and seizing it failed: " + seize.status().message();
        const ReaderFacts reader = GatherReaderFacts(/*measure_force_override=*/false);
        for (const std::string& reason : DenialReasons(reader, GatherTargetFacts(process->pid(), reader)))
          unforced_why += "; " + reason;
        summary.forced_via = "unforced";
      }
    } else if (force.value == ForceOverride::kAlways) {
      summary.forced_via = "proc_mem";
    } else {
      unforced_why = "this kernel does not force /proc/PID/mem access (proc_mem.force_override=" +
                     std::string(ForceOverrideName(force.value)) + ", " + force.how + ")";
      summary.forced_via = force.value == ForceOverride::kNever ? "unforced" : "unknown";
    }
  }
  std::unique_ptr<BatchWriter> writer =
      MakeBatchWriter(*format, direction == Direction::kRead && !raw, std::cout);
  std::vector<ElementResult> results;
  Status failed;  // a whole-batch failure after the first chunk: the rest of the batch carries its errno
  bool any_failed_element = false;
  Classification classified = Classification::kNone;  // enum order is cost order
  for (size_t first = 0; first < source.size();) {
    const size_t count = source.ChunkAt(first);
    std::span<Element> elements = source.Load(first, count);
    results.assign(count, ElementResult{});
    if (failed.ok()) {
      TransferReport report;
      Status status = process->Transfer(**strategy, direction, elements, results, &report);
      if (first == 0 && !status.ok()) {
        // Nothing printed yet: the command fails as a whole, as it always did.
        if (status.error_number() == ESRCH && process->CheckIdentity().ok() &&
            process->IsKernelThread().value_or(false)) {
          return Fail(kExitFailure, command + " PID " + o.pid + ": a kernel thread has no user memory");
        }
        return FailOnProcess(command, summary.pid, status);
      }
      failed = status;
      summary.syscalls += report.syscalls;
      classified = std::max(classified, report.classified_by);
      summary.classified_by = std::string(ClassificationName(classified));
      summary.transport = std::string(TransportName(report.transport));
      if (report.fallback_reason != 0 && summary.fallback_reason.empty()) {
        summary.fallback_reason = ErrnoName(report.fallback_reason);
        summary.fallback_text = RefusedText(direction, report.fallback_reason);
      }
    } else {
      for (ElementResult& r : results) r.error = failed.error_number();
    }
    for (const ElementResult& r : results) any_failed_element = any_failed_element || !r.ok();
    if (raw) {
      if (Status written = raw->Write(elements, results); !written.ok())
        return Fail(kExitFailure, command + ": " + written.message());
    }
    first += count;
    writer->Chunk(elements, results, first == source.size(), summary);
  }
  writer->Finish(summary);
  if (raw) {
    if (Status closed = raw->Close(); !closed.ok())
      return Fail(kExitFailure, command + ": " + closed.message());
  }
  if (seized) {
    if (Status released = seized->Release(); !released.ok()) {
      std::cerr << "procscope: warning: releasing PID " << summary.pid
                << " after --force: " << released.message() << "\n";
    }
  }
  if (!unforced_why.empty() && any_failed_element) {
    // A forced transfer that still failed: say when the kernel is why (proc_mem.force_override).
    std::cerr << "procscope: note: " << unforced_why
              << ": PROT_NONE and read-only pages fail like holes even with --force\n";
  }
  if (!std::cout.flush()) return kExitFailure;
  if (!failed.ok()) {
    // The printed results are complete (the elements after the failure carry its errno); the command says
    // what happened, as a failure of the whole batch does.
    return FailOnProcess(command, summary.pid, failed);
  }
  return kExitOk;
}

int RunRead(const MemoryOptions& o) {
  std::vector<Range> ranges;
  for (const std::string& item : o.items) {
    StatusOr<Range> range = ParseRange(item);
    if (!range.ok()) return Usage(range.status().message());
    ranges.push_back(*range);
  }
  if (!o.from.empty()) {
    StatusOr<std::vector<Range>> listed = Status(EINVAL, "no input");
    if (o.from == "-") {
      listed = ReadRangeList(STDIN_FILENO, "stdin");
    } else {
      const ScopedFd fd(RetryOnEintr([&] { return open(o.from.c_str(), O_RDONLY | O_CLOEXEC); }));
      if (!fd.is_valid()) return Usage(ErrnoStatus("open " + o.from).message());
      listed = ReadRangeList(fd.get(), o.from);
    }
    if (!listed.ok()) {
      // A read error names the file itself; a parse error gets its name in front.
      const std::string message = listed.status().message();
      return Usage(message.starts_with("read ") ? message : o.from + ": " + message);
    }
    if (ranges.empty()) {
      ranges = *std::move(listed);
    } else {
      ranges.insert(ranges.end(), listed->begin(), listed->end());
    }
  }
  if (ranges.empty()) return Usage("read: no ADDR:LEN given (on the command line or with --from)");
  uint64_t total = 0;
  for (const Range& r : ranges) total += r.length;
  if (total > kMaxTotalBytes) return Usage("read: the ranges add up to more than 1 GiB");
  ReadSource source(std::move(ranges));
  return RunBatch(o, Direction::kRead, source);
}

int RunWrite(const MemoryOptions& o) {
  if (o.items.empty() || o.items.size() % 2 != 0)
    return Usage("write: expected ADDR HEX pairs after the PID");
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<Element> elements;
  for (size_t i = 0; i < o.items.size(); i += 2) {
    StatusOr<uint64_t> address = ParseAddress(o.items[i]);
    if (!address.ok()) return Usage(address.status().message());
    StatusOr<std::vector<uint8_t>> data = ParseHex(o.items[i + 1]);
    if (!data.ok()) return Usage(data.status().message());
    uint64_t last;
    if (!data->empty() && __builtin_add_overflow(*address, data->size() - 1, &last)) {
      return Usage("write at " + o.items[i] + " wraps past the end of the address space");
    }
    buffers.push_back(*std::move(data));
    elements.push_back({*address, buffers.back().data(), buffers.back().size()});
  }
  WriteSource source(std::move(buffers), std::move(elements));
  return RunBatch(o, Direction::kWrite, source);
}

void AddCommonOptions(CLI::App* sub, MemoryOptions& o) {
  sub->add_option(
      "--strategy", o.strategy,
      "default (= " + DefaultStrategyName() +
          ", falling back to procmem when process_vm_readv/writev are refused with EPERM or ENOSYS), " +
          StrategyList());
  sub->add_flag(
      "--force", o.force,
      "force access through /proc/PID/mem (implies --strategy procmem): read PROT_NONE pages and write "
      "read-only pages, like a debugger. Where the kernel forces only for a tracer "
      "(proc_mem.force_override=ptrace), the target is seized (PTRACE_SEIZE) for the batch and released "
      "after; json's forced_via says how (proc_mem, ptrace_seize, unforced)");
  sub->add_option("--format", o.format,
                  "table (the default), json (one document: pid, strategy, transport, fallback_reason, "
                  "syscalls, classified_by, forced_via, elements; past one chunk the batch facts come after "
                  "the elements), or "
                  "ndjson (one element object per line, nothing else)");
  sub->add_flag("--json", o.json, "the same as --format json");
}

}  // namespace

void AddMemoryCommands(CLI::App& app, Runner& run) {
  auto read_options = std::make_shared<MemoryOptions>();
  CLI::App* read = app.add_subcommand(
      "read", "Read ADDR:LEN ranges of a process in one batch (streamed in chunks of " +
                  std::to_string(kChunkElements) + " elements or " + std::to_string(kChunkBytes >> 20) +
                  " MiB); each element reports its readable prefix");
  read->add_option("PID", read_options->pid, "process ID")->required();
  read->add_option("RANGES", read_options->items, "ADDR:LEN (ADDR 0x<hex> or decimal, LEN decimal)");
  read->add_option("--from", read_options->from, "file with one ADDR:LEN per line (- for stdin)");
  read->add_option(
      "--out", read_options->out,
      "write the bytes read to FILE, raw, instead of as hex: the file is the ranges back to back (element "
      "i at the sum of the lengths before it), bytes not read are zeros; the results carry no data");
  AddCommonOptions(read, *read_options);
  read->callback([read_options, &run] { run = [read_options] { return RunRead(*read_options); }; });

  auto write_options = std::make_shared<MemoryOptions>();
  CLI::App* write = app.add_subcommand(
      "write", "Write HEX bytes at ADDR in a process, in one batch; each element reports its prefix");
  write->add_option("PID", write_options->pid, "process ID")->required();
  write->add_option("ADDR_HEX", write_options->items, "pairs: ADDR HEX [ADDR HEX ...]")->required();
  AddCommonOptions(write, *write_options);
  write->callback([write_options, &run] { run = [write_options] { return RunWrite(*write_options); }; });
}

}  // namespace procscope::cli
