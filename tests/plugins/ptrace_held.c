/* Plugins that read right but leave the target held, as ptrace-based backends can, selected at build time:
 *   ATTACH  PTRACE_ATTACHes to the target on every batch and never detaches
 *   STOP    sends the target SIGSTOP and waits until it has stopped
 *   DIE     attaches and then crashes (the kernel detaches the target when its tracer dies)
 * The reads themselves are right (process_vm_readv per element), so only what is left behind fails. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend/c_api/procscope_backend.h"
#include "tests/plugins/one_call.h"

uint32_t procscope_backend_abi(void) { return PROCSCOPE_BACKEND_ABI; }
const char* procscope_backend_name(void) { return "ptrace_held"; }

#ifdef STOP
/* The target's state letter from /proc/PID/stat (after the last ')'), 0 when unreadable. */
static char State(int32_t pid) {
  char path[64], text[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE* f = fopen(path, "r");
  if (f == NULL) return 0;
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = 0;
  char* paren = strrchr(text, ')');
  return paren != NULL && paren[1] == ' ' ? paren[2] : 0;
}
#endif

static void Hold(int32_t pid) {
#if defined(ATTACH) || defined(DIE)
  if (ptrace(PTRACE_ATTACH, pid, 0, 0) == 0) {
    int status;
    waitpid(pid, &status, __WALL);
  }
#endif
#ifdef DIE
  *(volatile int*)0 = 1;
#endif
#ifdef STOP
  kill(pid, SIGSTOP);
  for (int i = 0; i < 1000 && State(pid) != 'T'; ++i) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
#endif
}

int procscope_backend_read(int32_t pid, const procscope_element* elements, size_t count,
                           procscope_result* results) {
  if (count > 0) Hold(pid);
  for (size_t i = 0; i < count; ++i) results[i] = OneCall(0, pid, &elements[i]);
  return 0;
}
