// PipelineParts: what the sequential executor (executor.cpp) and the streaming executor
// (streaming/streaming_executor.cpp) share: building and opening the source, stages and sinks of
// a PipelineSpec; reading the next frame (stop flag, frame limit, timestamp repair); calling a
// stage or sink with timing, counters and trace events; closing everything that was opened; the
// messages ("cvpipe: error: ...", warnings); and the end of a run (--metrics, --trace, summary).
// Guarantees: every call into a plugin or an io object is guarded (an exception becomes a
// Status); the Status of a failed call names the component and the frame. Thread-safety: say(),
// print_warnings(), failed() and errors() may be called from any thread (failed() for components
// of that thread); every other member is used by one thread
// at a time (a component by the thread that runs it; the executors hand components over only
// through synchronising queues).
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cvpipe/progress.hpp"
#include "executor.hpp"
#include "host_logger.hpp"
#include "io/io.hpp"
#include "io/retrying_source.hpp"
#include "metrics.hpp"

namespace cvpipe {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b);
std::string frames_text(const std::vector<Frame>& frames);  // "frames 4..7" (one: frame_text)

// A part of the pipeline: a label for messages, counters and timings.
struct Component {
  std::string label;  // "stage 'blur' (configs/blur.yaml:7:5)"
  StageMetrics metrics;
  LatencyRecorder latency;
  int printed_errors = 0;

  StageMetrics finished() const;  // metrics with the latency percentiles
};

struct StageSlot : Component {
  StageHandle stage;
  StageContract contract;     // the stage's declared contract (checked at open and on every frame)
  std::string plugin_file;    // the plugin library (named in a crash report)
  bool opened = false;
  size_t batch = 1;           // > 1: the stage gets batches of this size
  std::vector<Frame> pending; // a batch being collected (sequential executor)
};

struct SinkSlot : Component {
  std::unique_ptr<io::Sink> sink;
  bool opened = false;
};

class PipelineParts {
 public:
  PipelineParts(const PipelineSpec& spec, const PluginRegistry& registry, const RunOptions& options, RunReport& report);

  // Builds and opens the source, the stages (each told `stage_threads` threads) and the sinks,
  // and sets the frame limit and the progress total. `retry_stop`: wrap a non-generate source
  // that has `retry` options in a RetryingSource whose waits this flag cuts short (nullptr: no
  // retries).
  Status open(int stage_threads, const std::atomic<bool>* retry_stop);

  enum class Read { frame, end, stopped, error };
  // Reads the next frame into `frame` (seq, repaired pts; `delivered` is when the source returned
  // it). end: end of stream or the frame limit; stopped: the stop flag is set; error: `error`
  // names the source (report().source_errors counts it; reading may go on).
  Read read(Frame& frame, Clock::time_point& delivered, Status& error);

  // A stage or sink call with timing, counters and trace event (trace row `tid`); a failure
  // comes back labelled "<component>: frame N (...): <message>", and is not counted here.
  // process() appends what the stage emits for `frame` to `out`; a frame that does not fit the
  // stage's input contract fails without reaching the stage.
  Status process(StageSlot& s, Frame& frame, std::vector<Frame>& out, int tid);
  Status process_batch(StageSlot& s, std::vector<Frame>& batch, int tid);
  Status finish(StageSlot& s, std::vector<Frame>& out, int tid);
  Status write(SinkSlot& s, const Frame& frame, int tid);

  // Counts `frames` failed in `c` into c.metrics and errors(). Under on_error=stop
  // returns the failure; else prints it (at most 20 per component) and returns ok (skipped).
  Status failed(Component& c, const std::string& message, StatusCode code, int64_t frames);

  // Closes everything that was opened, in pipeline order; failures are printed and counted.
  void close_all();

  // Errors counted so far by failed() and close_all() (any thread may read it).
  int64_t errors() const { return errors_.load(); }
  int64_t skipped() const { return skipped_.load(); }  // frames dropped by on_error: skip

  // The end of a run (report().errors set from errors() by the caller): the progress line, --metrics, --trace, and (unless quiet, and only when
  // the pipeline started: `ran`) the summary. Failures to write files are printed and counted.
  void conclude(bool ran);

  void say(const std::string& line);
  void print_warnings(const std::vector<std::string>& warnings);  // also with --quiet

  const PipelineSpec& spec() const { return spec_; }
  const RunOptions& options() const { return opt_; }
  RunReport& report() { return report_; }
  TraceLog& trace() { return trace_; }
  ProgressBar& progress() { return progress_; }
  const StreamInfo& source_info() const { return info_; }
  Component& source() { return source_; }
  io::RetryingSource* retrying() const { return retrying_; }
  std::vector<StageSlot>& stages() { return stages_; }
  std::vector<SinkSlot>& sinks() { return sinks_; }
  int64_t frames_read() const { return read_; }

 private:
  StageContext context_for(const std::string& instance, int threads) const;
  Status open_source(int stage_threads, const std::atomic<bool>* retry_stop);
  void close_failed(Component& c, const Status& st);

  const PipelineSpec& spec_;
  const PluginRegistry& registry_;
  const RunOptions& opt_;
  RunReport& report_;
  TraceLog trace_;
  ProgressBar progress_;
  HostLogger logger_;
  std::mutex print_mutex_;
  std::unique_ptr<io::Source> source_ptr_;
  io::RetryingSource* retrying_ = nullptr;  // source_ptr_ when it is wrapped for retries
  bool source_opened_ = false;
  StreamInfo info_;
  Component source_;
  std::vector<StageSlot> stages_;
  std::vector<SinkSlot> sinks_;
  int64_t limit_ = -1;
  int64_t read_ = 0;
  int64_t last_pts_ = 0;
  std::atomic<int64_t> errors_{0};
  std::atomic<int64_t> skipped_{0};
};

}  // namespace cvpipe
