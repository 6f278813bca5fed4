// The sequential executor: run_pipeline (executor.hpp). One thread runs source -> stages ->
// sinks, frame by frame; stages that prefer batches collect frames until a batch is full.
// Every call into a plugin or an io object is guarded: an exception becomes a Status.
#include "executor.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include <opencv2/core.hpp>

#include "cvpipe/progress.hpp"
#include "io/generate_source.hpp"
#include "io/io.hpp"
#include "metrics.hpp"
#include "streaming/streaming_executor.hpp"

namespace cvpipe {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kMaxPrintedErrors = 20;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

template <class Fn>
Status guarded(const char* call, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::runtime(std::string(call) + "() threw: " + e.what());
  } catch (...) {
    return Status::runtime(std::string(call) + "() threw an unknown exception");
  }
}

std::string with_location(std::string what, const Location& where) {
  const std::string w = where.str();
  return w.empty() ? what : what + " (" + w + ")";
}

std::string frame_text(const Frame& f) {
  std::string s = "frame " + std::to_string(f.seq);
  if (!f.source.empty()) s += " (" + f.source + ")";
  return s;
}

std::string frames_text(const std::vector<Frame>& frames) {
  if (frames.size() == 1) return frame_text(frames.front());
  return "frames " + std::to_string(frames.front().seq) + ".." + std::to_string(frames.back().seq);
}

// What every part of the pipeline has: a label for messages, counters and timings.
struct Component {
  std::string label;  // "stage 'blur' (configs/blur.yaml:7:5)"
  StageMetrics metrics;
  LatencyRecorder latency;
  int printed_errors = 0;

  StageMetrics finished() const {
    StageMetrics m = metrics;
    m.ms_p50 = latency.percentile(50);
    m.ms_p95 = latency.percentile(95);
    return m;
  }
};

struct StageSlot : Component {
  const StageSpec* spec = nullptr;
  StageHandle stage;
  bool opened = false;
  size_t batch = 1;
  std::vector<Frame> pending;
};

struct SinkSlot : Component {
  std::unique_ptr<io::Sink> sink;
  bool opened = false;
};

class SequentialRun {
 public:
  SequentialRun(const PipelineSpec& spec, const PluginRegistry& registry, const RunOptions& options, RunReport& report)
      : spec_(spec), registry_(registry), opt_(options), report_(report), trace_(!options.trace_file.empty()),
        progress_(ProgressBar::Options{options.progress, "run", -1, "frames"}) {}

  Status run() {
    const auto t0 = Clock::now();
    report_ = RunReport{};
    report_.executor = "sequential";
    Status st = setup();
    const bool ran = st.ok();
    if (st.ok()) st = loop();
    if (st.ok()) st = drain();
    close_all();
    if (st.ok() && stopped_)
      st = Status(StatusCode::cancelled, "stopped after " + std::to_string(read_) + " frames");
    report_.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    report_.status = st;
    report_.source = source_.finished();
    for (const auto& s : stages_) report_.stages.push_back(s.finished());
    for (const auto& s : sinks_) report_.sinks.push_back(s.finished());
    progress_.finish();
    if (!opt_.metrics_file.empty()) {
      if (Status ms = write_metrics_file(report_, opt_.metrics_file); !ms.ok()) {
        say("cvpipe: error: --metrics: " + ms.message());
        ++report_.errors;
      }
    }
    if (trace_.enabled()) {
      if (Status ts = trace_.write(opt_.trace_file); !ts.ok()) {
        say("cvpipe: error: --trace: " + ts.message());
        ++report_.errors;
      }
    }
    // A run that could not start has nothing to summarise: its error says it all.
    if (!opt_.quiet && ran) std::fputs(format_summary(report_).c_str(), stderr);
    return st;
  }

 private:
  // ---- setup ----
  StageContext context_for(const std::string& instance) const {
    StageContext ctx;
    ctx.instance_name = instance;
    std::error_code ec;
    ctx.config_dir = spec_.config_file.empty() ? std::filesystem::current_path(ec) : spec_.config_file.parent_path();
    ctx.threads = threads_;
    ctx.quiet = opt_.quiet;
    return ctx;
  }

