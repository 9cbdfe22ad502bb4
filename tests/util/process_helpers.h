// Test-only: what the process tests (tests/process_*_test.cc) share: starting fixtures, their manifest,
// opening a handle, a parked second thread.
#ifndef PROCSCOPE_TESTS_UTIL_PROCESS_HELPERS_H_
#define PROCSCOPE_TESTS_UTIL_PROCESS_HELPERS_H_

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "backend/memory/feature_probe.h"
#include "backend/process/process.h"
#include "backend/status_matchers.h"
#include "tests/util/fixture_process.h"

namespace procscope::testing {

// A fixture started with `options`, or nullptr after a failed EXPECT (the test then stops on its ASSERT_NE).
inline std::unique_ptr<FixtureProcess> StartFixture(const std::string& program,
                                                    const FixtureOptions& options) {
  StatusOr<std::unique_ptr<FixtureProcess>> fixture = FixtureProcess::Start(program, options);
  EXPECT_OK(fixture);
  return fixture.ok() ? std::move(*fixture) : nullptr;
}

// The ground truth a fixture prints as its first line.
inline nlohmann::json Manifest(const FixtureProcess& fixture) {
  return nlohmann::json::parse(fixture.first_line());
}

// Whether this kernel's pidfd keeps a reaped process's exit status (PIDFD_INFO_EXIT, 6.15), measured once
// (ProbePidfdInfoExit): the tests expect the code after the reap there, "unknown" with the reason elsewhere.
inline bool PidfdKeepsExitStatus() {
  static const bool kept = [] {
    StatusOr<std::string> answer = ProbePidfdInfoExit();
    return answer.ok() && *answer == "supported";
  }();
  return kept;
}

// A handle on `pid`; a failure ends the test binary (nothing after it could run).
inline Process OpenOrDie(pid_t pid) {
  StatusOr<Process> p = Process::Open(pid);
  if (!p.ok()) {
    ADD_FAILURE() << p.status().ToString();
    std::abort();
  }
  return std::move(*p);
}

// A second thread of this process that idles until destroyed; tid() is its thread ID.
class ParkedThread {
 public:
  ParkedThread()
      : thread_([this] {
          tid_ = static_cast<pid_t>(syscall(SYS_gettid));
          while (!done_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }) {
    while (tid_ == 0) std::this_thread::yield();
  }
  ~ParkedThread() {
    done_ = true;
    thread_.join();
  }
  pid_t tid() const { return tid_; }

 private:
  std::atomic<pid_t> tid_{0};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace procscope::testing

#endif  // PROCSCOPE_TESTS_UTIL_PROCESS_HELPERS_H_
