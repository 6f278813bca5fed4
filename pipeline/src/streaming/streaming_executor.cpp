// The streaming executor: see streaming_executor.hpp. Structure: setup() builds and opens the
// source, stages and sinks exactly like the sequential executor; execute() starts the reader,
// one worker per stage and the sink writer, then watches the stop flag and draws the progress
// line until the writer is done; close_all() closes everything that was opened.
#include "streaming/streaming_executor.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <opencv2/core.hpp>

#include "cvpipe/progress.hpp"
#include "io/generate_source.hpp"
#include "io/io.hpp"
#include "io/retrying_source.hpp"
#include "metrics.hpp"
#include "streaming/bounded_queue.hpp"
#include "streaming/compute_slots.hpp"

namespace cvpipe::streaming {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kMaxPrintedErrors = 20;
constexpr int kLiveBatchTimeoutMs = 50;

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

Status prefixed(const std::string& who, Status st) {
  if (st.ok()) return st;
  return Status(st.code(), who + ": " + st.message());
}

// A frame in flight, with the time the source delivered it (for the end-to-end latency).
struct Item {
  Frame frame;
  Clock::time_point born;
};
using Queue = BoundedQueue<Item>;

// What every part of the pipeline has: a label for messages, counters and timings. Each is
// touched only by the thread that runs the part (and read after the threads are joined).
struct Component {
  std::string label;
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
  StageHandle stage;
  bool opened = false;
  size_t batch = 1;
};

struct SinkSlot : Component {
  std::unique_ptr<io::Sink> sink;
  bool opened = false;
};

class StreamingRun {
 public:
  StreamingRun(const PipelineSpec& spec, const PluginRegistry& registry, const RunOptions& options, RunReport& report)
      : spec_(spec), registry_(registry), opt_(options), report_(report), trace_(!options.trace_file.empty()),
        progress_(ProgressBar::Options{options.progress, "run", -1, "frames"}) {}

  Status run() {
    const auto t0 = Clock::now();
    report_ = RunReport{};
    report_.executor = "streaming";
    Status st = setup();
    const bool ran = st.ok();
    if (st.ok()) st = execute();
    close_all();
    if (st.ok() && stopped_)
      st = Status(StatusCode::cancelled, "stopped after " + std::to_string(source_.metrics.frames) + " frames");
    report_.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    report_.status = st;
    report_.frames = frames_out_.load();
    report_.errors += errors_.load();
    report_.source_errors = source_errors_.load();
    report_.dropped = dropped_.load();
    report_.timestamps_repaired = timestamps_repaired_;
    report_.source_retries = retrying_ ? retrying_->retries() : 0;
    report_.latency_ms_p50 = end_to_end_.percentile(50);
    report_.latency_ms_p95 = end_to_end_.percentile(95);
    source_.metrics.dropped = report_.dropped;
    report_.source = source_.finished();
    for (size_t i = 0; i < stages_.size(); ++i) report_.stages.push_back(with_queue(stages_[i].finished(), i));
    for (const auto& s : sinks_) report_.sinks.push_back(with_queue(s.finished(), stages_.size()));
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
    if (!opt_.quiet && ran) std::fputs(format_summary(report_).c_str(), stderr);
    return st;
  }

 private:
  StageMetrics with_queue(StageMetrics m, size_t queue) const {
    if (queue < queues_.size()) {
      m.queue_mean = queues_[queue]->mean_depth();
      m.queue_max = static_cast<int64_t>(queues_[queue]->max_depth());
    }
    return m;
  }

  // ---- setup ----
  StageContext context_for(const std::string& instance) const {
    StageContext ctx;
    ctx.instance_name = instance;
    std::error_code ec;
    ctx.config_dir = spec_.config_file.empty() ? std::filesystem::current_path(ec) : spec_.config_file.parent_path();
    ctx.threads = stage_threads_;
    ctx.quiet = opt_.quiet;
    return ctx;
  }

