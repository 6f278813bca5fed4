// Runs a validated PipelineSpec: source -> stages -> sinks, with the executor that
// spec.runtime.executor names: "streaming" (the default; streaming/streaming_executor.hpp: one
// worker per stage, bounded queues, live-source drops and retries, same guarantees as below) or
// "sequential" (for debugging). The sequential executor runs
// everything on the calling thread; frames leave in source order. on_error=skip drops a frame
// whose stage failed (counted, run continues, exit code 1 at the end); stop ends the run.
// Every sink is closed, also on errors, so outputs are complete files. Stages with
// preferred_batch() > 1 receive batches (runtime.batch frames when set above 1, else their
// preferred size; the rest at end of stream). Errors that are skipped are printed on stderr as
// they happen ("cvpipe: error: ..."; at most 20 per component); the error that stops a run is
// returned, not printed. Unless quiet, a summary goes to stderr at the end.
#pragma once
#include <atomic>
#include <string>
#include <vector>

#include "plugin_registry.hpp"
#include "spec.hpp"

namespace cvpipe {

struct RunOptions {
  int threads = 0;             // 0: all cores
  int64_t max_frames = -1;     // overrides spec.runtime.max_frames when >= 0
  bool quiet = false;
  LogLevel log_level = LogLevel::warning;  // what stages' log lines show (--log-level)
  bool progress = false;       // draw a progress bar on stderr
  std::string metrics_file;    // --metrics
  std::string trace_file;      // --trace
  const std::atomic<bool>* stop_flag = nullptr;  // set by a signal handler: stop reading
  // A sharded run (one of several processes): the source delivers only items i with
  // i % shard_count == shard_index (the images source's shard options), so the n-th frame read is
  // item n * shard_count + shard_index: frame seq numbers and max_frames count global items.
  int64_t shard_index = 0;
  int64_t shard_count = 1;
};

struct StageMetrics {
  std::string name;
  int64_t frames = 0;
  double ms_p50 = 0, ms_p95 = 0;
  int64_t dropped = 0;
  int64_t errors = 0;
  double queue_mean = 0;       // frames waiting in the input queue when one was taken (streaming)
  int64_t queue_max = 0;       // most frames ever waiting in the input queue (streaming)
};

struct RunReport {
  int64_t frames = 0;          // frames that reached the sinks
  int64_t source_errors = 0;   // unreadable items (corrupt images) skipped
  int64_t errors = 0;          // all errors, source + stages + sinks
  int64_t skipped = 0;         // frames those errors dropped (on_error: skip)
  double seconds = 0;
  StageMetrics source;         // reads: frames delivered, read time, unreadable items
  std::vector<StageMetrics> stages;
  std::vector<StageMetrics> sinks;  // writes per sink
  Status status;               // the error that stopped the run, if any
  std::string executor;        // "streaming" or "sequential"
  int threads = 0;             // the thread budget the run used
  double latency_ms_p50 = 0, latency_ms_p95 = 0;  // end to end: the source delivered it -> every sink wrote it
  int64_t dropped = 0;         // live-source frames dropped because the pipeline fell behind
  int64_t timestamps_repaired = 0;  // frames whose pts_ns went backwards (set to previous + 1 ns)
  int64_t source_retries = 0;  // times a live source was reopened (source.retry)
  std::string to_json() const; // the --metrics format of docs/cli.md
};

// Returns ok when the run completed; report.errors > 0 means some frames were skipped.
Status run_pipeline(const PipelineSpec& spec, const PluginRegistry& registry,
                    const RunOptions& options, RunReport& report);

}  // namespace cvpipe
