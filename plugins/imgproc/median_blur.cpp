// Stage `median_blur`: see median_blur.hpp.
#include "median_blur.hpp"

#include "common.hpp"

namespace cvpipe::imgproc {

std::vector<ParamSpec> MedianBlur::params() {
  return {
      ParamSpec::integer("ksize", 5, 3, 255, "odd aperture side in pixels (16-bit images: 3 or 5)"),
  };
}

Status MedianBlur::check_params(const Params& p) {
  if (p.get_int("ksize") % 2 == 0) return Status::invalid("'ksize' must be odd, got " + std::to_string(p.get_int("ksize")));
  return {};
}

Status MedianBlur::configure(const Params& p, const StageContext&) {
  ksize_ = static_cast<int>(p.get_int("ksize"));
  return {};
}

Status MedianBlur::process(Frame& f) {
  CVPIPE_RETURN_IF_ERROR(check_image(f, "median_blur"));
  if (f.image.depth() != CV_8U && ksize_ > 5)
    return Status::unsupported("median_blur: ksize " + std::to_string(ksize_) + " needs 8-bit input (OpenCV allows 3 or 5 for " +
                               depth_name(f.image.depth()) + "); " + frame_text(f) + " is " + depth_name(f.image.depth()));
  return guard([&]() -> Status {
    cv::Mat out;
    cv::medianBlur(f.image, out, ksize_);
    f.image = out;
    return {};
  }, "median_blur");
}

}  // namespace cvpipe::imgproc
