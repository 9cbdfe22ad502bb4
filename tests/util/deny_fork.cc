// deny_fork PROGRAM [ARGS...]: runs PROGRAM under a seccomp filter that makes every fork, vfork, clone and
// clone3 fail with EAGAIN, as a process limit does (tests/util/seccomp.h DenyFork), and that kills it with
// SIGSYS if it ever calls kill(-1, ...). LeakSanitizer is turned off for PROGRAM (its exit check needs a
// thread). Exit 125 when it cannot set that up.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <string>

#include "tests/util/seccomp.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: deny_fork PROGRAM [ARGS...]\n";
    return 125;
  }
  // LeakSanitizer's check at exit runs in a thread of its own (clone), which the filter refuses: in an
  // ASan build of PROGRAM it would turn every exit into "LeakSanitizer has encountered a fatal error".
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string options =
      std::string(asan != nullptr ? asan : "") + (asan != nullptr ? ":" : "") + "detect_leaks=0";
  setenv("ASAN_OPTIONS", options.c_str(), 1);
  if (procscope::Status s = procscope::testing::DenyFork(EAGAIN); !s.ok()) {
    std::cerr << "deny_fork: " << s.ToString() << '\n';
    return 125;
  }
  execv(argv[1], argv + 1);
  std::cerr << "deny_fork: " << procscope::ErrnoStatus(std::string("exec ") + argv[1]).ToString() << '\n';
  return 125;
}
