// Source `video`: a video file read with OpenCV's FFmpeg backend.
// fps and frame count from the container, pts from the decoder's position. A truncated or
// corrupt file ends the stream early with a warning (or an io_error when nothing decodes).
#include <filesystem>

#include "io/capture_source.hpp"
#include "io/io_types.hpp"

namespace cvpipe::io {

namespace {

const std::vector<ParamSpec>& video_source_params() {
  static const std::vector<ParamSpec> params = {
      ParamSpec::path("path", std::nullopt, true, "video file (.avi .mp4 .mkv .mov .webm ...)"),
      ParamSpec::boolean("loop", false, "start again from the first frame at the end"),
      ParamSpec::choice("read", "color", {"color", "gray"}, "deliver 8-bit BGR or 8-bit gray frames"),
  };
  return params;
}

Status make(const Params& p, std::unique_ptr<Source>& out) {
  CaptureConfig c;
  c.kind = "video";
  c.target = p.get_string("path");
  c.source_name = std::filesystem::path(c.target).filename().string();
  c.loop = p.get_bool("loop");
  c.gray = p.get_string("read") == "gray";
  const std::string path = c.target;
  c.open = [path](cv::VideoCapture& cap, std::string& why) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      why = std::filesystem::exists(path, ec) ? "not a regular file" : "the file does not exist";
      return false;
    }
    if (cap.open(path, cv::CAP_FFMPEG)) return true;
    why = "FFmpeg cannot decode it (corrupt, truncated or unsupported format?)";
    return false;
  };
  out = std::make_unique<CaptureSource>(std::move(c));
  return {};
}

}  // namespace

const SourceType& video_source_type() {
  static const SourceType type{"video", &video_source_params, &make};
  return type;
}

}  // namespace cvpipe::io