  Status setup() {
    const int requested = opt_.threads > 0 ? opt_.threads : spec_.runtime.threads;
    budget_ = requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    report_.threads = budget_;
    stage_threads_ = std::max(1, budget_ / std::max<int>(1, static_cast<int>(spec_.stages.size())));
    slots_ = std::make_unique<ComputeSlots>(budget_);
    cv::setNumThreads(stage_threads_);

    // Source (live ones with `retry` wrapped so they are reopened before being given up).
    const SourceSpec& src = spec_.source;
    if (src.type.empty()) return Status::invalid("the pipeline has no source (give one in the config or with --input)");
    source_.label = src.type == "generate" ? with_location("source 'generate' (stage '" + src.stage + "')", src.where)
                                           : with_location("source '" + src.type + "'", src.where);
    source_.metrics.name = src.type == "generate" ? "generate:" + src.stage : src.type;
    Status st = src.type == "generate"
                    ? io::make_generate_source(src, registry_, context_for(src.stage), source_ptr_)
                    : io::make_source(src, source_ptr_);
    if (st.ok() && src.type != "generate") {
      const io::RetryPolicy policy = io::retry_policy(src.options);
      if (policy.attempts > 0) {
        auto wrapped = std::make_unique<io::RetryingSource>(std::move(source_ptr_), policy, &stop_requested_);
        retrying_ = wrapped.get();
        source_ptr_ = std::move(wrapped);
      }
    }
    if (st.ok()) st = guarded("open", [&] { return source_ptr_->open(info_); });
    if (source_ptr_) print_warnings(source_ptr_->take_warnings());
    if (!st.ok()) return Status(st.code(), source_.label + ": " + st.message());
    source_opened_ = true;
    live_ = info_.live;
    // A live source waits at most one frame interval (20 ms when the rate is unknown, at most
    // 50 ms) for room before it drops: bursts pass, a pipeline that stays behind drops.
    drop_grace_ = std::chrono::microseconds(
        static_cast<int64_t>(info_.fps > 0 ? std::min(50000.0, 1e6 / info_.fps) : 20000.0));
    if (live_) {
      drop_ = spec_.runtime.drop == "auto" ? "oldest" : spec_.runtime.drop;
      batch_timeout_ms_ = spec_.runtime.batch_timeout_ms >= 0 ? spec_.runtime.batch_timeout_ms : kLiveBatchTimeoutMs;
    } else {
      drop_ = "none";
      batch_timeout_ms_ = spec_.runtime.batch_timeout_ms;
    }

    // Stages, chaining what each emits.
    StreamInfo info = info_;
    stages_.reserve(spec_.stages.size());
    for (const StageSpec& s : spec_.stages) {
      StageSlot& slot = stages_.emplace_back();
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

    // Queue i feeds stage i; the last one feeds the sinks.
    for (size_t i = 0; i <= stages_.size(); ++i)
      queues_.push_back(std::make_unique<Queue>(static_cast<size_t>(std::max(1, spec_.runtime.queue))));

    limit_ = opt_.max_frames >= 0 ? opt_.max_frames : spec_.runtime.max_frames;
    int64_t total = info_.frame_count;
    if (limit_ >= 0) total = total >= 0 ? std::min(total, limit_) : limit_;
    progress_.set_total(total);
    return {};
  }

  // ---- running ----
  Status execute() {
    trace_.thread_name(0, "source " + source_.metrics.name);
    for (size_t i = 0; i < stages_.size(); ++i) trace_.thread_name(static_cast<int>(i + 1), "stage " + stages_[i].metrics.name);
    trace_.thread_name(static_cast<int>(stages_.size() + 1), "sinks");

    std::vector<std::thread> threads;
    const int last = static_cast<int>(stages_.size());
    threads.emplace_back([this] { protect("source reader", [this] { read_loop(); }, -1, 0); });
    for (int i = 0; i < last; ++i)
      threads.emplace_back([this, i] { protect("stage worker", [this, i] { stage_loop(static_cast<size_t>(i)); }, i, i + 1); });
    // A watcher handles the stop flag and the progress line until the sinks are done.
    threads.emplace_back([this] { watch(); });
    // The sinks are written on the calling (main) thread: GUI sinks (window) need it.
    protect("sink writer", [this] { sink_loop(); }, last, -1);
    for (auto& t : threads) t.join();
    std::lock_guard lock(error_mutex_);
    return first_error_;
  }

  void watch() {
    for (;;) {
      {
        std::unique_lock lock(done_mutex_);
        if (done_cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return sinks_done_; })) return;
      }
      if (opt_.stop_flag && opt_.stop_flag->load() && !stop_requested_.load()) {
        stop_requested_.store(true);
        if (live_ && drop_ != "none") {
          // A live run stops now: what waits in the queues is dropped (and counted).
          for (auto& q : queues_) dropped_ += static_cast<int64_t>(q->clear());
        }
      }
      update_progress();
    }
  }

