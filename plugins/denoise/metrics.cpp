// PSNR and SSIM; see metrics.hpp.
#include "metrics.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace cvpipe::denoise {

double psnr(const cv::Mat& a, const cv::Mat& b, double peak) {
  CV_Assert(a.size() == b.size() && a.type() == b.type() && !a.empty());
  cv::Mat fa, fb;
  a.convertTo(fa, CV_64F);
  b.convertTo(fb, CV_64F);
  cv::Mat diff = fa - fb;
  const double mse = diff.dot(diff) / static_cast<double>(diff.total() * diff.channels());
  if (mse <= 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(peak * peak / mse);
}

namespace {

// SSIM of one channel (CV_64F images).
double ssim_plane(const cv::Mat& x, const cv::Mat& y, double c1, double c2) {
  auto blur = [](const cv::Mat& m) {
    cv::Mat r;
    cv::GaussianBlur(m, r, cv::Size(11, 11), 1.5, 1.5, cv::BORDER_REFLECT);
    return r;
  };
  const cv::Mat mx = blur(x), my = blur(y);
  const cv::Mat mx2 = mx.mul(mx), my2 = my.mul(my), mxy = mx.mul(my);
  const cv::Mat sx = blur(x.mul(x)) - mx2, sy = blur(y.mul(y)) - my2, sxy = blur(x.mul(y)) - mxy;
  cv::Mat num = (2 * mxy + c1).mul(2 * sxy + c2);
  cv::Mat den = (mx2 + my2 + c1).mul(sx + sy + c2);
  cv::Mat map;
  cv::divide(num, den, map);
  return cv::mean(map)[0];
}

}  // namespace

double ssim(const cv::Mat& a, const cv::Mat& b, double peak) {
  CV_Assert(a.size() == b.size() && a.type() == b.type() && !a.empty());
  const double c1 = (0.01 * peak) * (0.01 * peak), c2 = (0.03 * peak) * (0.03 * peak);
  std::vector<cv::Mat> pa, pb;
  cv::split(a, pa);
  cv::split(b, pb);
  double s = 0;
  for (size_t c = 0; c < pa.size(); ++c) {
    cv::Mat x, y;
    pa[c].convertTo(x, CV_64F);
    pb[c].convertTo(y, CV_64F);
    s += ssim_plane(x, y, c1, c2);
  }
  return s / static_cast<double>(pa.size());
}

}  // namespace cvpipe::denoise
