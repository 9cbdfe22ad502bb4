/* A correct plugin that spends one process_vm_readv/writev per element (and, after a short one, one more
 * per page to find where the element stops): slow, but every answer is right. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/uio.h>

#include "backend/c_api/procscope_backend.h"

uint32_t procscope_backend_abi(void) { return PROCSCOPE_BACKEND_ABI; }
const char* procscope_backend_name(void) { return "slow but correct: one call per element"; }

static int transfer(int write, int32_t pid, const procscope_element* elements, size_t count,
                    procscope_result* results) {
  for (size_t i = 0; i < count; ++i) {
    const procscope_element* e = &elements[i];
    results[i].transferred = 0;
    results[i].error = 0;
    results[i].reserved = 0;
    if (e->length == 0) continue;
    if (e->address + (e->length - 1) < e->address) {
      results[i].error = EOVERFLOW;
      continue;
    }
    uint64_t done = 0;
    while (done < e->length) {
      /* At most up to the next page boundary, so a short answer is about this page only. */
      uint64_t at = e->address + done, chunk = 4096 - (at & 4095);
      if (chunk > e->length - done) chunk = e->length - done;
      struct iovec local = {(char*)e->buffer + done, chunk}, remote = {(void*)(uintptr_t)at, chunk};
      ssize_t n = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0)
                        : process_vm_readv(pid, &local, 1, &remote, 1, 0);
      if (n < 0) {
        results[i].error = errno;
        break;
      }
      done += (uint64_t)n;
      if ((uint64_t)n < chunk) {
        results[i].error = EFAULT;
        break;
      }
    }
    results[i].transferred = done;
  }
  return 0;
}

int procscope_backend_read(int32_t pid, const procscope_element* elements, size_t count,
                           procscope_result* results) {
  return transfer(0, pid, elements, count, results);
}

int procscope_backend_write(int32_t pid, const procscope_element* elements, size_t count,
                            procscope_result* results) {
  return transfer(1, pid, elements, count, results);
}