  // Runs a thread's body; an escaped exception stops the run and releases the thread's queues
  // (input: -1 for the reader; output: -1 for the sink writer).
  template <class Fn>
  void protect(const char* what, Fn&& body, int input, int output) {
    try {
      body();
      return;
    } catch (const std::exception& e) {
      record_stop(Status::runtime(std::string("internal error in the ") + what + ": " + e.what()));
    } catch (...) {
      record_stop(Status::runtime(std::string("internal error in the ") + what));
    }
    // Nobody reads this thread's input or writes its output any more.
    if (input >= 0) queues_[static_cast<size_t>(input)]->abandon();
    if (output >= 0) queues_[static_cast<size_t>(output)]->close();
    else mark_sinks_done();
  }

  void read_loop() {
    Queue& out = *queues_.front();
    int64_t read = 0;
    int64_t last_pts = 0;
    while (!failed_.load()) {
      if (stop_requested_.load() || (opt_.stop_flag && opt_.stop_flag->load())) {
        stopped_.store(true);
        break;
      }
      if (limit_ >= 0 && read >= limit_) break;
      Frame frame;
      frame.seq = read;
      const auto t0 = Clock::now();
      Status st = guarded("read", [&] { return source_ptr_->read(frame); });
      const auto t1 = Clock::now();
      print_warnings(source_ptr_->take_warnings());
      if (st.is_end()) break;
      if (!st.ok()) {
        ++source_errors_;
        if (!failed(source_, source_.label + ": " + st.message(), st.code(), 1).ok()) break;
        continue;
      }
      source_.latency.add(ms_between(t0, t1));
      trace_.complete(source_.metrics.name, "source", t0, t1, 0);
      ++source_.metrics.frames;
      frame.seq = read++;
      if (read > 1 && frame.pts_ns < last_pts) {
        frame.pts_ns = last_pts + 1;
        ++timestamps_repaired_;
      }
      last_pts = frame.pts_ns;
      frames_read_.store(read);
      Item item{std::move(frame), t1};
      if (drop_ == "none") {
        if (!out.push(std::move(item))) break;
      } else {
        const auto r = out.push_or_drop(std::move(item), drop_ == "oldest", drop_grace_);
        if (r == Queue::Pushed::abandoned) break;
        if (r != Queue::Pushed::ok) ++dropped_;
      }
    }
    out.close();
  }

  void stage_loop(size_t i) {
    omp_set_num_threads(stage_threads_);
    StageSlot& s = stages_[i];
    Queue& in = *queues_[i];
    Queue& out = *queues_[i + 1];
    bool going = true;
    Item item;
    while (going && in.pop(item) == Queue::Popped::item) {
      if (s.batch <= 1) {
        going = process_one(i, item);
        continue;
      }
      std::vector<Item> batch;
      batch.push_back(std::move(item));
      std::optional<Clock::time_point> deadline;
      if (batch_timeout_ms_ >= 0) deadline = Clock::now() + std::chrono::milliseconds(batch_timeout_ms_);
      Item next;
      while (batch.size() < s.batch && in.pop(next, deadline) == Queue::Popped::item) batch.push_back(std::move(next));
      going = process_batch(i, batch);
    }
    if (!going) in.abandon();  // the run stops: upstream must not wait for this worker
    else if (!failed_.load()) finish_stage(i);
    out.close();
  }

