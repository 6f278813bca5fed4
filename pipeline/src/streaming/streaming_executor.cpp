// The streaming executor: see streaming_executor.hpp. Structure: PipelineParts
// (pipeline_components.hpp) builds and opens the source, stages and sinks exactly as for the
// sequential executor; execute() starts one runner per part (the reader, one per stage, the sink
// runner on the calling thread) joined by bounded queues, plus a watcher for the stop flag and
// the progress line; close_all() closes everything that was opened.
//
// Runners and merging. A runner owns a run of consecutive stages [first, last): it takes a frame
// from its input (the source, or queues_[first]), calls its stages in order and hands the result
// to its output (queues_[last], or the sinks). A thread hand-off costs the order of 0.1 ms per
// frame (a condition-variable wake-up, a context switch, cold caches), so a runner whose own
// work is cheap (below kCheapMs per frame, measured over windows of kWindow frames) takes over
// its upstream neighbour when that one is cheap too or is the source reader (costly stages keep
// their thread): it asks that runner to yield; the neighbour stops at the top of its loop
// (holding no frame) and closes its output queue; the taker drains that queue (those frames are
// older), then reads from the neighbour's input and calls the neighbour's stages itself.
// Frames keep their order; a stage is called by one thread at a time (the hand-over goes
// through the queue's mutex). Merges only grow runners, so they converge: a null-stage pipeline
// on a file ends with the calling thread reading, calling the stage and writing the sinks, like
// the sequential executor, while a pipeline of costly stages keeps one thread per stage.
// Exceptions: a live source's reader is never taken over (its queue is where frames are dropped),
// and a runner whose first stage takes batches does not take over (batches are gathered only
// from a queue). Warm-up: when neither exception applies, the first kWarmupFrames frames run
// through everything on the calling thread, and the parts start out merged as the take-over
// rule would merge them from those calls' times (lay_out), so a cheap pipeline pays no hand-offs
// at all; the take-over still applies afterwards.
#include "streaming/streaming_executor.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <opencv2/core.hpp>

#include "pipeline_components.hpp"
#include "streaming/bounded_queue.hpp"
#include "streaming/compute_slots.hpp"

namespace cvpipe::streaming {

namespace {

constexpr int kLiveBatchTimeoutMs = 50;
// A runner whose own work takes less than this per frame takes over its upstream neighbour: a
// thread hand-off per frame costs more than the parallelism gains.
constexpr double kCheapMs = 0.05;
constexpr int kWindow = 4;  // frames per cost measurement
constexpr int kWarmupFrames = 4;  // frames run on one thread to lay the pipeline out

// A frame in flight, with the time the source delivered it (for the end-to-end latency).
struct Item {
  Frame frame;
  Clock::time_point born;
};
using Queue = BoundedQueue<Item>;

// A thread's share of the pipeline (see the top of the file). `first`, `reads_source` and
// `absorbing` change only when the runner takes over its upstream neighbour; `last` and
// `writes_sinks` never change.
struct Runner {
  bool reads_source = false;  // input: the source, else queues_[first]
  size_t first = 0, last = 0;  // stages [first, last)
  bool writes_sinks = false;  // output: the sinks, else queues_[last]
  std::atomic<bool> yield{false};  // the downstream runner takes this one over (merge_mutex_)
  bool absorbing = false;          // waiting for the upstream runner to hand over (merge_mutex_)
  bool handed_over = false;        // set before closing the output queue when it yielded
  std::atomic<double> cost_ms{1e9};  // own work per frame in the last measuring window
  double busy_ms = 0;              // own work in the current measuring window
  int window_frames = 0;
};

class StreamingRun {
 public:
  StreamingRun(const PipelineSpec& spec, const PluginRegistry& registry, const RunOptions& options, RunReport& report)
      : parts_(spec, registry, options, report), spec_(spec), opt_(options), report_(report) {}

