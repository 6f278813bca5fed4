// Stage `resize`: see resize.hpp.
#include "resize.hpp"

#include <algorithm>
#include <cmath>

#include "common.hpp"

namespace cvpipe::imgproc {

std::vector<ParamSpec> Resize::params() {
  return {
      ParamSpec::integer("width", 0, 0, 16384, "output width in pixels; 0: follows from height (or scale)"),
      ParamSpec::integer("height", 0, 0, 16384, "output height in pixels; 0: follows from width (or scale)"),
      ParamSpec::number("scale", 0.0, 0.0, 64.0, "scale factor instead of width/height (0.5 halves each side); 0: unused"),
      ParamSpec::choice("interpolation", "auto", interpolation_names(), "filter; auto: area when shrinking, cubic when enlarging"),
      ParamSpec::boolean("keep_aspect", true, "with both width and height: fit inside that box keeping the aspect ratio (false: stretch)"),
  };
}

Status Resize::check_params(const Params& p) {
  const bool sized = p.get_int("width") > 0 || p.get_int("height") > 0, scaled = p.get_number("scale") > 0;
  if (scaled && sized) return Status::invalid("give either 'scale' or 'width'/'height', not both");
  if (!scaled && !sized) return Status::invalid("set 'width', 'height' or 'scale'");
  return {};
}

Status Resize::configure(const Params& p, const StageContext&) {
  width_ = static_cast<int>(p.get_int("width"));
  height_ = static_cast<int>(p.get_int("height"));
  scale_ = p.get_number("scale");
  keep_aspect_ = p.get_bool("keep_aspect");
  interpolation_ = p.get_string("interpolation");
  return {};
}

cv::Size Resize::target_size(cv::Size in) const {
  const double w = in.width, h = in.height;
  double ow, oh;
  if (scale_ > 0) {
    ow = w * scale_;
    oh = h * scale_;
  } else if (width_ > 0 && height_ > 0) {
    if (keep_aspect_) {
      const double f = std::min(width_ / w, height_ / h);
      ow = w * f;
      oh = h * f;
    } else {
      ow = width_;
      oh = height_;
    }
  } else if (width_ > 0) {
    ow = width_;
    oh = h * width_ / w;
  } else {
    oh = height_;
    ow = w * height_ / h;
  }
  return {std::max(1, static_cast<int>(std::lround(ow))), std::max(1, static_cast<int>(std::lround(oh)))};
}

Status Resize::open(const StreamInfo& in, StreamInfo& out) {
  out = in;
  if (in.size.area() > 0) out.size = target_size(in.size);
  return {};
}

Status Resize::process(Frame& f) {
  CVPIPE_RETURN_IF_ERROR(check_image(f, "resize"));
  const cv::Size in = f.image.size();
  const cv::Size to = target_size(in);
  if (to == in) return {};
  const bool shrinking = to.area() < in.area();
  const int interp = interpolation_flag(interpolation_, shrinking);
  return guard([&]() -> Status {
    cv::Mat out;
    cv::resize(f.image, out, to, 0, 0, interp);
    f.image = out;
    for (auto& [name, plane] : f.planes) {
      if (plane.size() != in) continue;
      const bool mask_like = plane.type() == CV_8UC1 && name == "mask";
      cv::Mat r;
      cv::resize(plane, r, to, 0, 0, mask_like ? cv::INTER_NEAREST : interp);
      plane = r;
    }
    const float sx = static_cast<float>(to.width) / static_cast<float>(in.width);
    const float sy = static_cast<float>(to.height) / static_cast<float>(in.height);
    for (auto& d : f.detections) d.box = cv::Rect2f(d.box.x * sx, d.box.y * sy, d.box.width * sx, d.box.height * sy);
    return {};
  }, "resize");
}

}  // namespace cvpipe::imgproc