  // Returns false when the worker must stop (on_error stop, or nobody downstream any more).
  bool process_one(size_t i, Item& item) {
    StageSlot& s = stages_[i];
    Clock::time_point t0, t1;  // from when the slots are held: waiting for the budget is not the call's time
    Status st;
    {
      ComputeSlots::Hold hold(*slots_, stage_threads_);
      t0 = Clock::now();
      st = guarded("process", [&] { return s.stage->process(item.frame); });
      t1 = Clock::now();
    }
    if (!st.ok()) return failed(s, s.label + ": " + frame_text(item.frame) + ": " + st.message(), st.code(), 1).ok();
    s.latency.add(ms_between(t0, t1));
    trace_.complete(s.metrics.name, "stage", t0, t1, static_cast<int>(i + 1));
    ++s.metrics.frames;
    if (item.frame.consumed) return true;
    return queues_[i + 1]->push(std::move(item));
  }

  bool process_batch(size_t i, std::vector<Item>& items) {
    StageSlot& s = stages_[i];
    std::vector<Frame> batch;
    batch.reserve(items.size());
    for (auto& it : items) batch.push_back(std::move(it.frame));
    const size_t n = batch.size();
    const std::string what = n == 1 ? frame_text(batch.front())
                                    : "frames " + std::to_string(batch.front().seq) + ".." + std::to_string(batch.back().seq);
    Clock::time_point t0, t1;
    Status st;
    {
      ComputeSlots::Hold hold(*slots_, stage_threads_);
      t0 = Clock::now();
      st = guarded("process_batch", [&] { return s.stage->process_batch(batch); });
      t1 = Clock::now();
    }
    if (!st.ok()) return failed(s, s.label + ": " + what + ": " + st.message(), st.code(), static_cast<int64_t>(n)).ok();
    const double per_frame = ms_between(t0, t1) / static_cast<double>(std::max<size_t>(n, 1));
    for (size_t k = 0; k < n; ++k) s.latency.add(per_frame);
    trace_.complete(s.metrics.name, "stage", t0, t1, static_cast<int>(i + 1));
    s.metrics.frames += static_cast<int64_t>(n);
    // A batch stage returns the frames it keeps, in order; they inherit the batch's oldest birth.
    const Clock::time_point born = items.front().born;
    for (auto& f : batch) {
      if (f.consumed) continue;
      if (!queues_[i + 1]->push(Item{std::move(f), born})) return false;
    }
    return true;
  }

  // End of stream: the stage emits what it held back; those frames go downstream.
  void finish_stage(size_t i) {
    StageSlot& s = stages_[i];
    std::vector<Frame> out;
    Clock::time_point t0, t1;
    Status st;
    {
      ComputeSlots::Hold hold(*slots_, stage_threads_);
      t0 = Clock::now();
      st = guarded("finish", [&] { return s.stage->finish(out); });
      t1 = Clock::now();
    }
    trace_.complete(s.metrics.name + ".finish", "stage", t0, t1, static_cast<int>(i + 1));
    if (!st.ok()) {
      (void)failed(s, s.label + ": finish: " + st.message(), st.code(), 1);
      return;
    }
    for (auto& f : out) {
      if (f.consumed) continue;
      if (!queues_[i + 1]->push(Item{std::move(f), t1})) return;
    }
  }

