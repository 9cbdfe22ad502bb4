#include "backend/memory/vm_batch.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backend/memory/accessible_ranges.h"

namespace procscope::memory_internal {
namespace {

// What the planner knows about one pending element.
// Copied out of the element so the hot loops touch one array (results are written once, when it finishes).
struct Item {
  size_t index;  // into elements/results
  uint64_t address;
  uint64_t length;
  uint8_t* buffer;
  uint64_t limit;  // bytes that may be attempted (the length, or the accessible prefix)
  uint64_t transferred = 0;
  int64_t range = -1;  // accessible range it lies in after classification (-1: not classified)
  bool done = false;
};

iovec Iov(uint64_t address, uint64_t length) {
  return {reinterpret_cast<void*>(static_cast<uintptr_t>(address)), length};
}

// True when the planner would never merge two of these elements: ascending, each further than kMergeGap
// past the previous one's end (accessible prefixes only shorten elements, so this holds for every call).
bool MergeFree(std::span<const Element> elements, std::span<const size_t> pending) {
  for (size_t k = 1; k < pending.size(); ++k) {
    const Element& previous = elements[pending[k - 1]];
    const uint64_t address = elements[pending[k]].address;
    if (address <= previous.address) return false;
    const uint64_t gap = address - previous.address;  // no sum that could wrap
    if (gap <= previous.length || gap - previous.length <= kMergeGap) return false;
  }
  return true;
}

// The calls made straight from the elements while nothing needs the planner (no merging): each call takes
// the next pending elements in order, one range each, as many as fit one call (max_ranges ranges,
// kMaxRwCount bytes) — the planner's ranges exactly. A call that moves everything finishes its elements
// (results written here) and the next one follows. The first call that does not, or an element that needs
// cutting, hands over to the planner.
struct DirectOutcome {
  size_t done = 0;    // pending[0, done) moved in full
  size_t called = 0;  // pending[done, done + called) were the ranges of a call that stopped short or failed
  ssize_t moved = 0;  // what that call returned (bytes, or a negated errno); `local`/`remote` hold its iovecs
};

DirectOutcome DirectCalls(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                          std::span<const size_t> pending, std::span<ElementResult> results,
                          size_t max_ranges, std::vector<iovec>& local, std::vector<iovec>& remote) {
  DirectOutcome out;
  while (out.done < pending.size()) {
    const size_t count = std::min(max_ranges, pending.size() - out.done);
    const std::span<const size_t> chunk = pending.subspan(out.done, count);
    uint64_t asked = 0;
    for (size_t k = 0; k < count; ++k) {
      const Element& e = elements[chunk[k]];
      // The planner cuts calls that would ask for more than the kernel moves (no sum here can wrap).
      if (e.length > kMaxRwCount - asked) return out;
      asked += e.length;
      local[k] = {e.buffer, e.length};
      remote[k] = Iov(e.address, e.length);
    }
    const std::span<const iovec> l(local.data(), count), r(remote.data(), count);
    const ssize_t n = direction == Direction::kRead ? memory.VmReadv(l, r) : memory.VmWritev(l, r);
    if (n < 0 || static_cast<uint64_t>(n) != asked) {
      out.called = count;
      out.moved = n;
      return out;
    }
    for (size_t index : chunk) results[index] = {elements[index].length, 0};
    out.done += count;
  }
  return out;
}

std::string CallName(Direction direction) {
  return direction == Direction::kRead ? "process_vm_readv" : "process_vm_writev";
}

// The general planner, for what the direct calls left: `pending` from the first element not finished, and
// the direct call that stopped short (if any) to attribute first. kMerge: ranges may cover several
// elements (coalescing reads that are not merge-free); without it every range is one element, which the
// compiler then plans and attributes without the merging paths.
template <bool kMerge>
Status Plan(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
            std::span<const size_t> pending, std::span<ElementResult> results, const VmOptions& options,
            size_t max_ranges, const DirectOutcome& direct, std::vector<iovec>& local,
            std::vector<iovec>& remote) {
  std::vector<Item> items;
  items.reserve(pending.size());
  for (size_t index : pending) {
    const Element& e = elements[index];
    items.push_back({index, e.address, e.length, static_cast<uint8_t*>(e.buffer), e.length});
  }
  // Processing order: by address when merging (neighbours must be adjacent), else as given (later writes to
  // the same bytes must win).
  if constexpr (kMerge) {
    auto by_address = [](const Item& a, const Item& b) { return a.address < b.address; };
    // Callers mostly pass ascending addresses already; checking costs a fraction of sorting.
    if (!std::is_sorted(items.begin(), items.end(), by_address)) {
      std::stable_sort(items.begin(), items.end(), by_address);
    }
  }
  auto finish = [&](Item& item, int error) {
    item.done = true;
    results[item.index] = {item.transferred, error};
  };
  // live[head..] are the positions in `items` of the unfinished items, in order. A call only touches a
  // prefix of them, so only that prefix is compacted afterwards (a full rescan per call made per_element
  // quadratic in the batch size).
  std::vector<size_t> live(items.size());
  for (size_t k = 0; k < live.size(); ++k) live[k] = k;
  size_t head = 0;
  bool classified = false;

  // The members of a call's range u are items[live[head + first(u) .. + count(u))]; without merging, that
  // is range u's one item, items[live[head + u]].
  struct Unit {
    size_t first, count;
  };
  std::vector<Unit> units;
  if constexpr (kMerge) units.reserve(local.size());
  // Merged spans land here; allocated (uninitialised) the first time a call merges, at its largest size, so
  // the slices handed to a call never move.
  std::unique_ptr<uint8_t[]> scratch;
  // The direct call that stopped short is attributed like any call: one range per item, in the items'
  // order, with its iovecs still in local/remote.
  bool replay = direct.called != 0;
  while (true) {
    while (head < live.size() && items[live[head]].done) ++head;
    if (head == live.size()) return OkStatus();

    size_t ranges = 0;   // this call's ranges: local/remote[0, ranges)
    size_t planned = 0;  // live[head, head + planned) are the members of this call's ranges
    ssize_t n;
    if (replay) {
      replay = false;
      ranges = planned = direct.called;
      if constexpr (kMerge) {
        units.clear();
        for (size_t u = 0; u < ranges; ++u) units.push_back({u, 1});
      }
      n = direct.moved;
    } else {
      // Plan one call.
      if constexpr (kMerge) units.clear();
      uint64_t call_bytes = 0, scratch_bytes = 0;
      for (size_t pos = head; pos < live.size() && ranges < max_ranges && call_bytes < kMaxRwCount;) {
        Item& item = items[live[pos]];
        const uint64_t start = item.address + item.transferred;
        uint64_t end = item.address + item.limit;
        size_t count = 1;
        if constexpr (kMerge) {
          if (item.transferred == 0) {
            while (pos + count < live.size()) {
              const Item& next = items[live[pos + count]];
              const uint64_t next_end = next.address + next.limit;
              if (next.transferred != 0 || next.address > end + kMergeGap || next.range != item.range ||
                  std::max(end, next_end) - start > kMaxSpan ||
                  scratch_bytes + (std::max(end, next_end) - start) > kMaxScratch) {
                break;
              }
              end = std::max(end, next_end);
              ++count;
            }
          }
        }
        const uint64_t length = std::min(end - start, kMaxRwCount - call_bytes);
        uint8_t* at = item.buffer + item.transferred;
        if constexpr (kMerge) {
          if (count > 1) {
            if (!scratch) scratch.reset(new uint8_t[kMaxScratch]);
            at = scratch.get() + scratch_bytes;
            scratch_bytes += length;
          }
          units.push_back({pos - head, count});
        }
        local[ranges] = {at, length};
        remote[ranges] = Iov(start, length);
        ++ranges;
        call_bytes += length;
        pos += count;
        planned = pos - head;
      }
      const std::span<const iovec> l(local.data(), ranges), r(remote.data(), ranges);
      n = direction == Direction::kRead ? memory.VmReadv(l, r) : memory.VmWritev(l, r);
    }
    if (n < 0 && n != -EFAULT) {
      for (Item& item : items)
        if (!item.done) finish(item, static_cast<int>(-n));
      return Status(static_cast<int>(-n), CallName(direction) + " failed for the whole batch");
    }

    // Attribute the moved bytes, range by range, in call order.
    uint64_t left = n < 0 ? 0 : static_cast<uint64_t>(n);
    bool faulted = false;
    for (size_t u = 0; u < ranges; ++u) {
      const uint64_t range_address = reinterpret_cast<uintptr_t>(remote[u].iov_base);
      const uint64_t range_length = remote[u].iov_len;
      const uint64_t moved = std::min(left, range_length);
      left -= moved;
      const uint64_t first_unmoved = range_address + moved;
      const bool fault = moved < range_length;
      const size_t first = kMerge ? units[u].first : u, count = kMerge ? units[u].count : 1;
      for (size_t m = 0; m < count; ++m) {
        Item& item = items[live[head + first + m]];
        if (count > 1) {
          // Members start unread; copy the part of [range_address, first_unmoved) that is theirs.
          const uint64_t stop = std::min(first_unmoved, item.address + item.limit);
          if (stop > item.address) {
            std::memcpy(item.buffer,
                        static_cast<uint8_t*>(local[u].iov_base) + (item.address - range_address),
                        stop - item.address);
            item.transferred = stop - item.address;
          }
        } else {
          item.transferred += moved;
        }
        if (item.transferred == item.limit) {
          finish(item, item.limit == item.length ? 0 : EFAULT);
        } else if (fault && item.address + item.transferred == first_unmoved) {
          finish(item, EFAULT);  // its next byte is where the kernel stopped
        }
        // Otherwise it starts after the fault, or its tail did not fit this call: it is planned again.
      }
      if (fault) {
        faulted = true;
        break;  // the kernel did not look at the ranges after this one
      }
    }

    // Keep the unfinished members of this call, in order, right before the untouched rest.
    size_t write_at = head + planned;
    for (size_t k = head + planned; k-- > head;) {
      if (!items[live[k]].done) live[--write_at] = live[k];
    }
    head = write_at;

    if (faulted && options.classify_on_fault && !classified) {
      classified = true;
      StatusOr<std::vector<AccessibleRange>> accessible = ReadAccessibleRanges(memory, direction);
      if (!accessible.ok()) {
        // The maps could not be read (the process may be exiting): carry on without classification; the
        // calls themselves will report what happened.
        continue;
      }
      // Limit every unfinished item to its accessible prefix, finishing those with none, and compact the
      // list in the same pass (classification finishes items anywhere in it).
      size_t hint = 0, kept = head;
      for (size_t k = head; k < live.size(); ++k) {
        Item& item = items[live[k]];
        if (item.done) continue;
        const AccessiblePrefix prefix = FindAccessiblePrefix(*accessible, item.address + item.transferred,
                                                             item.limit - item.transferred, &hint);
        item.limit = item.transferred + prefix.length;
        item.range = prefix.range;
        if (prefix.length == 0) {
          finish(item, EFAULT);
        } else {
          live[kept++] = live[k];
        }
      }
      live.resize(kept);
    }
  }
}

}  // namespace

Status RunVmCalls(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                  std::span<const size_t> pending, std::span<ElementResult> results,
                  const VmOptions& options) {
  const size_t max_ranges = std::clamp<size_t>(options.max_ranges_per_call, 1, kIovMax);
  const bool merge = options.coalesce && direction == Direction::kRead && !MergeFree(elements, pending);
  // Sized once for the largest call: growing them call by call copied every range several times (measured
  // with callgrind: about a fifth of the planner's instructions at 1024 elements).
  std::vector<iovec> local(std::min(pending.size(), max_ranges)), remote(local.size());
  if (merge)
    return Plan<true>(memory, direction, elements, pending, results, options, max_ranges, {}, local, remote);
  const DirectOutcome direct =
      DirectCalls(memory, direction, elements, pending, results, max_ranges, local, remote);
  if (direct.done == pending.size()) return OkStatus();  // everything moved (the common case)
  return Plan<false>(memory, direction, elements, pending.subspan(direct.done), results, options, max_ranges,
                     direct, local, remote);
}

}  // namespace procscope::memory_internal
