// Stage `crop`: see crop.hpp.
#include "crop.hpp"

#include "common.hpp"

namespace cvpipe::imgproc {

std::vector<ParamSpec> Crop::params() {
  return {
      ParamSpec::integer("x", 0, 0, 1 << 20, "left edge in pixels"),
      ParamSpec::integer("y", 0, 0, 1 << 20, "top edge in pixels"),
      ParamSpec::integer("width", 0, 0, 1 << 20, "width in pixels; 0: to the right edge"),
      ParamSpec::integer("height", 0, 0, 1 << 20, "height in pixels; 0: to the bottom edge"),
  };
}

Status Crop::configure(const Params& p, const StageContext&) {
  x_ = static_cast<int>(p.get_int("x"));
  y_ = static_cast<int>(p.get_int("y"));
  width_ = static_cast<int>(p.get_int("width"));
  height_ = static_cast<int>(p.get_int("height"));
  return {};
}

cv::Rect Crop::region(cv::Size image) const {
  const int w = width_ > 0 ? width_ : image.width - x_;
  const int h = height_ > 0 ? height_ : image.height - y_;
  if (w <= 0 || h <= 0) return {};
  return cv::Rect(x_, y_, w, h) & cv::Rect(0, 0, image.width, image.height);
}

Status Crop::open(const StreamInfo& in, StreamInfo& out) {
  out = in;
  if (in.size.area() > 0) {
    const cv::Rect r = region(in.size);
    if (r.area() == 0)
      return Status::invalid("crop: the region x=" + std::to_string(x_) + " y=" + std::to_string(y_) + " lies outside the " +
                             std::to_string(in.size.width) + "x" + std::to_string(in.size.height) + " frames");
    out.size = r.size();
  }
  return {};
}

Status Crop::process(Frame& f) {
  CVPIPE_RETURN_IF_ERROR(check_image(f, "crop"));
  const cv::Size in = f.image.size();
  const cv::Rect r = region(in);
  if (r.area() == 0)
    return Status::invalid("crop: the region x=" + std::to_string(x_) + " y=" + std::to_string(y_) + " w=" +
                           std::to_string(width_) + " h=" + std::to_string(height_) + " lies outside the " +
                           std::to_string(in.width) + "x" + std::to_string(in.height) + " image of " + frame_text(f));
  if (r == cv::Rect(0, 0, in.width, in.height)) return {};
  return guard([&]() -> Status {
    f.image = f.image(r).clone();
    for (auto& [name, plane] : f.planes)
      if (plane.size() == in) plane = plane(r).clone();
    const cv::Rect2f rf(static_cast<float>(r.x), static_cast<float>(r.y), static_cast<float>(r.width), static_cast<float>(r.height));
    std::vector<Detection> kept;
    for (auto d : f.detections) {
      const cv::Rect2f clipped = d.box & rf;
      if (clipped.width <= 0 || clipped.height <= 0) continue;
      d.box = cv::Rect2f(clipped.x - rf.x, clipped.y - rf.y, clipped.width, clipped.height);
      kept.push_back(std::move(d));
    }
    f.detections = std::move(kept);
    return {};
  }, "crop");
}

}  // namespace cvpipe::imgproc
