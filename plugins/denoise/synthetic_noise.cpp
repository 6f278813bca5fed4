// Seeded Gaussian noise; see synthetic_noise.hpp.
#include "synthetic_noise.hpp"

#include <algorithm>
#include <cmath>

namespace cvpipe::denoise {

cv::Mat add_gaussian_noise(const cv::Mat& clean, double sigma, nn::Rng& rng) {
  CV_Assert(clean.depth() == CV_8U || clean.depth() == CV_16U);
  const bool wide = clean.depth() == CV_16U;
  const double maxval = wide ? 65535.0 : 255.0;
  const double s = wide ? sigma * 257.0 : sigma;
  cv::Mat out(clean.size(), clean.type());
  const int n = clean.cols * clean.channels();
  for (int y = 0; y < clean.rows; ++y) {
    for (int x = 0; x < n; ++x) {
      const double v = (wide ? clean.ptr<uint16_t>(y)[x] : clean.ptr<uint8_t>(y)[x]) + s * nn::normal01(rng);
      const double q = std::clamp(std::round(v), 0.0, maxval);
      if (wide) out.ptr<uint16_t>(y)[x] = static_cast<uint16_t>(q);
      else out.ptr<uint8_t>(y)[x] = static_cast<uint8_t>(q);
    }
  }
  return out;
}

cv::Mat add_gaussian_noise_f32(const cv::Mat& clean01, double sigma, nn::Rng& rng, bool quantize) {
  CV_Assert(clean01.depth() == CV_32F);
  cv::Mat out(clean01.size(), clean01.type());
  const int n = clean01.cols * clean01.channels();
  for (int y = 0; y < clean01.rows; ++y) {
    const float* src = clean01.ptr<float>(y);
    float* dst = out.ptr<float>(y);
    for (int x = 0; x < n; ++x) {
      double v = src[x] * 255.0 + sigma * nn::normal01(rng);
      if (quantize) v = std::clamp(std::round(v), 0.0, 255.0);
      dst[x] = static_cast<float>(v / 255.0);
    }
  }
  return out;
}

}  // namespace cvpipe::denoise
