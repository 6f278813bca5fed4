// Run measurements: see metrics.hpp. Also defines RunReport::to_json (executor.hpp).
#include "metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "executor.hpp"
#include "io/atomic_file.hpp"

namespace cvpipe {

void LatencyRecorder::add(double ms) {
  ++count_;
  if (samples_.size() < capacity_) {
    samples_.push_back(static_cast<float>(ms));
    return;
  }
  // xorshift64 reservoir sampling: keep each new sample with probability capacity / count.
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  const uint64_t j = rng_ % static_cast<uint64_t>(count_);
  if (j < capacity_) samples_[j] = static_cast<float>(ms);
}

double LatencyRecorder::percentile(double p) const {
  if (samples_.empty()) return 0.0;
  std::vector<float> s = samples_;
  const double clamped = std::clamp(p, 0.0, 100.0);
  size_t rank = static_cast<size_t>(std::ceil(clamped / 100.0 * static_cast<double>(s.size())));
  rank = std::clamp<size_t>(rank, 1, s.size());
  std::nth_element(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(rank - 1), s.end());
  return s[rank - 1];
}

void TraceLog::complete(const std::string& name, const std::string& category, Clock::time_point begin,
                        Clock::time_point end, int thread) {
  if (!enabled_) return;
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  std::lock_guard lock(mutex_);
  events_.push_back({name, category, duration_cast<microseconds>(begin - start_).count(),
                     duration_cast<microseconds>(end - begin).count(), thread});
}

void TraceLog::thread_name(int thread, const std::string& name) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  thread_names_.emplace_back(thread, name);
}

Status TraceLog::write(const std::string& file) const {
  nlohmann::json events = nlohmann::json::array();
  {
    std::lock_guard lock(mutex_);
    for (const auto& [tid, name] : thread_names_)
      events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", tid}, {"args", {{"name", name}}}});
    for (const auto& e : events_)
      events.push_back({{"name", e.name}, {"cat", e.category}, {"ph", "X"}, {"ts", e.ts_us}, {"dur", e.dur_us},
                        {"pid", 1}, {"tid", e.thread}});
  }
  const std::string text = nlohmann::json{{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}}.dump() + "\n";
  if (Status st = io::ensure_folder(std::filesystem::path(file).parent_path()); !st.ok()) return st;
  return io::write_file_atomic(file, text.data(), text.size());
}

namespace {

double round3(double v) { return std::isfinite(v) ? std::round(v * 1000.0) / 1000.0 : 0.0; }
double round6(double v) { return std::isfinite(v) ? std::round(v * 1e6) / 1e6 : 0.0; }

nlohmann::ordered_json metrics_json(const StageMetrics& m) {
  nlohmann::ordered_json j;
  j["name"] = m.name;
  j["frames"] = m.frames;
  j["ms_p50"] = round3(m.ms_p50);
  j["ms_p95"] = round3(m.ms_p95);
  j["dropped"] = m.dropped;
  j["errors"] = m.errors;
  j["queue_mean"] = round3(m.queue_mean);
  j["queue_max"] = m.queue_max;
  return j;
}

std::string count_text(int64_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string line_for(const char* role, const StageMetrics& m, const char* unit) {
  char buf[320];
  std::snprintf(buf, sizeof buf, "  %-6s %-28s %7lld %-6s p50 %8.2f ms  p95 %8.2f ms", role, m.name.c_str(),
                static_cast<long long>(m.frames), unit, m.ms_p50, m.ms_p95);
  std::string s = buf;
  if (m.queue_max > 0) {
    std::snprintf(buf, sizeof buf, "  queue %.1f (max %lld)", m.queue_mean, static_cast<long long>(m.queue_max));
    s += buf;
  }
  if (m.errors > 0) s += "  " + count_text(m.errors, "error");
  if (m.dropped > 0) s += "  " + std::to_string(m.dropped) + " dropped";
  return s;
}

}  // namespace

std::string RunReport::to_json() const {
  nlohmann::ordered_json j;
  j["frames"] = frames;
  j["seconds"] = round6(seconds);
  j["fps"] = round3(seconds > 0 ? static_cast<double>(frames) / seconds : 0.0);
  j["errors"] = errors;
  j["source_errors"] = source_errors;
  j["status"] = status.ok() ? "ok" : status.message();
  j["executor"] = executor;
  j["threads"] = threads;
  j["latency_ms_p50"] = round3(latency_ms_p50);
  j["latency_ms_p95"] = round3(latency_ms_p95);
  j["dropped"] = dropped;
  j["timestamps_repaired"] = timestamps_repaired;
  j["source_retries"] = source_retries;
  j["source"] = metrics_json(source);
  auto st = nlohmann::ordered_json::array();
  for (const auto& m : stages) st.push_back(metrics_json(m));
  j["stages"] = std::move(st);
  auto sk = nlohmann::ordered_json::array();
  for (const auto& m : sinks) sk.push_back(metrics_json(m));
  j["sinks"] = std::move(sk);
  return j.dump(2);
}

std::string format_summary(const RunReport& r) {
  char head[256];
  const double fps = r.seconds > 0 ? static_cast<double>(r.frames) / r.seconds : 0.0;
  std::snprintf(head, sizeof head, "cvpipe: %s in %.2f s (%.1f fps), %s", count_text(r.frames, "frame").c_str(), r.seconds,
                fps, count_text(r.errors, "error").c_str());
  std::string s = head;
  if (r.latency_ms_p50 > 0 || r.dropped > 0 || r.timestamps_repaired > 0 || r.source_retries > 0) {
    char extra[256];
    std::snprintf(extra, sizeof extra, "\n  end-to-end latency p50 %.2f ms  p95 %.2f ms", r.latency_ms_p50, r.latency_ms_p95);
    s += extra;
    if (r.dropped > 0) s += "  " + std::to_string(r.dropped) + " dropped";
    if (r.timestamps_repaired > 0) s += "  " + std::to_string(r.timestamps_repaired) + " timestamps repaired";
    if (r.source_retries > 0)
      s += "  " + std::to_string(r.source_retries) + (r.source_retries == 1 ? " source retry" : " source retries");
  }
  s += "\n" + line_for("source", r.source, "frames");
  for (const auto& m : r.stages) s += "\n" + line_for("stage", m, "frames");
  for (const auto& m : r.sinks) s += "\n" + line_for("sink", m, "frames");
  return s + "\n";
}

Status write_metrics_file(const RunReport& report, const std::string& file) {
  const std::string text = report.to_json() + "\n";
  if (Status st = io::ensure_folder(std::filesystem::path(file).parent_path()); !st.ok()) return st;
  return io::write_file_atomic(file, text.data(), text.size());
}

}  // namespace cvpipe
