// Stage `nlmeans`: see nlmeans.hpp.
#include "nlmeans.hpp"

#include <opencv2/photo.hpp>

#include "common.hpp"

namespace cvpipe::imgproc {

std::vector<ParamSpec> NlMeans::params() {
  return {
      ParamSpec::number("h", 10.0, 0.0, 100.0, "filter strength for luminance (8-bit levels): higher removes more noise and detail"),
      ParamSpec::number("h_color", 10.0, 0.0, 100.0, "filter strength for colour components (color frames)"),
      ParamSpec::integer("template", 7, 3, 21, "odd side of the patch compared between pixels"),
      ParamSpec::integer("search", 21, 3, 65, "odd side of the window searched for similar patches"),
  };
}

Status NlMeans::configure(const Params& p, const StageContext&) {
  h_ = static_cast<float>(p.get_number("h"));
  h_color_ = static_cast<float>(p.get_number("h_color"));
  template_ = static_cast<int>(p.get_int("template"));
  search_ = static_cast<int>(p.get_int("search"));
  if (template_ % 2 == 0) return Status::invalid("nlmeans: template must be odd, got " + std::to_string(template_));
  if (search_ % 2 == 0) return Status::invalid("nlmeans: search must be odd, got " + std::to_string(search_));
  return {};
}

Status NlMeans::process(Frame& f) {
  CVPIPE_RETURN_IF_ERROR(check_image(f, "nlmeans"));
  if (f.image.depth() == CV_32F)
    return Status::unsupported("nlmeans: " + frame_name(f) + " is 32-bit float; OpenCV denoises 8-bit and 16-bit images");
  return cv_guard("nlmeans", [&]() -> Status {
    cv::Mat in = f.image;
    cv::Mat out;
    if (in.depth() == CV_16U) {
      cv::fastNlMeansDenoising(in, out, std::vector<float>{h_ * 257.f}, template_, search_, cv::NORM_L1);
    } else if (in.channels() == 1) {
      cv::fastNlMeansDenoising(in, out, h_, template_, search_);
    } else {
      cv::Mat alpha;
      if (in.channels() == 4) {
        cv::extractChannel(in, alpha, 3);
        cv::cvtColor(in, in, cv::COLOR_BGRA2BGR);
      }
      cv::fastNlMeansDenoisingColored(in, out, h_, h_color_, template_, search_);
      if (!alpha.empty()) {
        cv::Mat parts[4];
        cv::split(out, parts);
        parts[3] = alpha;
        cv::merge(parts, 4, out);
      }
    }
    f.image = out;
    return {};
  });
}

}  // namespace cvpipe::imgproc
