// Fuzz target for ParseMaps and ParseMapsRanges. Invariants of an accepted text: one entry per line; every
// entry has start <= end; printing an entry back and parsing it again gives the same entry; `deleted`
// matches the raw path's suffix and `path` never contains the escape "\012"; ParseMapsRanges accepts it too
// and gives the same start, end, read and write per line; ParseMapsSpans gives those ranges filtered by
// permission and joined, and fails exactly where ParseMapsRanges does.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "backend/procfs/maps.h"
#include "fuzz/fuzz_check.h"

namespace {

// ParseMapsSpans(text, permission) against its definition over ParseMapsRanges(text).
void CheckSpans(std::string_view text, procscope::MapsPermission permission) {
  procscope::StatusOr<std::vector<procscope::MapsRange>> ranges = procscope::ParseMapsRanges(text);
  procscope::StatusOr<std::vector<procscope::MapsSpan>> spans = procscope::ParseMapsSpans(text, permission);
  FUZZ_CHECK(spans.ok() == ranges.ok());
  if (!ranges.ok()) {
    FUZZ_CHECK(spans.status().message() == ranges.status().message());
    return;
  }
  std::vector<procscope::MapsSpan> expected;
  for (const procscope::MapsRange& r : *ranges) {
    if (!(permission == procscope::MapsPermission::kWrite ? r.write : r.read) || r.start == r.end) continue;
    if (!expected.empty() && expected.back().end == r.start) {
      expected.back().end = r.end;
    } else {
      expected.push_back({r.start, r.end});
    }
  }
  FUZZ_CHECK(*spans == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckSpans(text, procscope::MapsPermission::kRead);
  CheckSpans(text, procscope::MapsPermission::kWrite);
  procscope::StatusOr<std::vector<procscope::MapsEntry>> maps = procscope::ParseMaps(text);
  if (!maps.ok()) {
    FUZZ_CHECK(maps.status().message().rfind("line ", 0) == 0);
    return 0;
  }
  size_t lines = 0;
  for (size_t i = 0; i < text.size(); ++i) lines += text[i] == '\n';
  if (!text.empty() && text.back() != '\n') ++lines;
  FUZZ_CHECK(maps->size() == lines);
  procscope::StatusOr<std::vector<procscope::MapsRange>> ranges = procscope::ParseMapsRanges(text);
  FUZZ_CHECK(ranges.ok());
  FUZZ_CHECK(ranges->size() == maps->size());
  for (size_t i = 0; i < maps->size(); ++i) {
    const procscope::MapsEntry& e = (*maps)[i];
    FUZZ_CHECK(((*ranges)[i] == procscope::MapsRange{e.start, e.end, e.read, e.write}));
  }
  for (const procscope::MapsEntry& e : *maps) {
    FUZZ_CHECK(e.start <= e.end);
    FUZZ_CHECK(e.deleted == std::string_view(e.path_raw).ends_with(" (deleted)"));
    FUZZ_CHECK(e.path().size() <= e.path_raw.size());
    FUZZ_CHECK((e.kind == procscope::MapsKind::kAnonymous) == e.path_raw.empty());
    procscope::StatusOr<procscope::MapsEntry> again = procscope::ParseMapsLine(e.ToString());
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(*again == e);
  }
  return 0;
}
