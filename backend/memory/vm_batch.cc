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

// What the merging engine knows about one pending element.
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

// Whether the planner could merge `next` into the range of `previous`, its predecessor in the batch: `next`
// is not above `previous`, or starts within kMergeGap of its end. When no neighbours can, no call ever
// merges (accessible prefixes only shorten elements) and the batch's order is the planner's.
bool MayMerge(const Element& previous, const Element& next) {
  if (next.address <= previous.address) return true;
  const uint64_t gap = next.address - previous.address;  // no sum that could wrap
  return gap <= previous.length || gap - previous.length <= kMergeGap;
}

std::string CallName(Direction direction) {
  return direction == Direction::kRead ? "process_vm_readv" : "process_vm_writev";
}

// memcpy for a scatter's copies, most of them 1-16 bytes (counters, pointers): fixed-size loads and stores
// the compiler inlines, overlapping for the sizes between (every store lands inside [to, to + n)); longer
// copies go to memcpy. A libc call per 8-byte element was a seventh of a dense batch's time. The builtin,
// not memcpy: _FORTIFY_SOURCE's checked memcpy kept the moved words in memory (a store and a load each).
[[gnu::always_inline]] inline void CopyBytes(uint8_t* to, const uint8_t* from, uint64_t n) {
  if (n > 16) {
    std::memcpy(to, from, n);
  } else if (n >= 8) {
    uint64_t head, tail;
    __builtin_memcpy(&head, from, 8);
    __builtin_memcpy(&tail, from + n - 8, 8);
    __builtin_memcpy(to, &head, 8);
    __builtin_memcpy(to + n - 8, &tail, 8);
  } else if (n >= 4) {
    uint32_t head, tail;
    __builtin_memcpy(&head, from, 4);
    __builtin_memcpy(&tail, from + n - 4, 4);
    __builtin_memcpy(to, &head, 4);
    __builtin_memcpy(to + n - 4, &tail, 4);
  } else {
    for (uint64_t i = 0; i < n; ++i) to[i] = from[i];
  }
}

// A member of a merged range that was read into `scratch` (which holds the range from range_address) up to
// first_unmoved, starting unread: copies the part of its first `limit` bytes that was read into `buffer`
// and returns how many bytes that is.
inline uint64_t CopyMember(uint64_t address, uint64_t limit, uint8_t* buffer, const uint8_t* scratch,
                           uint64_t range_address, uint64_t first_unmoved) {
  const uint64_t stop = std::min(first_unmoved, address + limit);
  if (stop <= address) return 0;
  CopyBytes(buffer, scratch + (address - range_address), stop - address);
  return stop - address;
}

// The engine for batches in which every range of a call is one element: no coalescing, writes, and
// coalescing reads whose elements are all further apart than kMergeGap (MayMerge false for every
// neighbour). Its state is the calls' own iovecs: entries [head, size) of local/remote/index are the
// unfinished elements in processing order, each one's ranges the element's bytes still to move (from its
// next byte to its limit: its end, or the end of its accessible prefix after classification). A call is a
// window of these arrays from head, planned by summing lengths; entries that finish are dropped.
//
// An unfinished element's result is written ahead: what it will be once the rest of its ranges move
// (`transferred` counts those bytes too; `error` is EFAULT when classification limited it, else 0). A call
// that moves everything it asked for (the common case) then finishes its elements without touching them;
// only a short call, classification and a whole-batch error correct results, by the bytes that did not move.
class Singles {
 public:
  // Null when `coalesce` and two neighbours may merge: the batch is RunMerging's, which writes every
  // pending element's result itself.
  static std::unique_ptr<Singles> Build(std::span<const Element> elements, std::span<const size_t> pending,
                                        std::span<ElementResult> results, bool coalesce) {
    auto singles = std::unique_ptr<Singles>(new Singles(pending.size()));
    for (size_t k = 0; k < pending.size(); ++k) {
      const Element& e = elements[pending[k]];
      if (coalesce && k > 0 && MayMerge(elements[pending[k - 1]], e)) return nullptr;
      singles->local_[k] = {e.buffer, e.length};
      singles->remote_[k] = Iov(e.address, e.length);
      singles->index_[k] = pending[k];
      results[pending[k]] = {e.length, 0};
    }
    return singles;
  }

