// `procscope read` at scale, end to end: the CLI's wall time for N elements (10k, 200k, 1M; 8 bytes, one per
// page, every element readable) in each output format, next to the engine's own time for the same batch, and
// the CLI's peak RSS.
//
//   cli_benchmark [--procscope=PATH] [Google Benchmark flags]
//
// PATH defaults to tools/procscope beside this binary's directory (bazel-bin). The target is one forked
// layout child ("rw:1,zero:1048576,rw:1": 4 GiB never written, so reading it costs the target no memory),
// the input one --from file per N. Each cell runs the CLI once per iteration (posix_spawn, stdout to a file)
// and reports, besides its wall time (the cell's time):
//   engine_ms     TransferBatch with the default strategy over the same elements, in this process (the best
//                 of three batches, measured once per N)
//   ratio         the CLI's wall time / engine_ms
//   peak_rss_mb   the CLI's ru_maxrss (through a small helper process: see Measure)
//   data_mb       the bytes read (N x 8)
//   output_mb     what the CLI wrote to stdout (and --out)
// A format the binary does not know (an older procscope) skips its cell with the CLI's message.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend/eintr.h"
#include "backend/memory/linux_memory_backend.h"
#include "backend/memory/strategy.h"
#include "fixtures/layout_child.h"

extern char** environ;

namespace procscope {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMaxElements = 1 << 20;
constexpr uint64_t kElementSize = 8;

std::string g_procscope;  // the binary under test
std::string g_self;       // this binary, for --measure
std::string g_dir;        // scratch directory for inputs and outputs

fixtures::LayoutChild* Child() {
  static std::unique_ptr<fixtures::LayoutChild> child = [] {
    StatusOr<std::unique_ptr<fixtures::LayoutChild>> started =
        fixtures::LayoutChild::Start("rw:1,zero:" + std::to_string(kMaxElements) + ",rw:1");
    return started.ok() ? *std::move(started) : nullptr;
  }();
  return child.get();
}

// Element i: 8 bytes at the start of page i of the zero region.
uint64_t Address(uint64_t i) { return Child()->regions()[1].start + i * kPage; }

// The --from file for n elements (written once).
std::string InputFile(uint64_t n) {
  const std::string path = g_dir + "/ranges-" + std::to_string(n) + ".txt";
  struct stat st;
  if (stat(path.c_str(), &st) == 0) return path;
  FILE* f = std::fopen(path.c_str(), "w");
  for (uint64_t i = 0; i < n; ++i)
    std::fprintf(f, "0x%llx:%llu\n", static_cast<unsigned long long>(Address(i)),
                 static_cast<unsigned long long>(kElementSize));
  std::fclose(f);
  return path;
}

// The engine's time for the batch (best of three), measured once per n.
double EngineMs(uint64_t n) {
  static std::map<uint64_t, double> cache;
  if (auto it = cache.find(n); it != cache.end()) return it->second;
  std::vector<uint8_t> buffer(n * kElementSize);
  std::vector<Element> elements;
  for (uint64_t i = 0; i < n; ++i)
    elements.push_back({Address(i), buffer.data() + i * kElementSize, kElementSize});
  std::vector<ElementResult> results(n);
  LinuxMemoryBackend memory(Child()->pid());
  std::unique_ptr<Strategy> strategy = MakeStrategy("default");
  double best = 1e300;
  for (int run = 0; run < 3; ++run) {
    const auto start = std::chrono::steady_clock::now();
    const Status status = TransferBatch(*strategy, memory, Direction::kRead, elements, results);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!status.ok()) return cache[n] = -1;
    best = std::min(best, ms);
  }
  return cache[n] = best;
}

struct Run {
  int status = -1;
  double wall_ms = 0;
  double peak_rss_mb = 0;
  std::string error;  // the first line of stderr when it failed
};

// The measuring helper (`cli_benchmark --measure OUT ERR PROGRAM ARGS...`, a fresh small process): forks,
// runs PROGRAM with stdout to OUT and stderr to ERR, waits, and prints "status wall_ms maxrss_kb". It exists
// because a child's ru_maxrss includes the memory of the process it was forked or spawned from until its
// exec (the kernel carries the old mm's high-water mark over): run straight from this benchmark, which
// holds a 1M-element batch of its own, every CLI would seem to use that much.
int Measure(int argc, char** argv) {
  if (argc < 5) return 2;
  const auto start = std::chrono::steady_clock::now();
  // posix_spawn, not fork: the child shares this small process's memory until its exec, so the high-water
  // mark it carries over is this helper's, as with fork.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, argv[4], &actions, nullptr, argv + 4, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    std::fprintf(stderr, "cli_benchmark --measure: posix_spawn %s: %s\n", argv[4], std::strerror(spawned));
    return 2;
  }
  int status = 0;
  rusage usage{};
  if (RetryOnEintr([&] { return wait4(pid, &status, 0, &usage); }) != pid) return 2;
  const double wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("%d %.3f %ld\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), wall_ms,
              usage.ru_maxrss);
  return 0;
}