  Status setup() {
    const int requested = opt_.threads > 0 ? opt_.threads : spec_.runtime.threads;
    threads_ = requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    report_.threads = threads_;
    if (requested > 0) cv::setNumThreads(requested);

    // Source.
    const SourceSpec& src = spec_.source;
    if (src.type.empty()) return Status::invalid("the pipeline has no source (give one in the config or with --input)");
    source_.label = src.type == "generate" ? with_location("source 'generate' (stage '" + src.stage + "')", src.where)
                                           : with_location("source '" + src.type + "'", src.where);
    source_.metrics.name = src.type == "generate" ? "generate:" + src.stage : src.type;
    Status st = src.type == "generate"
                    ? io::make_generate_source(src, registry_, context_for(src.stage), source_ptr_)
                    : io::make_source(src, source_ptr_);
    if (st.ok()) st = guarded("open", [&] { return source_ptr_->open(info_); });
    if (source_ptr_) print_warnings(source_ptr_->take_warnings());
    if (!st.ok()) return Status(st.code(), source_.label + ": " + st.message());
    source_opened_ = true;

    // Stages, chaining what each emits.
    StreamInfo info = info_;
    stages_.reserve(spec_.stages.size());
    for (const StageSpec& s : spec_.stages) {
      StageSlot& slot = stages_.emplace_back();
      slot.spec = &s;
      slot.label = with_location("stage '" + s.name + "'" + (s.name != s.stage ? " (" + s.stage + ")" : ""), s.where);
      slot.metrics.name = s.name;
      CVPIPE_RETURN_IF_ERROR(prefixed(slot.label, registry_.create_stage(s.stage, slot.stage)));
      const StageContext ctx = context_for(s.name);
      CVPIPE_RETURN_IF_ERROR(prefixed(slot.label + ": configure", guarded("configure", [&] { return slot.stage->configure(s.params, ctx); })));
      StreamInfo out = info;
      CVPIPE_RETURN_IF_ERROR(prefixed(slot.label + ": open", guarded("open", [&] { return slot.stage->open(info, out); })));
      slot.opened = true;
      info = out;
      int preferred = 1;
      if (Status b = guarded("preferred_batch", [&] { preferred = slot.stage->preferred_batch(); return Status{}; }); !b.ok())
        preferred = 1;
      if (preferred > 1) slot.batch = static_cast<size_t>(spec_.runtime.batch > 1 ? spec_.runtime.batch : preferred);
    }

    // Sinks.
    std::map<std::string, int> seen;
    sinks_.reserve(spec_.sinks.size());
    for (size_t i = 0; i < spec_.sinks.size(); ++i) {
      const SinkSpec& s = spec_.sinks[i];
      SinkSlot& slot = sinks_.emplace_back();
      slot.label = with_location("sink " + std::to_string(i) + " (" + s.type + ")", s.where);
      const int n = ++seen[s.type];
      slot.metrics.name = n == 1 ? s.type : s.type + "#" + std::to_string(n);
      CVPIPE_RETURN_IF_ERROR(prefixed(slot.label, io::make_sink(s, slot.sink)));
      Status os = guarded("open", [&] { return slot.sink->open(info); });
      print_warnings(slot.sink->take_warnings());
      CVPIPE_RETURN_IF_ERROR(prefixed(slot.label, os));
      slot.opened = true;
      slot.label = with_location("sink " + std::to_string(i) + " (" + slot.sink->describe() + ")", s.where);
    }

    limit_ = opt_.max_frames >= 0 ? opt_.max_frames : spec_.runtime.max_frames;
    int64_t total = info_.frame_count;
    if (limit_ >= 0) total = total >= 0 ? std::min(total, limit_) : limit_;
    progress_.set_total(total);
    return {};
  }

  static Status prefixed(const std::string& who, Status st) {
    if (st.ok()) return st;
    return Status(st.code(), who + ": " + st.message());
  }

