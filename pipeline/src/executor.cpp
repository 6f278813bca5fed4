// The sequential executor: run_pipeline (executor.hpp). One thread runs source -> stages ->
// sinks, frame by frame (each frame a stage emits goes all the way down before the next);
// stages that prefer batches collect frames until a batch is full.
// Building, calling and closing the parts is shared with the streaming executor
// (pipeline_components.hpp); every call into a plugin or an io object is guarded there.
#include "executor.hpp"

#include <algorithm>
#include <exception>
#include <thread>

#include <opencv2/core.hpp>

#include "pipeline_components.hpp"
#include "streaming/streaming_executor.hpp"

namespace cvpipe {

namespace {

class SequentialRun {
 public:
  SequentialRun(const PipelineSpec& spec, const PluginRegistry& registry, const RunOptions& options, RunReport& report)
      : parts_(spec, registry, options, report), report_(report) {}

  Status run() {
    const auto t0 = Clock::now();
    report_ = RunReport{};
    report_.executor = "sequential";
    const RunOptions& opt = parts_.options();
    const int requested = opt.threads > 0 ? opt.threads : parts_.spec().runtime.threads;
    const int threads = requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    report_.threads = threads;
    if (requested > 0) cv::setNumThreads(requested);
    Status st = parts_.open(threads, nullptr);
    const bool ran = st.ok();
    if (st.ok()) st = loop();
    if (st.ok()) st = drain();
    parts_.close_all();
    if (st.ok() && stopped_)
      st = Status(StatusCode::cancelled, "stopped after " + std::to_string(parts_.frames_read()) + " frames");
    report_.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    report_.status = st;
    report_.errors = parts_.errors();
    report_.skipped = parts_.skipped();
    report_.source = parts_.source().finished();
    for (const auto& s : parts_.stages()) report_.stages.push_back(s.finished());
    for (const auto& s : parts_.sinks()) report_.sinks.push_back(s.finished());
    parts_.conclude(ran);
    return st;
  }

 private:
  Status loop() {
    for (;;) {
      Frame frame;
      Clock::time_point delivered;
      Status error;
      switch (parts_.read(frame, delivered, error)) {
        case PipelineParts::Read::stopped:
          stopped_ = true;
          return {};
        case PipelineParts::Read::end:
          return {};
        case PipelineParts::Read::error:
          CVPIPE_RETURN_IF_ERROR(parts_.failed(parts_.source(), error.message(), error.code(), 1));
          continue;
        case PipelineParts::Read::frame:
          break;
      }
      const int64_t errors = parts_.errors();
      parts_.progress().update(parts_.frames_read(), errors > 0 ? std::to_string(errors) + " errors" : std::string());
      std::vector<Frame> one;
      one.push_back(std::move(frame));
      CVPIPE_RETURN_IF_ERROR(push(0, one));
    }
  }

  // Hands frames to stage i (stages().size(): the sinks).
  Status push(size_t i, std::vector<Frame>& frames) {
    if (frames.empty()) return {};
    auto& stages = parts_.stages();
    if (i == stages.size()) return to_sinks(frames);
    StageSlot& s = stages[i];
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
      std::vector<Frame> emitted;
      if (Status st = parts_.process(s, f, emitted, 0); !st.ok()) {
        CVPIPE_RETURN_IF_ERROR(parts_.failed(s, st.message(), st.code(), 1));
        continue;
      }
      CVPIPE_RETURN_IF_ERROR(push(i + 1, emitted));
    }
    return {};
  }

  Status run_batch(size_t i, std::vector<Frame>& batch) {
    StageSlot& s = parts_.stages()[i];
    if (Status st = parts_.process_batch(s, batch, 0); !st.ok())
      return parts_.failed(s, st.message(), st.code(), static_cast<int64_t>(batch.size()));
    return push(i + 1, batch);
  }

  Status to_sinks(std::vector<Frame>& frames) {
    for (auto& f : frames) {
      ++report_.frames;
      for (auto& s : parts_.sinks()) {
        if (Status st = parts_.write(s, f, 0); !st.ok()) CVPIPE_RETURN_IF_ERROR(parts_.failed(s, st.message(), st.code(), 1));
      }
    }
    return {};
  }

  // End of stream: stage by stage, the rest of a batch, then what finish() emits, go downstream.
  Status drain() {
    auto& stages = parts_.stages();
    for (size_t i = 0; i < stages.size(); ++i) {
      StageSlot& s = stages[i];
      if (!s.pending.empty()) {
        std::vector<Frame> batch = std::move(s.pending);
        s.pending.clear();
        CVPIPE_RETURN_IF_ERROR(run_batch(i, batch));
      }
      std::vector<Frame> out;
      if (Status st = parts_.finish(s, out, 0); !st.ok()) {
        CVPIPE_RETURN_IF_ERROR(parts_.failed(s, st.message(), st.code(), 1));
        continue;
      }
      CVPIPE_RETURN_IF_ERROR(push(i + 1, out));
    }
    return {};
  }

  PipelineParts parts_;
  RunReport& report_;
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