  void sink_loop() {
    Queue& in = *queues_.back();
    const int tid = static_cast<int>(stages_.size() + 1);
    Item item;
    bool going = true;
    while (going && in.pop(item) == Queue::Popped::item) {
      for (auto& s : sinks_) {
        const auto t0 = Clock::now();
        Status st = guarded("write", [&] { return s.sink->write(item.frame); });
        const auto t1 = Clock::now();
        print_warnings(s.sink->take_warnings());
        if (!st.ok()) {
          if (!failed(s, s.label + ": " + frame_text(item.frame) + ": " + st.message(), st.code(), 1).ok()) {
            going = false;
            break;
          }
          continue;
        }
        s.latency.add(ms_between(t0, t1));
        trace_.complete(s.metrics.name, "sink", t0, t1, tid);
        ++s.metrics.frames;
      }
      ++frames_out_;
      end_to_end_.add(ms_between(item.born, Clock::now()));
    }
    if (!going) in.abandon();
    mark_sinks_done();
  }

  void mark_sinks_done() {
    {
      std::lock_guard lock(done_mutex_);
      sinks_done_ = true;
    }
    done_cv_.notify_all();
  }

  void update_progress() {
    if (!progress_.enabled()) return;
    std::string text;
    for (size_t i = 0; i < queues_.size(); ++i)
      text += (i == 0 ? "queues " : " ") + std::to_string(queues_[i]->size()) + "/" + std::to_string(queues_[i]->capacity());
    if (const int64_t d = dropped_.load(); d > 0) text += "  " + std::to_string(d) + " dropped";
    if (const int64_t e = errors_.load(); e > 0) text += "  " + std::to_string(e) + (e == 1 ? " error" : " errors");
    progress_.update(frames_read_.load(), text);
  }

  // Counts a failure; under on_error=stop records it, ends the run and returns it, else prints
  // it and returns ok (the frame is skipped).
  Status failed(Component& c, const std::string& message, StatusCode code, int64_t frames) {
    c.metrics.errors += frames;
    errors_ += frames;
    if (spec_.runtime.on_error == OnError::stop) {
      Status st(code, message);
      record_stop(st);
      return st;
    }
    if (c.printed_errors < kMaxPrintedErrors) say("cvpipe: error: " + message + " (skipped)");
    else if (c.printed_errors == kMaxPrintedErrors) say("cvpipe: error: " + c.label + ": further errors are not shown");
    ++c.printed_errors;
    return {};
  }

  void record_stop(const Status& st) {
    std::lock_guard lock(error_mutex_);
    if (first_error_.ok()) first_error_ = st;
    failed_.store(true);
  }

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
    std::lock_guard lock(print_mutex_);
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
  std::mutex print_mutex_;

  int budget_ = 1;
  int stage_threads_ = 1;
  std::unique_ptr<ComputeSlots> slots_;
  std::unique_ptr<io::Source> source_ptr_;
  io::RetryingSource* retrying_ = nullptr;  // source_ptr_ when it is wrapped for retries
  bool source_opened_ = false;
  StreamInfo info_;
  bool live_ = false;
  std::string drop_ = "none";  // none | oldest | newest
  std::chrono::nanoseconds drop_grace_{0};
  int batch_timeout_ms_ = -1;
  Component source_;
  std::vector<StageSlot> stages_;
  std::vector<SinkSlot> sinks_;
  std::vector<std::unique_ptr<Queue>> queues_;
  int64_t limit_ = -1;

  // Shared between threads.
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> failed_{false};
  std::atomic<int64_t> frames_read_{0}, frames_out_{0}, errors_{0}, source_errors_{0}, dropped_{0};
  int64_t timestamps_repaired_ = 0;  // reader thread only
  LatencyRecorder end_to_end_;       // sink thread only
  std::mutex error_mutex_;
  Status first_error_;
  std::mutex done_mutex_;
  std::condition_variable done_cv_;
  bool sinks_done_ = false;
  std::atomic<bool> stopped_{false};  // reading ended because of the stop flag
};

}  // namespace

Status run_streaming(const PipelineSpec& spec, const PluginRegistry& registry, const RunOptions& options,
                     RunReport& report) {
  try {
    StreamingRun run(spec, registry, options, report);
    return run.run();
  } catch (const std::exception& e) {
    report.status = Status::runtime(std::string("internal error: ") + e.what());
    return report.status;
  }
}

}  // namespace cvpipe::streaming