  // ---- running ----
  Status loop() {
    for (;;) {
      if (opt_.stop_flag && opt_.stop_flag->load()) {
        stopped_ = true;
        return {};
      }
      if (limit_ >= 0 && read_ >= limit_) return {};
      Frame frame;
      frame.seq = read_;
      const auto t0 = Clock::now();
      Status st = guarded("read", [&] { return source_ptr_->read(frame); });
      const auto t1 = Clock::now();
      print_warnings(source_ptr_->take_warnings());
      if (st.is_end()) return {};
      if (!st.ok()) {
        ++report_.source_errors;
        CVPIPE_RETURN_IF_ERROR(failed(source_, source_.label + ": " + st.message(), st.code(), 1));
        continue;
      }
      source_.latency.add(ms_between(t0, t1));
      trace_.complete(source_.metrics.name, "source", t0, t1);
      ++source_.metrics.frames;
      frame.seq = read_++;
      if (read_ > 1 && frame.pts_ns < last_pts_) {  // non-monotonic: repaired and counted
        frame.pts_ns = last_pts_ + 1;
        ++report_.timestamps_repaired;
      }
      last_pts_ = frame.pts_ns;
      progress_.update(read_, report_.errors > 0 ? std::to_string(report_.errors) + " errors" : std::string());
      std::vector<Frame> one;
      one.push_back(std::move(frame));
      CVPIPE_RETURN_IF_ERROR(push(0, one));
    }
  }

  // Hands frames to stage i (stages_.size(): the sinks).
  Status push(size_t i, std::vector<Frame>& frames) {
    if (frames.empty()) return {};
    if (i == stages_.size()) return to_sinks(frames);
    StageSlot& s = stages_[i];
    if (s.batch > 1) {
      for (auto& f : frames) {
        s.pending.push_back(std::move(f));
        if (s.pending.size() >= s.batch) {
          std::vector<Frame> batch = std::move(s.pending);
          s.pending.clear();
          CVPIPE_RETURN_IF_ERROR(run_batch(i, batch));
        }
      }
      return {};
    }
    for (auto& f : frames) {
      const auto t0 = Clock::now();
      Status st = guarded("process", [&] { return s.stage->process(f); });
      const auto t1 = Clock::now();
      if (!st.ok()) {
        CVPIPE_RETURN_IF_ERROR(failed(s, s.label + ": " + frame_text(f) + ": " + st.message(), st.code(), 1));
        continue;
      }
      s.latency.add(ms_between(t0, t1));
      trace_.complete(s.metrics.name, "stage", t0, t1);
      ++s.metrics.frames;
      if (f.consumed) continue;
      std::vector<Frame> next;
      next.push_back(std::move(f));
      CVPIPE_RETURN_IF_ERROR(push(i + 1, next));
    }
    return {};
  }

  Status run_batch(size_t i, std::vector<Frame>& batch) {
    StageSlot& s = stages_[i];
    const std::string what = frames_text(batch);
    const size_t n = batch.size();
    const auto t0 = Clock::now();
    Status st = guarded("process_batch", [&] { return s.stage->process_batch(batch); });
    const auto t1 = Clock::now();
    if (!st.ok()) return failed(s, s.label + ": " + what + ": " + st.message(), st.code(), static_cast<int64_t>(n));
    const double per_frame = ms_between(t0, t1) / static_cast<double>(std::max<size_t>(n, 1));
    for (size_t k = 0; k < n; ++k) s.latency.add(per_frame);
    trace_.complete(s.metrics.name, "stage", t0, t1);
    s.metrics.frames += static_cast<int64_t>(n);
    std::erase_if(batch, [](const Frame& f) { return f.consumed; });
    return push(i + 1, batch);
  }

  Status to_sinks(std::vector<Frame>& frames) {
    for (auto& f : frames) {
      ++report_.frames;
      for (auto& s : sinks_) {
        const auto t0 = Clock::now();
        Status st = guarded("write", [&] { return s.sink->write(f); });
        const auto t1 = Clock::now();
        print_warnings(s.sink->take_warnings());
        if (!st.ok()) {
          CVPIPE_RETURN_IF_ERROR(failed(s, s.label + ": " + frame_text(f) + ": " + st.message(), st.code(), 1));
          continue;
        }
        s.latency.add(ms_between(t0, t1));
        trace_.complete(s.metrics.name, "sink", t0, t1);
        ++s.metrics.frames;
      }
    }
    return {};
  }

