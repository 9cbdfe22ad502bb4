// FUZZ_CHECK: an invariant of a fuzz target. On failure it prints the condition and aborts, which libFuzzer
// reports as a crash (and the corpus replay test as a failure). Never compiled out.
#ifndef PROCSCOPE_FUZZ_FUZZ_CHECK_H_
#define PROCSCOPE_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

#endif  // PROCSCOPE_FUZZ_FUZZ_CHECK_H_
