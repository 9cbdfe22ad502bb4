/* procscope_backend.h: the C ABI of a batched memory backend for Linux processes.
 *
 * A backend ("plugin") is any shared object exporting the functions below; `procscope conform` judges one
 * against live processes whose layout it knows, and `tools/harness bench --backend` times one beside
 * procscope's engine. libprocscope.so (//backend/c_api:libprocscope.so) is procscope's engine behind it.
 * Plain C99: usable from C, C++, Rust (extern "C") and Python (ctypes). No function here throws, keeps a
 * pointer it was given after returning, or needs any other call first. libprocscope.so's functions may be
 * called from several threads at once (each call uses its own descriptors); other plugins say for themselves.
 *
 * The meaning of a result (the same for reads and writes):
 *   results[i].transferred  how many bytes at the *start* of element i were transferred (0..length).
 *   results[i].error        0 exactly when transferred == length; otherwise why the rest was not:
 *     EFAULT     the byte at address + transferred is not accessible to the target itself for this
 *                direction: unmapped, PROT_NONE, or (writes) read-only. (EIO is accepted as EFAULT.)
 *     EOVERFLOW  address + length wraps past 2^64 (transferred 0). (EINVAL is accepted as EOVERFLOW.)
 *     ESRCH, EPERM, ...  the errno of a failure of the whole call, for every element it left unfinished.
 *   A partially transferred element is a prefix plus an error, never a success. A zero-length element
 *   succeeds without touching its address. Elements are independent: a failing element never changes what
 *   the others report (a hole in element 3 does not fail element 4).
 *   Reads write exactly bytes [0, transferred) of each buffer; the rest of it stays as it was. Writes change
 *   exactly the target's bytes [address, address + transferred) of each element.
 *   Protections are the target's own (as process_vm_readv/writev see them): a backend that uses
 *   /proc/PID/mem, which may force access, must still fail PROT_NONE and (for writes) read-only bytes.
 *
 * Return value: 0, or a positive errno when the call failed as a whole (ESRCH: no such process, or it died;
 * EPERM: no ptrace access; EINVAL: bad arguments; ENOMEM). Even then every results[i] is filled: the
 * elements finished before the failure keep their results, every other one carries that errno. `elements` and
 * `results` have `count` entries (count may be 0: nothing happens, 0 is returned); every buffer is owned by
 * the caller and valid for `length` bytes for the duration of the call.
 */
#ifndef PROCSCOPE_BACKEND_C_API_PROCSCOPE_BACKEND_H_
#define PROCSCOPE_BACKEND_C_API_PROCSCOPE_BACKEND_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROCSCOPE_BACKEND_ABI 1

typedef struct procscope_element {
  uint64_t address; /* in the target process */
  void* buffer;     /* in the caller: filled by reads, read from by writes */
  uint64_t length;  /* bytes */
} procscope_element;

typedef struct procscope_result {
  uint64_t transferred;
  int32_t error;    /* 0 or an errno, see above */
  int32_t reserved; /* 0 */
} procscope_result;

/* PROCSCOPE_BACKEND_ABI of the header the backend was built with. Callers refuse another value. */
uint32_t procscope_backend_abi(void);
/* A short human-readable name ("procscope engine (default)", "my-backend 0.3"); static storage. */
const char* procscope_backend_name(void);
/* Reads `count` elements of process `pid`; fills results[i] for every i (see above). */
int procscope_backend_read(int32_t pid, const procscope_element* elements, size_t count,
                           procscope_result* results);
/* Optional (callers look it up with dlsym): the same for writes. */
int procscope_backend_write(int32_t pid, const procscope_element* elements, size_t count,
                            procscope_result* results);

/* ---- libprocscope.so only: more of the engine (other backends need not export these) ---- */

/* How a call was served. */
typedef struct procscope_transfer_info {
  const char* transport;   /* "process_vm" or "procmem" (static storage) */
  int32_t fallback_reason; /* 0, or EPERM/ENOSYS when process_vm_readv/writev were refused and the
                              elements left went through /proc/PID/mem */
  int32_t reserved;        /* 0 */
  uint64_t syscalls;       /* kernel calls made for this batch */
} procscope_transfer_info;

/* The strategies procscope_read_with accepts, NULL-terminated, baseline first ("default" is not listed: it
 * is always accepted). Static storage. */
const char* const* procscope_strategy_names(void);
/* procscope_backend_read/write with a named strategy ("default", "retry", "procmem", ..., see
 * procscope_strategy_names) and, if `info` is not NULL, how the call was served. An unknown strategy name
 * returns EINVAL and fills every result with it. procscope_backend_read/write use the strategy named by the
 * environment variable PROCSCOPE_STRATEGY when it is set (read at each call), else "default". */
int procscope_read_with(const char* strategy, int32_t pid, const procscope_element* elements, size_t count,
                        procscope_result* results, procscope_transfer_info* info);
int procscope_write_with(const char* strategy, int32_t pid, const procscope_element* elements, size_t count,
                         procscope_result* results, procscope_transfer_info* info);

#ifdef __cplusplus
}
#endif

#endif /* PROCSCOPE_BACKEND_C_API_PROCSCOPE_BACKEND_H_ */