  Status run() {
    const auto t0 = Clock::now();
    report_ = RunReport{};
    report_.executor = "streaming";
    Status st = setup();
    const bool ran = st.ok();
    if (st.ok()) st = execute();
    parts_.close_all();
    if (st.ok() && stopped_)
      st = Status(StatusCode::cancelled, "stopped after " + std::to_string(parts_.frames_read()) + " frames");
    report_.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    report_.status = st;
    report_.frames = frames_out_.load();
    report_.errors = parts_.errors();
    report_.skipped = parts_.skipped();
    report_.dropped = dropped_.load();
    report_.source_retries = parts_.retrying() ? parts_.retrying()->retries() : 0;
    report_.latency_ms_p50 = end_to_end_.percentile(50);
    report_.latency_ms_p95 = end_to_end_.percentile(95);
    parts_.source().metrics.dropped = report_.dropped;
    report_.source = parts_.source().finished();
    auto& stages = parts_.stages();
    for (size_t i = 0; i < stages.size(); ++i) report_.stages.push_back(with_queue(stages[i].finished(), i));
    for (const auto& s : parts_.sinks()) report_.sinks.push_back(with_queue(s.finished(), stages.size()));
    parts_.conclude(ran);
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
  Status setup() {
    const int requested = opt_.threads > 0 ? opt_.threads : spec_.runtime.threads;
    budget_ = requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    report_.threads = budget_;
    stage_threads_ = std::max(1, budget_ / std::max<int>(1, static_cast<int>(spec_.stages.size())));
    slots_ = std::make_unique<ComputeSlots>(budget_);
    cv::setNumThreads(stage_threads_);
    // Live sources with `retry` are reopened before being given up; a stop cuts the waits short.
    CVPIPE_RETURN_IF_ERROR(parts_.open(stage_threads_, &stop_requested_));

    const StreamInfo& info = parts_.source_info();
    live_ = info.live;
    // A live source waits at most one frame interval (20 ms when the rate is unknown, at most
    // 50 ms) for room before it drops: bursts pass, a pipeline that stays behind drops.
    drop_grace_ = std::chrono::microseconds(
        static_cast<int64_t>(info.fps > 0 ? std::min(50000.0, 1e6 / info.fps) : 20000.0));
    if (live_) {
      drop_ = spec_.runtime.drop == "auto" ? "oldest" : spec_.runtime.drop;
      batch_timeout_ms_ = spec_.runtime.batch_timeout_ms >= 0 ? spec_.runtime.batch_timeout_ms : kLiveBatchTimeoutMs;
    } else {
      drop_ = "none";
      batch_timeout_ms_ = spec_.runtime.batch_timeout_ms;
    }

    // Queue i feeds stage i; the last one feeds the sinks. Runner q feeds queue q (0: the reader,
    // q >= 1: the worker of stage q - 1); the last runner writes the sinks.
    const size_t n = parts_.stages().size();
    for (size_t i = 0; i <= n; ++i)
      queues_.push_back(std::make_unique<Queue>(static_cast<size_t>(std::max(1, spec_.runtime.queue))));
    for (size_t q = 0; q <= n + 1; ++q) {
      auto& r = *runners_.emplace_back(std::make_unique<Runner>());
      r.reads_source = q == 0;
      r.first = q == 0 ? 0 : q - 1;
      r.last = std::min(q, n);
      r.writes_sinks = q == n + 1;
    }
    return {};
  }

  // ---- running ----
  Status execute() {
    const size_t n = parts_.stages().size();
    TraceLog& trace = parts_.trace();
    trace.thread_name(0, "source " + parts_.source().metrics.name);
    for (size_t i = 0; i < n; ++i) trace.thread_name(static_cast<int>(i + 1), "stage " + parts_.stages()[i].metrics.name);
    trace.thread_name(static_cast<int>(n + 1), "sinks");

    std::vector<std::thread> threads;
    // A watcher handles the stop flag and the progress line until the sinks are done.
    threads.emplace_back([this] { watch(); });
    // The sinks are written on the calling (main) thread: GUI sinks (window) need it. It may
    // run stages, so its OpenMP setting is the stages' for the run.
    const int omp_before = omp_get_max_threads();
    omp_set_num_threads(stage_threads_);
    Runner& main = *runners_.back();
    std::vector<bool> start(n + 1, true);
    bool finished = false;
    if (!live_ && std::all_of(parts_.stages().begin(), parts_.stages().end(), [](const StageSlot& s) { return s.batch <= 1; })) {
      // Warm-up: the first frames run through everything on this thread, which measures every
      // part; cheap neighbours then start out merged instead of paying hand-offs until they merge.
      main.reads_source = true;
      main.first = 0;
      finished = protect(main, kWarmupFrames);
      if (!finished) lay_out(start);
    }
    if (!finished) {
      for (size_t q = 0; q <= n; ++q)
        if (start[q])
          threads.emplace_back([this, q] {
            omp_set_num_threads(stage_threads_);
            protect(*runners_[q]);
          });
      protect(main);
    }
    omp_set_num_threads(omp_before);
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

  // Runs a runner (at most `pause_after` frames when >= 0); an escaped exception stops the run
  // and releases the runner's queues. True when the runner is done (not paused).
  bool protect(Runner& r, int pause_after = -1) {
    try {
      return run_runner(r, pause_after);
    } catch (const std::exception& e) {
      record_stop(Status::runtime(std::string("internal error in a pipeline thread: ") + e.what()));
    } catch (...) {
      record_stop(Status::runtime("internal error in a pipeline thread"));
    }
    // Nobody reads this runner's input or writes its output any more.
    if (!r.reads_source) queues_[r.first]->abandon();
    end_output(r);
    return true;
  }

  // After the warm-up: from the sinks upstream, a part whose own work (p50 of the warm-up calls)
  // is cheap starts out with its upstream neighbour when that is cheap too or the reader, as the
  // take-over would do later.
  void lay_out(std::vector<bool>& start) {
    auto& stages = parts_.stages();
    const size_t n = stages.size();
    double cost = 0;
    for (const auto& s : parts_.sinks()) cost += s.latency.percentile(50);
    size_t q = n + 1;  // the runner laid out: it ends at queue (or, the last one, the sinks) `last`
    for (;;) {
      Runner& r = *runners_[q];
      size_t first = r.last;
      while (first > 0) {
        const double c = stages[first - 1].latency.percentile(50);
        if (!(first == r.last && q <= n) && (cost >= kCheapMs || c >= kCheapMs)) break;  // costly stages keep a thread
        cost += c;
        --first;
      }
      r.first = first;
      r.reads_source = first == 0 && cost < kCheapMs;
      for (size_t m = first + 1; m <= std::min(r.last, n); ++m) start[m] = m == q;
      if (r.reads_source) start[0] = false;
      if (r.reads_source || first == 0) return;
      q = first;
      cost = 0;
    }
  }

  void end_output(Runner& r) {
    if (r.writes_sinks) mark_sinks_done();
    else queues_[r.last]->close();
  }

  enum class Got { item, end, stop };

  // Returns false when it paused after `pause_after` frames (>= 0), true when it is done.
  bool run_runner(Runner& r, int pause_after) {
    bool going = true;
    for (int handled = 0;; ++handled) {
      if (pause_after >= 0 && handled >= pause_after) return false;
      if (r.yield.load()) {  // taken over: hand the stages (and the input) downstream
        r.handed_over = true;
        queues_[r.last]->close();
        return true;
      }
      std::vector<Item> items;
      const Got got = next(r, items);
      if (got == Got::stop) {
        going = false;
        break;
      }
      if (got == Got::end) {
        if (!r.reads_source && runners_[r.first]->handed_over) {
          take_over(r);
          continue;
        }
        break;
      }
      const auto t0 = Clock::now();
      going = handle(r, items);
      const auto t1 = Clock::now();
      if (!going) break;
      measure(r, ms_between(t0, t1), items.size());
    }
    if (!going) {
      // The run stops: upstream must not wait for this runner.
      if (!r.reads_source) queues_[r.first]->abandon();
    } else if (!failed_.load()) {
      finish_stages(r);
    }
    end_output(r);
    return true;
  }


  // The next frame (or batch, for a batch stage at the front) from the runner's input.
  Got next(Runner& r, std::vector<Item>& items) {
    if (r.reads_source) {
      for (;;) {
        if (failed_.load()) return Got::end;
        if (stop_requested_.load()) {
          stopped_.store(true);
          return Got::end;
        }
        Item item;
        Status error;
        const auto t0 = Clock::now();
        switch (parts_.read(item.frame, item.born, error)) {
          case PipelineParts::Read::stopped:
            stopped_.store(true);
            return Got::end;
          case PipelineParts::Read::end:
            return Got::end;
          case PipelineParts::Read::error:
            if (!fail(parts_.source(), error, 1)) return Got::end;
            continue;
          case PipelineParts::Read::frame:
            break;
        }
        r.busy_ms += ms_between(t0, item.born);  // reading is this runner's work
        frames_read_.store(parts_.frames_read());
        items.push_back(std::move(item));
        return Got::item;
      }
    }
    Queue& in = *queues_[r.first];
    Item item;
    if (in.pop(item) != Queue::Popped::item) return Got::end;
    items.push_back(std::move(item));
    const size_t batch = r.first < r.last ? parts_.stages()[r.first].batch : 1;
    if (batch > 1) {
      std::optional<Clock::time_point> deadline;
      if (batch_timeout_ms_ >= 0) deadline = Clock::now() + std::chrono::milliseconds(batch_timeout_ms_);
      Item more;
      while (items.size() < batch && in.pop(more, deadline) == Queue::Popped::item) items.push_back(std::move(more));
    }
    return Got::item;
  }

  // Runs the runner's stages on what next() returned and hands the result on. False when the
  // runner must stop (on_error stop, or nobody downstream any more).
  bool handle(Runner& r, std::vector<Item>& items) {
    if (items.size() == 1 && (r.first == r.last || parts_.stages()[r.first].batch <= 1))
      return chain(r, r.first, items.front());
    StageSlot& s = parts_.stages()[r.first];
    std::vector<Frame> batch;
    batch.reserve(items.size());
    for (auto& it : items) batch.push_back(std::move(it.frame));
    Status st;
    {
      ComputeSlots::Hold hold(*slots_, stage_threads_);  // waiting for the budget is not the call's time
      st = parts_.process_batch(s, batch, tid(r.first));
    }
    if (!st.ok()) return fail(s, st, static_cast<int64_t>(batch.size()));
    // A batch stage returns the frames it keeps, in order; they inherit the batch's oldest birth.
    const Clock::time_point born = items.front().born;
    for (auto& f : batch) {
      Item item{std::move(f), born};
      if (!chain(r, r.first + 1, item)) return false;
    }
    return true;
  }

  // Calls the runner's stages from `k` on one frame, then hands what comes out to the runner's
  // output; each frame a stage emits goes on through the later stages in emit order and
  // inherits the input's birth time.
  bool chain(Runner& r, size_t k, Item& item) {
    if (k == r.last) return emit(r, item);
    StageSlot& s = parts_.stages()[k];
    std::vector<Frame> emitted;
    Status st;
    {
      ComputeSlots::Hold hold(*slots_, stage_threads_);
      st = parts_.process(s, item.frame, emitted, tid(k));
    }
    if (!st.ok()) return fail(s, st, 1);
    for (auto& f : emitted) {
      Item next{std::move(f), item.born};
      if (!chain(r, k + 1, next)) return false;
    }
    return true;
  }

  bool emit(Runner& r, Item& item) {
    if (r.writes_sinks) return write_sinks(item);
    Queue& out = *queues_[r.last];
    // Only the reader feeds queue 0: there a live source drops instead of waiting.
    if (r.last == 0 && drop_ != "none") {
      const auto pushed = out.push_or_drop(std::move(item), drop_ == "oldest", drop_grace_);
      if (pushed == Queue::Pushed::abandoned) return false;
      if (pushed != Queue::Pushed::ok) ++dropped_;
      return true;
    }
    return out.push(std::move(item));
  }

  bool write_sinks(Item& item) {
    const int sinks_tid = static_cast<int>(parts_.stages().size() + 1);
    for (auto& s : parts_.sinks())
      if (Status st = parts_.write(s, item.frame, sinks_tid); !st.ok() && !fail(s, st, 1)) return false;
    ++frames_out_;
    end_to_end_.add(ms_between(item.born, Clock::now()));
    return true;
  }

  // End of stream: stage by stage, what finish() emits goes through the runner's later stages.
  void finish_stages(Runner& r) {
    for (size_t k = r.first; k < r.last; ++k) {
      StageSlot& s = parts_.stages()[k];
      std::vector<Frame> out;
      Status st;
      {
        ComputeSlots::Hold hold(*slots_, stage_threads_);
        st = parts_.finish(s, out, tid(k));
      }
      const auto t1 = Clock::now();
      if (!st.ok()) {
        if (!fail(s, st, 1)) return;
        continue;
      }
      for (auto& f : out) {
        Item item{std::move(f), t1};
        if (!chain(r, k + 1, item)) return;
      }
    }
  }

  // ---- merging ----
  void measure(Runner& r, double ms, size_t frames) {
    r.busy_ms += ms;
    r.window_frames += static_cast<int>(frames);
    if (r.window_frames < kWindow) return;
    const double per_frame = r.busy_ms / r.window_frames;
    r.cost_ms.store(per_frame);
    r.busy_ms = 0;
    r.window_frames = 0;
    if (per_frame < kCheapMs) ask_upstream_to_yield(r);
  }

  void ask_upstream_to_yield(Runner& r) {
    if (r.reads_source) return;
    if (r.first < r.last && parts_.stages()[r.first].batch > 1) return;  // batches come from a queue
    Runner& up = *runners_[r.first];                                      // it feeds queues_[r.first]
    if (up.reads_source && live_) return;  // a live source drops frames at its queue
    // Costly stages stay where they are (a stage moved onto this thread gains nothing and may run
    // slower there); a reader that only reads is taken over whatever its cost.
    if (!(up.reads_source && up.first == up.last) && up.cost_ms.load() >= kCheapMs) return;
    std::lock_guard lock(merge_mutex_);
    if (r.absorbing || r.yield.load() || up.absorbing || up.yield.load()) return;
    r.absorbing = true;
    up.yield.store(true);
  }

  // The upstream runner yielded and its last frames are handled: run its part of the pipeline.
  void take_over(Runner& r) {
    const Runner& up = *runners_[r.first];
    std::lock_guard lock(merge_mutex_);
    r.reads_source = up.reads_source;
    r.first = up.first;
    r.absorbing = false;
  }

  // ---- bookkeeping ----
  // Counts a failure (PipelineParts::failed); under on_error=stop records it and ends the run:
  // returns false then.
  bool fail(Component& c, const Status& st, int64_t frames) {
    Status stop = parts_.failed(c, st.message(), st.code(), frames);
    if (stop.ok()) return true;
    record_stop(stop);
    return false;
  }

  void record_stop(const Status& st) {
    std::lock_guard lock(error_mutex_);
    if (first_error_.ok()) first_error_ = st;
    failed_.store(true);
  }

  int tid(size_t stage) const { return static_cast<int>(stage + 1); }

  void mark_sinks_done() {
    {
      std::lock_guard lock(done_mutex_);
      sinks_done_ = true;
    }
    done_cv_.notify_all();
  }

  void update_progress() {
    if (!parts_.progress().enabled()) return;
    std::string text;
    for (size_t i = 0; i < queues_.size(); ++i)
      text += (i == 0 ? "queues " : " ") + std::to_string(queues_[i]->size()) + "/" + std::to_string(queues_[i]->capacity());
    if (const int64_t d = dropped_.load(); d > 0) text += "  " + std::to_string(d) + " dropped";
    if (const int64_t e = parts_.errors(); e > 0) text += "  " + std::to_string(e) + (e == 1 ? " error" : " errors");
    parts_.progress().update(frames_read_.load(), text);
  }

  PipelineParts parts_;
  const PipelineSpec& spec_;
  const RunOptions& opt_;
  RunReport& report_;

  int budget_ = 1;
  int stage_threads_ = 1;
  std::unique_ptr<ComputeSlots> slots_;
  bool live_ = false;
  std::string drop_ = "none";  // none | oldest | newest
  std::chrono::nanoseconds drop_grace_{0};
  int batch_timeout_ms_ = -1;
  std::vector<std::unique_ptr<Queue>> queues_;
  std::vector<std::unique_ptr<Runner>> runners_;
  std::mutex merge_mutex_;

  // Shared between threads.
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> failed_{false};
  std::atomic<int64_t> frames_read_{0}, frames_out_{0}, dropped_{0};
  LatencyRecorder end_to_end_;  // the sink runner only
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
