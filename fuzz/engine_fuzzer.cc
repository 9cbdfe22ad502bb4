// Differential fuzz target for the batched memory engine: the input describes a page layout for FakeMemory
// and a batch (reads or writes); every strategy must give exactly what a byte-by-byte reference model says
// (per-element prefix and error, and the bytes read or written), and the fake must be left as the reference
// left it.
//
// Every strategy also runs with each classification forced (MakeStrategyClassifyingBy), and the fake is a
// kernel with or without PROCMAP_QUERY.
// Input: byte 0 = flags (bit 0: write; bit 1: the kernel has no PROCMAP_QUERY), bytes 1..16 = protection of
// 16 pages (value % 4: hole, none, ro, rw), then 10-byte records per element: page (1 byte % 17, 16 = just
// past the layout), offset (2 bytes % 4096), length (2 bytes, % 9000), and 5 bytes of data seed.
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backend/memory/fake_memory.h"
#include "backend/memory/strategy.h"
#include "fuzz/fuzz_check.h"

namespace {

using namespace procscope;

constexpr uint64_t kBase = 0x40000000;
constexpr size_t kPages = 16;
constexpr size_t kRecord = 10;

int ProtOf(uint8_t v) {
  switch (v % 4) {
    case 1:
      return kProtNone;
    case 2:
      return kProtRead;
    case 3:
      return kProtRead | kProtWrite;
    default:
      return -1;  // hole
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 + kPages) return 0;
  const bool write = data[0] & 1;
  const bool has_procmap_query = (data[0] & 2) == 0;  // a kernel before 6.11 otherwise
  std::vector<int> prot(kPages);
  for (size_t p = 0; p < kPages; ++p) prot[p] = ProtOf(data[1 + p]);
  const size_t count = std::min<size_t>((size - 1 - kPages) / kRecord, 64);
  std::vector<Element> elements(count);
  std::vector<std::vector<uint8_t>> payload(count);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* r = data + 1 + kPages + i * kRecord;
    elements[i].address =
        kBase + (r[0] % (kPages + 1)) * kFakePageSize + ((r[1] | r[2] << 8) % kFakePageSize);
    elements[i].length = (r[3] | r[4] << 8) % 9000;
    payload[i].resize(elements[i].length);
    for (size_t b = 0; b < payload[i].size(); ++b) payload[i][b] = static_cast<uint8_t>(r[5 + b % 5] + b);
  }
  // A process without any mapping has no memory at all (a zombie): every strategy says ESRCH then, which is
  // not what this byte-level model is about. Real processes always map something.
  if (std::all_of(prot.begin(), prot.end(), [](int p) { return p < 0; })) return 0;
  // Reference: byte by byte, in element order.
  const int needed = write ? kProtWrite : kProtRead;
  auto accessible = [&](uint64_t address, bool forced) {
    if (address < kBase || address >= kBase + kPages * kFakePageSize) return false;
    const int p = prot[(address - kBase) / kFakePageSize];
    return p >= 0 && (forced || (p & needed) != 0);
  };
  static const std::vector<uint8_t> kPattern = [] {
    std::vector<uint8_t> pattern(kPages * kFakePageSize);
    FillPattern(pattern.data(), kBase, pattern.size());
    return pattern;
  }();
  static const std::vector<uint8_t> kSentinel(9000, 0xee);
  // Every strategy, and the default planner with each classification forced.
  std::vector<std::unique_ptr<Strategy>> strategies;
  for (const std::string& name : StrategyNames()) strategies.push_back(MakeStrategy(name));
  for (const Classification by : {Classification::kMapsText, Classification::kProcmapQuery})
    strategies.push_back(MakeStrategyClassifyingBy(by));
  for (const std::unique_ptr<Strategy>& strategy : strategies) {
    const bool forced = strategy->name() == "procmem_force";
    FakeMemory memory;
    memory.SetProcmapQuery(has_procmap_query);
    for (size_t p = 0; p < kPages; ++p) {
      if (prot[p] >= 0) memory.Map(kBase + p * kFakePageSize, 1, prot[p]);
    }
    std::vector<uint8_t> image = kPattern;  // the reference's memory
    std::vector<std::vector<uint8_t>> buffers(count);
    for (size_t i = 0; i < count; ++i) {
      buffers[i] = write ? payload[i] : std::vector<uint8_t>(elements[i].length, 0xee);
      elements[i].buffer = buffers[i].data();
    }
    std::vector<ElementResult> results(count);
    const Status status =
        TransferBatch(*strategy, memory, write ? Direction::kWrite : Direction::kRead, elements, results);
    FUZZ_CHECK(status.ok());
    for (size_t i = 0; i < count; ++i) {
      const Element& e = elements[i];
      uint64_t expected = 0;  // the accessible prefix, found a page at a time
      while (expected < e.length && accessible(e.address + expected, forced)) {
        expected =
            std::min<uint64_t>(e.length, expected + kFakePageSize - (e.address + expected) % kFakePageSize);
      }
      FUZZ_CHECK(results[i].transferred == expected);
      FUZZ_CHECK(results[i].error == (expected == e.length ? 0 : EFAULT));
      const uint64_t offset = e.address - kBase;  // in the image; only used for accessible bytes
      if (write) {
        if (expected > 0) std::memcpy(image.data() + offset, payload[i].data(), expected);
      } else {
        FUZZ_CHECK(expected == 0 || std::memcmp(buffers[i].data(), image.data() + offset, expected) == 0);
        FUZZ_CHECK(expected == e.length ||
                   std::memcmp(buffers[i].data() + expected, kSentinel.data(), e.length - expected) == 0);
      }
    }
    for (size_t p = 0; p < kPages; ++p) {
      const std::span<const uint8_t> bytes = memory.PageBytes(kBase + p * kFakePageSize);
      FUZZ_CHECK(bytes.empty() == (prot[p] < 0));
      FUZZ_CHECK(bytes.empty() ||
                 std::memcmp(bytes.data(), image.data() + p * kFakePageSize, kFakePageSize) == 0);
    }
  }
  return 0;
}
