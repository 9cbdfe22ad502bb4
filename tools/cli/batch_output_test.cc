#include "tools/cli/batch_output.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "backend/hex.h"
#include "backend/memory/owned_batch.h"
#include "tools/cli/args.h"
#include "tools/cli/procfs_output.h"

namespace procscope::cli {
namespace {

// The CLI's own JSON type (insertion order), which printed these documents when they were built whole.
using cli::Json;

// A made-up batch: addresses of every size, lengths from 0 to 40, results complete, partial, failed.
struct Batch : OwnedBatch {
  BatchSummary summary;
};

Batch MakeBatch(size_t n, uint64_t seed, bool fallback) {
  std::mt19937_64 random(seed);
  Batch b;
  const int errors[] = {EFAULT, ESRCH, EOVERFLOW, EPERM};
  for (size_t i = 0; i < n; ++i) {
    const uint64_t length = random() % 41;
    std::vector<uint8_t> bytes(length);
    for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(random());
    const uint64_t address = random() >> (random() % 64);
    b.Add(address, length);
    b.buffers.back() = bytes;  // same size: the element's buffer stays where it is
    const int kind = static_cast<int>(random() % 4);
    if (kind == 0 && length > 0) {
      b.results.back() = {random() % length, errors[random() % 4]};
    } else {
      b.results.back() = {length, 0};
    }
  }
  b.summary = {.pid = 4242,
               .strategy = "adaptive_coalesce",
               .transport = fallback ? "procmem" : "process_vm",
               .fallback_reason = fallback ? "EPERM" : "",
               .fallback_text = fallback ? "process_vm_readv was refused with EPERM" : "",
               .syscalls = 7,
               .classified_by = fallback ? "maps_text" : "calls",
               .forced_via = fallback ? "" : "ptrace_seize"};
  return b;
}

// What `read`/`write` printed when they built the document whole (the code this writer replaced).
Json ElementJson(const Batch& b, size_t i, bool with_data) {
  Json e = {{"address", b.elements[i].address},
            {"length", b.elements[i].length},
            {"ok_bytes", b.results[i].transferred},
            {"error", b.results[i].ok() ? Json(nullptr) : Json(ErrnoName(b.results[i].error))}};
  if (with_data) e["data"] = ToHex(b.buffers[i].data(), b.results[i].transferred);
  return e;
}

std::string OldJson(const Batch& b, bool with_data) {
  const BatchSummary& s = b.summary;
  Json out = {{"pid", s.pid},
              {"strategy", s.strategy},
              {"transport", s.transport},
              {"fallback_reason", s.fallback_reason.empty() ? Json(nullptr) : Json(s.fallback_reason)},
              {"syscalls", s.syscalls},
              {"classified_by", s.classified_by},
              {"forced_via", s.forced_via.empty() ? Json(nullptr) : Json(s.forced_via)}};
  Json list = Json::array();
  for (size_t i = 0; i < b.elements.size(); ++i) list.push_back(ElementJson(b, i, with_data));
  out["elements"] = std::move(list);
  std::ostringstream text;
  PrintJson(out, text);
  return text.str();
}

std::string OldTable(const Batch& b, bool with_data) {
  const BatchSummary& s = b.summary;
  std::ostringstream text;
  text << "PID " << s.pid << ", strategy " << s.strategy << ", " << s.syscalls << " syscalls\n";
  text << "transport: " << s.transport;
  if (!s.fallback_text.empty()) text << " (" << s.fallback_text << ")";
  text << '\n';
  std::vector<std::vector<std::string>> rows = {{"ADDRESS", "LENGTH", "OK_BYTES", "ERROR"}};
  if (with_data) rows[0].push_back("DATA");
  for (size_t i = 0; i < b.elements.size(); ++i) {
    rows.push_back({Hex(b.elements[i].address), std::to_string(b.elements[i].length),
                    std::to_string(b.results[i].transferred),
                    b.results[i].ok() ? "-" : ErrnoName(b.results[i].error)});
    if (with_data) rows.back().push_back(ToHex(b.buffers[i].data(), b.results[i].transferred));
  }
  PrintColumns(rows, text);
  return text.str();
}

// The writer's output for `b`, given in chunks of `chunk` elements.
std::string Written(BatchFormat format, const Batch& b, bool with_data, size_t chunk) {
  std::ostringstream text;
  std::unique_ptr<BatchWriter> writer = MakeBatchWriter(format, with_data, text);
  const std::span<const Element> elements(b.elements);
  const std::span<const ElementResult> results(b.results);
  for (size_t first = 0; first < b.elements.size(); first += chunk) {
    const size_t count = std::min(chunk, b.elements.size() - first);
    writer->Chunk(elements.subspan(first, count), results.subspan(first, count),
                  first + count == b.elements.size(), b.summary);
  }
  writer->Finish(b.summary);
  return text.str();
}

TEST(BatchOutputTest, JsonOfOneChunkIsTodaysDocumentByteForByte) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    for (bool with_data : {true, false}) {
      const Batch b = MakeBatch(1 + seed * 13, seed, seed % 3 == 0);
      EXPECT_EQ(Written(BatchFormat::kJson, b, with_data, b.elements.size()), OldJson(b, with_data))
          << "seed " << seed << " data " << with_data;
    }
  }
}

