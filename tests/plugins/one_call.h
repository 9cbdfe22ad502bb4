/* One process_vm_readv or process_vm_writev per element, its result from that call alone (a short transfer
 * is EFAULT): the per-element loop of the test plugins whose bug lies elsewhere. Right except for elements
 * over MAX_RW_COUNT and wrapping ranges, which conform also reports for them. */
#ifndef PROCSCOPE_TESTS_PLUGINS_ONE_CALL_H_
#define PROCSCOPE_TESTS_PLUGINS_ONE_CALL_H_

#include <errno.h>
#include <stdint.h>
#include <sys/uio.h>

#include "backend/c_api/procscope_backend.h"

static inline procscope_result OneCall(int write, int32_t pid, const procscope_element* e) {
  struct iovec local = {e->buffer, e->length};
  struct iovec remote = {(void*)(uintptr_t)e->address, e->length};
  ssize_t n = e->length == 0 ? 0
              : write        ? process_vm_writev(pid, &local, 1, &remote, 1, 0)
                             : process_vm_readv(pid, &local, 1, &remote, 1, 0);
  procscope_result r;
  r.transferred = n < 0 ? 0 : (uint64_t)n;
  r.error = n < 0 ? errno : ((uint64_t)n == e->length ? 0 : EFAULT);
  r.reserved = 0;
  return r;
}

#endif /* PROCSCOPE_TESTS_PLUGINS_ONE_CALL_H_ */
