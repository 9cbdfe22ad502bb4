// Process::WaitForEnd: waiting for any process (not only a child) to end, and for its exit code.
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <optional>
#include <thread>

#include "backend/process/process.h"

namespace procscope {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kStatPollInterval{10};

// Milliseconds left until `deadline` for poll(): -1 without one, never below 0 nor above INT_MAX.
int PollMilliseconds(const std::optional<Clock::time_point>& deadline) {
  if (!deadline) return -1;
  const auto left = std::chrono::ceil<milliseconds>(*deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, INT_MAX));
}

bool Passed(const std::optional<Clock::time_point>& deadline) {
  return deadline && Clock::now() >= *deadline;
}

}  // namespace

StatusOr<ProcessState> Process::WaitForEnd(std::optional<milliseconds> timeout,
                                           milliseconds reap_grace) const {
  const Clock::time_point start = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (timeout) deadline = start + *timeout;
  const auto still_runs = [&] {
    return Status(ETIMEDOUT, "process " + std::to_string(pid_) + " still runs after " +
                                 std::to_string(timeout->count()) + " ms");
  };
  if (pidfd_.is_valid()) {
    // POLLIN once the whole thread group has exited (a zombie), and from then on.
    for (;;) {
      pollfd ended{pidfd_.get(), POLLIN, 0};
      const int ready = poll(&ended, 1, PollMilliseconds(deadline));
      if (ready > 0) break;
      if (ready == 0) return still_runs();
      if (errno != EINTR) return ErrnoStatus("poll on the pidfd of process " + std::to_string(pid_));
    }
  } else {
    for (;;) {
      const ProcessState state = State();
      if (state.kind == ProcessState::Kind::kDead) break;
      if (state.kind == ProcessState::Kind::kUnknown) {
        return Status(EACCES,
                      "cannot tell whether process " + std::to_string(pid_) + " runs: " + state.detail);
      }
      if (Passed(deadline)) return still_runs();
      std::this_thread::sleep_for(kStatPollInterval);
    }
  }
  ProcessState state = State();
  // Ended, code unknown: stat hides a zombie's code from a reader without ptrace access, and the kernel
  // gives the pidfd the exit status only when the parent reaps it. Wait a little for that, where the
  // kernel answers PIDFD_GET_INFO at all (ENODATA: it answered, without the status yet).
  Clock::time_point grace_end = Clock::now() + reap_grace;
  if (deadline && *deadline < grace_end) grace_end = *deadline;
  while (state.kind == ProcessState::Kind::kDead && !state.exit_code && Clock::now() < grace_end &&
         PidfdExitStatus().status().error_number() == ENODATA) {
    std::this_thread::sleep_for(kStatPollInterval);
    state = State();
  }
  return state;
}

}  // namespace procscope
