#include "tools/conform/cases.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <random>
#include <set>

#include "backend/memory/memory_backend.h"

namespace procscope::conform {
namespace {

// The element kinds of the canonical arrangements, on kCanonicalLayout (regions: 0 rw x2 pages, 1 hole,
// 2 none, 3 ro, 4 rw). Occurrence `n` of a kind in a batch gets its own bytes, so results attributed to the
// wrong element show.
constexpr const char* kKinds[] = {"valid", "hole", "none", "ro", "straddle", "zero"};
constexpr int kKindCount = 6;
// The layouts' page size (fixtures/layout.h builds them from whole pages; x86-64 and arm64 Debian use 4 KiB).
constexpr int64_t kPage = 4096;

CaseElement KindElement(int kind, int n) {
  const int64_t at = 64 + 16 * n;
  switch (kind) {
    case 0:
      return {0, at, 8};
    case 1:
      return {1, at, 8};
    case 2:
      return {2, at, 8};
    case 3:
      return {3, at, 8};
    case 4:
      return {1, -4 - n, 8 + static_cast<uint64_t>(n)};  // 4 + n bytes of rw, then the hole
    default:
      return {1, at, 0};
  }
}

Case Sequence(const std::vector<int>& kinds, Direction direction) {
  Case c{"", kCanonicalLayout, direction, false, {}};
  c.name = direction == Direction::kRead ? "order read: " : "order write: ";
  int seen[kKindCount] = {};
  for (size_t i = 0; i < kinds.size(); ++i) {
    c.name += (i ? "," : "") + std::string(kKinds[kinds[i]]);
    c.elements.push_back(KindElement(kinds[i], seen[kinds[i]]++));
  }
  return c;
}

// The whole of `text` as an unsigned number in `base`.
std::optional<uint64_t> Number(std::string_view text, int base) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string FormatElement(const CaseElement& e) {
  if (e.region < 0) {
    char hex[24];
    auto [end, ec] = std::to_chars(hex, hex + sizeof hex, static_cast<uint64_t>(e.offset), 16);
    return "0x" + std::string(hex, end) + ":" + std::to_string(e.length);
  }
  return "r" + std::to_string(e.region) + (e.offset < 0 ? "-" : "+") +
         std::to_string(e.offset < 0 ? -e.offset : e.offset) + ":" + std::to_string(e.length);
}

std::string FormatElements(const std::vector<CaseElement>& elements) {
  std::string out;
  for (const CaseElement& e : elements) out += (out.empty() ? "" : ",") + FormatElement(e);
  return out;
}

StatusOr<std::vector<CaseElement>> ParseElements(std::string_view text) {
  std::vector<CaseElement> out;
  if (text.empty()) return out;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    auto bad = [&] {
      return Status(
          EINVAL, "bad element '" + std::string(item) + "' (want rREGION+OFFSET:LENGTH or 0xADDRESS:LENGTH)");
    };
    const size_t colon = item.rfind(':');
    if (colon == std::string_view::npos) return bad();
    const std::optional<uint64_t> length = Number(item.substr(colon + 1), 10);
    if (!length) return bad();
    std::string_view where = item.substr(0, colon);
    CaseElement e;
    e.length = *length;
    if (where.starts_with("0x")) {
      const std::optional<uint64_t> address = Number(where.substr(2), 16);
      if (!address) return bad();
      e.offset = static_cast<int64_t>(*address);
    } else if (where.starts_with("r")) {
      const size_t sign = where.find_first_of("+-");
      if (sign == std::string_view::npos) return bad();
      const std::optional<uint64_t> region = Number(where.substr(1, sign - 1), 10);
      const std::optional<uint64_t> offset = Number(where.substr(sign + 1), 10);
      if (!region || !offset || *region > 1000 || *offset > (1ULL << 40)) return bad();
      e.region = static_cast<int>(*region);
      e.offset = where[sign] == '-' ? -static_cast<int64_t>(*offset) : static_cast<int64_t>(*offset);
    } else {
      return bad();
    }
    out.push_back(e);
    if (comma == std::string_view::npos) return out;
  }
}

StatusOr<std::vector<Span>> Resolve(const std::vector<CaseElement>& elements,
                                    const std::vector<fixtures::Region>& regions) {
  std::vector<Span> spans;
  for (const CaseElement& e : elements) {
    if (e.region < 0) {
      spans.push_back({static_cast<uint64_t>(e.offset), e.length});
      continue;
    }
    if (static_cast<size_t>(e.region) >= regions.size()) {
      return Status(EINVAL,
                    FormatElement(e) + ": the layout has " + std::to_string(regions.size()) + " regions");
    }
    spans.push_back({regions[e.region].start + static_cast<uint64_t>(e.offset), e.length});
  }
  return spans;
}

std::vector<Case> CanonicalCases(bool with_writes) {
  std::vector<Case> cases;
  std::vector<Direction> directions = {Direction::kRead};
  if (with_writes) directions.push_back(Direction::kWrite);
  for (Direction direction : directions) {
    // Every ordering of 3, 4 and 5 distinct kinds.
    for (int n = 3; n <= 5; ++n) {
      std::vector<int> kinds(kKindCount);
      for (int k = 0; k < kKindCount; ++k) kinds[k] = k;
      std::set<std::vector<int>> seen;
      do {
        std::vector<int> prefix(kinds.begin(), kinds.begin() + n);
        if (seen.insert(prefix).second) cases.push_back(Sequence(prefix, direction));
      } while (std::next_permutation(kinds.begin(), kinds.end()));
    }
    const char* verb = direction == Direction::kRead ? "read" : "write";
    // More elements than one process_vm_* call takes: a valid, a hole and a straddling element, repeated.
    Case many{std::string("more than IOV_MAX ") + verb + ": " + std::to_string(kIovMax + 476) + " elements",
              kCanonicalLayout,
              direction,
              false,
              {}};
    for (size_t i = 0; i < kIovMax + 476; ++i) {
      const int64_t at = static_cast<int64_t>(8 * (i / 3));
      many.elements.push_back(i % 3 == 0   ? CaseElement{0, at, 8}
                              : i % 3 == 1 ? CaseElement{1, at, 8}
                                           : CaseElement{4, at, 4});
    }
    cases.push_back(many);
    // Longer than MAX_RW_COUNT: a call covers at most that much, with no error, whatever follows.
    cases.push_back({std::string("over MAX_RW_COUNT ") + verb,
                     kCanonicalLayout,
                     direction,
                     false,
                     {{0, 0, kMaxRwCount + 4096}, {4, 0, 8}}});
    // More than MAX_RW_COUNT readable in one element (a zero region: never written, no memory): the kernel
    // stops each call at MAX_RW_COUNT with no error, which is not a fault.
    if (direction == Direction::kRead) {
      cases.push_back({"over MAX_RW_COUNT read, all of it readable",
                       kBigZeroLayout,
                       direction,
                       false,
                       {{1, 0, kBigZeroPages * 4096}}});
    }
    // Ranges that wrap past 2^64, between valid elements; and one that ends exactly at 2^64 (no wrap).
    cases.push_back({std::string("wrapping ") + verb,
                     kCanonicalLayout,
                     direction,
                     false,
                     {{0, 64, 8},
                      {-1, static_cast<int64_t>(0xfffffffffffff000ULL), 0x2000},
                      {4, 64, 8},
                      {-1, -1, 2},
                      {-1, static_cast<int64_t>(0xfffffffffffffff8ULL), 8}}});
    // A target that has exited (a zombie): every element that needs the process fails with ESRCH.
    cases.push_back({std::string("dead target ") + verb,
                     kCanonicalLayout,
                     direction,
                     true,
                     {{0, 64, 8}, {1, 64, 0}, {4, 64, 8}}});
  }
  return cases;
}

std::vector<CaseClass> CaseClasses() {
  const Direction r = Direction::kRead, w = Direction::kWrite;
  auto one = [](const char* name, const char* what, Direction direction, std::vector<CaseElement> elements,
                const char* layout = kCanonicalLayout, bool dead = false) {
    return CaseClass{name, what, Case{name, layout, direction, dead, std::move(elements)}};
  };
  // Regions of kCanonicalLayout: 0 rw (2 pages), 1 hole, 2 PROT_NONE, 3 read-only, 4 rw.
  return {
      one("read, all mapped", "8 bytes, ok", r, {{0, 64, 8}}),
      one("attribution after a hole", "valid, hole, valid: ok, EFAULT, ok", r,
          {{0, 64, 8}, {1, 64, 8}, {4, 64, 8}}),
      one("prefix lost (read)", "4 rw bytes then a hole: 4 bytes, EFAULT", r, {{1, -4, 8}}),
      one("forced PROT_NONE (read)", "0 bytes, EFAULT", r, {{2, 64, 8}}),
      one("zero-length", "0 bytes, ok, in a hole", r, {{1, 64, 0}}),
      one("wrap", "an element past 2^64: 0 bytes, EOVERFLOW", r,
          {{-1, static_cast<int64_t>(0xfffffffffffff000ULL), 0x2000}}),
      one("> MAX_RW_COUNT", "2 GiB + 8 KiB readable: all of it, ok", r, {{1, 0, kBigZeroPages * 4096}},
          kBigZeroLayout),
      one("dead target", "a zombie: 0 bytes, ESRCH", r, {{0, 64, 8}}, kCanonicalLayout, true),
      one("write, all mapped", "8 bytes, ok", w, {{0, 64, 8}}),
      one("prefix lost (write)", "4 rw bytes then a hole: 4 bytes, EFAULT", w, {{1, -4, 8}}),
      one("writes to read-only", "0 bytes, EFAULT, the page unchanged", w, {{3, 64, 8}}),
      one("forced PROT_NONE (write)", "0 bytes, EFAULT, the page unchanged", w, {{2, 64, 8}}),
      // Regions of kGuardLayout: 0 rw, 1 guard, 2 rw; the maps show one rw mapping over all three.
      one("guard page (read)", "valid, in a guard page inside the mapping, valid: ok, EFAULT, ok", r,
          {{0, 64, 8}, {1, 64, 8}, {2, 64, 8}}, kGuardLayout),
      one("guard page (write)", "4 bytes then a guard page: 4 bytes, EFAULT, the guard untouched", w,
          {{1, -4, 8}}, kGuardLayout),
  };
}

Case RandomCase(uint64_t seed, bool with_writes, bool with_guards) {
  std::mt19937_64 random(seed);
  std::mt19937_64 guards(seed ^ 0x9e3779b97f4a7c15ULL);  // its own stream: the rest does not change
  auto pick = [&](uint64_t n) { return static_cast<uint64_t>(random() % n); };
  constexpr const char* kRunKinds[] = {"rw", "ro", "none", "hole"};
  const int runs = 3 + static_cast<int>(pick(7));
  Case c;
  c.direction = with_writes && pick(2) ? Direction::kWrite : Direction::kRead;
  std::vector<int64_t> first_byte;  // of each run, from the layout's start
  int64_t size = 0;
  for (int i = 0; i < runs; ++i) {
    // A layout starts and ends with a mapped run.
    const bool inner = i != 0 && i != runs - 1;
    const char* kind = inner ? kRunKinds[pick(4)] : kRunKinds[pick(3)];
    if (with_guards && inner && guards() % 4 == 0) kind = "guard";
    const int pages = 1 + static_cast<int>(pick(3));
    c.layout += (i ? "," : "") + std::string(kind) + ":" + std::to_string(pages);
    first_byte.push_back(size);
    size += pages * kPage;
  }
  // Elements stay inside the layout: what lies around it in the target is not the layout's to describe.
  const int count = 1 + static_cast<int>(pick(40));
  for (int i = 0; i < count; ++i) {
    const int region = static_cast<int>(pick(runs));
    int64_t offset = static_cast<int64_t>(pick(3 * kPage)) - kPage / 2;
    offset = std::clamp<int64_t>(offset, -first_byte[region], size - first_byte[region] - 1);
    const uint64_t room = static_cast<uint64_t>(size - first_byte[region] - offset);
    const uint64_t length = pick(8) == 0 ? 0 : std::min(room, 1 + pick(pick(4) == 0 ? 3 * kPage : 64));
    c.elements.push_back({region, offset, length});
  }
  c.name = std::string("random ") + (c.direction == Direction::kRead ? "read" : "write") + " (seed " +
           std::to_string(seed) + ")";
  return c;
}

}  // namespace procscope::conform
