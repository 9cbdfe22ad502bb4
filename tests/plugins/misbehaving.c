/* Plugins that break the rules conform must survive, selected at build time:
 *   CRASH  dereferences NULL on a batch of 3 or more elements
 *   HANG   never returns from a batch of 3 or more elements
 *   ABI2   claims ABI version 2
 *   WRONG_BYTES  reports a batch of 3 or more elements right but flips the first byte it read (only the bytes
 *                show the bug)
 *   WRONG_WRITE  also writes; reports a write batch of 3 or more elements right but writes the first byte of
 * its first non-empty element flipped (only the target's bytes show the bug) Batches of fewer elements are
 * answered correctly (one call per element), so shrinking stops at 3. */
#define _GNU_SOURCE
#include <stdint.h>
#include <unistd.h>

#include "backend/c_api/procscope_backend.h"
#include "tests/plugins/one_call.h"

#ifdef ABI2
uint32_t procscope_backend_abi(void) { return 2; }
#else
uint32_t procscope_backend_abi(void) { return PROCSCOPE_BACKEND_ABI; }
#endif
const char* procscope_backend_name(void) { return "misbehaving"; }

int procscope_backend_read(int32_t pid, const procscope_element* elements, size_t count,
                           procscope_result* results) {
  if (count >= 3) {
#ifdef CRASH
    *(volatile int*)0 = 1;
#endif
#ifdef HANG
    for (;;) pause();
#endif
  }
  for (size_t i = 0; i < count; ++i) results[i] = OneCall(0, pid, &elements[i]);
#ifdef WRONG_BYTES
  for (size_t i = 0; count >= 3 && i < count; ++i) {
    if (results[i].transferred > 0) {
      ((unsigned char*)elements[i].buffer)[0] ^= 0xff;
      break;
    }
  }
#endif
  return 0;
}

#ifdef WRONG_WRITE
int procscope_backend_write(int32_t pid, const procscope_element* elements, size_t count,
                            procscope_result* results) {
  int flipped = count < 3;
  for (size_t i = 0; i < count; ++i) {
    unsigned char first = 0;
    if (!flipped && elements[i].length > 0) { /* flip its first byte for the call, then put it back */
      first = ((const unsigned char*)elements[i].buffer)[0];
      ((unsigned char*)elements[i].buffer)[0] = first ^ 0xff;
    }
    results[i] = OneCall(1, pid, &elements[i]);
    if (!flipped && elements[i].length > 0) {
      ((unsigned char*)elements[i].buffer)[0] = first;
      flipped = 1;
    }
  }
  return 0;
}
#endif
