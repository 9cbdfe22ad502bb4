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

#include "backend/eintr.h"
#include "backend/pipe.h"
#include "tests/util/subprocess.h"
#include "tests/util/time_limits.h"

extern char** environ;

namespace procscope::testing {
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
  StatusOr<Pipe> in_pipe = MakePipe();
  if (!in_pipe.ok()) return in_pipe.status();
  StatusOr<Pipe> out_pipe = MakePipe();
  if (!out_pipe.ok()) return out_pipe.status();
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
  posix_spawn_file_actions_adddup2(&actions, in_pipe->read_end.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe->write_end.get(), STDOUT_FILENO);
  std::unique_ptr<FixtureProcess> process(new FixtureProcess());
  std::vector<std::string> env_storage = options.env.value_or(std::vector<std::string>{});
  std::vector<char*> envp;
  for (std::string& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int error = posix_spawn(&process->pid_, path.c_str(), &actions, nullptr, argv.data(),
                                options.env ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) return Status(error, "posix_spawn " + path);
  process->child_ = ScopedChild(process->pid_);
  in_pipe->read_end.reset();
  out_pipe->write_end.reset();
  signal(SIGPIPE, SIG_IGN);  // a fixture that died must give EPIPE, not kill the test
  process->to_child_ = std::move(in_pipe->write_end);
  process->from_child_ = fdopen(out_pipe->read_end.get(), "r");
  if (process->from_child_ == nullptr) return ErrnoStatus("fdopen");
  (void)out_pipe->read_end.release();  // the FILE owns it now
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
  if (!to_child_.is_valid() || RetryOnEintr([&] {
                                 return write(to_child_.get(), text.data(), text.size());
                               }) != static_cast<ssize_t>(text.size())) {
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
  to_child_.reset();
  if (from_child_ != nullptr) fclose(from_child_);
  from_child_ = nullptr;
}

::testing::AssertionResult FixtureProcess::Stop() {
  ClosePipes();
  StatusOr<std::optional<int>> ended = child_.WaitFor(kStepTimeLimit);
  if (!ended.ok())
    return ::testing::AssertionFailure() << "fixture " << pid_ << ": " << ended.status().ToString();
  if (!ended->has_value()) {
    child_.Reset();
    return ::testing::AssertionFailure()
           << "fixture " << pid_ << " did not end within " << kStepTimeLimit.count()
           << " s of closing its stdin (Stop); killed";
  }
  const int status = **ended;
  const bool by_signal = WIFSIGNALED(status);
  const int value = by_signal ? WTERMSIG(status) : WEXITSTATUS(status);
  if (by_signal == expected_.by_signal && value == expected_.value) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "fixture ended by " << (by_signal ? "signal " : "exit ") << value << ", expected "
         << (expected_.by_signal ? "signal " : "exit ") << expected_.value;
}

FixtureProcess::~FixtureProcess() {
  ClosePipes();
  // A fixture that was not stopped gets two seconds to end by itself (its stdin is closed), then SIGKILL.
  if (child_.is_valid()) (void)child_.WaitFor(std::chrono::seconds(2));
}

}  // namespace procscope::testing
