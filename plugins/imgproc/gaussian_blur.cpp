// Stage `gaussian_blur`: see gaussian_blur.hpp.
#include "gaussian_blur.hpp"

#include "common.hpp"

namespace cvpipe::imgproc {

std::vector<ParamSpec> GaussianBlur::params() {
  return {
      ParamSpec::integer("ksize", 5, 0, 255, "odd kernel side in pixels; 0: derived from sigma"),
      ParamSpec::number("sigma", 0.0, 0.0, 200.0, "standard deviation in pixels; 0: derived from ksize"),
  };
}

Status GaussianBlur::check_params(const Params& p) {
  const int64_t ksize = p.get_int("ksize");
  if (ksize > 0 && ksize % 2 == 0)
    return Status::invalid("'ksize' must be odd (or 0 to derive it from sigma), got " + std::to_string(ksize));
  if (ksize == 0 && p.get_number("sigma") <= 0) return Status::invalid("set 'ksize' (odd) or 'sigma' (> 0)");
  return {};
}

Status GaussianBlur::configure(const Params& p, const StageContext&) {
  ksize_ = static_cast<int>(p.get_int("ksize"));
  sigma_ = p.get_number("sigma");
  return {};
}

Status GaussianBlur::process(Frame& f) {
  CVPIPE_RETURN_IF_ERROR(check_image(f, "gaussian_blur"));
  return guard([&]() -> Status {
    cv::Mat out;
    cv::GaussianBlur(f.image, out, cv::Size(ksize_, ksize_), sigma_, sigma_, cv::BORDER_REFLECT_101);
    f.image = out;
    return {};
  }, "gaussian_blur");
}

}  // namespace cvpipe::imgproc
