/* libscanmem (scanmem 0.17, the library GameConqueror drives) behind procscope's C ABI
 * (backend/c_api/procscope_backend.h), for `procscope conform` and `tools/harness bench --backend` to judge
 * and time.
 *
 * One sm_read_array / sm_write_array per element, as a tool built on libscanmem would call it. Each call
 * attaches with PTRACE_ATTACH, transfers (reads: pread of /proc/PID/mem; writes: PTRACE_POKEDATA), detaches,
 * and answers a bool: all or nothing, no prefix. The adapter passes that on and fixes nothing:
 *   true   -> the whole element, error 0;
 *   false  -> 0 bytes, and the errno the failing call left (0 there: EIO, "failed, no reason given").
 * A read that fails may still have written a prefix of the buffer (libscanmem keeps what pread returned);
 * conform reports that too. libscanmem takes the length as an int: an element longer than INT_MAX is not
 * passed to it and gets E2BIG (the API cannot express it). libscanmem prints its own errors on stderr.
 * Not thread-safe (libscanmem keeps global state): one call at a time. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "backend/c_api/procscope_backend.h"

/* libscanmem.so.1 ships no header: its two calls, as exported (the length is a 32-bit int). */
bool sm_read_array(pid_t target, const void* addr, char* buf, int len);
bool sm_write_array(pid_t target, void* addr, const void* data, int len);

uint32_t procscope_backend_abi(void) { return PROCSCOPE_BACKEND_ABI; }
const char* procscope_backend_name(void) {
  return "libscanmem 0.17 (sm_read_array/sm_write_array per element)";
}

static int Transfer(int write, int32_t pid, const procscope_element* elements, size_t count,
                    procscope_result* results) {
  for (size_t i = 0; i < count; ++i) {
    const procscope_element* e = &elements[i];
    procscope_result* r = &results[i];
    r->reserved = 0;
    if (e->length > INT_MAX) {
      r->transferred = 0;
      r->error = E2BIG;
      continue;
    }
    void* address = (void*)(uintptr_t)e->address;
    errno = 0;
    const bool ok = write ? sm_write_array(pid, address, e->buffer, (int)e->length)
                          : sm_read_array(pid, address, e->buffer, (int)e->length);
    r->transferred = ok ? e->length : 0;
    r->error = ok ? 0 : (errno != 0 ? errno : EIO);
  }
  return 0;
}

int procscope_backend_read(int32_t pid, const procscope_element* elements, size_t count,
                           procscope_result* results) {
  return Transfer(0, pid, elements, count, results);
}

int procscope_backend_write(int32_t pid, const procscope_element* elements, size_t count,
                            procscope_result* results) {
  return Transfer(1, pid, elements, count, results);
}
