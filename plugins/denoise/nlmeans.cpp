// NL-means baseline; see nlmeans.hpp.
#include "nlmeans.hpp"

#include <string>
#include <vector>

#include <opencv2/photo.hpp>

namespace cvpipe::denoise {

Status nlmeans_denoise(const cv::Mat& src, double sigma, cv::Mat& dst, const NlMeansOptions& options) {
  if (src.empty()) return Status::invalid("nlmeans: empty image");
  const int depth = src.depth(), ch = src.channels();
  if (depth != CV_8U && depth != CV_16U) return Status::unsupported("nlmeans: needs an 8-bit or 16-bit image");
  if (ch != 1 && ch != 3 && ch != 4) {
    return Status::unsupported("nlmeans: needs 1, 3 or 4 channels, got " + std::to_string(ch));
  }
  if (sigma < 0.5) {
    dst = src.clone();
    return {};
  }
  cv::Mat alpha, body = src;
  if (ch == 4) {
    std::vector<cv::Mat> planes;
    cv::split(src, planes);
    alpha = planes[3];
    planes.pop_back();
    cv::merge(planes, body);
  }
  cv::Mat in8 = body;
  if (depth == CV_16U) body.convertTo(in8, CV_8U, 1.0 / 257.0);
  cv::Mat out8;
  const float h = static_cast<float>(sigma);
  try {
    if (in8.channels() == 1) {
      cv::fastNlMeansDenoising(in8, out8, h, options.template_size, options.search_size);
    } else {
      cv::fastNlMeansDenoisingColored(in8, out8, h, h, options.template_size, options.search_size);
    }
  } catch (const cv::Exception& e) {
    return Status::runtime(std::string("nlmeans: ") + e.what());
  }
  cv::Mat out = out8;
  if (depth == CV_16U) out8.convertTo(out, CV_16U, 257.0);
  if (ch == 4) {
    std::vector<cv::Mat> planes;
    cv::split(out, planes);
    planes.push_back(alpha);
    cv::merge(planes, out);
  }
  dst = out;
  return {};
}

}  // namespace cvpipe::denoise