  // End of stream: stage by stage, the rest of a batch, then what finish() emits, go downstream.
  Status drain() {
    for (size_t i = 0; i < stages_.size(); ++i) {
      StageSlot& s = stages_[i];
      if (!s.pending.empty()) {
        std::vector<Frame> batch = std::move(s.pending);
        s.pending.clear();
        CVPIPE_RETURN_IF_ERROR(run_batch(i, batch));
      }
      std::vector<Frame> out;
      const auto t0 = Clock::now();
      Status st = guarded("finish", [&] { return s.stage->finish(out); });
      trace_.complete(s.metrics.name + ".finish", "stage", t0, Clock::now());
      if (!st.ok()) {
        CVPIPE_RETURN_IF_ERROR(failed(s, s.label + ": finish: " + st.message(), st.code(), 1));
        continue;
      }
      std::erase_if(out, [](const Frame& f) { return f.consumed; });
      CVPIPE_RETURN_IF_ERROR(push(i + 1, out));
    }
    return {};
  }

  // Counts a failure; under on_error=stop returns it (ending the run), else prints it and goes on.
  Status failed(Component& c, const std::string& message, StatusCode code, int64_t frames) {
    c.metrics.errors += frames;
    report_.errors += frames;
    if (spec_.runtime.on_error == OnError::stop) return Status(code, message);
    if (c.printed_errors < kMaxPrintedErrors) say("cvpipe: error: " + message + " (skipped)");
    else if (c.printed_errors == kMaxPrintedErrors) say("cvpipe: error: " + c.label + ": further errors are not shown");
    ++c.printed_errors;
    return {};
  }

  // Closes everything that was opened, in pipeline order; failures are printed and counted.
  void close_all() {
    if (source_ptr_ && source_opened_) {
      Status st = guarded("close", [&] { return source_ptr_->close(); });
      print_warnings(source_ptr_->take_warnings());
      if (!st.ok()) close_failed(source_, st);
    }
    source_opened_ = false;
    for (auto& s : stages_) {
      if (!s.opened) continue;
      s.opened = false;
      if (Status st = guarded("close", [&] { return s.stage->close(); }); !st.ok()) close_failed(s, st);
    }
    for (auto& s : sinks_) {
      if (!s.opened) continue;
      s.opened = false;
      Status st = guarded("close", [&] { return s.sink->close(); });
      print_warnings(s.sink->take_warnings());
      if (!st.ok()) close_failed(s, st);
    }
  }

  void close_failed(Component& c, const Status& st) {
    ++c.metrics.errors;
    ++report_.errors;
    say("cvpipe: error: " + c.label + ": close: " + st.message());
  }

  // Warnings are printed also with --quiet (which only hides the progress bar and summary).
  void print_warnings(const std::vector<std::string>& warnings) {
    for (const auto& w : warnings) say("cvpipe: warning: " + w);
  }

  void say(const std::string& line) {
    progress_.clear();
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
  }

  const PipelineSpec& spec_;
  const PluginRegistry& registry_;
  const RunOptions& opt_;
  RunReport& report_;
  TraceLog trace_;
  ProgressBar progress_;
  int threads_ = 1;
  std::unique_ptr<io::Source> source_ptr_;
  bool source_opened_ = false;
  StreamInfo info_;
  Component source_;
  std::vector<StageSlot> stages_;
  std::vector<SinkSlot> sinks_;
  int64_t limit_ = -1;
  int64_t read_ = 0;
  int64_t last_pts_ = 0;
  bool stopped_ = false;
};

}  // namespace

Status run_pipeline(const PipelineSpec& spec, const PluginRegistry& registry, const RunOptions& options,
                    RunReport& report) {
  try {
    if (spec.runtime.executor != "sequential") return streaming::run_streaming(spec, registry, options, report);
    SequentialRun run(spec, registry, options, report);
    return run.run();
  } catch (const std::exception& e) {
    report.status = Status::runtime(std::string("internal error: ") + e.what());
    return report.status;
  }
}

}  // namespace cvpipe