  Status Run(MemoryBackend& memory, Direction direction, std::span<ElementResult> results,
             BatchClassifier& classifier, size_t max_ranges);

 private:
  // Uninitialised: every entry is written by Build before it is read (zeroing them cost as much as planning).
  explicit Singles(size_t n) : local_(new iovec[n]), remote_(new iovec[n]), index_(new size_t[n]), size_(n) {}

  ElementResult& Result(std::span<ElementResult> results, size_t k) const { return results[index_[k]]; }
  // Entry k will not move its last `unmoved` bytes: its result drops them and says why.
  void Stop(std::span<ElementResult> results, size_t k, uint64_t unmoved, int error) const {
    ElementResult& result = Result(results, k);
    result.transferred -= unmoved;
    result.error = error;
  }

  std::unique_ptr<iovec[]> local_, remote_;
  std::unique_ptr<size_t[]> index_;  // the element's place in elements/results
  size_t head_ = 0, size_;
};

Status Singles::Run(MemoryBackend& memory, Direction direction, std::span<ElementResult> results,
                    BatchClassifier& classifier, size_t max_ranges) {
  while (head_ < size_) {
    // One call: the entries from head, at most max_ranges of them and kMaxRwCount bytes; the last one may
    // be cut short (its tail stays for the next call).
    size_t count = std::min(max_ranges, size_ - head_);
    uint64_t asked = 0, uncut = 0;  // uncut: the length the cut entry had (0: none was cut)
    for (size_t k = head_; k < head_ + count; ++k) {
      asked += std::min(remote_[k].iov_len, kMaxRwCount + 1);  // cannot wrap: kIovMax terms of 2^31
    }
    if (asked > kMaxRwCount) {
      // Rare (gigabytes in one batch): count again, stopping at the entry that crosses the limit.
      asked = 0;
      for (count = 0; asked < kMaxRwCount; ++count) {
        const size_t k = head_ + count;
        if (remote_[k].iov_len > kMaxRwCount - asked) {
          uncut = remote_[k].iov_len;
          local_[k].iov_len = remote_[k].iov_len = kMaxRwCount - asked;
        }
        asked += remote_[k].iov_len;
      }
    }
    const std::span<const iovec> l(local_.get() + head_, count), r(remote_.get() + head_, count);
    const ssize_t n = direction == Direction::kRead ? memory.VmReadv(l, r) : memory.VmWritev(l, r);
    if (n < 0 && n != -EFAULT) {
      if (uncut != 0) remote_[head_ + count - 1].iov_len = uncut;
      for (size_t k = head_; k < size_; ++k) Stop(results, k, remote_[k].iov_len, static_cast<int>(-n));
      return Status(static_cast<int>(-n), CallName(direction) + " failed for the whole batch");
    }
    if (static_cast<uint64_t>(n) == asked && uncut == 0) {
      head_ += count;  // everything moved: the call's elements are finished, their results already true
      continue;
    }

    // Attribute the moved bytes in call order. A finished entry gets length 0.
    uint64_t left = n < 0 ? 0 : static_cast<uint64_t>(n);
    size_t touched = count;  // entries [head, head + touched) were looked at by the kernel
    bool faulted = false;
    for (size_t k = head_; k < head_ + count; ++k) {
      const uint64_t length = remote_[k].iov_len;
      const uint64_t moved = std::min(left, length);
      left -= moved;
      const uint64_t remaining = (uncut != 0 && k == head_ + count - 1 ? uncut : length) - moved;
      if (remaining == 0) {
        remote_[k].iov_len = 0;
      } else if (moved < length) {
        Stop(results, k, remaining, EFAULT);  // its next byte is where the kernel stopped
        remote_[k].iov_len = 0;
        touched = k - head_ + 1;
        faulted = true;
        break;  // the kernel did not look at the entries after this one
      } else {
        // Its tail did not fit this call: it stays, from its next byte.
        local_[k] = {static_cast<uint8_t*>(local_[k].iov_base) + moved, remaining};
        remote_[k] = Iov(reinterpret_cast<uintptr_t>(remote_[k].iov_base) + moved, remaining);
      }
    }
    if (uncut != 0 && touched < count) {  // the cut entry came after the fault: as it was
      local_[head_ + count - 1].iov_len = remote_[head_ + count - 1].iov_len = uncut;
    }
    // Keep the unfinished entries the kernel looked at, in order, right before the untouched rest.
    size_t write_at = head_ + touched;
    for (size_t k = head_ + touched; k-- > head_;) {
      if (remote_[k].iov_len == 0) continue;
      --write_at;
      local_[write_at] = local_[k];
      remote_[write_at] = remote_[k];
      index_[write_at] = index_[k];
    }
    head_ = write_at;

    if (!faulted || head_ == size_) continue;
    const uint64_t first = reinterpret_cast<uintptr_t>(remote_[head_].iov_base);
    classifier.AfterFault(size_ - head_, first, [&](auto& cursor) {
      // Limit every unfinished element to its accessible prefix, finishing those with none (EFAULT
      // without a syscall), and compact the arrays in the same pass.
      size_t kept = head_;
      for (size_t k = head_; k < size_; ++k) {
        const uint64_t address = reinterpret_cast<uintptr_t>(remote_[k].iov_base);
        const uint64_t length = remote_[k].iov_len;
        const uint64_t prefix = cursor.Prefix(address, length).length;
        if (prefix < length) Stop(results, k, length - prefix, EFAULT);
        if (prefix == 0) continue;
        index_[kept] = index_[k];
        local_[kept] = {local_[k].iov_base, prefix};
        remote_[kept] = Iov(address, prefix);
        ++kept;
      }
      size_ = kept;
    });
  }
  return OkStatus();
}

