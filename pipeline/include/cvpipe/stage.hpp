// Stage: the unit of work a plugin provides. A stage derives from the base class of its kind:
//   SourceStage     produce(frame) until end_of_stream          used as `source: {type: NAME}`
//   TransformStage  process(frame) in place (one frame in, one out), or transform(frame, out) to
//                   emit 0..N frames per input; finish(out) at end of stream
//                                                                used as `stages: [{stage: NAME}]`
//   SinkStage       consume(frame)                               used as `sinks: [{type: NAME}]`
// Lifecycle, driven by the host: configure(params, ctx) -> open(input info) -> frames -> finish(out) -> close().
// Guarantees from the host:
// - params are validated against the stage's schema (defaults filled, paths resolved) and by its
//   check_params() (stage_entry picks up a static `Status check_params(const Params&)`), in
//   `cvpipe validate` as in `run`;
// - frames fit the stage's declared input contract (a static `StageContract contract()`): checked
//   once at open() when the stream's type is known, and on every frame (a frame that does not fit
//   fails with a message naming the contract and never reaches the stage);
// - threading: calls may come from different threads over a stage's life, never two at once, and
//   each call sees everything earlier calls did (no locks needed for the stage's own state; do not
//   keep per-stage state in thread_local variables);
// - close() is called once after a successful open(), also when the run stops early.
// A stage must not throw: return a Status (an exception is caught and reported as a failure).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "cvpipe/frame.hpp"
#include "cvpipe/log.hpp"
#include "cvpipe/params.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe {

enum class StageKind { source, transform, sink };

inline const char* to_string(StageKind k) {
  switch (k) {
    case StageKind::source: return "source";
    case StageKind::transform: return "transform";
    case StageKind::sink: return "sink";
  }
  return "?";
}

// What is known about a stream before frames flow; zero / -1 means unknown.
struct StreamInfo {
  cv::Size size;           // frame size, when fixed
  int type = -1;           // OpenCV Mat type (CV_8UC3 ...), when fixed
  double fps = 0.0;        // frames per second, when known
  int64_t frame_count = -1;
  bool live = false;       // a camera or network stream (frames may be dropped)
};

// What frames a stage takes in (input) or puts out (output). An empty list means "any".
struct FrameContract {
  std::vector<int> depths;        // OpenCV depths: CV_8U, CV_16U, CV_32F ...
  std::vector<int> channels;      // 1, 3, 4
  std::vector<std::string> meta;  // input: meta keys a frame must carry; output: keys the stage sets

  // Whether an image of OpenCV type `type` fits depths and channels (any type when -1: unknown).
  bool admits_type(int type) const {
    if (type < 0) return true;
    return listed(depths, CV_MAT_DEPTH(type)) && listed(channels, CV_MAT_CN(type));
  }
  // "" when `frame` fits (an empty image fits any depth and channels), else why not:
  // "takes 8U or 16U; this is a 32F 1-channel image".
  std::string mismatch(const Frame& frame) const {
    if (!frame.image.empty() && !admits_type(frame.image.type()))
      return "takes " + text() + "; this is a " + type_text(frame.image.type()) + " image";
    for (const auto& key : meta)
      if (!frame.meta.count(key)) return "takes " + text() + "; this frame has no meta key '" + key + "'";
    return {};
  }
  // "8U or 16U, 1 or 3 channels, meta: a, b"; "any frame" when nothing is declared.
  std::string text() const {
    std::string t;
    auto add = [&t](const std::string& part) { t += (t.empty() ? "" : ", ") + part; };
    if (!depths.empty()) {
      std::string d;
      for (size_t i = 0; i < depths.size(); ++i) d += (i ? (i + 1 == depths.size() ? " or " : ", ") : "") + depth_text(depths[i]);
      add(d);
    }
    if (!channels.empty()) {
      std::string c;
      for (size_t i = 0; i < channels.size(); ++i)
        c += (i ? (i + 1 == channels.size() ? " or " : ", ") : "") + std::to_string(channels[i]);
      add(c + (channels.size() == 1 && channels[0] == 1 ? " channel" : " channels"));
    }
    if (!meta.empty()) {
      std::string m = "meta: ";
      for (size_t i = 0; i < meta.size(); ++i) m += (i ? ", " : "") + meta[i];
      add(m);
    }
    return t.empty() ? "any frame" : t;
  }
  static std::string depth_text(int depth) {
    static const char* const names[] = {"8U", "8S", "16U", "16S", "32S", "32F", "64F", "16F"};
    return depth >= 0 && depth < 8 ? names[depth] : "depth " + std::to_string(depth);
  }
  // "8U 3-channel"
  static std::string type_text(int type) {
    return depth_text(CV_MAT_DEPTH(type)) + " " + std::to_string(CV_MAT_CN(type)) + "-channel";
  }

