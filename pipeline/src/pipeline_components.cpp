// PipelineParts: see pipeline_components.hpp.
#include "pipeline_components.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>

#include "crash_report.hpp"
#include "diagnostic.hpp"
#include "io/plugin_stage_io.hpp"
#include "isolation/isolated_stage.hpp"

namespace cvpipe {

namespace {

constexpr int kMaxPrintedErrors = 20;

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

// A frame outside the stage's declared input contract fails before the stage sees it.
Status fits_input_contract(const StageSlot& s, const Frame& frame) {
  if (const std::string why = s.contract.input.mismatch(frame); !why.empty())
    return Status::unsupported(s.label + ": " + frame_text(frame) + ": the stage " + why);
  return {};
}

Status prefixed(const std::string& who, Status st) {
  if (st.ok()) return st;
  return Status(st.code(), who + ": " + st.message());
}

}  // namespace

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string frames_text(const std::vector<Frame>& frames) {
  if (frames.size() == 1) return frame_text(frames.front());
  return "frames " + std::to_string(frames.front().seq) + ".." + std::to_string(frames.back().seq);
}

StageMetrics Component::finished() const {
  StageMetrics m = metrics;
  m.ms_p50 = latency.percentile(50);
  m.ms_p95 = latency.percentile(95);
  return m;
}

PipelineParts::PipelineParts(const PipelineSpec& spec, const PluginRegistry& registry, const RunOptions& options,
                             RunReport& report)
    : spec_(spec), registry_(registry), opt_(options), report_(report), trace_(!options.trace_file.empty()),
      progress_(ProgressBar::Options{options.progress, "run", -1, "frames"}), logger_(options.log_level) {}

StageContext PipelineParts::context_for(const std::string& instance, int threads) const {
  StageContext ctx;
  ctx.instance_name = instance;
  std::error_code ec;
  ctx.config_dir = spec_.config_file.empty() ? std::filesystem::current_path(ec) : spec_.config_file.parent_path();
  ctx.threads = threads;
  ctx.quiet = opt_.quiet;
  ctx.logger = &logger_;
  return ctx;
}

Status PipelineParts::open_source(int stage_threads, const std::atomic<bool>* retry_stop) {
  const SourceSpec& src = spec_.source;
  if (src.type.empty()) return Status::invalid("the pipeline has no source (give one in the config or with --input)");
  source_.label = src.type == "generate" ? with_location("source 'generate' (stage '" + src.stage + "')", src.where)
                                         : with_location("source '" + src.type + "'", src.where);
  source_.metrics.name = src.type == "generate" ? "generate:" + src.stage : src.type;
  Status st = src.type == "generate"
                  ? io::make_generate_source(src, registry_, context_for(src.stage, stage_threads), source_ptr_)
                  : io::make_source(src, source_ptr_);
  if (st.ok()) {
    source_ptr_->set_max_pixels(spec_.runtime.max_pixels);
    source_ptr_->set_stop_flag(opt_.stop_flag);
  }
  if (st.ok() && retry_stop && src.type != "generate") {
    const io::RetryPolicy policy = io::retry_policy(src.options);
    if (policy.attempts > 0) {
      auto wrapped = std::make_unique<io::RetryingSource>(std::move(source_ptr_), policy, retry_stop);
      retrying_ = wrapped.get();
      source_ptr_ = std::move(wrapped);
    }
  }
  if (st.ok()) st = guarded("open", [&] { return source_ptr_->open(info_); });
  if (source_ptr_) print_warnings(source_ptr_->take_warnings());
  if (!st.ok()) return Status(st.code(), source_.label + ": " + st.message());
  source_opened_ = true;
  return {};
}

Status PipelineParts::open(int stage_threads, const std::atomic<bool>* retry_stop) {
  CVPIPE_RETURN_IF_ERROR(open_source(stage_threads, retry_stop));

  // Stages, chaining what each emits.
  StreamInfo info = info_;
  stages_.reserve(spec_.stages.size());
  for (const StageSpec& s : spec_.stages) {
    StageSlot& slot = stages_.emplace_back();
    slot.label = with_location("stage '" + s.name + "'" + (s.name != s.stage ? " (" + s.stage + ")" : ""), s.where);
    slot.metrics.name = s.name;
    const StageInfo* declared = registry_.find_stage(s.stage);
    slot.plugin_file = declared->plugin->file.string();
    slot.contract = declared->contract;
    const bool isolated = (s.isolate.empty() ? spec_.runtime.isolate : s.isolate) == "process";
    CVPIPE_RETURN_IF_ERROR(prefixed(slot.label, isolated ? make_isolated_stage(slot.plugin_file, s.stage, slot.stage)
                                                         : registry_.create_stage(s.stage, slot.stage)));
    install_crash_report();
    const CrashScope scope(slot.label + " configure()/open(), plugin " + slot.plugin_file);
    const StageContext ctx = context_for(s.name, stage_threads);
    CVPIPE_RETURN_IF_ERROR(prefixed(slot.label + ": configure", guarded("configure", [&] { return slot.stage->configure(s.params, ctx); })));
    if (!slot.contract.input.admits_type(info.type))
      return Status::invalid(slot.label + ": its input is " + FrameContract::type_text(info.type) + " frames, but the stage takes " +
                             slot.contract.input.text());
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
    CVPIPE_RETURN_IF_ERROR(prefixed(slot.label, s.stage.empty() ? io::make_sink(s, slot.sink)
                                                                : io::make_plugin_sink(s, registry_, context_for(s.stage, stage_threads), slot.sink)));
    Status os = guarded("open", [&] { return slot.sink->open(info); });
    print_warnings(slot.sink->take_warnings());
    CVPIPE_RETURN_IF_ERROR(prefixed(slot.label, os));
    slot.opened = true;
    slot.label = with_location("sink " + std::to_string(i) + " (" + slot.sink->describe() + ")", s.where);
  }

  limit_ = opt_.max_frames >= 0 ? opt_.max_frames : spec_.runtime.max_frames;
  if (opt_.shard_count > 1 && limit_ >= 0)  // this shard's items among the first limit_
    limit_ = limit_ > opt_.shard_index ? (limit_ - opt_.shard_index + opt_.shard_count - 1) / opt_.shard_count : 0;
  int64_t total = info_.frame_count;
  if (limit_ >= 0) total = total >= 0 ? std::min(total, limit_) : limit_;
  progress_.set_total(total);
  return {};
}

PipelineParts::Read PipelineParts::read(Frame& frame, Clock::time_point& delivered, Status& error) {
  if (opt_.stop_flag && opt_.stop_flag->load()) return Read::stopped;
  if (limit_ >= 0 && read_ >= limit_) return Read::end;
  frame = Frame{};
  frame.seq = read_ * opt_.shard_count + opt_.shard_index;
  const auto t0 = Clock::now();
  Status st = guarded("read", [&] { return source_ptr_->read(frame); });
  delivered = Clock::now();
  print_warnings(source_ptr_->take_warnings());
  if (st.is_end()) return Read::end;
  if (!st.ok()) {
    ++report_.source_errors;
    error = Status(st.code(), source_.label + ": " + st.message());
    return Read::error;
  }
  if (const cv::Mat& image = frame.image;
      image.rows > 0 && static_cast<int64_t>(image.cols) > spec_.runtime.max_pixels / image.rows) {
    ++report_.source_errors;
    error = Status::io(source_.label + ": " + frame_text(frame) + ": a " + std::to_string(image.cols) + "x" +
                       std::to_string(image.rows) + " frame exceeds the budget of " +
                       std::to_string(spec_.runtime.max_pixels) + " pixels (runtime.max_pixels)");
    frame = Frame{};
    return Read::error;
  }
  source_.latency.add(ms_between(t0, delivered));
  trace_.complete(source_.metrics.name, "source", t0, delivered, 0);
  ++source_.metrics.frames;
  frame.seq = read_++ * opt_.shard_count + opt_.shard_index;
  if (read_ > 1 && frame.pts_ns < last_pts_) {  // non-monotonic: repaired and counted
    frame.pts_ns = last_pts_ + 1;
    ++report_.timestamps_repaired;
  }
  last_pts_ = frame.pts_ns;
  return Read::frame;
}

Status PipelineParts::process(StageSlot& s, Frame& frame, std::vector<Frame>& out, int tid) {
  CVPIPE_RETURN_IF_ERROR(fits_input_contract(s, frame));
  const auto t0 = Clock::now();
  Status st;
  {
    const CrashScope scope(s.label + " process() of " + frame_text(frame) + ", plugin " + s.plugin_file);
    FrameCollector collect(out);
    st = guarded("process", [&] { return s.stage->transform(frame, collect); });
  }
  const auto t1 = Clock::now();
  if (!st.ok()) return Status(st.code(), s.label + ": " + frame_text(frame) + ": " + st.message());
  s.latency.add(ms_between(t0, t1));
  trace_.complete(s.metrics.name, "stage", t0, t1, tid);
  ++s.metrics.frames;
  return {};
}

Status PipelineParts::process_batch(StageSlot& s, std::vector<Frame>& batch, int tid) {
  for (const Frame& f : batch) CVPIPE_RETURN_IF_ERROR(fits_input_contract(s, f));
  const std::string what = frames_text(batch);
  const size_t n = batch.size();
  const auto t0 = Clock::now();
  Status st;
  {
    const CrashScope scope(s.label + " process_batch() of " + what + ", plugin " + s.plugin_file);
    st = guarded("process_batch", [&] { return s.stage->process_batch(batch); });
  }
  const auto t1 = Clock::now();
  if (!st.ok()) return Status(st.code(), s.label + ": " + what + ": " + st.message());
  const double per_frame = ms_between(t0, t1) / static_cast<double>(std::max<size_t>(n, 1));
  for (size_t k = 0; k < n; ++k) s.latency.add(per_frame);
  trace_.complete(s.metrics.name, "stage", t0, t1, tid);
  s.metrics.frames += static_cast<int64_t>(n);
  return {};
}

Status PipelineParts::finish(StageSlot& s, std::vector<Frame>& out, int tid) {
  const auto t0 = Clock::now();
  Status st;
  {
    const CrashScope scope(s.label + " finish(), plugin " + s.plugin_file);
    FrameCollector collect(out);
    st = guarded("finish", [&] { return s.stage->finish(collect); });
  }
  trace_.complete(s.metrics.name + ".finish", "stage", t0, Clock::now(), tid);
  if (!st.ok()) return Status(st.code(), s.label + ": finish: " + st.message());
  return {};
}

Status PipelineParts::write(SinkSlot& s, const Frame& frame, int tid) {
  const auto t0 = Clock::now();
  Status st = guarded("write", [&] { return s.sink->write(frame); });
  const auto t1 = Clock::now();
  print_warnings(s.sink->take_warnings());
  if (!st.ok()) return Status(st.code(), s.label + ": " + frame_text(frame) + ": " + st.message());
  s.latency.add(ms_between(t0, t1));
  trace_.complete(s.metrics.name, "sink", t0, t1, tid);
  ++s.metrics.frames;
  return {};
}

Status PipelineParts::failed(Component& c, const std::string& message, StatusCode code, int64_t frames) {
  c.metrics.errors += frames;
  errors_ += frames;
  if (spec_.runtime.on_error == OnError::stop) return Status(code, message);
  skipped_ += frames;
  if (c.printed_errors < kMaxPrintedErrors) say("cvpipe: error: " + message + " (skipped)");
  else if (c.printed_errors == kMaxPrintedErrors) say("cvpipe: error: " + c.label + ": further errors are not shown");
  ++c.printed_errors;
  return {};
}

void PipelineParts::close_all() {
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

void PipelineParts::close_failed(Component& c, const Status& st) {
  ++c.metrics.errors;
  ++errors_;
  say("cvpipe: error: " + c.label + ": close: " + st.message());
}

void PipelineParts::conclude(bool ran) {
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
}

void PipelineParts::print_warnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) say("cvpipe: warning: " + w);
}

void PipelineParts::say(const std::string& line) {
  std::lock_guard lock(print_mutex_);
  progress_.clear();
  std::fprintf(stderr, "%s\n", capped_message(line).c_str());
  std::fflush(stderr);
}

}  // namespace cvpipe
