// Day -> night-style tone mapping; see night_style.hpp.
#include "night_style.hpp"

#include <cmath>

#include <opencv2/imgproc.hpp>

namespace cvpipe::colorize {

cv::Mat night_style(const cv::Mat& image) {
  CV_Assert(image.depth() == CV_8U && (image.channels() == 1 || image.channels() == 3 || image.channels() == 4));
  cv::Mat bgr;
  if (image.channels() == 1) cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
  else if (image.channels() == 4) cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
  else bgr = image;
  cv::Mat v;
  bgr.convertTo(v, CV_32FC3, 1.0 / 255.0);
  cv::Mat y(v.size(), CV_32FC1), bright(v.size(), CV_32FC1);
  for (int r = 0; r < v.rows; ++r) {
    const cv::Vec3f* p = v.ptr<cv::Vec3f>(r);
    float* yr = y.ptr<float>(r);
    float* br = bright.ptr<float>(r);
    for (int c = 0; c < v.cols; ++c) {
      yr[c] = 0.114f * p[c][0] + 0.587f * p[c][1] + 0.299f * p[c][2];
      br[c] = std::max(yr[c] - 0.75f, 0.f) / 0.25f;
    }
  }
  cv::Mat glow;
  cv::GaussianBlur(bright, glow, cv::Size(0, 0), 3.0, 3.0, cv::BORDER_REFLECT_101);
  static const float tint[3] = {1.15f, 0.90f, 0.70f}, warm[3] = {0.55f, 0.80f, 1.00f};
  cv::Mat out(v.size(), CV_8UC3);
  for (int r = 0; r < v.rows; ++r) {
    const cv::Vec3f* p = v.ptr<cv::Vec3f>(r);
    const float* yr = y.ptr<float>(r);
    const float* gr = glow.ptr<float>(r);
    cv::Vec3b* o = out.ptr<cv::Vec3b>(r);
    for (int c = 0; c < v.cols; ++c) {
      for (int k = 0; k < 3; ++k) {
        const float base = 0.55f * std::pow(0.35f * p[c][k] + 0.65f * yr[c], 1.5f) * tint[k];
        o[c][k] = cv::saturate_cast<uchar>((base + 0.6f * gr[c] * warm[k]) * 255.f);
      }
    }
  }
  return out;
}

}  // namespace cvpipe::colorize
