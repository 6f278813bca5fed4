// Process isolation for stages: see isolated_stage.hpp.
// Exchange: the host sends a request (an op byte, then its arguments), the worker answers with a
// Status and the op's results. init: plugin file, stage name, params, context -> status,
// preferred batch. open: stream info -> status, stream info. process: frame -> status, the frames emitted.
// batch: frames -> status, frames. finish -> status, frames. close -> status (the worker exits).
#include "isolation/isolated_stage.hpp"

#include <dlfcn.h>
#include <omp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <opencv2/core.hpp>

#include "exit_text.hpp"
#include "host_logger.hpp"
#include "isolation/wire.hpp"

extern char** environ;

namespace cvpipe {

namespace {

enum class Op : uint8_t { init = 1, open, process, batch, finish, close };

// The fds the worker reads requests from and writes answers to.
constexpr int kWorkerIn = 3, kWorkerOut = 4;

std::filesystem::path worker_program() {
  if (const char* env = std::getenv("CVPIPE_STAGE_WORKER"); env && *env) return env;
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&worker_program), &info) && info.dli_fname) {
    const std::filesystem::path lib_dir = std::filesystem::path(info.dli_fname).parent_path();
    for (const auto& p : {lib_dir / "cvpipe-stage-worker", lib_dir / "cvpipe" / "cvpipe-stage-worker"})
      if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return {};
}

class IsolatedStage final : public Stage {
 public:
  IsolatedStage(std::filesystem::path plugin_file, std::string stage)
      : plugin_file_(std::move(plugin_file)), stage_(std::move(stage)) {}
  ~IsolatedStage() override { stop_worker(); }

  Status configure(const Params& params, const StageContext& ctx) override {
    params_ = params;
    ctx_ = ctx;
    return start_worker();
  }

  Status open(const StreamInfo& in, StreamInfo& out) override {
    in_ = in;
    wire::Writer w;
    w.u8(static_cast<uint8_t>(Op::open));
    w.stream(in);
    return call("open()", w, [&](wire::Reader& r) { return r.stream(out); }, /*restart=*/false);
  }

  Status transform(Frame& frame, Emitter& out) override {
    wire::Writer w;
    w.u8(static_cast<uint8_t>(Op::process));
    w.frame(frame);
    std::vector<Frame> emitted;
    CVPIPE_RETURN_IF_ERROR(call("process()", w, [&](wire::Reader& r) { return r.frames(emitted); }, true));
    for (auto& f : emitted) out.emit(std::move(f));
    return {};
  }

  int preferred_batch() const override { return preferred_batch_; }

  Status process_batch(std::vector<Frame>& frames) override {
    wire::Writer w;
    w.u8(static_cast<uint8_t>(Op::batch));
    w.frames(frames);
    return call("process_batch()", w, [&](wire::Reader& r) { return r.frames(frames); }, true);
  }

  Status finish(Emitter& out) override {
    wire::Writer w;
    w.u8(static_cast<uint8_t>(Op::finish));
    std::vector<Frame> emitted;
    CVPIPE_RETURN_IF_ERROR(call("finish()", w, [&](wire::Reader& r) { return r.frames(emitted); }, false));
    for (auto& f : emitted) out.emit(std::move(f));
    return {};
  }

  Status close() override {
    if (pid_ <= 0) return {};
    wire::Writer w;
    w.u8(static_cast<uint8_t>(Op::close));
    const Status st = call("close()", w, [](wire::Reader&) { return true; }, false);
    stop_worker();
    return st;
  }

