// Stage `bilateral`: see bilateral.hpp.
#include "bilateral.hpp"

#include "common.hpp"

namespace cvpipe::imgproc {

std::vector<ParamSpec> Bilateral::params() {
  return {
      ParamSpec::integer("d", 9, 0, 64, "neighbourhood diameter in pixels; 0: derived from sigma_space"),
      ParamSpec::number("sigma_color", 75.0, 0.1, 1000.0, "how different (in 8-bit levels) colours may be and still mix"),
      ParamSpec::number("sigma_space", 75.0, 0.1, 1000.0, "how far (in pixels) neighbours reach"),
  };
}

Status Bilateral::configure(const Params& p, const StageContext&) {
  d_ = static_cast<int>(p.get_int("d"));
  sigma_color_ = p.get_number("sigma_color");
  sigma_space_ = p.get_number("sigma_space");
  return {};
}

Status Bilateral::process(Frame& f) {
  CVPIPE_RETURN_IF_ERROR(check_image(f, "bilateral"));
  return guard([&]() -> Status {
    cv::Mat in = f.image;
    cv::Mat alpha;
    if (in.channels() == 4) {
      cv::extractChannel(in, alpha, 3);
      cv::cvtColor(in, in, cv::COLOR_BGRA2BGR);
    }
    cv::Mat out;
    if (in.depth() == CV_16U) {
      cv::Mat fin, fout;
      in.convertTo(fin, CV_32F);
      cv::bilateralFilter(fin, fout, d_, sigma_color_ * 257.0, sigma_space_);
      fout.convertTo(out, CV_16U);
    } else if (in.depth() == CV_32F) {
      cv::bilateralFilter(in, out, d_, sigma_color_ / 255.0, sigma_space_);
    } else {
      cv::bilateralFilter(in, out, d_, sigma_color_, sigma_space_);
    }
    if (!alpha.empty()) {
      cv::Mat parts[4];
      cv::split(out, parts);
      parts[3] = alpha;
      cv::merge(parts, 4, out);
    }
    f.image = out;
    return {};
  }, "bilateral");
}

}  // namespace cvpipe::imgproc