// In more chunks the facts known only at the end follow the elements: the same document to a parser.
TEST(BatchOutputTest, JsonOfManyChunksIsTheSameValueWithTheLateFactsLast) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const Batch b = MakeBatch(20 + seed * 13, seed, seed % 2 == 0);
    const std::string expected = OldJson(b, true);
    for (size_t chunk : {size_t{1}, size_t{7}}) {
      const std::string written = Written(BatchFormat::kJson, b, true, chunk);
      EXPECT_EQ(nlohmann::json::parse(written), nlohmann::json::parse(expected)) << "seed " << seed;
      const Json parsed = Json::parse(written);
      std::vector<std::string> keys;
      for (auto it = parsed.begin(); it != parsed.end(); ++it) keys.push_back(it.key());
      EXPECT_EQ(keys, (std::vector<std::string>{"pid", "strategy", "elements", "transport", "fallback_reason",
                                                "syscalls", "classified_by", "forced_via"}));
      EXPECT_EQ(parsed.dump(2), written.substr(0, written.size() - 1));  // the same layout as dump(2)
    }
  }
}

TEST(BatchOutputTest, NdjsonIsOneCompactElementObjectPerLine) {
  const Batch b = MakeBatch(300, 5, false);
  for (bool with_data : {true, false}) {
    std::string expected;
    for (size_t i = 0; i < b.elements.size(); ++i) expected += ElementJson(b, i, with_data).dump() + "\n";
    EXPECT_EQ(Written(BatchFormat::kNdjson, b, with_data, 64), expected);
    EXPECT_EQ(Written(BatchFormat::kNdjson, b, with_data, 1000), expected);
  }
}

TEST(BatchOutputTest, TableOfOneChunkIsTodaysTable) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    for (bool with_data : {true, false}) {
      const Batch b = MakeBatch(1 + seed * 11, seed, seed % 2 == 0);
      EXPECT_EQ(Written(BatchFormat::kTable, b, with_data, b.elements.size()), OldTable(b, with_data))
          << "seed " << seed;
    }
  }
}

// More than one chunk: widths from the first chunk, a wider later cell widens only its row, and the two
// summary lines come last; every row still holds the same cells.
TEST(BatchOutputTest, TableOfManyChunksKeepsEveryCellAndEndsWithTheSummary) {
  Batch b = MakeBatch(50, 3, true);
  b.elements[0].address = 0x10;  // the first chunk (2 rows) is narrow...
  b.elements[1].address = 0x20;
  b.elements[40].address = 0xffffffffffffull;  // ...a later address is wider
  const std::string text = Written(BatchFormat::kTable, b, true, 2);
  std::istringstream lines(text);
  std::string line;
  std::vector<std::string> all;
  while (std::getline(lines, line)) all.push_back(line);
  ASSERT_EQ(all.size(), 1 + b.elements.size() + 2);
  EXPECT_EQ(all[0].substr(0, 7), "ADDRESS");
  EXPECT_EQ(all[all.size() - 2], "PID 4242, strategy adaptive_coalesce, 7 syscalls");
  EXPECT_EQ(all.back(), "transport: procmem (process_vm_readv was refused with EPERM)");
  for (size_t i = 0; i < b.elements.size(); ++i) {
    std::istringstream cells(all[1 + i]);
    std::string address, length, ok, error, data;
    cells >> address >> length >> ok >> error >> data;
    EXPECT_EQ(address, Hex(b.elements[i].address));
    EXPECT_EQ(length, std::to_string(b.elements[i].length));
    EXPECT_EQ(ok, std::to_string(b.results[i].transferred));
    EXPECT_EQ(error, b.results[i].ok() ? "-" : ErrnoName(b.results[i].error));
    EXPECT_EQ(data, ToHex(b.buffers[i].data(), b.results[i].transferred));
  }
  EXPECT_NE(all[1 + 40].find("0xffffffffffff  "), std::string::npos);  // two spaces after the wide cell
}

TEST(BatchOutputTest, FormatNames) {
  EXPECT_EQ(ParseBatchFormat("json"), BatchFormat::kJson);
  EXPECT_EQ(ParseBatchFormat("ndjson"), BatchFormat::kNdjson);
  EXPECT_EQ(ParseBatchFormat("table"), BatchFormat::kTable);
  EXPECT_EQ(ParseBatchFormat("JSON"), std::nullopt);
  EXPECT_EQ(ParseBatchFormat(""), std::nullopt);
}

}  // namespace
}  // namespace procscope::cli
