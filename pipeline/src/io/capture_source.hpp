// CaptureSource: the shared reader behind the video, camera, gstreamer and stream sources, all of
// which read through cv::VideoCapture. Guarantees: never throws; never blocks forever on a file
// (a truncated or corrupt file ends the stream: with an io_error when not one frame could be
// decoded, else with a warning when it ended well before its announced frame count); timestamps
// are monotonic (container time when it advances, else index / fps, else wall time for live
// sources). Frame.source = `source_name`; meta["frame_index"] = index of the frame in the stream.
// open() may be called again after close() (a live source being retried): reading starts over.
// Frame buffers are recycled (io/frame_pool.hpp) once every holder has released them.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <opencv2/videoio.hpp>

#include "io/frame_pool.hpp"
#include "io/io.hpp"

namespace cvpipe::io {

struct CaptureConfig {
  std::string kind;         // "video", "camera", "gstreamer", "stream": starts every message
  std::string target;       // path, device, pipeline or url, for messages
  std::string source_name;  // Frame.source
  // Opens `cap`; returns false (or throws cv::Exception) when it cannot. `why` may explain.
  std::function<bool(cv::VideoCapture& cap, std::string& why)> open;
  bool live = false;        // camera / network: frames may be dropped; no frame count
  bool loop = false;        // files: rewind at the end
  bool gray = false;        // convert frames to 8-bit gray
  // > 0: `open` runs on a helper thread and the source gives up after this long, or at once when
  // the stop flag turns true (for backends that can block without a timeout of their own, such as
  // a GStreamer pipeline that never prerolls); the abandoned attempt ends and frees itself.
  int open_timeout_ms = 0;
  // > 0: the backend gives up reading after this long (FFmpeg's read timeout); a read that fails
  // after waiting that long is a stalled stream, an io_error, not the end of the stream.
  int read_timeout_ms = 0;
};

class CaptureSource final : public Source {
 public:
  explicit CaptureSource(CaptureConfig config) : cfg_(std::move(config)) {}
  ~CaptureSource() override;

  Status open(StreamInfo& info) override;
  Status read(Frame& frame) override;
  std::string describe() const override { return cfg_.kind + ":" + cfg_.target; }
  Status close() override;

 private:
  Status read_one(cv::Mat& image);
  // cfg_.open on a fresh capture, bounded by cfg_.open_timeout_ms and the stop flag when set.
  Status open_capture(std::shared_ptr<cv::VideoCapture>& out);
  int64_t timestamp_ns();

  CaptureConfig cfg_;
  std::shared_ptr<cv::VideoCapture> cap_;
  FramePool pool_;           // decoded frames' buffers, reused once downstream let go of them
  double fps_ = 0;
  int64_t expected_ = -1;    // announced frame count (files), -1 unknown
  int64_t index_ = 0;        // frames delivered in this pass
  int64_t total_ = 0;        // frames delivered overall
  int64_t last_pts_ns_ = -1;
  int64_t pass_offset_ns_ = 0;
  bool ended_ = false;
  bool started_ = false;     // opened at least once (start_ is set)
  std::chrono::steady_clock::time_point start_;
};

}  // namespace cvpipe::io
