// How `procscope read` and `procscope write` print a batch's per-element results: JSON, NDJSON or a table,
// written as the results come, one chunk of elements at a time, so that a batch of millions of elements
// never has all of its output (or all of its rows) in memory.
//
//   std::unique_ptr<BatchWriter> out = MakeBatchWriter(BatchFormat::kJson, /*with_data=*/true, std::cout);
//   out->Chunk(elements, results, /*last=*/false, so_far);   // as many times as there are chunks
//   out->Chunk(more, more_results, /*last=*/true, summary);
//   out->Finish(summary);
//
// The documents are those the commands printed when they built them whole, byte for byte, whenever the
// batch is one chunk (the caller chooses the chunk size: see memory_commands.cc):
//   json    one object, two-space indented: "pid", "strategy", "transport", "fallback_reason", "syscalls",
//           "classified_by" (ClassificationName: how the batch learned where its holes were), "forced_via"
//           (null without --force), "elements": [{"address", "length", "ok_bytes", "error", "data" (reads
//           without --out)}, ...]
//   ndjson  one compact element object per line, the same members, nothing else
//   table   "PID N, strategy S, C syscalls", "transport: T", then ADDRESS LENGTH OK_BYTES ERROR [DATA]
//           columns two spaces apart, as wide as their widest cell
// A batch of more chunks cannot know its transport, fallback and syscall count before its last chunk, and
// nothing waits for it: json puts "transport", "fallback_reason", "syscalls", "classified_by" and
// "forced_via" after "elements" (the same members, in another order); the table measures its columns on the
// first chunk (a later, wider cell widens only its own row) and prints its two summary lines after the rows.
// Output goes to `out` through a buffer of its own; errors of the stream are the caller's to check after
// Finish (the writer flushes there).
#ifndef PROCSCOPE_TOOLS_CLI_BATCH_OUTPUT_H_
#define PROCSCOPE_TOOLS_CLI_BATCH_OUTPUT_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "backend/memory/batch.h"

namespace procscope::cli {

enum class BatchFormat { kJson, kNdjson, kTable };

// "json", "ndjson", "table"; nullopt for anything else.
std::optional<BatchFormat> ParseBatchFormat(std::string_view name);
inline constexpr std::string_view kBatchFormatNames = "json, ndjson, table";

// The batch's facts, known completely only after its last chunk.
struct BatchSummary {
  pid_t pid = 0;
  std::string strategy;
  std::string transport;        // TransportName
  std::string fallback_reason;  // ErrnoName of the refusal, "" when there was none
  std::string fallback_text;    // RefusedText for the table, "" when there was none
  uint64_t syscalls = 0;
  // ClassificationName of the costliest means a chunk of the batch needed ("none" < "calls" <
  // "procmap_query" < "maps_text"): for a batch of one chunk, how it learned where its holes were.
  std::string classified_by = "none";
  // --force only ("" otherwise): how access was forced: "proc_mem" (the kernel forces for any reader),
  // "ptrace_seize" (it forces only for a tracer, and the target was seized for the batch), "unforced"
  // (the kernel does not force, or seizing was refused) or "unknown".
  std::string forced_via;
};

class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  // The next elements in batch order and their results; `last` when no chunk follows (the summary is then
  // final; before, it is what is known so far).
  virtual void Chunk(std::span<const Element> elements, std::span<const ElementResult> results, bool last,
                     const BatchSummary& summary) = 0;
  // After the last chunk: the rest of the document, then a flush.
  virtual void Finish(const BatchSummary& summary) = 0;
};

// with_data: each element's bytes (its readable prefix) as hex: reads without --out.
std::unique_ptr<BatchWriter> MakeBatchWriter(BatchFormat format, bool with_data, std::ostream& out);

}  // namespace procscope::cli

#endif  // PROCSCOPE_TOOLS_CLI_BATCH_OUTPUT_H_