// Runs procscope with `args` through the measuring helper, stdout to `out_path`.
Run Spawn(const std::vector<std::string>& args, const std::string& out_path) {
  Run run;
  const std::string err_path = g_dir + "/stderr.txt", measured_path = g_dir + "/measured.txt";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, measured_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> helper = {g_self, "--measure", out_path, err_path, g_procscope};
  helper.insert(helper.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : helper) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  const int spawned = posix_spawn(&pid, g_self.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    run.error = "cannot start " + g_self;
    return run;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  FILE* measured = std::fopen(measured_path.c_str(), "r");
  long maxrss_kb = 0;
  if (measured == nullptr ||
      std::fscanf(measured, "%d %lf %ld", &run.status, &run.wall_ms, &maxrss_kb) != 3) {
    run.status = -1;
    run.error = "the measuring helper reported nothing";
  }
  if (measured != nullptr) std::fclose(measured);
  run.peak_rss_mb = static_cast<double>(maxrss_kb) / 1024.0;
  if (run.status != 0 && run.error.empty()) {
    FILE* f = std::fopen(err_path.c_str(), "r");
    char line[512] = "";
    if (f != nullptr && std::fgets(line, sizeof line, f) == nullptr) line[0] = '\0';
    if (f != nullptr) std::fclose(f);
    run.error = line;
    if (!run.error.empty() && run.error.back() == '\n') run.error.pop_back();
  }
  return run;
}

double FileMb(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<double>(st.st_size) / (1 << 20) : 0;
}

// format: json, ndjson, table, or out (raw bytes to a file, --format ndjson on stdout).
void RunCli(benchmark::State& state, uint64_t n, const std::string& format) {
  if (Child() == nullptr) {
    state.SkipWithError("could not start the layout child");
    return;
  }
  const double engine_ms = EngineMs(n);
  if (engine_ms < 0) {
    state.SkipWithError("the engine's batch failed");
    return;
  }
  std::vector<std::string> args = {"read", std::to_string(Child()->pid()), "--from", InputFile(n)};
  const std::string out_path = g_dir + "/stdout.txt", raw_path = g_dir + "/raw.bin";
  // json and table as they were always asked for (--json, no flag), so older binaries measure too.
  if (format == "json") {
    args.push_back("--json");
  } else if (format == "ndjson") {
    args.insert(args.end(), {"--format", "ndjson"});
  } else if (format == "out") {
    args.insert(args.end(), {"--out", raw_path, "--format", "ndjson"});
  }
  Run last;
  double wall_ms = 0, rss_mb = 0;
  for (auto _ : state) {
    last = Spawn(args, out_path);
    if (last.status != 0) {
      state.SkipWithError(("procscope exited " + std::to_string(last.status) + ": " + last.error).c_str());
      return;
    }
    state.SetIterationTime(last.wall_ms / 1000);
    wall_ms += last.wall_ms;
    rss_mb = std::max(rss_mb, last.peak_rss_mb);
  }
  const double iterations = static_cast<double>(std::max<benchmark::IterationCount>(state.iterations(), 1));
  state.counters["engine_ms"] = engine_ms;
  state.counters["ratio"] = wall_ms / iterations / engine_ms;
  state.counters["peak_rss_mb"] = rss_mb;
  state.counters["data_mb"] = static_cast<double>(n * kElementSize) / (1 << 20);
  state.counters["output_mb"] = FileMb(out_path) + (format == "out" ? FileMb(raw_path) : 0);
}

}  // namespace
}  // namespace procscope

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--measure") return procscope::Measure(argc, argv);
  char self_path[4096];
  const ssize_t self_length = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
  procscope::g_self = self_length > 0 ? std::string(self_path, static_cast<size_t>(self_length)) : argv[0];
  std::vector<char*> args;
  std::string self = argv[0];
  procscope::g_procscope = self.substr(0, self.rfind('/') + 1) + "../tools/procscope";
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.starts_with("--procscope=")) {
      procscope::g_procscope = arg.substr(12);
    } else {
      args.push_back(argv[i]);
    }
  }
  if (access(procscope::g_procscope.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "cli_benchmark: no procscope binary at %s (--procscope=PATH)\n",
                 procscope::g_procscope.c_str());
    return 2;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/cli_benchmark.XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    std::perror("cli_benchmark: mkdtemp");
    return 2;
  }
  procscope::g_dir = dir;
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  benchmark::AddCustomContext("procscope_binary", procscope::g_procscope);
  for (uint64_t n : {uint64_t{10000}, uint64_t{200000}, uint64_t{1000000}}) {
    for (const char* format : {"json", "ndjson", "table", "out"}) {
      const std::string name = "BM_Cli/N:" + std::to_string(n) + "/format:" + format;
      benchmark::RegisterBenchmark(
          name.c_str(),
          [n, f = std::string(format)](benchmark::State& state) { procscope::RunCli(state, n, f); })
          ->UseManualTime()
          ->Iterations(1)
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (std::system(("rm -rf '" + dir + "'").c_str()) != 0)
    std::fprintf(stderr, "cli_benchmark: could not remove %s\n", dir.c_str());
  return 0;
}
