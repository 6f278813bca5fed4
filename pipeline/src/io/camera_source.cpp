// Source `camera`: a V4L2 camera (OpenCV's V4L2 back end) by index ("0") or device path ("/dev/video0"), with optional
// requested width, height and fps (0: the driver's default). A live source: no frame count,
// pts from the wall clock since open.
#include <algorithm>
#include <cctype>

#include "io/capture_source.hpp"
#include "io/io_types.hpp"
#include "io/retrying_source.hpp"

namespace cvpipe::io {

namespace {

const std::vector<ParamSpec>& camera_source_params() {
  static const std::vector<ParamSpec> params = with_retry_params({
      ParamSpec::string("device", std::string("0"), "camera index (0, 1, ...) or device path (/dev/video0)"),
      ParamSpec::integer("width", 0, 0, 16384, "requested frame width; 0: driver default"),
      ParamSpec::integer("height", 0, 0, 16384, "requested frame height; 0: driver default"),
      ParamSpec::number("fps", 0.0, 0.0, 1000.0, "requested frame rate; 0: driver default"),
  });
  return params;
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() < 6 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

Status make(const Params& p, std::unique_ptr<Source>& out) {
  const std::string device = p.get_string("device");
  if (!all_digits(device) && device.rfind("/dev/", 0) != 0)
    return Status::invalid("camera: device '" + device + "' is neither an index (0, 1, ...) nor a /dev/videoN path");
  const int width = static_cast<int>(p.get_int("width"));
  const int height = static_cast<int>(p.get_int("height"));
  const double fps = p.get_number("fps");
  CaptureConfig c;
  c.kind = "camera";
  c.target = device;
  c.source_name = all_digits(device) ? "camera" + device : device;
  c.live = true;
  c.open = [device, width, height, fps](cv::VideoCapture& cap, std::string& why) {
    const bool ok = all_digits(device) ? cap.open(std::stoi(device), cv::CAP_V4L2) : cap.open(device, cv::CAP_V4L2);
    if (!ok) {
      why = "no such camera, or it is busy or not permitted";
      return false;
    }
    if (width > 0) cap.set(cv::CAP_PROP_FRAME_WIDTH, width);
    if (height > 0) cap.set(cv::CAP_PROP_FRAME_HEIGHT, height);
    if (fps > 0) cap.set(cv::CAP_PROP_FPS, fps);
    return true;
  };
  out = std::make_unique<CaptureSource>(std::move(c));
  return {};
}

}  // namespace

const SourceType& camera_source_type() {
  static const SourceType type{"camera", &camera_source_params, &make};
  return type;
}

}  // namespace cvpipe::io