 private:
  Status start_worker() {
    const std::filesystem::path program = worker_program();
    if (program.empty())
      return Status::not_found("isolate: process: the worker program cvpipe-stage-worker was not found next to "
                               "libcvpipe_runtime.so (set CVPIPE_STAGE_WORKER to its path)");
    // One socket pair both ways: writing to a worker that died fails with EPIPE, never SIGPIPE.
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
      return Status::runtime(std::string("isolate: socketpair: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, sv[1], kWorkerIn);
    posix_spawn_file_actions_adddup2(&actions, sv[1], kWorkerOut);
    posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
    const std::string arg0 = program.string();
    char* argv[] = {const_cast<char*>(arg0.c_str()), nullptr};
    pid_t pid = -1;
    const int err = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(sv[1]);
    if (err != 0) {
      ::close(sv[0]);
      return Status::runtime("isolate: cannot start " + program.string() + ": " + std::strerror(err));
    }
    pid_ = pid;
    fd_ = sv[0];
    wire::Writer w;
    w.u8(static_cast<uint8_t>(Op::init));
    w.str(plugin_file_.string());
    w.str(stage_);
    w.params(params_);
    w.context(ctx_);
    int64_t batch = 1;
    CVPIPE_RETURN_IF_ERROR(call("configure()", w, [&](wire::Reader& r) { return r.i64(batch); }, false));
    preferred_batch_ = static_cast<int>(batch);
    return {};
  }

  void stop_worker() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (pid_ > 0) {
      int wstatus = 0;
      ::waitpid(pid_, &wstatus, 0);
    }
    pid_ = -1;
  }

  // Sends a request, reads the Status and the results. When the worker dies on the way: the
  // call fails naming the cause, and (`restart`) a new worker is configured and opened.
  template <class ReadResults>
  Status call(const char* what, const wire::Writer& request, ReadResults&& read_results, bool restart) {
    if (pid_ <= 0) return Status::runtime(std::string("isolate: ") + what + ": the stage's process is not running");
    std::string answer;
    if (wire::send(fd_, request.bytes()) && wire::receive(fd_, answer)) {
      wire::Reader r(answer);
      Status st;
      if (!r.status(st)) return Status::runtime(std::string("isolate: ") + what + ": malformed answer from the stage's process");
      if (st.ok() && !read_results(r))
        return Status::runtime(std::string("isolate: ") + what + ": malformed answer from the stage's process");
      return st;
    }
    // The worker is gone: collect it and say how it ended.
    ::close(fd_);
    fd_ = -1;
    int wstatus = 0;
    ::waitpid(pid_, &wstatus, 0);
    pid_ = -1;
    std::string message = "the stage's isolated process " + exit_text(wstatus) + " during " + what;
    if (restart) {
      Status again = start_worker();
      if (again.ok()) {
        StreamInfo out;
        again = open(in_, out);
      }
      message += again.ok() ? "; a new process takes the next frames" : "; restarting it failed: " + again.message();
    }
    return Status::runtime(message);
  }

  std::filesystem::path plugin_file_;
  std::string stage_;
  Params params_;
  StageContext ctx_;
  StreamInfo in_;
  int preferred_batch_ = 1;
  pid_t pid_ = -1;
  int fd_ = -1;  // the host's end of the socket pair
};

}  // namespace

Status make_isolated_stage(const std::filesystem::path& plugin_file, const std::string& stage, StageHandle& out) {
  out = StageHandle(new IsolatedStage(plugin_file, stage), [](Stage* s) { delete s; });
  return {};
}

int serve_isolated_stage(int in_fd, int out_fd) {
  ::signal(SIGPIPE, SIG_IGN);
  PluginRegistry registry;
  std::unique_ptr<HostLogger> logger;
  StageHandle stage;
  std::string request;
  while (wire::receive(in_fd, request)) {
    wire::Reader r(request);
    wire::Writer w;
    uint8_t op = 0;
    if (!r.u8(op)) return 2;
    Status st;
    wire::Writer results;
    switch (static_cast<Op>(op)) {
      case Op::init: {
        std::string file, name;
        Params params;
        StageContext ctx;
        int64_t log_level = -1;
        if (!r.str(file) || !r.str(name) || !r.params(params) || !r.context(ctx, log_level)) return 2;
        // The worker's stderr is the host's: it logs there itself, at the host's level.
        if (log_level >= 0) {
          logger = std::make_unique<HostLogger>(static_cast<LogLevel>(std::min<int64_t>(log_level, 3)));
          ctx.logger = logger.get();
        }
        omp_set_num_threads(std::max(1, ctx.threads));
        cv::setNumThreads(std::max(1, ctx.threads));
        st = registry.load_file(file);
        if (st.ok()) st = registry.create_stage(name, stage);
        if (st.ok()) st = guard([&] { return stage->configure(params, ctx); });
        int batch = 1;
        if (st.ok()) st = guard([&] { batch = stage->preferred_batch(); return Status{}; });
        results.i64(batch);
        break;
      }
      case Op::open: {
        StreamInfo in, out;
        if (!stage || !r.stream(in)) return 2;
        out = in;
        st = guard([&] { return stage->open(in, out); });
        results.stream(out);
        break;
      }
      case Op::process: {
        Frame f;
        if (!stage || !r.frame(f)) return 2;
        std::vector<Frame> emitted;
        FrameCollector collect(emitted);
        st = guard([&] { return stage->transform(f, collect); });
        results.frames(emitted);
        break;
      }
      case Op::batch: {
        std::vector<Frame> fs;
        if (!stage || !r.frames(fs)) return 2;
        st = guard([&] { return stage->process_batch(fs); });
        results.frames(fs);
        break;
      }
      case Op::finish: {
        std::vector<Frame> out;
        if (!stage) return 2;
        FrameCollector collect(out);
        st = guard([&] { return stage->finish(collect); });
        results.frames(out);
        break;
      }
      case Op::close: {
        if (stage) st = guard([&] { return stage->close(); });
        w.status(st);
        wire::send(out_fd, w.bytes());
        return 0;
      }
      default:
        return 2;
    }
    w.status(st);
    std::string answer = w.bytes();
    if (st.ok()) answer += results.bytes();
    if (!wire::send(out_fd, answer)) return 1;
  }
  return 0;
}

}  // namespace cvpipe
