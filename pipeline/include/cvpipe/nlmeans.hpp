// Non-local means denoising (OpenCV), the one implementation behind the imgproc `nlmeans` stage and
// the denoise plugin's `method: nlmeans` and evaluation baseline. Header-only; link opencv_photo.
//
// Guarantees: 8U or 16U images with 1, 3 or 4 channels; a 4th (alpha) channel is returned
// untouched. Strengths are in 8-bit levels for every depth.
//   8-bit:  1 channel: cv::fastNlMeansDenoising(h); 3 channels: cv::fastNlMeansDenoisingColored
//           (h for lightness, h_color for the colour components).
//   16-bit: full 16-bit precision with OpenCV's only 16-bit mode, cv::fastNlMeansDenoising with the
//           L1 patch distance and strength h * 257, all colour channels together (h_color unused).
// h below 0.5 returns a copy. Errors are Status values (invalid_argument: empty image or even
// window sizes; unsupported: other depths or channel counts; runtime_error: OpenCV failed).
// Thread-safe.
#pragma once
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/photo.hpp>

#include "cvpipe/status.hpp"

namespace cvpipe {

struct NlMeansOptions {
  float h = 10.f;        // strength (8-bit levels)
  float h_color = 10.f;  // strength of the colour components (8-bit colour images)
  int template_size = 7; // odd side of the compared patches
  int search_size = 21;  // odd side of the searched window
};

inline Status nlmeans(const cv::Mat& src, const NlMeansOptions& o, cv::Mat& dst) {
  if (src.empty()) return Status::invalid("nlmeans: empty image");
  const int depth = src.depth(), ch = src.channels();
  if (depth != CV_8U && depth != CV_16U) return Status::unsupported("nlmeans: needs an 8-bit or 16-bit image");
  if (ch != 1 && ch != 3 && ch != 4) return Status::unsupported("nlmeans: needs 1, 3 or 4 channels, got " + std::to_string(ch));
  if (o.template_size % 2 == 0 || o.search_size % 2 == 0)
    return Status::invalid("nlmeans: template and search sizes must be odd");
  if (o.h < 0.5f) {
    dst = src.clone();
    return {};
  }
  cv::Mat body = src, alpha;
  if (ch == 4) {
    cv::extractChannel(src, alpha, 3);
    cv::cvtColor(src, body, cv::COLOR_BGRA2BGR);
  }
  cv::Mat out;
  try {
    if (depth == CV_16U) {
      cv::fastNlMeansDenoising(body, out, std::vector<float>{o.h * 257.f}, o.template_size, o.search_size, cv::NORM_L1);
    } else if (body.channels() == 1) {
      cv::fastNlMeansDenoising(body, out, o.h, o.template_size, o.search_size);
    } else {
      cv::fastNlMeansDenoisingColored(body, out, o.h, o.h_color, o.template_size, o.search_size);
    }
    if (!alpha.empty()) {
      std::vector<cv::Mat> planes;
      cv::split(out, planes);
      planes.push_back(alpha);
      cv::merge(planes, out);
    }
  } catch (const cv::Exception& e) {
    return Status::runtime("nlmeans: OpenCV: " + e.err);
  }
  dst = out;
  return {};
}

}  // namespace cvpipe
