// Stage: the unit of work a plugin provides. Lifecycle, driven by the host:
//   configure(params, ctx) -> open(input info) -> process(frame)* / produce(frame)* -> finish(out) -> close()
// Guarantees from the host: params are validated against the stage's schema (defaults filled,
// paths resolved); an instance is never called from two threads at once; close() is called once
// after a successful open(), also when the run stops early. A stage must not throw: return a Status.
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

class Stage {
 public:
  virtual ~Stage() = default;

  virtual Status configure(const Params& params, const StageContext& ctx) = 0;

  // Called once before frames flow; `out` describes what the stage emits (default: as input).
  virtual Status open(const StreamInfo& in, StreamInfo& out) { out = in; return {}; }

  // Transform and sink: handle one frame in place. May set frame.consumed to stop it here.
  virtual Status process(Frame& frame) { return Status::unsupported("stage does not process frames"); }

  // Networks may prefer batches; the default processes frames one by one, stopping at an error.
  virtual int preferred_batch() const { return 1; }
  virtual Status process_batch(std::vector<Frame>& frames) {
    for (auto& f : frames) CVPIPE_RETURN_IF_ERROR(process(f));
    return {};
  }

  // Source: fill the next frame (seq is set by the host). Returns end_of_stream when done.
  virtual Status produce(Frame& frame) { return Status::unsupported("stage is not a source"); }

  // End of stream: a stage holding frames back (e.g. a grid) emits what it has left.
  virtual Status finish(std::vector<Frame>& out) { return {}; }

  virtual Status close() { return {}; }
};

}  // namespace cvpipe
