/* A plugin that batches correctly but, after a short call, blames the element *after* the one where the
 * call stopped (an off-by-one in the resume index), then resumes after that one. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "backend/c_api/procscope_backend.h"

uint32_t procscope_backend_abi(void) { return PROCSCOPE_BACKEND_ABI; }
const char* procscope_backend_name(void) { return "blame-next: blames the element after a hole"; }

int procscope_backend_read(int32_t pid, const procscope_element* elements, size_t count,
                           procscope_result* results) {
  size_t start = 0;
  while (start < count) {
    size_t n = count - start > 1024 ? 1024 : count - start;
    struct iovec local[1024], remote[1024];
    for (size_t i = 0; i < n; ++i) {
      local[i].iov_base = elements[start + i].buffer;
      local[i].iov_len = elements[start + i].length;
      remote[i].iov_base = (void*)(uintptr_t)elements[start + i].address;
      remote[i].iov_len = elements[start + i].length;
    }
    ssize_t got = process_vm_readv(pid, local, n, remote, n, 0);
    uint64_t left = got < 0 ? 0 : (uint64_t)got;
    size_t i = 0;
    for (; i < n && left >= elements[start + i].length; ++i) {
      results[start + i].transferred = elements[start + i].length;
      results[start + i].error = 0;
      left -= elements[start + i].length;
    }
    if (i == n) {
      start += n;
      continue;
    }
    /* The call stopped inside element start+i; the bug: element start+i is reported read and the next one
     * takes the blame. */
    results[start + i].transferred = elements[start + i].length;
    results[start + i].error = 0;
    if (i + 1 < n) {
      results[start + i + 1].transferred = 0;
      results[start + i + 1].error = got < 0 ? errno : EFAULT;
    }
    start += i + 2;
  }
  return 0;
}
