#include "tests/util/fixture_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "tests/util/subprocess.h"
#include "tests/util/time_limits.h"

extern char** environ;

namespace procscope::testing {
namespace {

// Waits up to `timeout` for `pid`; true with *status when it ended.
bool WaitFor(pid_t pid, int* status, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return false;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace

StatusOr<std::unique_ptr<FixtureProcess>> FixtureProcess::Start(const std::string& program,
                                                                const std::vector<std::string>& args,
                                                                ExpectedEnd expected) {
  FixtureOptions options;
  options.args = args;
  options.expected = expected;
  return Start(program, options);
}

StatusOr<std::unique_ptr<FixtureProcess>> FixtureProcess::Start(const std::string& program,
                                                                const FixtureOptions& options) {
  const std::vector<std::string>& args = options.args;
  const ExpectedEnd expected = options.expected;
  int in_pipe[2], out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return ErrnoStatus("pipe2");
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    close(in_pipe[0]);
    close(in_pipe[1]);
    return ErrnoStatus("pipe2");
  }
  const std::string fixture = RunfilesPath(program);
  const std::string path = options.launcher.empty() ? fixture : options.launcher;
  std::vector<std::string> argv_storage = {path};
  if (!options.launcher.empty()) argv_storage.push_back(fixture);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  std::unique_ptr<FixtureProcess> process(new FixtureProcess());
  std::vector<std::string> env_storage = options.env.value_or(std::vector<std::string>{});
  std::vector<char*> envp;
  for (std::string& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int error = posix_spawn(&process->pid_, path.c_str(), &actions, nullptr, argv.data(),
                                options.env ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (error != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    process->reaped_ = true;
    return Status(error, "posix_spawn " + path);
  }
  signal(SIGPIPE, SIG_IGN);  // a fixture that died must give EPIPE, not kill the test
  process->to_child_ = in_pipe[1];
  process->from_child_ = fdopen(out_pipe[0], "r");
  process->expected_ = expected;
  StatusOr<std::string> first = process->ReadLine();
  if (!first.ok()) return Status(first.status().error_number(), path + " printed no first line");
  process->first_line_ = *first;
  return process;
}

StatusOr<std::string> FixtureProcess::ReadLine() {
  if (from_child_ == nullptr) return Status(EIO, "fixture output is closed");
  std::string line;
  int c;
  while ((c = std::fgetc(from_child_)) != EOF && c != '\n') line.push_back(static_cast<char>(c));
  if (c == EOF && line.empty()) return Status(EIO, "fixture closed its output");
  return line;
}

StatusOr<std::string> FixtureProcess::Command(const std::string& line) {
  if (Status sent = Send(line); !sent.ok()) return sent;
  return ReadLine();
}

Status FixtureProcess::Send(const std::string& line) {
  const std::string text = line + "\n";
  if (to_child_ < 0 || write(to_child_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return Status(EPIPE, "cannot send '" + line + "' to the fixture");
  }
  return OkStatus();
}

::testing::AssertionResult FixtureProcess::WaitUnreaped(bool stopped) {
  const auto deadline = std::chrono::steady_clock::now() + kStepTimeLimit;
  while (std::chrono::steady_clock::now() < deadline) {
    siginfo_t info{};
    const int options = (stopped ? WSTOPPED : WEXITED) | WNOWAIT | WNOHANG;
    if (waitid(P_PID, static_cast<id_t>(pid_), &info, options) != 0 && errno != EINTR) {
      return ::testing::AssertionFailure() << "waitid " << pid_ << ": " << std::strerror(errno);
    }
    if (info.si_pid == pid_) return ::testing::AssertionSuccess();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return ::testing::AssertionFailure() << "fixture " << pid_ << " did not " << (stopped ? "stop" : "end")
                                       << " within " << kStepTimeLimit.count() << " s (WaitUnreaped)";
}

void FixtureProcess::ClosePipes() {
  if (to_child_ >= 0) close(to_child_);
  to_child_ = -1;
  if (from_child_ != nullptr) fclose(from_child_);
  from_child_ = nullptr;
}

::testing::AssertionResult FixtureProcess::Stop() {
  ClosePipes();
  int status = 0;
  if (!WaitFor(pid_, &status, kStepTimeLimit)) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return ::testing::AssertionFailure()
           << "fixture " << pid_ << " did not end within " << kStepTimeLimit.count()
           << " s of closing its stdin (Stop); killed";
  }
  reaped_ = true;
  const bool by_signal = WIFSIGNALED(status);
  const int value = by_signal ? WTERMSIG(status) : WEXITSTATUS(status);
  if (by_signal == expected_.by_signal && value == expected_.value) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "fixture ended by " << (by_signal ? "signal " : "exit ") << value << ", expected "
         << (expected_.by_signal ? "signal " : "exit ") << expected_.value;
}

FixtureProcess::~FixtureProcess() {
  if (reaped_) return;
  ClosePipes();
  int status;
  if (!WaitFor(pid_, &status, std::chrono::seconds(2))) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
}

}  // namespace procscope::testing