// The engine for coalescing reads whose neighbours may merge: a call's range covers one element or
// several (read into scratch, then scattered); `items` in processing order (by address). `faulted_before`:
// a call of this batch has faulted already (ReadOneSpan's), so the items are classified before any call.
Status RunMerging(MemoryBackend& memory, Direction direction, std::vector<Item>& items,
                  std::span<ElementResult> results, BatchClassifier& classifier, size_t max_ranges,
                  bool faulted_before) {
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

  // The members of a call's range u are items[live[head + units[u].first ..][0 .. units[u].count)].
  struct Unit {
    size_t first, count;
  };
  const size_t most_ranges = std::min(items.size(), max_ranges);
  std::vector<Unit> units;
  units.reserve(most_ranges);
  std::vector<iovec> local(most_ranges), remote(most_ranges);
  // Merged spans land here; allocated (uninitialised) the first time a call merges, at its largest size, so
  // the slices handed to a call never move.
  std::unique_ptr<uint8_t[]> scratch;
  // Limit every unfinished item to its accessible prefix, finishing those with none, and compact the list
  // in the same pass (classification finishes items anywhere in it).
  auto limit = [&](auto& cursor) {
    size_t kept = head;
    for (size_t k = head; k < live.size(); ++k) {
      Item& item = items[live[k]];
      if (item.done) continue;
      const AccessiblePrefix prefix =
          cursor.Prefix(item.address + item.transferred, item.limit - item.transferred);
      item.limit = item.transferred + prefix.length;
      item.range = cursor.Combine(item.range, prefix.range);
      if (prefix.length == 0) {
        finish(item, EFAULT);
      } else {
        live[kept++] = live[k];
      }
    }
    live.resize(kept);
  };
  // After a fault, tells the classifier about the unfinished items.
  auto after_fault = [&] {
    while (head < live.size() && items[live[head]].done) ++head;
    if (head == live.size()) return;
    const Item& first = items[live[head]];
    classifier.AfterFault(live.size() - head, first.address + first.transferred, limit);
  };
  if (faulted_before) after_fault();
  while (true) {
    while (head < live.size() && items[live[head]].done) ++head;
    if (head == live.size()) return OkStatus();

    // Plan one call.
    size_t ranges = 0;   // this call's ranges: local/remote[0, ranges)
    size_t planned = 0;  // live[head, head + planned) are the members of this call's ranges
    units.clear();
    uint64_t call_bytes = 0, scratch_bytes = 0;
    for (size_t pos = head; pos < live.size() && ranges < max_ranges && call_bytes < kMaxRwCount;) {
      Item& item = items[live[pos]];
      const uint64_t start = item.address + item.transferred;
      uint64_t end = item.address + item.limit;
      size_t count = 1;
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
      const uint64_t length = std::min(end - start, kMaxRwCount - call_bytes);
      uint8_t* at = item.buffer + item.transferred;
      if (count > 1) {
        if (!scratch) scratch.reset(new uint8_t[kMaxScratch]);
        at = scratch.get() + scratch_bytes;
        scratch_bytes += length;
      }
      units.push_back({pos - head, count});
      local[ranges] = {at, length};
      remote[ranges] = Iov(start, length);
      ++ranges;
      call_bytes += length;
      pos += count;
      planned = pos - head;
    }
    const std::span<const iovec> l(local.data(), ranges), r(remote.data(), ranges);
    const ssize_t n = direction == Direction::kRead ? memory.VmReadv(l, r) : memory.VmWritev(l, r);
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
      const size_t first = units[u].first, count = units[u].count;
      for (size_t m = 0; m < count; ++m) {
        Item& item = items[live[head + first + m]];
        if (count > 1) {
          item.transferred =
              CopyMember(item.address, item.limit, item.buffer,
                         static_cast<const uint8_t*>(local[u].iov_base), range_address, first_unmoved);
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
    if (faulted) after_fault();
  }
}

// Copies every pending element's bytes out of `span` (which holds the target's bytes from `start`) and marks
// it done. Its own function: inside ReadOneSpan the span's base and start were reloaded from the stack on
// every element (perf annotate: a fifth of the one-span path's samples).
[[gnu::noinline]] void ScatterSpan(std::span<const Element> elements, std::span<const size_t> pending,
                                   std::span<ElementResult> results, const uint8_t* span, uint64_t start) {
  for (size_t index : pending) {
    const Element& e = elements[index];
    CopyBytes(static_cast<uint8_t*>(e.buffer), span + (e.address - start), e.length);
    results[index] = {e.length, 0};
  }
}

// The coalescing read of a batch the planner would make one range (1,024 counters in 4 pages): the pending
// elements, in the caller's order, ascend and each starts within kMergeGap of the span so far, which stays
// within kMaxSpan. One call reads the span into scratch and one pass scatters it and fills the results: what
// RunMerging would do, without its bookkeeping. After a fault, the elements the call settled get their
// results as RunMerging would give them and the rest go to RunMerging, which classifies first: the same
// calls either way. False, having done nothing, when the batch is not such a span.
bool ReadOneSpan(MemoryBackend& memory, std::span<const Element> elements, std::span<const size_t> pending,
                 std::span<ElementResult> results, BatchClassifier& classifier, size_t max_ranges,
                 Status& status) {
  if (pending.size() < 2) return false;
  // No element wraps (TransferBatch settled those), so address + length cannot overflow.
  const uint64_t start = elements[pending[0]].address;
  uint64_t end = start + elements[pending[0]].length, previous = start;
  for (size_t k = 1; k < pending.size(); ++k) {
    const Element& e = elements[pending[k]];
    if (e.address < previous || (e.address > end && e.address - end > kMergeGap)) return false;
    previous = e.address;
    end = std::max(end, e.address + e.length);
    if (end - start > kMaxSpan) return false;
  }
  const uint64_t span = end - start;
  const std::unique_ptr<uint8_t[]> kept(new uint8_t[span]);
  uint8_t* const scratch = kept.get();
  const iovec local = {scratch, span}, remote = Iov(start, span);
  const ssize_t n = memory.VmReadv({&local, 1}, {&remote, 1});
  if (n < 0 && n != -EFAULT) {
    for (size_t index : pending) results[index] = {0, static_cast<int>(-n)};
    status = Status(static_cast<int>(-n), CallName(Direction::kRead) + " failed for the whole batch");
    return true;
  }
  if (n == static_cast<ssize_t>(span)) {  // the common case: the whole span was read
    ScatterSpan(elements, pending, results, scratch, start);
    status = OkStatus();
    return true;
  }
  const uint64_t first_unmoved = start + (n < 0 ? 0 : static_cast<uint64_t>(n));
  std::vector<Item> rest;
  for (size_t index : pending) {
    const Element& e = elements[index];
    uint8_t* buffer = static_cast<uint8_t*>(e.buffer);
    const uint64_t moved = CopyMember(e.address, e.length, buffer, scratch, start, first_unmoved);
    if (moved == e.length) {
      results[index] = {moved, 0};
    } else if (e.address + moved == first_unmoved) {
      results[index] = {moved, EFAULT};  // its next byte is where the kernel stopped
    } else {
      rest.push_back({index, e.address, e.length, buffer, e.length});  // it starts after the fault
    }
  }
  status = rest.empty() ? OkStatus()
                        : RunMerging(memory, Direction::kRead, rest, results, classifier, max_ranges,
                                     /*faulted_before=*/true);
  return true;
}

}  // namespace

Status RunVmCalls(MemoryBackend& memory, Direction direction, std::span<const Element> elements,
                  std::span<const size_t> pending, std::span<ElementResult> results, const VmOptions& options,
                  Classification& classified_by) {
  const size_t max_ranges = std::clamp<size_t>(options.max_ranges_per_call, 1, kIovMax);
  const bool coalesce = options.coalesce && direction == Direction::kRead;
  BatchClassifier classifier(memory, direction, options.classify, pending.size());
  Status status;
  if (coalesce && ReadOneSpan(memory, elements, pending, results, classifier, max_ranges, status)) {
    classified_by = classifier.used();
    return status;
  }
  // Every element as one range, in the caller's order (the order that makes later writes to the same bytes
  // win), unless a coalescing read has neighbours that may merge.
  if (std::unique_ptr<Singles> singles = Singles::Build(elements, pending, results, coalesce)) {
    status = singles->Run(memory, direction, results, classifier, max_ranges);
    classified_by = classifier.used();
    return status;
  }

  std::vector<Item> items;
  items.reserve(pending.size());
  for (size_t index : pending) {
    const Element& e = elements[index];
    items.push_back({index, e.address, e.length, static_cast<uint8_t*>(e.buffer), e.length});
  }
  // Merging needs neighbours adjacent: by address. Callers mostly pass ascending addresses already;
  // checking costs a fraction of sorting.
  auto by_address = [](const Item& a, const Item& b) { return a.address < b.address; };
  if (!std::is_sorted(items.begin(), items.end(), by_address)) {
    std::stable_sort(items.begin(), items.end(), by_address);
  }
  status = RunMerging(memory, direction, items, results, classifier, max_ranges, /*faulted_before=*/false);
  classified_by = classifier.used();
  return status;
}

}  // namespace procscope::memory_internal
