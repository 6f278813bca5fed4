// Run measurements for the executors: per-component latency samples with percentiles
// (LatencyRecorder), an optional Chrome trace of every call (TraceLog, `--trace`), and the human
// summary printed at the end of a run (with queue depths, drops and end-to-end latency when the
// streaming executor measured them). LatencyRecorder keeps at most `capacity` samples (uniform
// reservoir sampling beyond that), so memory stays bounded on endless streams. Not thread-safe:
// one recorder per component, used by the thread that runs it.
#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "cvpipe/status.hpp"

namespace cvpipe {

struct RunReport;

class LatencyRecorder {
 public:
  explicit LatencyRecorder(size_t capacity = 100000) : capacity_(capacity) {}
  void add(double ms);
  int64_t count() const { return count_; }
  // Nearest-rank percentile (p in [0, 100]) of the samples; 0 when there are none.
  double percentile(double p) const;

 private:
  size_t capacity_;
  std::vector<float> samples_;
  int64_t count_ = 0;
  uint64_t rng_ = 0x9E3779B97F4A7C15ull;
};

// Chrome trace events ("X" complete events), viewable in chrome://tracing or Perfetto.
// Thread-safe (one mutex). Disabled (no-op) when constructed with enabled = false.
class TraceLog {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TraceLog(bool enabled) : enabled_(enabled), start_(Clock::now()) {}
  bool enabled() const { return enabled_; }
  void complete(const std::string& name, const std::string& category, Clock::time_point begin, Clock::time_point end,
                int thread = 0);
  // Names a thread row in the viewer ("source", "stage blur", "sinks").
  void thread_name(int thread, const std::string& name);
  // Writes {"traceEvents":[...]} atomically to `file`.
  Status write(const std::string& file) const;

 private:
  struct Event {
    std::string name, category;
    int64_t ts_us, dur_us;
    int thread;
  };
  bool enabled_;
  Clock::time_point start_;
  mutable std::mutex mutex_;
  std::vector<Event> events_;
  std::vector<std::pair<int, std::string>> thread_names_;
};

// The end-of-run summary: one headline, then one line per source, stage and sink.
std::string format_summary(const RunReport& report);

// Writes the report's JSON (RunReport::to_json) atomically to `file`.
Status write_metrics_file(const RunReport& report, const std::string& file);

}  // namespace cvpipe
