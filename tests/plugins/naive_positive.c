/* A plugin as a newcomer might write it from the header alone: one process_vm_readv over the whole batch,
 * and any positive return counts as every element read. Wrong after a hole: conform must say so. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "backend/c_api/procscope_backend.h"

uint32_t procscope_backend_abi(void) { return PROCSCOPE_BACKEND_ABI; }
const char* procscope_backend_name(void) { return "naive: a positive return means all read"; }

int procscope_backend_read(int32_t pid, const procscope_element* elements, size_t count,
                           procscope_result* results) {
  struct iovec *local = calloc(count + 1, sizeof *local), *remote = calloc(count + 1, sizeof *remote);
  for (size_t i = 0; i < count; ++i) {
    local[i].iov_base = elements[i].buffer;
    local[i].iov_len = elements[i].length;
    remote[i].iov_base = (void*)(uintptr_t)elements[i].address;
    remote[i].iov_len = elements[i].length;
  }
  ssize_t n = process_vm_readv(pid, local, count, remote, count, 0);
  int error = n < 0 ? errno : 0;
  for (size_t i = 0; i < count; ++i) {
    results[i].transferred = n > 0 ? elements[i].length : 0;
    results[i].error = n > 0 ? 0 : error;
    results[i].reserved = 0;
  }
  free(local);
  free(remote);
  return 0;
}
