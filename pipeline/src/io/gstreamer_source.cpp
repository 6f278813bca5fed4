// Source `gstreamer`: frames from a GStreamer pipeline through OpenCV's GStreamer backend. The
// pipeline should end in `appsink`; when it names no appsink, "! videoconvert !
// video/x-raw,format=BGR ! appsink" is appended. `live` marks camera-like pipelines. Opening waits
// at most `open_timeout_ms` (a pipeline that never delivers a frame cannot start) and ends at once
// on Ctrl-C.
#include "io/capture_source.hpp"
#include "io/io_types.hpp"
#include "io/retrying_source.hpp"

namespace cvpipe::io {

namespace {

const std::vector<ParamSpec>& gstreamer_source_params() {
  static const std::vector<ParamSpec> params = with_retry_params({
      ParamSpec::string("pipeline", std::nullopt, "GStreamer pipeline ending in appsink, e.g. 'videotestsrc num-buffers=30 ! videoconvert ! appsink'"),
      ParamSpec::boolean("live", false, "a live pipeline (camera, network): frames may be dropped, no frame count"),
      ParamSpec::integer("open_timeout_ms", 10000, 100, 600000, "give up when the pipeline has not started (prerolled) after this long"),
  });
  return params;
}

Status make(const Params& p, std::unique_ptr<Source>& out) {
  std::string pipeline = p.get_string("pipeline");
  if (pipeline.find_first_not_of(" \t") == std::string::npos) return Status::invalid("gstreamer: 'pipeline' is empty");
  if (pipeline.find("appsink") == std::string::npos) pipeline += " ! videoconvert ! video/x-raw,format=BGR ! appsink";
  CaptureConfig c;
  c.kind = "gstreamer";
  c.target = pipeline;
  c.source_name = "gstreamer";
  c.live = p.get_bool("live");
  c.open_timeout_ms = static_cast<int>(p.get_int("open_timeout_ms"));
  c.open = [pipeline](cv::VideoCapture& cap, std::string& why) {
    if (cap.open(pipeline, cv::CAP_GSTREAMER)) return true;
    why = "GStreamer could not start the pipeline (unknown element, bad caps, or OpenCV built without GStreamer)";
    return false;
  };
  out = std::make_unique<CaptureSource>(std::move(c));
  return {};
}

}  // namespace

const SourceType& gstreamer_source_type() {
  static const SourceType type{"gstreamer", &gstreamer_source_params, &make};
  return type;
}

}  // namespace cvpipe::io
