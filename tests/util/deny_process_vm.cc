// deny_process_vm EPERM|ENOSYS PROGRAM [ARGS...]: runs PROGRAM under a seccomp filter that refuses
// process_vm_readv/writev with that errno (tests/util/seccomp.h), so that tests can drive the procscope CLI
// as it runs in a restrictive container. Exit 125 when it cannot set that up.
#include <unistd.h>

#include <iostream>
#include <string>

#include "tests/util/seccomp.h"

int main(int argc, char** argv) {
  using procscope::testing::DenyErrnoFromName;
  if (argc < 3 || !DenyErrnoFromName(argv[1])) {
    std::cerr << "usage: deny_process_vm EPERM|ENOSYS PROGRAM [ARGS...]\n";
    return 125;
  }
  if (procscope::Status s = procscope::testing::DenyProcessVm(*DenyErrnoFromName(argv[1])); !s.ok()) {
    std::cerr << "deny_process_vm: " << s.ToString() << '\n';
    return 125;
  }
  execv(argv[2], argv + 2);
  std::cerr << "deny_process_vm: " << procscope::ErrnoStatus(std::string("exec ") + argv[2]).ToString()
            << '\n';
  return 125;
}
