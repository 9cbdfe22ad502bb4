#include "tests/util/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "backend/eintr.h"
#include "backend/pipe.h"
#include "backend/scoped_child.h"
#include "backend/scoped_fd.h"
#include "backend/status.h"

extern char** environ;

namespace procscope::testing {

CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input,
                         std::chrono::milliseconds timeout) {
  CommandResult result;
  StatusOr<Pipe> in_pipe = MakePipe(), out_pipe = MakePipe(), err_pipe = MakePipe();
  for (const StatusOr<Pipe>* made : {&in_pipe, &out_pipe, &err_pipe}) {
    if (!made->ok()) {
      result.err = made->status().ToString();
      return result;
    }
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe->read_end.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe->write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe->write_end.get(), STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawn_error = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    result.err = Status(spawn_error, std::string("posix_spawn ") + args[0]).ToString();
    return result;
  }
  ScopedChild child(pid);
  in_pipe->read_end.reset();
  out_pipe->write_end.reset();
  err_pipe->write_end.reset();
  signal(SIGPIPE, SIG_IGN);  // the child may exit without reading its stdin
  ScopedFd& in_fd = in_pipe->write_end;
  ScopedFd& out_fd = out_pipe->read_end;
  ScopedFd& err_fd = err_pipe->read_end;
  fcntl(in_fd.get(), F_SETFL, O_NONBLOCK);
  size_t written = 0;
  if (input.empty()) in_fd.reset();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out_fd.is_valid() || err_fd.is_valid() || in_fd.is_valid()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      (void)child.Signal(SIGKILL);
      break;
    }
    pollfd fds[3] = {{out_fd.get(), POLLIN, 0}, {err_fd.get(), POLLIN, 0}, {in_fd.get(), POLLOUT, 0}};
    if (poll(fds, 3, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    char buf[65536];
    for (int i = 0; i < 2; ++i) {
      ScopedFd& fd = i == 0 ? out_fd : err_fd;
      if (!fd.is_valid() || fds[i].revents == 0) continue;
      const ssize_t n = RetryOnEintr([&] { return read(fd.get(), buf, sizeof buf); });
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
      } else {
        fd.reset();
      }
    }
    if (in_fd.is_valid() && fds[2].revents != 0) {
      const ssize_t n =
          RetryOnEintr([&] { return write(in_fd.get(), input.data() + written, input.size() - written); });
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN) || written == input.size()) in_fd.reset();
    }
  }
  in_fd.reset();
  out_fd.reset();
  err_fd.reset();
  StatusOr<int> status = child.Wait();
  result.exit_code = status.ok() ? ExitCodeOrSignal(*status) : -1;
  if (!status.ok()) result.err += "\n[test: " + status.status().ToString() + "]\n";
  if (result.timed_out) {
    std::string command;
    for (const std::string& arg : argv) command += (command.empty() ? "" : " ") + arg;
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g s", static_cast<double>(timeout.count()) / 1000);
    result.err += "\n[test: `" + command + "` did not finish within " + limit + " and was killed]\n";
  }
  return result;
}

std::string RunfilesPath(const std::string& workspace_relative) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr || workspace_relative.starts_with('/')) {
    return workspace_relative;
  }
  return std::string(srcdir) + "/" + workspace + "/" + workspace_relative;
}

CommandResult RunProcscope(std::vector<std::string> args, const std::string& input) {
  args.insert(args.begin(), RunfilesPath("tools/procscope"));
  return RunCommand(args, input);
}

}  // namespace procscope::testing