 private:
  static bool listed(const std::vector<int>& values, int v) {
    if (values.empty()) return true;
    for (int x : values)
      if (x == v) return true;
    return false;
  }
};

struct StageContract {
  FrameContract input;   // what the stage accepts (sources: unused)
  FrameContract output;  // what the frames it emits look like (sinks: unused)
};

// Where a stage puts the frames it outputs. emit() may be called any number of times during one
// transform() or finish() call, never after the call returns; frames go downstream in emit order.
class Emitter {
 public:
  virtual void emit(Frame frame) = 0;

 protected:
  ~Emitter() = default;
};

// An Emitter that appends every emitted frame to a vector (the host's, and handy in tests).
class FrameCollector final : public Emitter {
 public:
  explicit FrameCollector(std::vector<Frame>& out) : out_(out) {}
  void emit(Frame frame) override { out_.push_back(std::move(frame)); }

 private:
  std::vector<Frame>& out_;
};

struct StageContext {
  std::string instance_name;          // the stage's name in the pipeline
  std::filesystem::path config_dir;   // folder of the config file (paths are already resolved)
  int threads = 1;                    // thread budget the stage may use
  bool quiet = false;
  const Logger* logger = nullptr;     // the host's logger (never null when the host configures a stage)

  // Logs `message` as this stage at `level` (nothing without a logger or when the level is off).
  void log(LogLevel level, const std::string& message) const {
    if (logger && logger->enabled(level)) logger->write(level, "stage '" + instance_name + "'", message);
  }
};

// The host's view of every stage. Plugins derive from SourceStage, TransformStage or SinkStage.
class Stage {
 public:
  virtual ~Stage() = default;

  virtual Status configure(const Params& params, const StageContext& ctx) = 0;

  // Called once before frames flow; `out` describes what the stage emits (default: as input).
  virtual Status open(const StreamInfo& in, StreamInfo& out) { out = in; return {}; }

  // Source: fill the next frame (seq is set by the host). Returns end_of_stream when done.
  virtual Status produce(Frame& frame) { return Status::unsupported("stage is not a source"); }

  // Transform: handle one frame; emit 0..N frames downstream.
  virtual Status transform(Frame& frame, Emitter& out) { return Status::unsupported("stage is not a transform"); }
  // Networks may prefer batches; the host then calls process_batch() instead of transform().
  virtual int preferred_batch() const { return 1; }
  virtual Status process_batch(std::vector<Frame>& frames) { return Status::unsupported("stage does not take batches"); }

  // Sink: take one frame (the last stop of a frame; the sink keeps what it needs).
  virtual Status consume(const Frame& frame) { return Status::unsupported("stage is not a sink"); }

  // End of stream: a stage holding frames back (e.g. a grid) emits what it has left.
  virtual Status finish(Emitter& out) { return {}; }

  virtual Status close() { return {}; }
};

class SourceStage : public Stage {
 public:
  static constexpr StageKind kind = StageKind::source;
  Status produce(Frame& frame) override = 0;
};

class TransformStage : public Stage {
 public:
  static constexpr StageKind kind = StageKind::transform;

  // One frame in place, one frame out: override this, or transform() to emit 0..N frames.
  virtual Status process(Frame& frame) { return Status::unsupported("the stage overrides neither process() nor transform()"); }

  // Default: process(frame), then emit it.
  Status transform(Frame& frame, Emitter& out) override {
    CVPIPE_RETURN_IF_ERROR(process(frame));
    out.emit(std::move(frame));
    return {};
  }

  // A stage with preferred_batch() > 1 is one frame in, one out, in order. Default: process()
  // each frame, stopping at an error.
  Status process_batch(std::vector<Frame>& frames) override {
    for (auto& f : frames) CVPIPE_RETURN_IF_ERROR(process(f));
    return {};
  }
};

class SinkStage : public Stage {
 public:
  static constexpr StageKind kind = StageKind::sink;
  Status consume(const Frame& frame) override = 0;
};

}  // namespace cvpipe
