// deny_fork PROGRAM [ARGS...]: runs PROGRAM under a seccomp filter that makes every fork, vfork, clone and
// clone3 fail with EAGAIN, as a process limit does (tests/util/seccomp.h DenyFork), and that kills it with
// SIGSYS if it ever calls kill(-1, ...). Exit 125 when it cannot set that up.
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <string>

#include "tests/util/seccomp.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: deny_fork PROGRAM [ARGS...]\n";
    return 125;
  }
  if (procscope::Status s = procscope::testing::DenyFork(EAGAIN); !s.ok()) {
    std::cerr << "deny_fork: " << s.ToString() << '\n';
    return 125;
  }
  execv(argv[1], argv + 1);
  std::cerr << "deny_fork: " << procscope::ErrnoStatus(std::string("exec ") + argv[1]).ToString() << '\n';
  return 125;
}
