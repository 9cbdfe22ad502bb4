#include "tests/util/child_report.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "backend/eintr.h"
#include "backend/pipe.h"
#include "backend/scoped_child.h"
#include "backend/status.h"

namespace procscope::testing {

void ChildReport::Line(const std::string& line) {
  std::string text = line;
  for (char& c : text)
    if (c == '\n') c = ' ';
  text += '\n';
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = RetryOnEintr([&] { return write(fd_, text.data() + done, text.size() - done); });
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

void ChildReport::Check(const std::string& name, bool passed, const std::string& detail) {
  // The parent splits a FAIL line at its first ": ", so a name must not hold one.
  if (name.find(": ") != std::string::npos) {
    Line("FAIL " + name.substr(0, name.find(": ")) + ": check names may not contain ': ' (" + name + ")");
    return;
  }
  // A failure always carries a detail: the parent takes an empty one for a pass.
  Line(passed ? "ok " + name : "FAIL " + name + ": " + (detail.empty() ? "failed" : detail));
}

void ChildReport::Skip(const std::string& why) { Line("SKIP " + why); }

ChildOutcome RunInChild(const std::function<void(ChildReport&)>& body, std::chrono::milliseconds timeout) {
  ChildOutcome outcome;
  // A child that could not be started is a failed check, never a skip: the test did not run.
  auto not_started = [&](const Status& why) {
    outcome.checks[kStartedCheck] = why.ToString();
    outcome.order.push_back(kStartedCheck);
    return outcome;
  };
  StatusOr<Pipe> pipe = MakePipe();
  if (!pipe.ok()) return not_started(pipe.status());
  StatusOr<ScopedChild> child = ScopedChild::Fork([&] {
    pipe->read_end.reset();
    ChildReport report(pipe->write_end.get());
    body(report);
    return 0;
  });
  if (!child.ok()) return not_started(child.status());
  pipe->write_end.reset();
  std::string text;
  char buffer[4096];
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const int from_child = pipe->read_end.get();
  fcntl(from_child, F_SETFL, O_NONBLOCK);
  while (std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = RetryOnEintr([&] { return read(from_child, buffer, sizeof buffer); });
    if (n > 0) {
      text.append(buffer, static_cast<size_t>(n));
    } else if (n < 0 && errno == EAGAIN) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    } else {
      break;  // EOF: the child closed its end (it ended, or is about to)
    }
  }
  pipe->read_end.reset();
  StatusOr<std::optional<int>> ended = child->WaitFor(std::chrono::milliseconds(0));
  int status = 0;
  if (ended.ok() && ended->has_value()) {
    status = **ended;
  } else {
    StatusOr<int> killed = child->KillAndWait();
    status = killed.ok() ? *killed : 0;
    if (std::chrono::steady_clock::now() >= deadline) {
      text += "\nFAIL finished in time: the child was still running after " +
              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
              " s and was killed\n";
    }
  }
  outcome.exit_status = ExitCodeOrSignal(status);
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    if (line.starts_with("ok ")) {
      outcome.checks[line.substr(3)] = "";
      outcome.order.push_back(line.substr(3));
    } else if (line.starts_with("FAIL ")) {
      const size_t colon = line.find(": ");
      const std::string name = line.substr(5, colon == std::string::npos ? std::string::npos : colon - 5);
      outcome.checks[name] = colon == std::string::npos ? "failed" : line.substr(colon + 2);
      outcome.order.push_back(name);
    } else if (line.starts_with("SKIP ")) {
      outcome.skip = line.substr(5);
    }
  }
  return outcome;
}

bool SkipRequested(const ChildOutcome& outcome) {
  if (outcome.skip.empty()) return false;
  for (const auto& [name, detail] : outcome.checks)
    if (!detail.empty()) return false;
  return true;
}

void ExpectAllChecksPassed(const ChildOutcome& outcome, const std::vector<std::string>& expected) {
  EXPECT_EQ(outcome.exit_status, 0) << "the child did not finish normally";
  for (const std::string& name : outcome.order) {
    const std::string& detail = outcome.checks.at(name);
    EXPECT_TRUE(detail.empty()) << name << ": " << detail;
  }
  for (const std::string& name : expected) {
    EXPECT_TRUE(outcome.checks.count(name)) << "never reported: " << name;
  }
}

}  // namespace procscope::testing
