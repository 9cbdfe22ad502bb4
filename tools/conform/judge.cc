#include "tools/conform/judge.h"

#include <algorithm>
#include <cerrno>

#include "backend/hex.h"
#include "fixtures/ground_truth.h"
#include "fixtures/pattern.h"

namespace procscope::conform {
namespace {

std::string ElementText(size_t i, const Span& s) {
  return "element " + std::to_string(i) + " (" + Hex(s.address) + ", " + std::to_string(s.length) + " bytes)";
}

std::string ByteText(uint8_t b) { return Hex(b); }

}  // namespace

std::vector<ElementResult> ExpectedResults(const std::vector<fixtures::Region>& regions, bool dead,
                                           Direction direction, std::span<const Span> spans) {
  std::vector<ElementResult> out;
  for (const Span& s : spans) {
    if (dead) {
      out.push_back(s.length == 0 ? ElementResult{0, 0} : ElementResult{0, ESRCH});
    } else {
      out.push_back(fixtures::ExpectedResult(regions, s.address, s.length, direction, /*forced=*/false));
    }
  }
  return out;
}

int ErrorClass(int error) {
  if (error == EIO) return EFAULT;
  if (error == EINVAL) return EOVERFLOW;
  return error;
}

std::string ResultText(const ElementResult& r) {
  return std::to_string(r.transferred) + " bytes, " + (r.error == 0 ? "ok" : ErrnoName(r.error));
}

Verdict Judge(const std::vector<fixtures::Region>& regions, bool dead, Direction direction,
              std::span<const Span> spans, const BatchOutcome& outcome,
              const std::vector<TargetBytes>& after) {
  Verdict v;
  v.expected = ExpectedResults(regions, dead, direction, spans);
  auto fail = [&](std::string problem) {
    v.passed = false;
    v.problem = std::move(problem);
    return v;
  };
  if (outcome.how == BatchOutcome::How::kCrashed) return fail("the plugin crashed: " + outcome.detail);
  if (outcome.how == BatchOutcome::How::kHung) return fail("the plugin hung: " + outcome.detail);
  if (outcome.how == BatchOutcome::How::kNoBuffer) {
    return fail("not run: " + outcome.detail + "; conform's limit, not the plugin's");
  }
  for (size_t i = 0; i < spans.size(); ++i) {
    const ElementResult& want = v.expected[i];
    const ElementResult& got = outcome.results[i];
    if (got.transferred != want.transferred || ErrorClass(got.error) != ErrorClass(want.error)) {
      return fail(ElementText(i, spans[i]) + ": expected " + ResultText(want) + ", got " + ResultText(got));
    }
  }
  const bool whole_call = dead;
  if (outcome.rc != 0 && !(whole_call && outcome.rc == ESRCH)) {
    return fail("returned " + ErrnoName(outcome.rc) +
                (whole_call ? " (0 or ESRCH expected)" : " (0 expected)"));
  }
  if (direction == Direction::kRead) {
    for (size_t i = 0; i < spans.size() && i < outcome.bytes.size(); ++i) {
      const uint64_t read = std::min(outcome.results[i].transferred, v.expected[i].transferred);
      for (const ByteChunk& chunk : outcome.bytes[i]) {
        for (uint64_t k = 0; k < chunk.bytes.size(); ++k) {
          const uint64_t o = chunk.offset + k, address = spans[i].address + o;
          const uint8_t byte = static_cast<uint8_t>(chunk.bytes[k]);
          const uint8_t target = fixtures::ExpectedByte(regions, address);
          if (o < read && byte != target) {
            return fail(ElementText(i, spans[i]) + ": byte " + std::to_string(o) + " read as " +
                        ByteText(byte) + ", the target holds " + ByteText(target));
          }
          if (o >= outcome.results[i].transferred && byte != FillByte(spans[i].length, address)) {
            return fail(ElementText(i, spans[i]) + ": byte " + std::to_string(o) +
                        " of the buffer was written although only " +
                        std::to_string(outcome.results[i].transferred) + " bytes were reported read");
          }
        }
      }
    }
    return v;
  }
  // Writes: every target byte is the pattern, except those inside an element's expected prefix.
  for (const TargetBytes& t : after) {
    for (uint64_t k = 0; k < t.bytes.size(); ++k) {
      const uint64_t address = t.address + k;
      bool written = false;
      for (size_t i = 0; i < spans.size() && !written; ++i) {
        written = address >= spans[i].address && address - spans[i].address < v.expected[i].transferred;
      }
      const uint8_t want = written ? WrittenByte(address) : fixtures::ExpectedByte(regions, address);
      const uint8_t byte = static_cast<uint8_t>(t.bytes[k]);
      if (byte != want) {
        return fail("after the write the target's byte at " + Hex(address) + " is " + ByteText(byte) +
                    ", expected " + ByteText(want) +
                    (written ? " (written by the batch)" : " (not to be written)"));
      }
    }
  }
  return v;
}

}  // namespace procscope::conform
